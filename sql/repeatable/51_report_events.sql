-- NB67 reports: the SQL the report pipelines call (pipelines/faultreport.yaml, lifereport.yaml,
-- status.yaml). Tables: sql/migrations/0003_baseline_reports.sql. Reads the legacy-named relations
-- dev_/pro_macda and dev_/pro_predict (any of them may be missing: it is then skipped). See docs/reports.md.

-- Device identity from the stored msg_calc_train_no / msg_calc_dvc_no (fix of legacy bug 25: no
-- split on '0'). carriage = digits after the train number (normally the last 2 digits);
-- line_name = train number without its last 3 digits, without zero padding ("07002" -> "7").
-- coach is NULL for carriages outside 1..6.
CREATE OR REPLACE FUNCTION report_device_ident(p_dvc_no text, p_train_no text,
  OUT line_name text, OUT carriage int, OUT coach text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  rest text;
BEGIN
  IF p_train_no ~ '^[0-9]{4,18}$' THEN
    line_name := (left(p_train_no, length(p_train_no) - 3))::bigint::text;
  ELSIF p_train_no ~ '^[0-9]{1,3}$' THEN
    line_name := '0';
  ELSE
    line_name := coalesce(p_train_no, '');
  END IF;
  IF p_dvc_no ~ '^[0-9]+$' AND p_train_no ~ '^[0-9]+$'
     AND length(p_dvc_no) > length(p_train_no) AND left(p_dvc_no, length(p_train_no)) = p_train_no THEN
    rest := substr(p_dvc_no, length(p_train_no) + 1);
  ELSIF p_dvc_no ~ '^[0-9]{2,}$' THEN
    rest := right(p_dvc_no, 2);
  END IF;
  IF rest IS NOT NULL AND length(rest) <= 6 THEN
    carriage := rest::int;
  END IF;
  coach := CASE carriage WHEN 1 THEN 'Tc1' WHEN 2 THEN 'Mp1' WHEN 3 THEN 'M1'
                         WHEN 4 THEN 'M2' WHEN 5 THEN 'Mp2' WHEN 6 THEN 'Tc2' END;
END $$;

-- Official template HVAC1xx -> HVAC<carriage>xx for carriages 1..6, else NULL (not pushed).
CREATE OR REPLACE FUNCTION report_carriage_code(p_template text, p_carriage int)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_template ~ '^HVAC1[0-9]{2}$' AND p_carriage BETWEEN 1 AND 6
              THEN 'HVAC' || p_carriage::text || right(p_template, 2) END
$$;

CREATE OR REPLACE FUNCTION report_epoch_ms(p timestamptz)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT floor(extract(epoch FROM p) * 1000)::bigint
$$;

-- Station id as sent ("1" like legacy when unknown or 0).
CREATE OR REPLACE FUNCTION report_station(p numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p IS NULL OR p <= 0 THEN '1' ELSE trunc(p)::bigint::text END
$$;

CREATE OR REPLACE FUNCTION report__has_column(p_rel text, p_col text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = to_regclass(p_rel) AND attname = p_col AND attnum > 0 AND NOT attisdropped)
$$;

-- Episode detection for one source relation. Deterministic from the stored rows:
-- per device, rows are taken in time order after the device's watermark and up to now()-settle;
-- the set of active event keys of each row is compared with the previous row's (for the first
-- row: the device's open episodes); a key entering the set starts an episode at that row's time,
-- a key leaving it ends the open episode at that row's time. Upserts on (device, key, start) make
-- a replay of the same rows a no-op. Returns the number of rows scanned.
CREATE OR REPLACE FUNCTION report__scan(p_rel text, p_kind text, p_tcol text,
  p_settle interval, p_lookback interval)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_codes text;
  v_st1 text := 'NULL::numeric';
  v_st2 text := 'NULL::numeric';
  v_rows bigint := 0;
  v_lo timestamptz;
  v_hi timestamptz := now() - p_settle;
BEGIN
  IF to_regclass(p_rel) IS NULL OR NOT report__has_column(p_rel, p_tcol) THEN
    RETURN 0;
  END IF;
  PERFORM set_config('client_min_messages', 'warning', true);
  SELECT last_hi - p_lookback INTO v_lo FROM report_scan_state WHERE source_kind = p_kind;
  v_lo := coalesce(v_lo, v_hi - p_lookback);
  IF report__has_column(p_rel, 'cur_station') THEN v_st1 := 'm.cur_station::numeric'; END IF;
  IF report__has_column(p_rel, 'next_station') THEN v_st2 := 'm.next_station::numeric'; END IF;

  -- ARRAY[CASE WHEN <any source of key> > 0 THEN key END, ...] over the columns that exist.
  SELECT string_agg(format('CASE WHEN %s THEN %L END', cond, event_key), ', ' ORDER BY event_key)
    INTO v_codes
    FROM (SELECT event_key,
                 string_agg(format('coalesce(m.%I::numeric, 0) > 0', source), ' OR ' ORDER BY ord) AS cond
            FROM report_alert_source
           WHERE kind = p_kind AND report__has_column(p_rel, source)
           GROUP BY event_key) s;
  IF v_codes IS NULL THEN
    RETURN 0;
  END IF;

  DROP TABLE IF EXISTS pg_temp.report_trans;
  EXECUTE format($q$
    CREATE TEMP TABLE report_trans ON COMMIT DROP AS
    WITH src AS (
      SELECT m.msg_calc_dvc_no::text AS dvc_no, m.msg_calc_train_no::text AS train_no, m.%1$I AS t,
             array_remove(ARRAY[%2$s], NULL)::text[] AS codes,
             %3$s AS st1, %4$s AS st2
        FROM %5$s m
        LEFT JOIN report_event_watermark w
               ON w.source_kind = %6$L AND w.dvc_no = m.msg_calc_dvc_no::text
       WHERE m.%1$I > %7$L::timestamptz AND m.%1$I <= %8$L::timestamptz
         AND (w.last_time IS NULL OR m.%1$I > w.last_time)
         AND m.msg_calc_dvc_no IS NOT NULL AND m.msg_calc_train_no IS NOT NULL
    ), seq AS (
      SELECT s.*, lag(codes) OVER w AS lag_codes,
             row_number() OVER w AS rn, count(*) OVER (PARTITION BY dvc_no) AS cnt
        FROM src s
      WINDOW w AS (PARTITION BY dvc_no ORDER BY t, codes)
    ), openset AS (
      SELECT dvc_no, array_agg(event_key) AS codes
        FROM report_event WHERE status = 'open' AND source_kind = %6$L GROUP BY dvc_no
    )
    SELECT q.dvc_no, q.train_no, q.t, q.st1, q.st2, q.codes,
           CASE WHEN q.rn = 1 THEN coalesce(o.codes, '{}'::text[]) ELSE q.lag_codes END AS prev,
           q.rn = q.cnt AS is_last, q.cnt
      FROM seq q LEFT JOIN openset o ON o.dvc_no = q.dvc_no
  $q$, p_tcol, v_codes, v_st1, v_st2, to_regclass(p_rel)::text, p_kind, v_lo::text, v_hi::text);

  SELECT coalesce(sum(cnt), 0) INTO v_rows FROM report_trans WHERE is_last;

  DROP TABLE IF EXISTS pg_temp.report_changes;
  CREATE TEMP TABLE report_changes ON COMMIT DROP AS
    SELECT r.dvc_no, r.train_no, r.t, r.st1, r.st2, k.key AS event_key, 'start'::text AS what
      FROM report_trans r, unnest(r.codes) AS k(key)
     WHERE NOT (r.codes <@ r.prev AND r.prev <@ r.codes) AND NOT (k.key = ANY (r.prev))
    UNION ALL
    SELECT r.dvc_no, r.train_no, r.t, r.st1, r.st2, k.key, 'end'
      FROM report_trans r, unnest(r.prev) AS k(key)
     WHERE NOT (r.codes <@ r.prev AND r.prev <@ r.codes) AND NOT (k.key = ANY (r.codes));

  -- Ends of episodes that were already open before this batch.
  UPDATE report_event e
     SET end_time = c.t, status = 'closed', closed_at = now(),
         end_station1 = report_station(c.st1), end_station2 = report_station(c.st2)
    FROM (SELECT DISTINCT ON (dvc_no, event_key) * FROM report_changes
           WHERE what = 'end' ORDER BY dvc_no, event_key, t) c
   WHERE e.dvc_no = c.dvc_no AND e.event_key = c.event_key AND e.status = 'open'
     AND e.source_kind = p_kind AND e.start_time < c.t
     AND NOT EXISTS (SELECT 1 FROM report_changes s
                      WHERE s.what = 'start' AND s.dvc_no = c.dvc_no
                        AND s.event_key = c.event_key AND s.t < c.t);

  -- Episodes starting in this batch (closed when their end is in the batch too).
  INSERT INTO report_event AS e (dvc_no, train_no, carriage, event_key, source_kind, code,
                                 start_time, end_time, status, start_station1, start_station2,
                                 end_station1, end_station2, closed_at)
  SELECT s.dvc_no, s.train_no, d.carriage, s.event_key, p_kind,
         report_carriage_code(a.code, d.carriage),
         s.t, en.t, CASE WHEN en.t IS NULL THEN 'open' ELSE 'closed' END,
         report_station(s.st1), report_station(s.st2),
         CASE WHEN en.t IS NOT NULL THEN report_station(en.st1) END,
         CASE WHEN en.t IS NOT NULL THEN report_station(en.st2) END,
         CASE WHEN en.t IS NOT NULL THEN now() END
    FROM report_changes s
    CROSS JOIN LATERAL report_device_ident(s.dvc_no, s.train_no) d
    LEFT JOIN LATERAL (SELECT min(code) AS code FROM report_alert_source
                        WHERE event_key = s.event_key AND kind = p_kind) a ON true
    LEFT JOIN LATERAL (SELECT x.t, x.st1, x.st2 FROM report_changes x
                        WHERE x.what = 'end' AND x.dvc_no = s.dvc_no AND x.event_key = s.event_key
                          AND x.t > s.t ORDER BY x.t LIMIT 1) en ON true
   WHERE s.what = 'start'
  ON CONFLICT ON CONSTRAINT report_event_episode DO UPDATE
     SET end_time = coalesce(e.end_time, EXCLUDED.end_time),
         status = CASE WHEN coalesce(e.end_time, EXCLUDED.end_time) IS NULL THEN 'open' ELSE 'closed' END,
         end_station1 = coalesce(e.end_station1, EXCLUDED.end_station1),
         end_station2 = coalesce(e.end_station2, EXCLUDED.end_station2),
         closed_at = coalesce(e.closed_at, EXCLUDED.closed_at);

  INSERT INTO report_event_watermark AS w (source_kind, dvc_no, last_time)
  SELECT p_kind, dvc_no, t FROM report_trans WHERE is_last
  ON CONFLICT (source_kind, dvc_no) DO UPDATE SET last_time = greatest(w.last_time, EXCLUDED.last_time);

  INSERT INTO report_scan_state AS x (source_kind, last_hi) VALUES (p_kind, v_hi)
  ON CONFLICT (source_kind) DO UPDATE SET last_hi = greatest(x.last_hi, EXCLUDED.last_hi);

  RETURN v_rows;
END $$;

-- True while the console has shelved the episode (nb67_event_shelved, console schema); false where
-- the console schema is absent (the report tests build the report schema alone).
CREATE OR REPLACE FUNCTION report__shelved(p_event_id bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
DECLARE r boolean;
BEGIN
  IF to_regprocedure('nb67_event_shelved(bigint)') IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT nb67_event_shelved($1)' INTO r USING p_event_id;
  RETURN coalesce(r, false);
END $$;

-- One fault-report cycle, step (a): update episodes from new rows and fill the outbox.
--   p_dev_mode    DEV_MODE: dev_* relations and msg_calc_parse_time, else pro_* and msg_calc_dvc_time
--   p_settle      rows younger than this are left for the next cycle (store batching)
--   p_lookback    how far behind the previous scan's upper bound rows are looked for (late rows,
--                 first run); rows older than that are never considered
--   p_retention   closed episodes and their delivered records are deleted after this
--   p_push_faults false: real-time fault episodes (message_type "0") are recorded, not queued
--   p_repush      re-push period of an episode still open (platform rule: 12 hours)
--   p_send        SEND_FAULT_RECORD. false: episodes are recorded, nothing is queued, and records
--                 still pending are purged (their episodes can be queued again once sending is on)
--   p_send_lookback  when sending: an episode never offered is queued only if it is still open or
--                 was detected within this look-back; older closed ones are marked send_skipped, so
--                 switching sending on never pushes history
-- Returns counts for the log and the metrics (episodes opened/closed per kind, outbox backlog and
-- parked records). Serialised across instances with an advisory lock.
DROP FUNCTION IF EXISTS report_update_events(boolean, interval, interval, boolean, interval);
DROP FUNCTION IF EXISTS report_update_events(boolean, interval, interval, boolean, interval, interval);
CREATE OR REPLACE FUNCTION report_update_events(p_dev_mode boolean,
  p_settle interval DEFAULT '30 seconds', p_lookback interval DEFAULT '10 minutes',
  p_push_faults boolean DEFAULT true, p_repush interval DEFAULT '12 hours',
  p_retention interval DEFAULT '365 days', p_send boolean DEFAULT true,
  p_send_lookback interval DEFAULT '1 hour')
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_prefix text := CASE WHEN p_dev_mode THEN 'dev_' ELSE 'pro_' END;
  v_tcol   text := CASE WHEN p_dev_mode THEN 'msg_calc_parse_time' ELSE 'msg_calc_dvc_time' END;
  v_pred bigint; v_fault bigint; v_starts int := 0; v_ends int := 0; v_repush int := 0; v_cancel int;
  v_purged int; v_skipped int := 0; v_unqueued int := 0;
  v_counts jsonb; v_backlog bigint; v_parked bigint;
BEGIN
  IF p_dev_mode IS NULL OR p_push_faults IS NULL OR p_send IS NULL THEN
    RAISE EXCEPTION 'report_update_events: DEV_MODE, SEND_FAULT_ALARMS and SEND_FAULT_RECORD must be true or false';
  END IF;
  IF p_repush IS NULL OR p_repush <= interval '0' THEN
    RAISE EXCEPTION 'report_update_events: FAULT_REPUSH_INTERVAL must be positive, got %', p_repush;
  END IF;
  IF p_settle IS NULL OR p_settle < interval '0' OR p_lookback IS NULL OR p_lookback <= interval '0'
     OR p_retention IS NULL OR p_retention <= interval '0'
     OR p_send_lookback IS NULL OR p_send_lookback < interval '0' THEN
    RAISE EXCEPTION 'report_update_events: EVENT_SETTLE >= 0, EVENT_LOOKBACK > 0, EVENT_RETENTION > 0 and FAULT_SEND_LOOKBACK >= 0 needed, got %, %, %, %',
      p_settle, p_lookback, p_retention, p_send_lookback;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('nb67.report_update_events'));
  v_pred  := report__scan(v_prefix || 'predict', 'predict', v_tcol, p_settle, p_lookback);
  v_fault := report__scan(v_prefix || 'macda', 'fault', v_tcol, p_settle, p_lookback);

  IF p_send THEN
    -- Never offered and already over: history, not news. Marked, never queued.
    UPDATE report_event e
       SET start_queued = true, end_queued = true,
           send_skipped = 'closed before it could be sent (detected before the send look-back)'
     WHERE e.code IS NOT NULL AND NOT e.start_queued AND e.status = 'closed'
       AND e.opened_at < now() - p_send_lookback AND (p_push_faults OR e.source_kind = 'predict');
    GET DIAGNOSTICS v_skipped = ROW_COUNT;

    WITH q AS (
      UPDATE report_event e SET start_queued = true
       WHERE e.code IS NOT NULL AND NOT e.start_queued AND (p_push_faults OR e.source_kind = 'predict')
         AND NOT report__shelved(e.id)
      RETURNING e.id, e.source_kind, e.start_time
    )
    INSERT INTO report_outbox (event_id, record_kind, seq, message_type)
    SELECT q.id, 'start', 0, CASE q.source_kind WHEN 'predict' THEN '1' ELSE '0' END
      FROM q ORDER BY q.start_time, q.id
    ON CONFLICT ON CONSTRAINT report_outbox_record DO NOTHING;
    GET DIAGNOSTICS v_starts = ROW_COUNT;

    WITH q AS (
      UPDATE report_event e SET end_queued = true
       WHERE e.code IS NOT NULL AND e.start_queued AND e.status = 'closed' AND NOT e.end_queued
         AND e.send_skipped IS NULL
      RETURNING e.id, e.source_kind, e.end_time
    )
    INSERT INTO report_outbox (event_id, record_kind, seq, message_type)
    SELECT q.id, 'end', 0, CASE q.source_kind WHEN 'predict' THEN '1' ELSE '0' END
      FROM q ORDER BY q.end_time, q.id
    ON CONFLICT ON CONSTRAINT report_outbox_record DO NOTHING;
    GET DIAGNOSTICS v_ends = ROW_COUNT;
  ELSE
    -- Sending is off: nothing waits for it. Pending (unclaimed, not parked) records are purged and
    -- their episodes un-queued, so the outbox never grows while off and, once on, only what the
    -- look-back allows goes out.
    WITH d AS (
      DELETE FROM report_outbox o
       WHERE o.sent_at IS NULL AND o.cancelled_at IS NULL AND o.parked_at IS NULL
         AND (o.claim_until IS NULL OR o.claim_until < now())
      RETURNING o.event_id, o.record_kind
    )
    UPDATE report_event e
       SET start_queued = e.start_queued AND NOT EXISTS (SELECT 1 FROM d WHERE d.event_id = e.id AND d.record_kind = 'start'),
           end_queued = e.end_queued AND NOT EXISTS (SELECT 1 FROM d WHERE d.event_id = e.id AND d.record_kind = 'end')
     WHERE e.id IN (SELECT event_id FROM d);
    GET DIAGNOSTICS v_unqueued = ROW_COUNT;
  END IF;

  -- A cleared episode cancels its pending (unclaimed) re-pushes.
  UPDATE report_outbox o SET cancelled_at = now()
    FROM report_event e
   WHERE o.event_id = e.id AND e.status = 'closed' AND o.record_kind = 'repush'
     AND o.sent_at IS NULL AND o.cancelled_at IS NULL
     AND (o.claim_until IS NULL OR o.claim_until < now());
  GET DIAGNOSTICS v_cancel = ROW_COUNT;

  -- Still open: re-push once per p_repush period after the start record was delivered.
  IF p_send THEN
    INSERT INTO report_outbox (event_id, record_kind, seq, message_type)
    SELECT e.id, 'repush',
           floor(extract(epoch FROM now() - o.sent_at) / extract(epoch FROM p_repush))::int,
           o.message_type
      FROM report_event e JOIN report_outbox o ON o.event_id = e.id AND o.record_kind = 'start'
     WHERE e.status = 'open' AND o.sent_at IS NOT NULL AND o.sent_at <= now() - p_repush
       AND NOT report__shelved(e.id)
    ON CONFLICT ON CONSTRAINT report_outbox_record DO NOTHING;
    GET DIAGNOSTICS v_repush = ROW_COUNT;
  END IF;

  -- Retention (legacy kept alarm_timeline 365 days): delivered/cancelled records and their closed
  -- episodes; unpushed closed episodes likewise. Pending and parked records are never deleted.
  DELETE FROM report_outbox o
   WHERE (o.sent_at < now() - p_retention OR o.cancelled_at < now() - p_retention)
     AND EXISTS (SELECT 1 FROM report_event e WHERE e.id = o.event_id AND e.closed_at < now() - p_retention);
  DELETE FROM report_event e
   WHERE e.closed_at < now() - p_retention
     AND NOT EXISTS (SELECT 1 FROM report_outbox o WHERE o.event_id = e.id);
  GET DIAGNOSTICS v_purged = ROW_COUNT;

  -- Episodes opened / closed in this cycle (now() is this transaction's time, which opened_at and
  -- closed_at received), per kind: alarm = real-time fault bits, warning = predictions.
  SELECT jsonb_build_object(
           'opened_alarm',   count(*) FILTER (WHERE opened_at = now() AND source_kind = 'fault'),
           'opened_warning', count(*) FILTER (WHERE opened_at = now() AND source_kind = 'predict'),
           'closed_alarm',   count(*) FILTER (WHERE closed_at = now() AND source_kind = 'fault'),
           'closed_warning', count(*) FILTER (WHERE closed_at = now() AND source_kind = 'predict'))
    INTO v_counts
    FROM report_event WHERE opened_at = now() OR closed_at = now();
  SELECT count(*) INTO v_backlog FROM report_outbox
   WHERE sent_at IS NULL AND cancelled_at IS NULL AND parked_at IS NULL;
  SELECT count(*) INTO v_parked FROM report_outbox WHERE parked_at IS NOT NULL;

  RETURN jsonb_build_object('predict_rows', v_pred, 'fault_rows', v_fault, 'starts', v_starts,
                            'ends', v_ends, 'repush', v_repush, 'cancelled', v_cancel,
                            'skipped', v_skipped, 'unqueued', v_unqueued,
                            'purged_events', v_purged, 'backlog', v_backlog, 'parked', v_parked)
         || v_counts;
END $$;

-- The platform's warning record (6.1) for one outbox row, legacy key order.
-- starttime: episode start (epoch ms, string); endtime: 0 for start/re-push records, the episode
-- end (epoch ms, string) for the end record, so the platform can match it with its start.
CREATE OR REPLACE FUNCTION report_fault_item(p_outbox_id bigint)
RETURNS json LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
           'message_type', o.message_type,
           'train_type', 'B',
           'train_no', e.train_no,
           'line_name', d.line_name,
           'coach', d.coach,
           'location', a.location,
           'code', e.code,
           'station1', CASE WHEN o.record_kind = 'end' THEN coalesce(e.end_station1, e.start_station1) ELSE e.start_station1 END,
           'station2', CASE WHEN o.record_kind = 'end' THEN coalesce(e.end_station2, e.start_station2) ELSE e.start_station2 END,
           'subsystem', '5',
           'starttime', report_epoch_ms(e.start_time)::text,
           'endtime', CASE WHEN o.record_kind = 'end' THEN to_json(report_epoch_ms(e.end_time)::text) ELSE to_json(0) END)
    FROM report_outbox o
    JOIN report_event e ON e.id = o.event_id
    CROSS JOIN LATERAL report_device_ident(e.dvc_no, e.train_no) d
    LEFT JOIN LATERAL (SELECT location FROM report_alert_source
                        WHERE event_key = e.event_key AND kind = e.source_kind
                        ORDER BY ord LIMIT 1) a ON true
   WHERE o.id = p_outbox_id
