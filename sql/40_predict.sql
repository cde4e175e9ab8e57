-- Fault prediction (issue 6; owner: prediction). Idempotent.
--
-- 1. nb67_predict_input(dev_mode, run_at, slot): the per-device window aggregates of the legacy
--    predict queries (spec legacy-nb67.md §5.2), for every device with data in the 3 minutes before
--    run_at, one row per device, in ONE statement. Its predict_input column is the JSON body of the
--    WASM `predict` function: data3m..data30m keyed by the legacy aliases, plus the identity fields
--    of the device's latest sample and run_slot.
--    - Source relation and time column per DEV_MODE, as legacy: dev -> dev_macda/msg_calc_parse_time,
--      pro -> pro_macda/msg_calc_dvc_time. Both are views over macda (sql/generated/15_macda_views.sql)
--      with the legacy ÷10 scaling, so the percentiles are taken over the same double values as legacy.
--    - Windows are "time > run_at - N minutes" (legacy: now() - N minutes per query; here one run_at
--      for all six windows, so the windows are consistent with each other).
--    - Percentiles are exact (percentile_cont, linear interpolation between the two nearest samples).
--      Legacy used timescaledb_toolkit approx_percentile(percentile_agg(x)) (UddSketch, ~0.1 % relative
--      error), so a legacy aggregate may differ from ours by up to ~0.1 %; near a threshold a decision
--      can therefore differ from what legacy would have computed (spec §10 item 19). The decision code
--      given the same aggregates is bit for bit legacy (WASM, profile legacy-compat).
--    - Index use, never a full scan: devices are found through the BRIN indexes below on the time
--      columns (rows are appended in time order, so a 3-minute range touches a few block ranges);
--      each device's 30 minutes are then read by an index range scan on (dvc_no, dvc_time) (pro:
--      macda_natural_key) or (dvc_no, parse_time) (dev: macda_dvc_parse_time, created by apply.sh
--      when DEV_MODE=true). All six windows come from that one range, with FILTER per window.
--
-- 2. pro_predict / dev_predict: the legacy prediction tables (spec §4.1: time column, 3 text identity
--    columns, the 26 flags as integer NOT NULL DEFAULT 0, in legacy order) plus run_slot and profile.
--    The unique key (msg_calc_dvc_no, run_slot) makes the insert idempotent per device and run: two
--    Connect instances (or a replayed run) write at most one row per device and slot; the pipeline
--    inserts with ON CONFLICT DO NOTHING.
--
-- 3. predict_dead_letter: predict inputs the WASM module rejected (nb67_error) with the reason.

-- BRIN indexes on the time columns of macda: tiny and nearly free to maintain for append-mostly
-- data; they let "devices with data in the last 3 minutes" read only the newest block ranges.
CREATE INDEX IF NOT EXISTS macda_dvc_time_brin ON macda USING brin (dvc_time);
CREATE INDEX IF NOT EXISTS macda_parse_time_brin ON macda USING brin (parse_time);

