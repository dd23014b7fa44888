-- The audit trail (1311.205(b)(13)-(14), (16)): hash-chained by the service, append-only by the engine (ledger table).
-- Every instance appends to this one chain: the appender takes sp_getapplock on 'pharmacyrx.audit_chain' in its
-- transaction before it reads the head (SqlServerDialect.AuditHeadForAppend).
CREATE TABLE dbo.audit_events (
  sequence      bigint        NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY,
  occurred_at   nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  event_type    nvarchar(100) COLLATE Latin1_General_100_BIN2     NOT NULL,
  actor         nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  outcome       nvarchar(20)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  target        nvarchar(850) COLLATE Latin1_General_100_BIN2     NOT NULL,
  details       nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  previous_hash nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  hash          nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_audit_events_type_time ON dbo.audit_events (event_type, occurred_at);
-- The dispensing rules' question (sqlite/0020): the annotations and dispensings the chain recorded for a prescription.
CREATE INDEX ix_audit_events_work_by_receipt ON dbo.audit_events (target)
WHERE event_type IN ('AnnotationAdded', 'PrescriptionDispensed');
