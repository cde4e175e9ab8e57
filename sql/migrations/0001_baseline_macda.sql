-- Baseline, part 1: settings, the frame table macda, its dead letters and the maintenance log.
-- The schema of the first versioned release: written with IF NOT EXISTS so that it also adopts a
-- database created by the earlier apply-everything scripts (the objects exist: nothing changes).
-- nb67_settings holds the time zones the pipelines use, so the legacy views render the legacy text
-- times exactly as the pipelines received them (sql/apply.sh writes DEVICE_TZ and PARSE_TZ here).
CREATE TABLE IF NOT EXISTS nb67_settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- Frame table macda. One row per distinct frame. Natural key (dvc_no, dvc_time, msg_frame_no): the same frame read
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
-- Every storage decision, partition creation and data deletion of maintenance is recorded here.
CREATE TABLE IF NOT EXISTS nb67_maintenance_log (
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL,
  detail text NOT NULL
);

-- TimescaleDB only when it is USABLE: installed AND preloaded (shared_preload_libraries), and
-- CREATE EXTENSION succeeds (tried in a sub-transaction). An installed but not preloaded package
-- makes CREATE EXTENSION fail with "must be preloaded" (FATAL in some versions, which would end the
-- session, hence the preload check first). Otherwise: plain partitions, with a WARNING when
-- TimescaleDB is installed but not usable, and the decision recorded in nb67_maintenance_log.
DO $$
DECLARE
  want boolean := coalesce(current_setting('nb67.storage', true), '') <> 'partitions';
  why text;
BEGIN
  IF to_regclass('macda') IS NOT NULL THEN
    RETURN;
  END IF;
  IF NOT want THEN
    why := 'NB67_STORAGE=partitions';
  ELSIF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    why := NULL;
  ELSIF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    why := 'TimescaleDB is not installed';
  ELSIF NOT ('timescaledb' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))) THEN
    why := 'TimescaleDB is installed but not in shared_preload_libraries';
  ELSE
    BEGIN
      CREATE EXTENSION IF NOT EXISTS timescaledb;
    EXCEPTION WHEN OTHERS THEN
      why := format('CREATE EXTENSION timescaledb failed (%s: %s)', SQLSTATE, SQLERRM);
    END;
  END IF;
  IF why IS NULL THEN
    EXECUTE 'CREATE TABLE macda (LIKE macda_template INCLUDING ALL)';
    EXECUTE 'SELECT create_hypertable(''macda'', ''dvc_time'', chunk_time_interval => interval ''1 day'')';
    EXECUTE 'ALTER TABLE macda SET (timescaledb.compress, timescaledb.compress_segmentby = ''dvc_no'', timescaledb.compress_orderby = ''dvc_time'')';
    EXECUTE 'SELECT add_compression_policy(''macda'', interval ''3 days'')';
    EXECUTE 'SELECT add_retention_policy(''macda'', interval ''1 year'')';
    INSERT INTO nb67_maintenance_log (action, detail) VALUES ('storage', 'timescaledb hypertable');
  ELSE
    EXECUTE 'CREATE TABLE macda (LIKE macda_template INCLUDING ALL) PARTITION BY RANGE (dvc_time)';
    EXECUTE 'CREATE TABLE macda_pdefault PARTITION OF macda DEFAULT';
    INSERT INTO nb67_maintenance_log (action, detail) VALUES ('storage', 'plain partitions: ' || why);
    IF why LIKE 'TimescaleDB is installed%' OR why LIKE 'CREATE EXTENSION%' THEN
      RAISE WARNING 'nb67: % - using plain PostgreSQL partitions', why;
    ELSE
      RAISE NOTICE 'nb67: % - using plain PostgreSQL partitions', why;
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
