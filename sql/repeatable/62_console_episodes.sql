-- Console: shelving (tables in migrations/0103_console_episodes.sql).
-- nb67_event_shelved(event id): true while an operator's shelve of that episode is in force (not
-- ended, not expired). The fault report's queueing and claiming consult it, so a shelved episode
-- is not pushed to the maintenance platform; a shelve is per episode, so when the condition clears
-- and recurs the new episode is pushed again (auto-unshelve).
CREATE OR REPLACE FUNCTION nb67_event_shelved(p_event_id bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM console_shelve s
                  WHERE s.event_id = p_event_id AND s.ended_at IS NULL AND s.until > now())
$$;

-- Ends shelves whose episode closed (the condition cleared: the next occurrence is a new episode,
-- not shelved) or whose expiry passed, with an audit entry by 'system'. Returns the number ended.
-- Called by the console before it lists episodes or the fleet, and safe from any instance.
CREATE OR REPLACE FUNCTION console_shelve_sweep()
RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
  WITH ended AS (
    UPDATE console_shelve s
       SET ended_at = now(), ended_by = 'system',
           end_reason = CASE WHEN e.status = 'closed' THEN 'episode cleared' ELSE 'shelve expired' END
      FROM report_event e
     WHERE e.id = s.event_id AND s.ended_at IS NULL AND (e.status = 'closed' OR s.until <= now())
    RETURNING s.id, s.event_id, s.until, s.end_reason, e.dvc_no, e.event_key
  )
  INSERT INTO console_audit (actor, action, target_kind, target, before, after, reason)
  SELECT 'system', 'episode.unshelve', 'episode', event_id::text,
         jsonb_build_object('shelved', true, 'until', until),
         jsonb_build_object('shelved', false, 'dvc_no', dvc_no, 'event_key', event_key), end_reason
    FROM ended;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
