-- Fault prediction functions (tables: sql/migrations/0002_baseline_predict.sql). See that file
-- for the design of nb67_predict_input and the predict tables.

-- The slot of a run: run_at truncated to multiples of slot (e.g. 60 s) since 2000-01-01 UTC.
CREATE OR REPLACE FUNCTION nb67_predict_slot(run_at timestamptz, slot interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
$$ SELECT date_bin(slot, run_at, timestamptz '2000-01-01 00:00:00+00') $$;

-- The statement behind nb67_predict_input, for EXPLAIN and benchmarks: parameters $1 = run_at
-- (timestamptz), $2 = slot (interval). PREPARE p AS <text>; EXPLAIN (ANALYZE, BUFFERS) EXECUTE p(now(), '60s').
-- Every read is bounded above by run_at + max_future (MAX_CLOCK_SKEW): a frame whose device clock is
-- ahead by more than that is not "recent", is in no window and is never the device's latest sample,
-- so one future-dated frame cannot keep a device in every run.
DROP FUNCTION IF EXISTS nb67_predict_input_sql(boolean);
CREATE OR REPLACE FUNCTION nb67_predict_input_sql(dev_mode boolean, max_future interval DEFAULT interval '5 minutes')
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    WITH recent AS (
      SELECT DISTINCT v.msg_calc_dvc_no AS dvc
      FROM %1$I v
      WHERE v.%2$I > $1 - interval '3 minutes' AND v.%2$I <= $1 + %3$L::interval
    )
    SELECT r.dvc, nb67_predict_slot($1, $2), json_build_object(
        'msg_calc_dvc_no', r.dvc,
        'msg_calc_train_no', l.msg_calc_train_no,
        'msg_calc_dvc_time', l.msg_calc_dvc_time,
        'msg_calc_parse_time', l.msg_calc_parse_time,
        'run_slot', nb67_predict_slot($1, $2),
        'data3m', json_build_object(
          'dvc_w_op_mode_u1', a.w3_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w3_dvc_w_op_mode_u2,
          'f_cp_u11', a.w3_f_cp_u11,
          'f_cp_u12', a.w3_f_cp_u12,
          'f_cp_u21', a.w3_f_cp_u21,
          'f_cp_u22', a.w3_f_cp_u22,
          'w_crntu1_sub', a.w3_w_crntu1_sub,
          'w_crntu2_sub', a.w3_w_crntu2_sub),
        'data5m', json_build_object(
          'dvc_w_op_mode_u1', a.w5_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w5_dvc_w_op_mode_u2,
          'f_cp_u11', a.w5_f_cp_u11,
          'f_cp_u12', a.w5_f_cp_u12,
          'f_cp_u21', a.w5_f_cp_u21,
          'f_cp_u22', a.w5_f_cp_u22,
          'suckp_u11', a.w5_suckp_u11,
          'suckp_u12', a.w5_suckp_u12,
          'suckp_u21', a.w5_suckp_u21,
          'suckp_u22', a.w5_suckp_u22,
          'fas_sub', a.w5_fas_sub,
          'ras_sub', a.w5_ras_sub),
        'data10m', json_build_object(
          'dvc_w_op_mode_u1', a.w10_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w10_dvc_w_op_mode_u2,
          'sp_u11', a.w10_sp_u11,
          'sp_u12', a.w10_sp_u12,
          'sp_u21', a.w10_sp_u21,
          'sp_u22', a.w10_sp_u22,
          'cfbk_ef_u11', a.w10_cfbk_ef_u11,
          'cfbk_ef_u21', a.w10_cfbk_ef_u21,
          'cfbk_cf_u11', a.w10_cfbk_cf_u11,
          'cfbk_cf_u21', a.w10_cfbk_cf_u21,
          'i_ef_u11', a.w10_i_ef_u11,
          'i_ef_u12', a.w10_i_ef_u12,
          'i_ef_u21', a.w10_i_ef_u21,
          'i_ef_u22', a.w10_i_ef_u22,
          'i_cf_u11', a.w10_i_cf_u11,
          'i_cf_u12', a.w10_i_cf_u12,
          'i_cf_u21', a.w10_i_cf_u21,
          'i_cf_u22', a.w10_i_cf_u22,
          'fas_u1', a.w10_fas_u1,
          'fas_u2', a.w10_fas_u2,
          'cfbk_exufan', a.w10_cfbk_exufan,
          'i_exufan', a.w10_i_exufan,
          'i_cp_u11', a.w10_i_cp_u11,
          'i_cp_u12', a.w10_i_cp_u12,
          'i_cp_u21', a.w10_i_cp_u21,
          'i_cp_u22', a.w10_i_cp_u22),
        'data15m', json_build_object(
          'dvc_w_op_mode_u1', a.w15_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w15_dvc_w_op_mode_u2,
          'highpress_u11', a.w15_highpress_u11,
          'highpress_u12', a.w15_highpress_u12,
          'highpress_u21', a.w15_highpress_u21,
          'highpress_u22', a.w15_highpress_u22),
        'data20m', json_build_object(
          'dvc_w_op_mode_u1', a.w20_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w20_dvc_w_op_mode_u2,
          'bflt_tempover', a.w20_bflt_tempover,
          'cfbk_ef_u11', a.w20_cfbk_ef_u11,
          'cfbk_ef_u21', a.w20_cfbk_ef_u21,
          'aq_co2_u1', a.w20_aq_co2_u1,
          'aq_co2_u2', a.w20_aq_co2_u2,
          'aq_tvoc_u1', a.w20_aq_tvoc_u1,
          'aq_tvoc_u2', a.w20_aq_tvoc_u2,
          'aq_pm2_5_u1', a.w20_aq_pm2_5_u1,
          'aq_pm2_5_u2', a.w20_aq_pm2_5_u2,
          'aq_pm10_u1', a.w20_aq_pm10_u1,
          'aq_pm10_u2', a.w20_aq_pm10_u2),
        'data30m', json_build_object(
          'dvc_w_op_mode_u1', a.w30_dvc_w_op_mode_u1,
          'dvc_w_op_mode_u2', a.w30_dvc_w_op_mode_u2,
          'cfbk_ef_u11', a.w30_cfbk_ef_u11,
          'cfbk_ef_u21', a.w30_cfbk_ef_u21,
          'cfbk_cf_u11', a.w30_cfbk_cf_u11,
          'cfbk_cf_u21', a.w30_cfbk_cf_u21,
          'presdiff_u1', a.w30_presdiff_u1,
          'presdiff_u2', a.w30_presdiff_u2)
      )::text
    FROM recent r
    CROSS JOIN LATERAL (
      SELECT v.msg_calc_train_no, v.msg_calc_dvc_time, v.msg_calc_parse_time
      FROM %1$I v
      WHERE v.msg_calc_dvc_no = r.dvc AND v.%2$I > $1 - interval '3 minutes' AND v.%2$I <= $1 + %3$L::interval
      ORDER BY v.%2$I DESC
      LIMIT 1
    ) l
    CROSS JOIN LATERAL (
      SELECT
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1) FILTER (WHERE v.%2$I > $1 - interval '3 minutes')) AS w3_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2) FILTER (WHERE v.%2$I > $1 - interval '3 minutes')) AS w3_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u11) FILTER (WHERE v.%2$I > $1 - interval '3 minutes') AS w3_f_cp_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u12) FILTER (WHERE v.%2$I > $1 - interval '3 minutes') AS w3_f_cp_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u21) FILTER (WHERE v.%2$I > $1 - interval '3 minutes') AS w3_f_cp_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u22) FILTER (WHERE v.%2$I > $1 - interval '3 minutes') AS w3_f_cp_u22,
        round(percentile_cont(0.80) WITHIN GROUP (ORDER BY abs(v.i_cp_u11 - v.i_cp_u12)) FILTER (WHERE v.%2$I > $1 - interval '3 minutes')) AS w3_w_crntu1_sub,
        round(percentile_cont(0.80) WITHIN GROUP (ORDER BY abs(v.i_cp_u21 - v.i_cp_u22)) FILTER (WHERE v.%2$I > $1 - interval '3 minutes')) AS w3_w_crntu2_sub,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1) FILTER (WHERE v.%2$I > $1 - interval '5 minutes')) AS w5_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2) FILTER (WHERE v.%2$I > $1 - interval '5 minutes')) AS w5_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u11) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_f_cp_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u12) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_f_cp_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u21) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_f_cp_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.f_cp_u22) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_f_cp_u22,
        percentile_cont(0.90) WITHIN GROUP (ORDER BY v.suckp_u11) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_suckp_u11,
        percentile_cont(0.90) WITHIN GROUP (ORDER BY v.suckp_u12) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_suckp_u12,
        percentile_cont(0.90) WITHIN GROUP (ORDER BY v.suckp_u21) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_suckp_u21,
        percentile_cont(0.90) WITHIN GROUP (ORDER BY v.suckp_u22) FILTER (WHERE v.%2$I > $1 - interval '5 minutes') AS w5_suckp_u22,
        round(percentile_cont(0.80) WITHIN GROUP (ORDER BY abs(v.fas_u1 - v.fas_u2)) FILTER (WHERE v.%2$I > $1 - interval '5 minutes')) AS w5_fas_sub,
        round(percentile_cont(0.80) WITHIN GROUP (ORDER BY abs(v.ras_u1 - v.ras_u2)) FILTER (WHERE v.%2$I > $1 - interval '5 minutes')) AS w5_ras_sub,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1) FILTER (WHERE v.%2$I > $1 - interval '10 minutes')) AS w10_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2) FILTER (WHERE v.%2$I > $1 - interval '10 minutes')) AS w10_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.sp_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_sp_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.sp_u12) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_sp_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.sp_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_sp_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.sp_u22) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_sp_u22,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_cfbk_ef_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_cfbk_ef_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_cf_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_cfbk_cf_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_cf_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_cfbk_cf_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_ef_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_ef_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_ef_u12) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_ef_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_ef_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_ef_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_ef_u22) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_ef_u22,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cf_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cf_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cf_u12) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cf_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cf_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cf_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cf_u22) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cf_u22,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.fas_u1) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_fas_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.fas_u2) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_fas_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_exufan) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_cfbk_exufan,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_exufan) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_exufan,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cp_u11) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cp_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cp_u12) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cp_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cp_u21) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cp_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.i_cp_u22) FILTER (WHERE v.%2$I > $1 - interval '10 minutes') AS w10_i_cp_u22,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1) FILTER (WHERE v.%2$I > $1 - interval '15 minutes')) AS w15_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2) FILTER (WHERE v.%2$I > $1 - interval '15 minutes')) AS w15_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.highpress_u11) FILTER (WHERE v.%2$I > $1 - interval '15 minutes') AS w15_highpress_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.highpress_u12) FILTER (WHERE v.%2$I > $1 - interval '15 minutes') AS w15_highpress_u12,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.highpress_u21) FILTER (WHERE v.%2$I > $1 - interval '15 minutes') AS w15_highpress_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.highpress_u22) FILTER (WHERE v.%2$I > $1 - interval '15 minutes') AS w15_highpress_u22,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1) FILTER (WHERE v.%2$I > $1 - interval '20 minutes')) AS w20_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2) FILTER (WHERE v.%2$I > $1 - interval '20 minutes')) AS w20_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.bflt_tempover) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_bflt_tempover,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u11) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_cfbk_ef_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u21) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_cfbk_ef_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_co2_u1) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_co2_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_co2_u2) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_co2_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_tvoc_u1) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_tvoc_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_tvoc_u2) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_tvoc_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_pm2_5_u1) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_pm2_5_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_pm2_5_u2) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_pm2_5_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_pm10_u1) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_pm10_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.aq_pm10_u2) FILTER (WHERE v.%2$I > $1 - interval '20 minutes') AS w20_aq_pm10_u2,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u1)) AS w30_dvc_w_op_mode_u1,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY v.wmode_u2)) AS w30_dvc_w_op_mode_u2,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u11) AS w30_cfbk_ef_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_ef_u21) AS w30_cfbk_ef_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_cf_u11) AS w30_cfbk_cf_u11,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.cfbk_cf_u21) AS w30_cfbk_cf_u21,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.presdiff_u1) AS w30_presdiff_u1,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY v.presdiff_u2) AS w30_presdiff_u2
      FROM %1$I v
      WHERE v.msg_calc_dvc_no = r.dvc AND v.%2$I > $1 - interval '30 minutes' AND v.%2$I <= $1 + %3$L::interval
    ) a
    ORDER BY r.dvc
  $q$,
    CASE WHEN dev_mode THEN 'dev_macda' ELSE 'pro_macda' END,
    CASE WHEN dev_mode THEN 'msg_calc_parse_time' ELSE 'msg_calc_dvc_time' END,
    max_future::text)
$fn$;

DROP FUNCTION IF EXISTS nb67_predict_input(boolean, timestamptz, interval);
CREATE OR REPLACE FUNCTION nb67_predict_input(
  dev_mode boolean,
  run_at timestamptz DEFAULT now(),
  slot interval DEFAULT interval '60 seconds',
  max_future interval DEFAULT interval '5 minutes'
) RETURNS TABLE (msg_calc_dvc_no text, run_slot timestamptz, predict_input text)
LANGUAGE plpgsql STABLE
-- JIT compiles the ~75 aggregate expressions on every run (seconds) for a query that itself takes
-- milliseconds to a few hundred; it never pays off here.
SET jit = off
AS $fn$
BEGIN
  IF dev_mode IS NULL OR run_at IS NULL OR slot IS NULL OR slot <= interval '0'
     OR max_future IS NULL OR max_future < interval '0' THEN
    RAISE EXCEPTION 'nb67_predict_input: need dev_mode, run_at, a positive slot and a max_future >= 0, got %, %, %, %',
      dev_mode, run_at, slot, max_future;
  END IF;
  RETURN QUERY EXECUTE nb67_predict_input_sql(dev_mode, max_future) USING run_at, slot;
END
$fn$;
