-- Derivations from the archive that ran to completion once (PrescriptionBackfill); sqlite/0010.
CREATE TABLE dbo.completed_backfills (
  name         nvarchar(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
  completed_at nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  CONSTRAINT pk_completed_backfills PRIMARY KEY (name) WITH (IGNORE_DUP_KEY = ON)
);
