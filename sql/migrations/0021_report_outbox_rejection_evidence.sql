-- Reports: a record is parked only when the platform accepted other records after rejecting it first
-- (report_release). A platform that rejects everything (misconfiguration, a bad deploy) then parks
-- nothing; the records wait. first_rejected_at: when the record was first in a rejected body.
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS first_rejected_at timestamptz;
CREATE INDEX IF NOT EXISTS report_outbox_sent_at ON report_outbox (sent_at) WHERE sent_at IS NOT NULL;