-- The 26 flags in legacy column order, once; both predict tables take them with LIKE (a template
-- that never holds rows).
CREATE TABLE IF NOT EXISTS predict_flags (
  ref_leak_u11 integer NOT NULL DEFAULT 0,
  ref_leak_u12 integer NOT NULL DEFAULT 0,
  ref_leak_u21 integer NOT NULL DEFAULT 0,
  ref_leak_u22 integer NOT NULL DEFAULT 0,
  f_cp_u1 integer NOT NULL DEFAULT 0,
  f_cp_u2 integer NOT NULL DEFAULT 0,
  f_fas integer NOT NULL DEFAULT 0,
  f_ras integer NOT NULL DEFAULT 0,
  cabin_overtemp integer NOT NULL DEFAULT 0,
  f_presdiff_u1 integer NOT NULL DEFAULT 0,
  f_presdiff_u2 integer NOT NULL DEFAULT 0,
  f_ef_u11 integer NOT NULL DEFAULT 0,
  f_ef_u12 integer NOT NULL DEFAULT 0,
  f_ef_u21 integer NOT NULL DEFAULT 0,
  f_ef_u22 integer NOT NULL DEFAULT 0,
  f_cf_u11 integer NOT NULL DEFAULT 0,
  f_cf_u12 integer NOT NULL DEFAULT 0,
  f_cf_u21 integer NOT NULL DEFAULT 0,
  f_cf_u22 integer NOT NULL DEFAULT 0,
  f_exufan integer NOT NULL DEFAULT 0,
  f_fas_u11 integer NOT NULL DEFAULT 0,
  f_fas_u12 integer NOT NULL DEFAULT 0,
  f_fas_u21 integer NOT NULL DEFAULT 0,
  f_fas_u22 integer NOT NULL DEFAULT 0,
  f_aq_u1 integer NOT NULL DEFAULT 0,
  f_aq_u2 integer NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS pro_predict (
  msg_calc_dvc_time timestamptz NOT NULL,
  msg_calc_parse_time text NOT NULL,
  msg_calc_dvc_no text NOT NULL,
  msg_calc_train_no text NOT NULL,
  LIKE predict_flags INCLUDING DEFAULTS,
  run_slot timestamptz NOT NULL,                 -- start of the PREDICT_INTERVAL slot of the run (not legacy)
  profile text NOT NULL DEFAULT 'default'        -- rule profile that produced the row (not legacy)
);
CREATE UNIQUE INDEX IF NOT EXISTS pro_predict_run ON pro_predict (msg_calc_dvc_no, run_slot);
CREATE INDEX IF NOT EXISTS pro_predict_time ON pro_predict (msg_calc_dvc_time);

CREATE TABLE IF NOT EXISTS dev_predict (
  msg_calc_parse_time timestamptz NOT NULL,
  msg_calc_dvc_time text NOT NULL,
  msg_calc_dvc_no text NOT NULL,
  msg_calc_train_no text NOT NULL,
  LIKE predict_flags INCLUDING DEFAULTS,
  run_slot timestamptz NOT NULL,                 -- start of the PREDICT_INTERVAL slot of the run (not legacy)
  profile text NOT NULL DEFAULT 'default'        -- rule profile that produced the row (not legacy)
);
CREATE UNIQUE INDEX IF NOT EXISTS dev_predict_run ON dev_predict (msg_calc_dvc_no, run_slot);
CREATE INDEX IF NOT EXISTS dev_predict_time ON dev_predict (msg_calc_parse_time);

CREATE TABLE IF NOT EXISTS predict_dead_letter (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  msg_calc_dvc_no text,
  run_slot timestamptz,
  reason text NOT NULL,
  input text NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS predict_dead_letter_run ON predict_dead_letter (msg_calc_dvc_no, run_slot, reason);

-- The slot of a run: run_at truncated to multiples of slot (e.g. 60 s) since 2000-01-01 UTC.
CREATE OR REPLACE FUNCTION nb67_predict_slot(run_at timestamptz, slot interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
$$ SELECT date_bin(slot, run_at, timestamptz '2000-01-01 00:00:00+00') $$;

-- The statement behind nb67_predict_input, for EXPLAIN and benchmarks: parameters $1 = run_at
-- (timestamptz), $2 = slot (interval). PREPARE p AS <text>; EXPLAIN (ANALYZE, BUFFERS) EXECUTE p(now(), '60s').
CREATE OR REPLACE FUNCTION nb67_predict_input_sql(dev_mode boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    WITH recent AS (
      SELECT DISTINCT v.msg_calc_dvc_no AS dvc
      FROM %1$I v
      WHERE v.%2$I > $1 - interval '3 minutes'
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
      WHERE v.msg_calc_dvc_no = r.dvc AND v.%2$I > $1 - interval '3 minutes'
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
      WHERE v.msg_calc_dvc_no = r.dvc AND v.%2$I > $1 - interval '30 minutes'
    ) a
    ORDER BY r.dvc
  $q$,
    CASE WHEN dev_mode THEN 'dev_macda' ELSE 'pro_macda' END,
    CASE WHEN dev_mode THEN 'msg_calc_parse_time' ELSE 'msg_calc_dvc_time' END)
$fn$;

CREATE OR REPLACE FUNCTION nb67_predict_input(
  dev_mode boolean,
  run_at timestamptz DEFAULT now(),
  slot interval DEFAULT interval '60 seconds'
) RETURNS TABLE (msg_calc_dvc_no text, run_slot timestamptz, predict_input text)
LANGUAGE plpgsql STABLE
-- JIT compiles the ~75 aggregate expressions on every run (seconds) for a query that itself takes
-- milliseconds to a few hundred; it never pays off here.
SET jit = off
AS $fn$
BEGIN
  IF dev_mode IS NULL OR run_at IS NULL OR slot IS NULL OR slot <= interval '0' THEN
    RAISE EXCEPTION 'nb67_predict_input: need dev_mode, run_at and a positive slot, got %, %, %', dev_mode, run_at, slot;
  END IF;
  RETURN QUERY EXECUTE nb67_predict_input_sql(dev_mode) USING run_at, slot;
END
$fn$;
