-- Console trends: the rolled-up field list and the rollup job (tables in
-- migrations/0102_console_rollup.sql). pipelines/rollup.yaml calls console_rollup_run() on a timer.
--
-- The field list is data, not code: rollup_field (ord, field). Append new fields with the next
-- ordinal; never renumber (array position = ordinal in rollup_1m/rollup_1h). Unknown or non-numeric
-- columns are ignored by the job (it checks macda's catalogue), so a wrong entry cannot break it.
-- Seed: the analogue fields of the frame (temperatures, pressures, currents, frequencies, air
-- quality, positions), the two working modes and the run-time/action counters (for health rates).
INSERT INTO rollup_field (ord, field) VALUES
  (1, 'fas_sys'),
  (2, 'ras_sys'),
  (3, 'tic'),
  (4, 'load'),
  (5, 'tveh_1'),
  (6, 'tveh_2'),
  (7, 'aq_t_u1'),
  (8, 'aq_h_u1'),
  (9, 'aq_co2_u1'),
  (10, 'aq_tvoc_u1'),
  (11, 'aq_formald_u1'),
  (12, 'aq_pm2_5_u1'),
  (13, 'aq_pm10_u1'),
  (14, 'presdiff_u1'),
  (15, 'fas_u1'),
  (16, 'ras_u1'),
  (17, 'fadpos_u1'),
  (18, 'radpos_u1'),
  (19, 'f_cp_u11'),
  (20, 'i_cp_u11'),
  (21, 'v_cp_u11'),
  (22, 'p_cp_u11'),
  (23, 'suckt_u11'),
  (24, 'suckp_u11'),
  (25, 'sp_u11'),
  (26, 'eevpos_u11'),
  (27, 'highpress_u11'),
  (28, 'sas_u11'),
  (29, 'ices_u11'),
  (30, 'f_cp_u12'),
  (31, 'i_cp_u12'),
  (32, 'v_cp_u12'),
  (33, 'p_cp_u12'),
  (34, 'suckt_u12'),
  (35, 'suckp_u12'),
  (36, 'sp_u12'),
  (37, 'eevpos_u12'),
  (38, 'highpress_u12'),
  (39, 'sas_u12'),
  (40, 'ices_u12'),
  (41, 'aq_t_u2'),
  (42, 'aq_h_u2'),
  (43, 'aq_co2_u2'),
  (44, 'aq_tvoc_u2'),
  (45, 'aq_formald_u2'),
  (46, 'aq_pm2_5_u2'),
  (47, 'aq_pm10_u2'),
  (48, 'presdiff_u2'),
  (49, 'fas_u2'),
  (50, 'ras_u2'),
  (51, 'fadpos_u2'),
  (52, 'radpos_u2'),
  (53, 'f_cp_u21'),
  (54, 'i_cp_u21'),
  (55, 'v_cp_u21'),
  (56, 'p_cp_u21'),
  (57, 'suckt_u21'),
  (58, 'suckp_u21'),
  (59, 'sp_u21'),
  (60, 'eevpos_u21'),
  (61, 'highpress_u21'),
  (62, 'sas_u21'),
  (63, 'ices_u21'),
  (64, 'f_cp_u22'),
  (65, 'i_cp_u22'),
  (66, 'v_cp_u22'),
  (67, 'p_cp_u22'),
  (68, 'suckt_u22'),
  (69, 'suckp_u22'),
  (70, 'sp_u22'),
  (71, 'eevpos_u22'),
  (72, 'highpress_u22'),
  (73, 'sas_u22'),
  (74, 'ices_u22'),
  (75, 'i_ef_u11'),
  (76, 'i_ef_u12'),
  (77, 'i_cf_u11'),
  (78, 'i_cf_u12'),
  (79, 'i_ef_u21'),
  (80, 'i_ef_u22'),
  (81, 'i_cf_u21'),
  (82, 'i_cf_u22'),
  (83, 'i_hvac_u1'),
  (84, 'i_hvac_u2'),
  (85, 'i_exufan'),
  (86, 'dmp_exu_pos'),
  (87, 'wmode_u1'),
  (88, 'wmode_u2'),
  (89, 'dwpower'),
  (90, 'dwemerg_op_tm'),
  (91, 'dwemerg_op_cnt'),
  (92, 'dwef_op_tm_u11'),
  (93, 'dwcf_op_tm_u11'),
  (94, 'dwcp_op_tm_u11'),
  (95, 'dwcp_op_tm_u12'),
  (96, 'dwfad_op_cnt_u1'),
  (97, 'dwrad_op_cnt_u1'),
  (98, 'dwef_op_cnt_u11'),
  (99, 'dwcf_op_cnt_u11'),
  (100, 'dwcp_op_cnt_u11'),
  (101, 'dwcp_op_cnt_u12'),
  (102, 'dwef_op_tm_u21'),
  (103, 'dwcf_op_tm_u21'),
  (104, 'dwcp_op_tm_u21'),
  (105, 'dwcp_op_tm_u22'),
  (106, 'dwfad_op_cnt_u2'),
  (107, 'dwrad_op_cnt_u2'),
  (108, 'dwef_op_cnt_u21'),
  (109, 'dwcf_op_cnt_u21'),
  (110, 'dwcp_op_cnt_u21'),
  (111, 'dwcp_op_cnt_u22'),
  (112, 'dwexufan_op_tm'),
  (113, 'dwexufan_op_cnt'),
  (114, 'dwdmpexu_op_cnt')
ON CONFLICT (ord) DO NOTHING;

-- The aggregate list for the fields that exist in macda, in ordinal order (a missing ordinal or
-- column gives NULL in that array position, so positions never shift).
CREATE OR REPLACE FUNCTION console__rollup_exprs(p_fn text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'ARRAY[' || string_agg(
           CASE WHEN a.attname IS NOT NULL AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'float4'::regtype, 'float8'::regtype, 'numeric'::regtype)
                THEN format('%s(m.%I)::real', p_fn, a.attname) ELSE 'NULL::real' END, ', ' ORDER BY g.i) || ']::real[]'
    FROM generate_series(1, (SELECT coalesce(max(ord), 0) FROM rollup_field)) g(i)
    LEFT JOIN rollup_field f ON f.ord = g.i
    LEFT JOIN pg_attribute a ON a.attrelid = 'macda'::regclass AND a.attname = f.field AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- One rollup step, idempotent and restart-safe:
--   1m: every complete minute from (done_until - lookback) to now - settle (at most p_max_span per
--       call, so a long outage is caught up in bounded steps) is recomputed from macda by a
--       partition-pruned, BRIN-indexed time range and upserted; an unchanged bucket is not written.
--   1h: every complete hour up to the 1m level's done_until, from (1h done_until - 1 hour), is
--       recomputed from rollup_1m (count-weighted averages, min of mins, max of maxes).
-- Re-running a window therefore changes nothing. Rows arriving later than the lookback are not
-- re-rolled (like the episode scan). First run: starts p_backfill before now.
-- One instance at a time (transaction advisory lock; others return skipped).
CREATE OR REPLACE FUNCTION console_rollup_run(p_settle interval DEFAULT '90 seconds',
  p_lookback interval DEFAULT '5 minutes', p_max_span interval DEFAULT '6 hours',
  p_backfill interval DEFAULT '2 hours')
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_hi timestamptz := date_trunc('minute', now() - p_settle);
  v_lo timestamptz;
  v_done timestamptz;
  v_n1 bigint := 0;
  v_n2 bigint := 0;
  v_hlo timestamptz;
  v_hhi timestamptz;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('nb67.console_rollup_run')) THEN
    RETURN jsonb_build_object('skipped', 'another instance is rolling up');
  END IF;
  PERFORM set_config('jit', 'off', true);
  SELECT done_until INTO v_done FROM rollup_state WHERE level = '1m';
  v_lo := date_trunc('minute', coalesce(v_done - p_lookback, now() - p_backfill));
  IF v_hi - v_lo > p_max_span THEN
    v_hi := v_lo + p_max_span;
  END IF;
  IF v_hi > v_lo THEN
    EXECUTE format($q$
      INSERT INTO rollup_1m AS r (dvc_no, bucket, n, avg, min, max)
      SELECT m.dvc_no, date_trunc('minute', m.dvc_time), count(*)::int, %s, %s, %s
        FROM macda m WHERE m.dvc_time >= $1 AND m.dvc_time < $2
       GROUP BY 1, 2
      ON CONFLICT (dvc_no, bucket) DO UPDATE SET n = EXCLUDED.n, avg = EXCLUDED.avg, min = EXCLUDED.min, max = EXCLUDED.max
       WHERE (r.n, r.avg, r.min, r.max) IS DISTINCT FROM (EXCLUDED.n, EXCLUDED.avg, EXCLUDED.min, EXCLUDED.max)
    $q$, console__rollup_exprs('avg'), console__rollup_exprs('min'), console__rollup_exprs('max'))
    USING v_lo, v_hi;
    GET DIAGNOSTICS v_n1 = ROW_COUNT;
    INSERT INTO rollup_state AS s (level, done_until, last_run, last_rows) VALUES ('1m', v_hi, now(), v_n1)
    ON CONFLICT (level) DO UPDATE SET done_until = greatest(s.done_until, EXCLUDED.done_until), last_run = now(), last_rows = v_n1;
  END IF;

  SELECT date_trunc('hour', done_until) INTO v_hhi FROM rollup_state WHERE level = '1m';
  SELECT done_until - interval '1 hour' INTO v_hlo FROM rollup_state WHERE level = '1h';
  v_hlo := coalesce(v_hlo, date_trunc('hour', now() - p_backfill));
  IF v_hhi IS NOT NULL AND v_hhi > v_hlo THEN
    INSERT INTO rollup_1h AS r (dvc_no, bucket, n, avg, min, max)
    SELECT c.dvc_no, c.b, c.n, f.a, f.mi, f.ma
      FROM (SELECT dvc_no, date_trunc('hour', bucket) AS b, sum(n)::int AS n
              FROM rollup_1m WHERE bucket >= v_hlo AND bucket < v_hhi GROUP BY 1, 2) c
      JOIN LATERAL (
        SELECT array_agg((x.sa / nullif(x.sn, 0))::real ORDER BY x.i) AS a,
               array_agg(x.mi ORDER BY x.i) AS mi, array_agg(x.ma ORDER BY x.i) AS ma
          FROM (SELECT u.i, sum(u.a * r1.n) AS sa, sum(r1.n) FILTER (WHERE u.a IS NOT NULL) AS sn,
                       min(u.mi) AS mi, max(u.ma) AS ma
                  FROM rollup_1m r1, unnest(r1.avg, r1.min, r1.max) WITH ORDINALITY AS u(a, mi, ma, i)
                 WHERE r1.dvc_no = c.dvc_no AND r1.bucket >= c.b AND r1.bucket < c.b + interval '1 hour'
                 GROUP BY u.i) x) f ON true
    ON CONFLICT (dvc_no, bucket) DO UPDATE SET n = EXCLUDED.n, avg = EXCLUDED.avg, min = EXCLUDED.min, max = EXCLUDED.max
     WHERE (r.n, r.avg, r.min, r.max) IS DISTINCT FROM (EXCLUDED.n, EXCLUDED.avg, EXCLUDED.min, EXCLUDED.max);
    GET DIAGNOSTICS v_n2 = ROW_COUNT;
    INSERT INTO rollup_state AS s (level, done_until, last_run, last_rows) VALUES ('1h', v_hhi, now(), v_n2)
    ON CONFLICT (level) DO UPDATE SET done_until = greatest(s.done_until, EXCLUDED.done_until), last_run = now(), last_rows = v_n2;
  END IF;
  RETURN jsonb_build_object('from', v_lo, 'to', v_hi, 'rows_1m', v_n1, 'rows_1h', v_n2);
END $$;

-- Retention of the rollups (called by the same job): 1-minute rows after p_keep_1m, 1-hour rows
-- after p_keep_1h. Bounded by the BRIN index on bucket.
CREATE OR REPLACE FUNCTION console_rollup_retention(p_keep_1m interval DEFAULT '30 days', p_keep_1h interval DEFAULT '400 days')
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE a bigint; b bigint;
BEGIN
  DELETE FROM rollup_1m WHERE bucket < now() - p_keep_1m;
  GET DIAGNOSTICS a = ROW_COUNT;
  DELETE FROM rollup_1h WHERE bucket < now() - p_keep_1h;
  GET DIAGNOSTICS b = ROW_COUNT;
  RETURN jsonb_build_object('deleted_1m', a, 'deleted_1h', b);
END $$;
