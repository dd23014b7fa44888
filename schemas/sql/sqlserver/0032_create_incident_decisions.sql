-- Security incidents (1311.215(c), 1304.06(d)); sqlite/0032. Append-only ledger tables: a decision and a later
-- "reported" mark are rows, and the newest row of an event is its state.
CREATE TABLE dbo.incident_decisions (
  id             bigint IDENTITY(1, 1) NOT NULL CONSTRAINT pk_incident_decisions PRIMARY KEY,
  decision_id    nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  audit_sequence bigint        NOT NULL,
  verdict        nvarchar(20)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  reason         nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  action_taken   nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NULL,
  reported_to    nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NULL,
  reported_at    nvarchar(40)  COLLATE Latin1_General_100_BIN2 NULL,
  decided_at     nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  decided_by     nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_incident_decisions_event ON dbo.incident_decisions (audit_sequence, id);
CREATE INDEX ix_incident_decisions_decision ON dbo.incident_decisions (decision_id, id);
GO

-- The report of an incident as written when it was decided, kept with the records (in every backup).
CREATE TABLE dbo.incident_reports (
  decision_id nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_incident_reports PRIMARY KEY,
  report_text nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  report_html nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  written_at  nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
