-- Coverage of the tables the rules read by the audit chain (CoveredTables): the row hashes the chain last recorded, by
-- table and row key, with the RowsCovered event that recorded each. A lookup copy for the write path and the dispensing
-- rules; verify recomputes every row against the chain itself, never against this table.
CREATE TABLE coverage_rows (
  table_name     TEXT    NOT NULL,
  row_key        TEXT    NOT NULL,
  row_hash       TEXT    NOT NULL,
  audit_sequence INTEGER NOT NULL,
  PRIMARY KEY (table_name, row_key)
) WITHOUT ROWID;
