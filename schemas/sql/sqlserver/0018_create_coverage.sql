-- Coverage of the tables the rules read by the audit chain; sqlite/0018. The table is here so both engines hold the same
-- schema; on SQL Server the coverage recorder does not fill it yet (see the README), and the ledger vouches for the
-- append-only tables instead.
CREATE TABLE dbo.coverage_rows (
  table_name     nvarchar(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
  row_key        nvarchar(350) COLLATE Latin1_General_100_BIN2 NOT NULL,
  row_hash       nvarchar(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  audit_sequence bigint        NOT NULL,
  CONSTRAINT pk_coverage_rows PRIMARY KEY (table_name, row_key)
);
