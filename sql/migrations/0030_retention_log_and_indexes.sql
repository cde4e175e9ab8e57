-- Retention of every growing table (nb67_maintain_partitions, sql/repeatable/20_macda_maintenance.sql):
-- the maintenance log names the relation and the number of rows of every deletion, and the deletions
-- by arrival/run time read BRIN indexes (tiny; these columns grow with insertion order) instead of
-- scanning whole tables every hour.
ALTER TABLE nb67_maintenance_log ADD COLUMN IF NOT EXISTS relation text;
ALTER TABLE nb67_maintenance_log ADD COLUMN IF NOT EXISTS rows bigint;
CREATE INDEX IF NOT EXISTS macda_dead_letter_received_brin ON macda_dead_letter USING brin (received_at);
CREATE INDEX IF NOT EXISTS predict_dead_letter_received_brin ON predict_dead_letter USING brin (received_at);
CREATE INDEX IF NOT EXISTS pro_predict_run_slot_brin ON pro_predict USING brin (run_slot);
CREATE INDEX IF NOT EXISTS dev_predict_run_slot_brin ON dev_predict USING brin (run_slot);
