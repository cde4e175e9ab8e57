-- Frame table macda (owner: ingest/store). Idempotent; needs sql/generated/05_macda_template.sql.
--
-- One row per distinct frame. Natural key (dvc_no, dvc_time, msg_frame_no): the same frame read
-- twice (replay, restart, duplicate produce) is the same row, so the store uses ON CONFLICT DO NOTHING.
-- The table is always partitioned by device time (dvc_time): a unique constraint must contain the
-- partition key, and parse time changes when a frame is re-parsed, so partitioning by parse time
-- would break idempotency. In DEV_MODE the legacy time column is parse time (view dev_macda); it gets
-- its own index (apply.sh, DEV_MODE=true).
--
-- TimescaleDB (extension available): hypertable, 1-day chunks, retention 1 year, compression after
-- 3 days (segment by dvc_no). Plain PostgreSQL: daily range partitions macda_pYYYYMMDD plus a DEFAULT
-- partition for device times outside the prepared range (clock errors); nb67_maintain_partitions()
-- creates the next days' partitions (moving matching rows out of the default partition) and drops
-- partitions older than the retention. The store stream calls it every STORE_MAINTENANCE_INTERVAL
-- (1 h); apply.sh calls it too. Partitions exist 7 days ahead, so a missed run loses nothing.
DO $$
BEGIN
  IF to_regclass('macda') IS NULL THEN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND coalesce(current_setting('nb67.storage', true), '') <> 'partitions' THEN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
      EXECUTE 'CREATE TABLE macda (LIKE macda_template INCLUDING ALL)';
      EXECUTE 'SELECT create_hypertable(''macda'', ''dvc_time'', chunk_time_interval => interval ''1 day'')';
      EXECUTE 'ALTER TABLE macda SET (timescaledb.compress, timescaledb.compress_segmentby = ''dvc_no'', timescaledb.compress_orderby = ''dvc_time'')';
      EXECUTE 'SELECT add_compression_policy(''macda'', interval ''3 days'')';
      EXECUTE 'SELECT add_retention_policy(''macda'', interval ''1 year'')';
    ELSE
      EXECUTE 'CREATE TABLE macda (LIKE macda_template INCLUDING ALL) PARTITION BY RANGE (dvc_time)';
      EXECUTE 'CREATE TABLE macda_pdefault PARTITION OF macda DEFAULT';
    END IF;
  END IF;
END $$;

-- The key. Its prefix (dvc_no, dvc_time) also serves the per-device prediction windows.
CREATE UNIQUE INDEX IF NOT EXISTS macda_natural_key ON macda (dvc_no, dvc_time, msg_frame_no);

-- Rows the store could not write (not a real date, constraint or type error): reason + record.
CREATE TABLE IF NOT EXISTS macda_dead_letter (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  dedup_key text NOT NULL,
  reason text NOT NULL,
  record bytea NOT NULL,
  source_topic text,
  source_partition integer,
  source_offset bigint
);
-- One row per frame and reason: a replay (even one that re-parses, so the record text differs) adds nothing.
CREATE UNIQUE INDEX IF NOT EXISTS macda_dead_letter_dedup ON macda_dead_letter (dedup_key, reason);

CREATE TABLE IF NOT EXISTS nb67_maintenance_log (
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL,
  detail text NOT NULL
);

-- Partition maintenance for the plain PostgreSQL path (a no-op on TimescaleDB, whose policies do it).
-- Creates daily partitions from today - back_days to today + ahead_days (UTC days), moving any rows
-- of those days out of the default partition first; drops partitions entirely older than retention
-- and deletes default-partition rows older than retention. One run at a time (advisory lock).
CREATE OR REPLACE PROCEDURE nb67_maintain_partitions(
  ahead_days integer DEFAULT 7, back_days integer DEFAULT 2, retention interval DEFAULT interval '1 year')
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  lo timestamptz;
  hi timestamptz;
  part text;
  r record;
  moved bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('nb67_maintain_partitions')) THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'macda'::regclass) THEN
    RETURN; -- hypertable: TimescaleDB policies handle chunks and retention
  END IF;
  FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - back_days,
                                  (now() AT TIME ZONE 'UTC')::date + ahead_days, interval '1 day')::date LOOP
    part := 'macda_p' || to_char(d, 'YYYYMMDD');
    CONTINUE WHEN to_regclass(part) IS NOT NULL;
    CONTINUE WHEN (d + 1)::timestamp AT TIME ZONE 'UTC' < now() - retention;
    lo := d::timestamp AT TIME ZONE 'UTC';
    hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
    EXECUTE format('CREATE TABLE %I (LIKE macda INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format('WITH m AS (DELETE FROM macda_pdefault WHERE dvc_time >= $1 AND dvc_time < $2 RETURNING *) INSERT INTO %I SELECT * FROM m', part)
      USING lo, hi;
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format('ALTER TABLE macda ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    INSERT INTO nb67_maintenance_log (action, detail) VALUES ('create', part || ' (' || moved || ' rows from default)');
  END LOOP;
  FOR r IN
    SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'macda'::regclass AND c.relname ~ '^macda_p[0-9]{8}$'
  LOOP
    IF (to_date(substr(r.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' < now() - retention THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      INSERT INTO nb67_maintenance_log (action, detail) VALUES ('drop', r.relname);
    END IF;
  END LOOP;
  DELETE FROM macda_pdefault WHERE dvc_time < now() - retention;
END $$;
