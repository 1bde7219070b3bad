-- Loads applied to tables, by the id their job gave them. A load records its id in the same
-- transaction as its rows, so a job retried after a crash finds its committed load here and reports
-- it instead of loading the rows twice. Dropping a table forgets its ids.
CREATE TABLE table_loads (
  table_id      TEXT NOT NULL,
  load_id       TEXT NOT NULL,
  loaded_rows   BIGINT NOT NULL,
  added_columns TEXT NOT NULL,
  created       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (table_id, load_id)
);
