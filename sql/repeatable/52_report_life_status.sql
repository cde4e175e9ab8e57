-- NB67 reports: the life report (platform 6.7) and the health heartbeat (platform 6.6).
-- Requires the report tables (sql/migrations/0003_baseline_reports.sql).

-- Life report body: a JSON array (legacy key order) with one item per (device, part of
-- report_part_code), from the LAST stored counters of each device within p_lookback.
-- Units (decision, docs/reports.md): the *_op_tm counters are SECONDS; runtime parts are sent in
-- hours = floor(seconds / p_seconds_per_unit) (p_seconds_per_unit 3600) in the field
-- p_runtime_field ('mileage' as legacy, or 'serviceValue'); count parts go in serviceValue.
-- serviceTime = epoch ms of the counter sample (device clock per DEV_MODE), not the send time.
-- Devices whose carriage is outside 1..6 have no official part code and are skipped.
-- Returns NULL when there is nothing to send.
CREATE OR REPLACE FUNCTION report_life_body(p_dev_mode boolean,
  p_lookback interval DEFAULT '1 day', p_runtime_field text DEFAULT 'mileage',
  p_flag int DEFAULT 0, p_seconds_per_unit numeric DEFAULT 3600)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_rel  text := CASE WHEN p_dev_mode THEN 'dev_macda' ELSE 'pro_macda' END;
  v_tcol text := CASE WHEN p_dev_mode THEN 'msg_calc_parse_time' ELSE 'msg_calc_dvc_time' END;
  v_cols text;
  v_body text;
BEGIN
  IF to_regclass(v_rel) IS NULL OR NOT report__has_column(v_rel, v_tcol) THEN
    RETURN NULL;
  END IF;
  SELECT string_agg(format('(%L, m.%I::numeric)', source, source), ', ' ORDER BY ord)
    INTO v_cols FROM report_part_code WHERE report__has_column(v_rel, source);
  IF v_cols IS NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format($q$
    WITH last AS (
      SELECT DISTINCT ON (m.msg_calc_dvc_no) m.msg_calc_dvc_no::text AS dvc_no,
             m.msg_calc_train_no::text AS train_no, m.%1$I AS t, v.source, v.val
        FROM %2$s m
        CROSS JOIN LATERAL (SELECT array_agg(x.s) AS source, array_agg(x.v) AS val
                              FROM (VALUES %3$s) AS x(s, v)) v
       WHERE m.%1$I > now() - %4$L::interval AND m.%1$I <= now()
         AND m.msg_calc_dvc_no IS NOT NULL AND m.msg_calc_train_no IS NOT NULL
       ORDER BY m.msg_calc_dvc_no, m.%1$I DESC
    ), items AS (
      SELECT l.dvc_no, p.ord, l.t, l.train_no, d.line_name, d.carriage, p.part_code, p.source_unit,
             l.val[array_position(l.source, p.source)] AS val
        FROM last l
        CROSS JOIN LATERAL report_device_ident(l.dvc_no, l.train_no) d
        JOIN report_part_code p ON p.source = ANY (l.source)
       WHERE d.carriage BETWEEN 1 AND 6
    )
    SELECT json_agg(json_build_object(
             'lineName', line_name,
             'trainType', 'B',
             'trainNo', train_no,
             'partCode', '5' || carriage::text || substr(part_code, 3),
             'serviceTime', report_epoch_ms(t),
             'serviceValue', CASE WHEN source_unit = 'count' THEN trunc(val)::bigint
                                  WHEN %5$L = 'serviceValue' THEN floor(val / %6$L::numeric)::bigint
                                  ELSE 0 END,
             'mileage', CASE WHEN source_unit = 'seconds' AND %5$L = 'mileage'
                             THEN floor(val / %6$L::numeric)::bigint ELSE 0 END,
             'useTime', 0,
             'flag', %7$L::int) ORDER BY dvc_no, ord)::text
      FROM items WHERE val IS NOT NULL
  $q$, v_tcol, to_regclass(v_rel)::text, v_cols, p_lookback::text, p_runtime_field,
       p_seconds_per_unit::text, p_flag::text) INTO v_body;
  RETURN v_body;
END $$;

-- Heartbeat body (legacy shape): status "1" when frames ARRIVED within p_stale, else "0" with the
-- reason in remark. (An unreachable database is handled by the pipeline: "0".)
-- Arrival, not device time: with the project's frame table (macda) the parse time, which ingest
-- stamps with its own clock on arrival, in either mode; a device clock can be wrong, so a frame
-- dated in the future must not keep the heartbeat at "1" through an outage. Without macda (the
-- legacy-shaped relations alone) the mode's time column is used. Either way no time after
-- now() + p_max_future (MAX_CLOCK_SKEW) counts.
DROP FUNCTION IF EXISTS report_status_body(boolean, interval);
CREATE OR REPLACE FUNCTION report_status_body(p_dev_mode boolean, p_stale interval DEFAULT '5 minutes',
  p_max_future interval DEFAULT '5 minutes')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_rel  text := CASE WHEN p_dev_mode THEN 'dev_macda' ELSE 'pro_macda' END;
  v_tcol text := CASE WHEN p_dev_mode THEN 'msg_calc_parse_time' ELSE 'msg_calc_dvc_time' END;
  v_last timestamptz;
  v_status text := '1';
  v_remark text := '';
  v_solution text := '';
BEGIN
  IF p_stale IS NULL OR p_stale <= interval '0' OR p_max_future IS NULL OR p_max_future < interval '0' THEN
    RAISE EXCEPTION 'report_status_body: STATUS_STALE_MINUTES > 0 and MAX_CLOCK_SKEW >= 0 needed, got %, %', p_stale, p_max_future;
  END IF;
  IF to_regclass('macda') IS NOT NULL AND report__has_column('macda', 'parse_time') THEN
    v_rel := 'macda';
    v_tcol := 'parse_time';
  END IF;
  IF to_regclass(v_rel) IS NULL OR NOT report__has_column(v_rel, v_tcol) THEN
    v_status := '0';
    v_remark := format('frame table %s is missing', v_rel);
    v_solution := 'apply the database schema (sql/) and start the store pipeline';
  ELSE
    EXECUTE format('SELECT max(%1$I) FROM %2$s WHERE %1$I > now() - %3$L::interval AND %1$I <= now() + %4$L::interval',
                   v_tcol, to_regclass(v_rel)::text, p_stale::text, p_max_future::text) INTO v_last;
    IF v_last IS NULL THEN
      v_status := '0';
      v_remark := format('no frames ingested for %s minutes', round(extract(epoch FROM p_stale) / 60.0, 1));
      v_solution := 'check the frame feed (Kafka topic signal-in) and the ingest and store pipelines';
    END IF;
  END IF;
  RETURN json_build_array(json_build_object(
    'message_type', '500', 'subsystem', '5', 'status', v_status, 'remark', v_remark,
    'solution', v_solution, 'time', report_epoch_ms(now())::text))::text;
END $$;
