-- The default store path's staging table (STORE_METHOD=insert, records with the decoder's row
-- literal): Connect's sql_insert writes (row literal, device time, parse time), 3 parameters a row
-- instead of one per column; the statement trigger macda_store_in_batch
-- (sql/generated/15_macda_views.sql) expands each statement's rows into macda and deletes them in the
-- same transaction, so the table is empty outside a store transaction. UNLOGGED: nothing in it
-- outlives the transaction that wrote it, so it needs no WAL.
CREATE UNLOGGED TABLE IF NOT EXISTS macda_store_in (
  row_text text        NOT NULL,
  dvc_ts   timestamptz NOT NULL,
  parse_ts timestamptz NOT NULL
);
