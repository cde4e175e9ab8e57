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
