-- Maintenance: partitions of the frame table and the retention of every growing table. Run every
-- STORE_MAINTENANCE_INTERVAL (1 h) by the store stream and once by apply.sh; one run at a time
-- (advisory lock). Retention from the parameters, else nb67_settings (apply.sh records RETENTION_*),
-- else the defaults below; each must be at least 1 day.
--
-- Frames, plain PostgreSQL layout (daily partitions by DEVICE time, needed by the natural key):
-- - creates daily partitions from today - back_days to today + ahead_days (UTC days), moving any rows
--   of those days out of the default partition first;
-- - drops a day partition once its whole device day is older than the retention. A wrong device clock
--   must not shorten how long a frame is kept: rows of that partition that ARRIVED (parse_time) within
--   the retention are moved to the default partition first;
-- - deletes rows of the default partition (device times outside the prepared days: clock errors such
--   as 2099, late arrivals) by ARRIVAL: kept for the retention after they were received, then deleted.
-- TimescaleDB: its policy drops chunks by device time; rows dated more than a day in the future that
-- arrived before the retention are deleted here (they would otherwise wait for their chunk's date).
--
-- Dead letters (received_at), predictions (run_slot: the run, not the device clock) and predict dead
-- letters (received_at) are deleted after their own retention.
-- Every deletion and drop is recorded in nb67_maintenance_log (relation, rows) and written to the
-- server log (RAISE LOG).

CREATE OR REPLACE FUNCTION nb67_log_deletion(p_action text, p_relation text, p_rows bigint, p_detail text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO nb67_maintenance_log (action, relation, rows, detail) VALUES (p_action, p_relation, p_rows, p_detail);
  RAISE LOG 'nb67 maintenance: % % rows from % (%)', p_action, p_rows, p_relation, p_detail;
END $$;

DROP PROCEDURE IF EXISTS nb67_maintain_partitions(integer, integer, interval);
CREATE OR REPLACE PROCEDURE nb67_maintain_partitions(
  ahead_days integer DEFAULT 7, back_days integer DEFAULT 2, retention interval DEFAULT NULL,
  dead_letter_retention interval DEFAULT NULL, predict_retention interval DEFAULT NULL,
  predict_dead_letter_retention interval DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  keep_frames interval := coalesce(retention, nb67_setting_interval('retention_frames', interval '365 days'));
  keep_dl interval := coalesce(dead_letter_retention, nb67_setting_interval('retention_frame_dead_letters', interval '30 days'));
  keep_pred interval := coalesce(predict_retention, nb67_setting_interval('retention_predictions', interval '365 days'));
  keep_pdl interval := coalesce(predict_dead_letter_retention, nb67_setting_interval('retention_predict_dead_letters', interval '30 days'));
  cutoff timestamptz;
  d date;
  lo timestamptz;
  hi timestamptz;
  part text;
  r record;
  n bigint;
  kept bigint;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('nb67_maintain_partitions')) THEN
    RETURN;
  END IF;
  IF least(keep_frames, keep_dl, keep_pred, keep_pdl) < interval '1 day' THEN
    RAISE EXCEPTION 'nb67_maintain_partitions: every retention must be at least 1 day (frames %, frame dead letters %, predictions %, predict dead letters %)',
      keep_frames, keep_dl, keep_pred, keep_pdl;
  END IF;
  cutoff := now() - keep_frames;

  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'macda'::regclass) THEN
    FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - back_days,
                                    (now() AT TIME ZONE 'UTC')::date + ahead_days, interval '1 day')::date LOOP
      part := 'macda_p' || to_char(d, 'YYYYMMDD');
      CONTINUE WHEN to_regclass(part) IS NOT NULL;
      CONTINUE WHEN (d + 1)::timestamp AT TIME ZONE 'UTC' < cutoff;
      lo := d::timestamp AT TIME ZONE 'UTC';
      hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
      EXECUTE format('CREATE TABLE %I (LIKE macda INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
      EXECUTE format('WITH m AS (DELETE FROM macda_pdefault WHERE dvc_time >= $1 AND dvc_time < $2 RETURNING *) INSERT INTO %I SELECT * FROM m', part)
        USING lo, hi;
      GET DIAGNOSTICS n = ROW_COUNT;
      EXECUTE format('ALTER TABLE macda ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      INSERT INTO nb67_maintenance_log (action, relation, rows, detail)
        VALUES ('create', part, n, part || ' (' || n || ' rows from default)');
    END LOOP;

    FOR r IN
      SELECT c.relname
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'macda'::regclass AND c.relname ~ '^macda_p[0-9]{8}$'
      ORDER BY c.relname
    LOOP
      d := to_date(substr(r.relname, 8), 'YYYYMMDD');
      CONTINUE WHEN (d + 1)::timestamp AT TIME ZONE 'UTC' >= cutoff;
      -- detached, its day belongs to the default partition: late arrivals move there
      EXECUTE format('ALTER TABLE macda DETACH PARTITION %I', r.relname);
      EXECUTE format('WITH m AS (DELETE FROM %I WHERE parse_time >= $1 RETURNING *) INSERT INTO macda SELECT * FROM m', r.relname)
        USING cutoff;
      GET DIAGNOSTICS kept = ROW_COUNT;
      EXECUTE format('SELECT count(*) FROM %I', r.relname) INTO n;
      EXECUTE format('DROP TABLE %I', r.relname);
      PERFORM nb67_log_deletion('drop', r.relname, n, format(
        'device day %s older than the retention %s; %s rows that arrived within the retention kept (moved to the default partition)',
        d, keep_frames, kept));
    END LOOP;

    DELETE FROM macda_pdefault WHERE parse_time < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      PERFORM nb67_log_deletion('delete', 'macda_pdefault', n, format(
        'frames received before %s (retention %s by arrival), whatever their device time', cutoff, keep_frames));
    END IF;
  ELSE
    DELETE FROM macda WHERE dvc_time > now() + interval '1 day' AND parse_time < cutoff;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      PERFORM nb67_log_deletion('delete', 'macda', n, format(
        'future-dated frames received before %s (retention %s by arrival)', cutoff, keep_frames));
    END IF;
  END IF;

  DELETE FROM macda_dead_letter WHERE received_at < now() - keep_dl;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM nb67_log_deletion('delete', 'macda_dead_letter', n, format('received more than %s ago', keep_dl));
  END IF;
  DELETE FROM predict_dead_letter WHERE received_at < now() - keep_pdl;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM nb67_log_deletion('delete', 'predict_dead_letter', n, format('received more than %s ago', keep_pdl));
  END IF;
  DELETE FROM pro_predict WHERE run_slot < now() - keep_pred;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM nb67_log_deletion('delete', 'pro_predict', n, format('predict runs more than %s ago', keep_pred));
  END IF;
  DELETE FROM dev_predict WHERE run_slot < now() - keep_pred;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM nb67_log_deletion('delete', 'dev_predict', n, format('predict runs more than %s ago', keep_pred));
  END IF;
END $$;
