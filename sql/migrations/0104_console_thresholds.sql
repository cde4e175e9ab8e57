-- Console: operator overrides of the prediction rules' parameters. Factory defaults stay in
-- config/predict-rules.yaml; each change (set, reset, rollback) adds a version holding the WHOLE
-- override set ({"group": {"name": value}}), so the history is complete and a rollback is just a
-- new version equal to an older one. The newest version is in force: nb67_effective_rules(factory)
-- (sql/repeatable/63_console_thresholds.sql) merges it over the factory set for each predict run.
CREATE TABLE IF NOT EXISTS console_threshold_version (
  id         bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  action     text NOT NULL CHECK (action IN ('set', 'reset', 'rollback')),
  reason     text NOT NULL,
  overrides  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(overrides) = 'object')
);
