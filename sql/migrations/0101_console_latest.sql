-- Console: the latest state of every device, one row per device (O(devices) to read the fleet),
-- kept by a statement-level trigger on macda (sql/repeatable/60_console_latest.sql) from the rows
-- each store batch actually inserted. received_at is the database clock when the newest row
-- arrived, so offline detection does not depend on the device's clock.
CREATE TABLE IF NOT EXISTS device_latest (
  dvc_no       text PRIMARY KEY,
  train_no     text NOT NULL,
  carriage     int,
  dvc_time     timestamptz NOT NULL,
  parse_time   timestamptz NOT NULL,
  msg_frame_no int NOT NULL,
  received_at  timestamptz NOT NULL,
  faults       text[] NOT NULL DEFAULT '{}'   -- fault bits set in the newest frame
) WITH (fillfactor = 50);                       -- room for HOT updates (only the key is indexed)
