-- Baseline, part 2: fault prediction tables and the BRIN indexes its input query uses.
-- (Functions: sql/repeatable/40_predict.sql.)
--
-- 1. nb67_predict_input(dev_mode, run_at, slot): the per-device window aggregates of the legacy
--    predict queries (docs/legacy.md), for every device with data in the 3 minutes before
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
--      can therefore differ from what legacy would have computed (docs/legacy.md). The decision code
--      given the same aggregates is bit for bit legacy (WASM, profile legacy-compat).
--    - Index use, never a full scan: devices are found through the BRIN indexes below on the time
--      columns (rows are appended in time order, so a 3-minute range touches a few block ranges);
--      each device's 30 minutes are then read by an index range scan on (dvc_no, dvc_time) (pro:
--      macda_natural_key) or (dvc_no, parse_time) (dev: macda_dvc_parse_time, created by apply.sh
--      when DEV_MODE=true). All six windows come from that one range, with FILTER per window.
--
-- 2. pro_predict / dev_predict: the legacy prediction tables (docs/legacy.md: time column, 3 text identity
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
