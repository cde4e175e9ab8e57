-- Reports: poison records, sending switched off, life-report retries.
--
-- report_outbox: a record the platform rejects (4xx other than auth/throttling) is first sent alone
-- (solo), so it cannot block the others of its message type; each rejection of it alone counts in
-- rejections, and after FAULT_PARK_AFTER of them it is parked (parked_at, park_reason): never claimed
-- again, listed in the view report_outbox_parked, counted by the nb67_outbox_parked gauge.
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS solo boolean NOT NULL DEFAULT false;
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS rejections int NOT NULL DEFAULT 0;
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS parked_at timestamptz;
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS park_reason text;
CREATE INDEX IF NOT EXISTS report_outbox_parked_at ON report_outbox (parked_at) WHERE parked_at IS NOT NULL;

-- report_event: why an episode was never offered to the platform (closed before sending covered it:
-- sending was off, or it started before FAULT_SEND_LOOKBACK when sending was switched on).
ALTER TABLE report_event ADD COLUMN IF NOT EXISTS send_skipped text;
-- episodes opened in a cycle, for nb67_episodes_opened_total (closed ones use report_event_closed_at)
CREATE INDEX IF NOT EXISTS report_event_opened_at ON report_event (opened_at);

-- report_job: when the last scheduled run became due; a run that has not succeeded since is retried
-- every LIFE_RETRY_INTERVAL instead of waiting for the next schedule.
ALTER TABLE report_job ADD COLUMN IF NOT EXISTS due_at timestamptz;
