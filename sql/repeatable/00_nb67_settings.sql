-- NB67 settings: default values (existing values are kept) and the functions that read them.
-- nb67_settings holds the time zones the pipelines use, so the legacy views render the legacy text
-- times exactly as the pipelines received them (sql/apply.sh writes DEVICE_TZ and PARSE_TZ here).
-- Defaults; apply.sh overwrites them from DEVICE_TZ, PARSE_TZ and RETENTION_* (see sql/apply.sh).
INSERT INTO nb67_settings (key, value) VALUES ('device_tz', 'Asia/Shanghai'), ('parse_tz', 'UTC'),
  ('retention_frames', '365 days'), ('retention_frame_dead_letters', '30 days'),
  ('retention_predictions', '365 days'), ('retention_predict_dead_letters', '30 days')
ON CONFLICT (key) DO NOTHING;

CREATE OR REPLACE FUNCTION nb67_device_tz() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce((SELECT value FROM nb67_settings WHERE key = 'device_tz'), 'Asia/Shanghai') $$;
CREATE OR REPLACE FUNCTION nb67_parse_tz() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce((SELECT value FROM nb67_settings WHERE key = 'parse_tz'), 'UTC') $$;
-- An interval setting (retention_*), or the fallback when it is not recorded.
CREATE OR REPLACE FUNCTION nb67_setting_interval(k text, fallback interval) RETURNS interval LANGUAGE sql STABLE AS
$$ SELECT coalesce((SELECT value::interval FROM nb67_settings WHERE key = k), fallback) $$;

-- Strict parse of a legacy local time text ('2024-7-19 14:36:13', padded or not) in zone tz.
-- NULL unless it is a real calendar date in 2000..2099 (no normalisation of 2024-2-30 or 24:00:00).
-- String functions only: a regexp_match here cost ~50 us per call (measured), this ~10 us.
CREATE OR REPLACE FUNCTION nb67_parse_local(t text, tz text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  p text[];
  v int[];
  i int;
BEGIN
  IF t IS NULL OR length(t) < 14 OR length(t) > 19 THEN RETURN NULL; END IF;
  p := string_to_array(translate(t, ' :', '--'), '-');
  IF array_length(p, 1) <> 6 OR length(p[1]) <> 4 OR left(p[1], 2) <> '20' THEN RETURN NULL; END IF;
  FOR i IN 1..6 LOOP
    IF p[i] = '' OR translate(p[i], '0123456789', '') <> '' OR (i > 1 AND length(p[i]) > 2) THEN RETURN NULL; END IF;
  END LOOP;
  v := p::int[];
  IF v[2] < 1 OR v[2] > 12 OR v[3] < 1 OR v[4] > 23 OR v[5] > 59 OR v[6] > 59 THEN RETURN NULL; END IF;
  IF v[3] > (ARRAY[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[v[2]]
       + (v[2] = 2 AND ((v[1] % 4 = 0 AND v[1] % 100 <> 0) OR v[1] % 400 = 0))::int THEN
    RETURN NULL;
  END IF;
  RETURN make_timestamp(v[1], v[2], v[3], v[4], v[5], v[6]) AT TIME ZONE tz;
END $$;
