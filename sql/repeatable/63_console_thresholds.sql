-- Console: the effective prediction-rule parameters (table in migrations/0104_console_thresholds.sql).
-- nb67_effective_rules(factory): the factory set (config/predict-rules.yaml parsed to JSON, as the
-- predict stream already sends it to the module) with the newest override version merged over it,
-- parameter by parameter. The predict stream calls it once per run, so an operator's change
-- applies at the next run without a restart. No override (or no version yet): the factory set.
CREATE OR REPLACE FUNCTION nb67_effective_rules(p_factory jsonb)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(
           (SELECT p_factory || coalesce(
                      (SELECT jsonb_object_agg(g.key, coalesce(p_factory -> g.key, '{}'::jsonb) || g.value)
                         FROM jsonb_each(v.overrides) g
                        WHERE jsonb_typeof(g.value) = 'object'), '{}'::jsonb)
              FROM console_threshold_version v ORDER BY v.id DESC LIMIT 1),
           p_factory)
$$;

-- The version in force (0 = factory only), for the predict stream's log line and the console.
CREATE OR REPLACE FUNCTION nb67_rules_version()
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(id), 0) FROM console_threshold_version
$$;
