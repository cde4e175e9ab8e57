-- Console: acknowledgement and shelving of episodes (report_event). A shelve belongs to one
-- episode: when that episode clears and the condition recurs, the new episode is not shelved
-- (auto-unshelve); expiry (until) ends it too. nb67_event_shelved(id) (repeatable) is what the
-- fault report's outbox consults so a shelved episode is not pushed to the platform.
CREATE TABLE IF NOT EXISTS console_episode_ack (
  event_id bigint PRIMARY KEY REFERENCES report_event (id) ON DELETE CASCADE,
  acked_at timestamptz NOT NULL DEFAULT now(),
  acked_by text NOT NULL,
  note     text
);

CREATE TABLE IF NOT EXISTS console_shelve (
  id         bigserial PRIMARY KEY,
  event_id   bigint NOT NULL REFERENCES report_event (id) ON DELETE CASCADE,
  dvc_no     text NOT NULL,
  event_key  text NOT NULL,
  shelved_at timestamptz NOT NULL DEFAULT now(),
  shelved_by text NOT NULL,
  reason     text NOT NULL,
  until      timestamptz NOT NULL,
  ended_at   timestamptz,
  ended_by   text,
  end_reason text
);
CREATE UNIQUE INDEX IF NOT EXISTS console_shelve_active ON console_shelve (event_id) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS console_shelve_device ON console_shelve (dvc_no) WHERE ended_at IS NULL;

-- Episode listing filters by time range and train; report_event has (dvc_no, event_key, start_time).
CREATE INDEX IF NOT EXISTS console_report_event_start ON report_event (start_time);
CREATE INDEX IF NOT EXISTS console_report_event_train_start ON report_event (train_no, start_time);
