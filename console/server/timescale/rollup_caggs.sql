-- TimescaleDB path for the console's rollups (UNTESTED here: the project's machines have no
-- TimescaleDB; written against TimescaleDB 2.x docs). Where macda is a hypertable, continuous
-- aggregates with the same names and columns as the tables of sql/migrations/0102_console_rollup.sql
-- replace pipelines/rollup.yaml: rollup_1m / rollup_1h (dvc_no, bucket, n, avg real[], min real[],
-- max real[]), array position = rollup_field.ord, values in stored (raw) units. The console's
-- queries read them unchanged.
--
-- Apply once, by hand, after sql/apply.sh, on a database whose rollup tables are still empty:
--   psql "$TSDB_URL" -v ON_ERROR_STOP=1 -f console/server/timescale/rollup_caggs.sql
-- and run Connect without pipelines/rollup.yaml (PIPELINES glob). The field list is read from
-- rollup_field when this runs; after appending fields, drop and re-create the aggregates.
-- Differences from the stream: the 1-hour aggregate is computed from macda directly (a hierarchical
-- aggregate cannot unnest the minute arrays), so its averages are exact rather than count-weighted.
DO $$
DECLARE
  lvl record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'macda') THEN
    RAISE EXCEPTION 'macda is not a hypertable: keep pipelines/rollup.yaml';
  END IF;
  IF EXISTS (SELECT 1 FROM rollup_1m) OR EXISTS (SELECT 1 FROM rollup_1h) THEN
    RAISE EXCEPTION 'rollup_1m/rollup_1h hold rows: this script replaces empty tables only';
  END IF;
  EXECUTE 'DROP TABLE rollup_1m';
  EXECUTE 'DROP TABLE rollup_1h';
  FOR lvl IN SELECT * FROM (VALUES ('rollup_1m', '1 minute', '15 minutes', '90 seconds', '1 minute', '30 days'),
                                   ('rollup_1h', '1 hour', '3 hours', '1 hour', '15 minutes', '400 days')) v(name, width, start_off, end_off, every, keep)
  LOOP
    EXECUTE format(
      'CREATE MATERIALIZED VIEW %I WITH (timescaledb.continuous, timescaledb.materialized_only = true) AS
         SELECT m.dvc_no, time_bucket(%L::interval, m.dvc_time) AS bucket, count(*)::int AS n,
                %s AS avg, %s AS min, %s AS max
           FROM macda m GROUP BY m.dvc_no, time_bucket(%L::interval, m.dvc_time) WITH NO DATA',
      lvl.name, lvl.width, console__rollup_exprs('avg'), console__rollup_exprs('min'), console__rollup_exprs('max'), lvl.width);
    EXECUTE format('CREATE INDEX ON %I (dvc_no, bucket)', lvl.name);
    PERFORM add_continuous_aggregate_policy(lvl.name, start_offset => lvl.start_off::interval,
                                            end_offset => lvl.end_off::interval, schedule_interval => lvl.every::interval);
    PERFORM add_retention_policy(lvl.name, drop_after => lvl.keep::interval);
  END LOOP;
END $$;
