-- The keyed audit chain; sqlite/0031. A column added to a ledger table is NULLable.
ALTER TABLE dbo.audit_events ADD mac nvarchar(100) COLLATE Latin1_General_100_BIN2 NULL;
GO

CREATE TABLE dbo.chain_keys (
  key_id       nvarchar(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  sealed_under nvarchar(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  sealed       nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
  stored_at    nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  CONSTRAINT pk_chain_keys PRIMARY KEY (key_id, sealed_under)
);
GO

ALTER TABLE dbo.sessions ADD mac nvarchar(100) COLLATE Latin1_General_100_BIN2 NULL;