$$;

-- Step (b)+(c): claim up to p_limit pending records for this instance (token) for p_lease, and
-- return them as POST bodies: one per message_type ("1" predictions first, then "0" faults), each a
-- JSON array in the order the records were queued; a record the platform rejected before (solo) goes
-- alone in its own body, so it cannot take the others down with it. Parked records are never
-- claimed. An end record is only claimed after its start was delivered, or together with it in the
-- same body. SKIP LOCKED: concurrent instances never claim the same record.
CREATE OR REPLACE FUNCTION report_claim_faults(p_token text, p_limit int DEFAULT 500,
  p_lease interval DEFAULT '10 minutes')
RETURNS TABLE (message_type text, ids text, n int, body text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_lease IS NULL OR p_lease <= interval '0' THEN
    RAISE EXCEPTION 'report_claim_faults: FAULT_CLAIM_LIMIT >= 1 and a positive FAULT_CLAIM_LEASE needed, got %, %', p_limit, p_lease;
  END IF;
  RETURN QUERY
  WITH cand AS (
    SELECT o.id, o.event_id, o.record_kind, o.message_type, o.solo
      FROM report_outbox o
     WHERE o.sent_at IS NULL AND o.cancelled_at IS NULL AND o.parked_at IS NULL
       AND (o.claim_until IS NULL OR o.claim_until < now())
     ORDER BY o.id
     LIMIT p_limit
       FOR UPDATE SKIP LOCKED
  ), ok AS (
    SELECT c.id, c.solo FROM cand c
     WHERE c.record_kind = 'start'
        OR EXISTS (SELECT 1 FROM report_outbox s WHERE s.event_id = c.event_id
                      AND s.record_kind = 'start' AND s.sent_at IS NOT NULL)
        OR (NOT c.solo AND EXISTS (SELECT 1 FROM cand s WHERE s.event_id = c.event_id
                                     AND s.record_kind = 'start' AND NOT s.solo))
  ), claimed AS (
    UPDATE report_outbox o
       SET claimed_by = p_token, claim_until = now() + p_lease, attempts = o.attempts + 1
      FROM ok WHERE o.id = ok.id
    RETURNING o.id, o.message_type, o.solo
  )
  SELECT c.message_type,
         string_agg(c.id::text, ',' ORDER BY c.id),
         count(*)::int,
         json_agg(report_fault_item(c.id) ORDER BY c.id)::text
    FROM claimed c
   GROUP BY c.message_type, CASE WHEN c.solo THEN c.id END
   ORDER BY c.message_type DESC, min(c.id);
END $$;

-- Step (e): after a 2xx, mark the records sent (only those still claimed by this token).
CREATE OR REPLACE FUNCTION report_mark_sent(p_ids text, p_token text)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
  UPDATE report_outbox SET sent_at = now(), claim_until = NULL, last_error = NULL
   WHERE id = ANY (string_to_array(p_ids, ',')::bigint[]) AND claimed_by = p_token AND sent_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Otherwise: release the claim so the next cycle (of any instance) sends them again. p_status is the
-- platform's HTTP status (0: no answer). A rejection of the content (4xx other than 401, 403, 404,
-- 407, 408 and 429, which say nothing about the record) of a body of several records marks each of
-- them solo: from the next cycle on they go one per body. A rejection of a record sent alone counts
-- in its rejections; at p_park_after it is parked with the reason, and the other pending records of
-- its episode with it (an end or re-push must not go out without its start), but only if the
-- platform has accepted some record since this one was first rejected: a platform that rejects
-- everything parks nothing. Outages (no answer, 5xx) count nothing: the records wait as before.
DROP FUNCTION IF EXISTS report_release(text, text, text);
CREATE OR REPLACE FUNCTION report_release(p_ids text, p_token text, p_error text,
  p_status int DEFAULT 0, p_park_after int DEFAULT 5)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_ids bigint[] := string_to_array(p_ids, ',')::bigint[];
  v_reject boolean := coalesce(p_status, 0) BETWEEN 400 AND 499 AND p_status NOT IN (401, 403, 404, 407, 408, 429);
  v_err text := left(coalesce(p_error, 'http error'), 2000);
  v_released int; v_parked int := 0; v_parked_ids text;
