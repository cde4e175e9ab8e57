-- Baseline, part 3: report tables. Seeds: sql/repeatable/50_report_alert_codes.sql; functions:
-- sql/repeatable/51_report_events.sql, 52_report_life_status.sql.
--
-- Official alert-code and part-code tables (seed data).
-- Transcribed from the legacy alertcode.xlsx and partcode.xlsx (docs/legacy.md).
--
-- report_alert_source: one row per SOURCE column (26 prediction flags of *_predict, 78 fault bits of
-- *_macda in frame order). event_key groups sources into one episode per device: the official code
-- template (HVAC1xx) when the source has one, else the source name itself (recorded, never pushed).
-- Fix of legacy bug 22: the damper fault codes HVAC137/138/157/158 come from the real damper fault
-- bits (bflt_fad_u11/u12 → HVAC137, bflt_rad_u11/u12 → HVAC138, bflt_fad_u21/u22 → HVAC157,
-- bflt_rad_u21/u22 → HVAC158), not from the analogue damper positions fadpos_*/radpos_*.
-- Fix of legacy bug 23: bflt_expboard_u2 → HVAC160 in both modes.
-- 25 fault bits have no official code (legacy never reported them, bug 24): their code is NULL.

CREATE TABLE IF NOT EXISTS report_alert_source (
  source      text PRIMARY KEY,              -- column name in *_predict / *_macda
  kind        text NOT NULL CHECK (kind IN ('predict', 'fault')),
  ord         int  NOT NULL,                 -- predict: rule # (1..26); fault: frame order (1..78)
  event_key   text NOT NULL,                 -- episode identity per device
  xlsx_name   text NOT NULL,                 -- alertcode.xlsx lookup key (lower-cased name)
  code        text,                          -- official template HVAC1xx (NULL: not pushed)
  location    text,
  fault_name  text,
  level       int,
  xlsx_row    int                            -- row # in alertcode.xlsx (1..75)
);

CREATE TABLE IF NOT EXISTS report_part_code (
  ord         int  PRIMARY KEY,              -- xlsx order
  xlsx_name   text NOT NULL,
  lookup_key  text NOT NULL,
  part_code   text NOT NULL,                 -- template 50xxx; sent as 5<carriage>xxx
  part_name   text NOT NULL,
  part_metrix text NOT NULL CHECK (part_metrix IN ('serviceTime', 'serviceValue')),
  source      text NOT NULL,                 -- *_macda counter column
  source_unit text NOT NULL CHECK (source_unit IN ('seconds', 'count'))
);

-- Coach names by carriage number (legacy COACH dict).
CREATE TABLE IF NOT EXISTS report_coach (
  carriage int PRIMARY KEY,
  coach    text NOT NULL
);

-- Alarm/warning episodes (events), the platform outbox, scan state and timer jobs.

-- One row per episode of (device, event_key). event_key = official code template or source name.
CREATE TABLE IF NOT EXISTS report_event (
  id            bigserial PRIMARY KEY,
  dvc_no        text NOT NULL,
  train_no      text NOT NULL,
  carriage      int,                       -- NULL when the device number cannot be parsed
  event_key     text NOT NULL,
  source_kind   text NOT NULL CHECK (source_kind IN ('predict', 'fault')),
  code          text,                      -- carriage-specific official code; NULL = not pushed
  start_time    timestamptz NOT NULL,      -- first sample with the condition active (device clock per DEV_MODE)
  end_time      timestamptz,               -- first sample with the condition cleared
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  start_station1 text, start_station2 text,
  end_station1   text, end_station2   text,
  opened_at     timestamptz NOT NULL DEFAULT now(),   -- wall clock when detected
  closed_at     timestamptz,
  start_queued  boolean NOT NULL DEFAULT false,       -- start record put in the outbox
  end_queued    boolean NOT NULL DEFAULT false,       -- end record put in the outbox
  CONSTRAINT report_event_episode UNIQUE (dvc_no, event_key, start_time)
);
ALTER TABLE report_event ADD COLUMN IF NOT EXISTS start_queued boolean NOT NULL DEFAULT false;
ALTER TABLE report_event ADD COLUMN IF NOT EXISTS end_queued boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS report_event_open ON report_event (dvc_no, event_key) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS report_event_to_queue ON report_event (id)
  WHERE code IS NOT NULL AND (NOT start_queued OR (status = 'closed' AND NOT end_queued));
CREATE INDEX IF NOT EXISTS report_event_closed_at ON report_event (closed_at);

-- Records to push to the platform (6.1). One row per (episode, record kind, seq); a record is
-- claimed by one Connect instance at a time (claimed_by/claim_until) and marked sent after a 2xx.
CREATE TABLE IF NOT EXISTS report_outbox (
  id            bigserial PRIMARY KEY,
  event_id      bigint NOT NULL REFERENCES report_event (id),
  record_kind   text NOT NULL CHECK (record_kind IN ('start', 'end', 'repush')),
  seq           int  NOT NULL DEFAULT 0,   -- repush: number of the 12-hour period
  message_type  text NOT NULL,             -- "1" prediction warning, "0" real-time fault
  created_at    timestamptz NOT NULL DEFAULT now(),
  claimed_by    text,
  claim_until   timestamptz,
  attempts      int NOT NULL DEFAULT 0,
  sent_at       timestamptz,
  cancelled_at  timestamptz,
  last_error    text,
  CONSTRAINT report_outbox_record UNIQUE (event_id, record_kind, seq)
);
CREATE INDEX IF NOT EXISTS report_outbox_pending ON report_outbox (id)
  WHERE sent_at IS NULL AND cancelled_at IS NULL;

-- Processing watermark per (source kind, device): rows with time <= last_time are done.
CREATE TABLE IF NOT EXISTS report_event_watermark (
  source_kind text NOT NULL,
  dvc_no      text NOT NULL,
  last_time   timestamptz NOT NULL,
  PRIMARY KEY (source_kind, dvc_no)
);

-- Scan state per source kind: upper time bound of the last scan (rows are looked for from
-- last_hi - lookback on, which bounds every scan to an index range).
CREATE TABLE IF NOT EXISTS report_scan_state (
  source_kind text PRIMARY KEY,
  last_hi     timestamptz NOT NULL
);

-- Timer jobs that must run once across all Connect instances (life report, heartbeat).
CREATE TABLE IF NOT EXISTS report_job (
  job         text PRIMARY KEY,
  claimed_at  timestamptz,
  claimed_by  text,
  done_at     timestamptz,
  last_error  text
);
