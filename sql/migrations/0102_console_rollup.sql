-- Console trends: 1-minute and 1-hour aggregates per device of the fields listed in rollup_field
-- (seeded by sql/repeatable/61_console_rollup.sql), kept by pipelines/rollup.yaml through
-- console_rollup_run(). Values are in stored (raw) units, like macda; the console applies the
-- field's scale. Array position i holds field rollup_field.ord = i (ordinals are only appended).
CREATE TABLE IF NOT EXISTS rollup_field (
  ord   int PRIMARY KEY CHECK (ord >= 1),
  field text NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS rollup_1m (
  dvc_no text NOT NULL,
  bucket timestamptz NOT NULL,
  n      int NOT NULL,
  avg    real[] NOT NULL,
  min    real[] NOT NULL,
  max    real[] NOT NULL,
  PRIMARY KEY (dvc_no, bucket)
);
CREATE INDEX IF NOT EXISTS rollup_1m_bucket ON rollup_1m USING brin (bucket);

CREATE TABLE IF NOT EXISTS rollup_1h (LIKE rollup_1m INCLUDING ALL);

-- Per level: buckets before done_until are complete (re-rolled only within the lookback).
CREATE TABLE IF NOT EXISTS rollup_state (
  level      text PRIMARY KEY CHECK (level IN ('1m', '1h')),
  done_until timestamptz NOT NULL,
  last_run   timestamptz NOT NULL DEFAULT now(),
  last_rows  bigint NOT NULL DEFAULT 0
);