BEGIN
  IF p_park_after IS NULL OR p_park_after < 1 THEN
    RAISE EXCEPTION 'report_release: FAULT_PARK_AFTER must be at least 1, got %', p_park_after;
  END IF;
  UPDATE report_outbox o
     SET claim_until = NULL, last_error = v_err,
         solo = o.solo OR v_reject,
         first_rejected_at = CASE WHEN v_reject THEN coalesce(o.first_rejected_at, now()) ELSE o.first_rejected_at END,
         rejections = o.rejections + CASE WHEN v_reject AND cardinality(v_ids) = 1 THEN 1 ELSE 0 END
   WHERE o.id = ANY (v_ids) AND o.claimed_by = p_token AND o.sent_at IS NULL;
  GET DIAGNOSTICS v_released = ROW_COUNT;
  IF v_reject AND cardinality(v_ids) = 1 THEN
    WITH p AS (
      UPDATE report_outbox o
         SET parked_at = now(), park_reason = format('rejected %s times (HTTP %s): %s', o.rejections, p_status, v_err)
       WHERE o.id = v_ids[1] AND o.parked_at IS NULL AND o.sent_at IS NULL AND o.rejections >= p_park_after
         AND EXISTS (SELECT 1 FROM report_outbox s WHERE s.sent_at >= o.first_rejected_at)
      RETURNING o.id, o.event_id
    ), dep AS (
      UPDATE report_outbox d
         SET parked_at = now(), park_reason = format('record %s of the same episode is parked', p.id)
        FROM p
       WHERE d.event_id = p.event_id AND d.id <> p.id AND d.sent_at IS NULL AND d.cancelled_at IS NULL
         AND d.parked_at IS NULL
      RETURNING d.id
    )
    SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM dep),
           (SELECT string_agg(id::text, ',') FROM (SELECT id FROM p UNION ALL SELECT id FROM dep) x)
      INTO v_parked, v_parked_ids;
  END IF;
  RETURN jsonb_build_object('released', v_released, 'rejected', v_reject, 'parked', v_parked,
                            'parked_ids', coalesce(v_parked_ids, ''));
