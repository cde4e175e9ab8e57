-- Console: device_latest upkeep (table in migrations/0101_console_latest.sql).
-- A statement-level AFTER INSERT trigger on macda reads only the rows the statement inserted
-- (transition table; ON CONFLICT DO NOTHING duplicates are not in it), keeps the newest row per
-- device of that batch and upserts it when it is newer than what device_latest holds: O(batch)
-- per store statement, never a scan of history. On a TimescaleDB hypertable (no transition
-- tables there) a row-level trigger does the same per row (untested here: no TimescaleDB).
CREATE OR REPLACE FUNCTION console__fault_bits(r jsonb)
RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(s.source ORDER BY s.ord), '{}')
    FROM report_alert_source s
   WHERE s.kind = 'fault' AND r -> s.source = 'true'::jsonb
$$;

-- The batch trigger's function is generated from the fault sources (report_alert_source, kind
-- fault, boolean columns of macda): the fault bits are read as columns of the newest row per
-- device, not through to_jsonb of the whole row and a lookup per source, which doubled the
-- PostgreSQL CPU of a store statement (bench/console-latest.ts). A change of report_alert_source
-- regenerates it (statement trigger below), so the list cannot go stale.
CREATE OR REPLACE FUNCTION console__build_latest_batch()
RETURNS void LANGUAGE plpgsql AS $build$
DECLARE
  bits text;
BEGIN
  SELECT coalesce('array_remove(ARRAY[' || string_agg(format('CASE WHEN n.%I THEN %L END', s.source, s.source), ', ' ORDER BY s.ord) || ']::text[], NULL)',
                  '''{}''::text[]')
    INTO bits
    FROM report_alert_source s
    JOIN pg_attribute a ON a.attrelid = 'macda'::regclass AND a.attname = s.source AND a.attnum > 0
                       AND NOT a.attisdropped AND a.atttypid = 'boolean'::regtype
   WHERE s.kind = 'fault';
  EXECUTE format($f$
CREATE OR REPLACE FUNCTION console__latest_batch()
RETURNS trigger LANGUAGE plpgsql AS $b$
BEGIN
  INSERT INTO device_latest AS l (dvc_no, train_no, carriage, dvc_time, parse_time, msg_frame_no, received_at, faults)
  SELECT n.dvc_no,
         lpad((n.dvc_train_no / 1000)::text, 2, '0') || lpad((n.dvc_train_no %% 1000)::text, 3, '0'),
         n.dvc_carriage_no, n.dvc_time, n.parse_time, n.msg_frame_no, now(),
         %s
    FROM (SELECT DISTINCT ON (dvc_no) * FROM console_new_rows ORDER BY dvc_no, dvc_time DESC, msg_frame_no DESC) n
  ON CONFLICT (dvc_no) DO UPDATE
     SET train_no = EXCLUDED.train_no, carriage = EXCLUDED.carriage, dvc_time = EXCLUDED.dvc_time,
         parse_time = EXCLUDED.parse_time, msg_frame_no = EXCLUDED.msg_frame_no,
         received_at = EXCLUDED.received_at, faults = EXCLUDED.faults
   WHERE (EXCLUDED.dvc_time, EXCLUDED.msg_frame_no) >= (l.dvc_time, l.msg_frame_no)
      -- a device whose clock was reset still counts as seen
      OR l.received_at < EXCLUDED.received_at - interval '1 minute';
  RETURN NULL;
END $b$
$f$, bits);
END $build$;

CREATE OR REPLACE FUNCTION console__rebuild_latest_batch()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM console__build_latest_batch();
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION console__latest_row()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_latest AS l (dvc_no, train_no, carriage, dvc_time, parse_time, msg_frame_no, received_at, faults)
  VALUES (NEW.dvc_no,
          lpad((NEW.dvc_train_no / 1000)::text, 2, '0') || lpad((NEW.dvc_train_no % 1000)::text, 3, '0'),
          NEW.dvc_carriage_no, NEW.dvc_time, NEW.parse_time, NEW.msg_frame_no, now(), console__fault_bits(to_jsonb(NEW)))
  ON CONFLICT (dvc_no) DO UPDATE
     SET train_no = EXCLUDED.train_no, carriage = EXCLUDED.carriage, dvc_time = EXCLUDED.dvc_time,
         parse_time = EXCLUDED.parse_time, msg_frame_no = EXCLUDED.msg_frame_no,
         received_at = EXCLUDED.received_at, faults = EXCLUDED.faults
   WHERE (EXCLUDED.dvc_time, EXCLUDED.msg_frame_no) >= (l.dvc_time, l.msg_frame_no)
      OR l.received_at < EXCLUDED.received_at - interval '1 minute';
  RETURN NULL;
END $$;

DO $$
BEGIN
  IF to_regclass('macda') IS NULL THEN
    RETURN;
  END IF;
  PERFORM console__build_latest_batch();
  DROP TRIGGER IF EXISTS console_latest_sources ON report_alert_source;
  CREATE TRIGGER console_latest_sources AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_alert_source
    FOR EACH STATEMENT EXECUTE FUNCTION console__rebuild_latest_batch();
  DROP TRIGGER IF EXISTS console_latest ON macda;
  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'macda'::regclass)
     OR NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    CREATE TRIGGER console_latest AFTER INSERT ON macda
      REFERENCING NEW TABLE AS console_new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION console__latest_batch();
  ELSE
    CREATE TRIGGER console_latest AFTER INSERT ON macda
      FOR EACH ROW EXECUTE FUNCTION console__latest_row();
  END IF;
END $$;