END $$;

-- Parked records for operators: what, why, since when (SELECT * FROM report_outbox_parked).
CREATE OR REPLACE VIEW report_outbox_parked AS
SELECT o.id, o.event_id, o.record_kind, o.seq, o.message_type, e.dvc_no, e.code, e.start_time,
       o.attempts, o.rejections, o.parked_at, o.park_reason, report_fault_item(o.id) AS record
  FROM report_outbox o JOIN report_event e ON e.id = o.event_id
 WHERE o.parked_at IS NOT NULL;

-- After the cause is fixed (platform or data): offer parked records again, e.g.
-- SELECT report_unpark(array_agg(id)) FROM report_outbox_parked WHERE code = 'HVAC301';
CREATE OR REPLACE FUNCTION report_unpark(p_ids bigint[])
RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
  UPDATE report_outbox SET parked_at = NULL, park_reason = NULL, rejections = 0, solo = true,
         first_rejected_at = NULL,
         claimed_by = NULL, claim_until = NULL
   WHERE id = ANY (p_ids) AND parked_at IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- Once-across-instances timer jobs: true when this token may run p_job now (no other claim in
-- the last p_gap). The scheduled trigger also records that a run is due (due_at), even when another
-- instance claims it. report_job_done(ok=false) releases it; report_job_retry_claim lets a later
-- retry tick run it again while the due run has not succeeded.
CREATE OR REPLACE FUNCTION report_job_claim(p_job text, p_token text, p_gap interval)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_job (job) VALUES (p_job) ON CONFLICT (job) DO NOTHING;
  UPDATE report_job SET due_at = now()
   WHERE job = p_job AND (due_at IS NULL OR due_at <= now() - p_gap);
  UPDATE report_job SET claimed_at = now(), claimed_by = p_token
   WHERE job = p_job AND (claimed_at IS NULL OR claimed_at <= now() - p_gap);
  RETURN FOUND;
END $$;

CREATE OR REPLACE FUNCTION report_job_retry_claim(p_job text, p_token text, p_gap interval)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE report_job SET claimed_at = now(), claimed_by = p_token
   WHERE job = p_job AND due_at IS NOT NULL AND (done_at IS NULL OR done_at < due_at)
     AND (claimed_at IS NULL OR claimed_at <= now() - p_gap);
  RETURN FOUND;
END $$;

CREATE OR REPLACE FUNCTION report_job_done(p_job text, p_token text, p_ok boolean, p_error text DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE report_job
     SET done_at = CASE WHEN p_ok THEN now() ELSE done_at END,
         claimed_at = CASE WHEN p_ok THEN claimed_at END,
         last_error = CASE WHEN p_ok THEN NULL ELSE left(p_error, 2000) END
   WHERE job = p_job AND claimed_by = p_token;
  RETURN FOUND;
END $$;
