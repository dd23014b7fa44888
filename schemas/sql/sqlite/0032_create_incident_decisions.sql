-- Security incidents (1311.215(c), 1304.06(d)): what a person decided about each flagged auditable event, and the report
-- of each incident. Append-only and covered by the audit chain: a decision and a later "reported" mark are rows, and the
-- newest row of an event is its state.
CREATE TABLE incident_decisions (
  id             INTEGER NOT NULL PRIMARY KEY,
  decision_id    TEXT    NOT NULL,
  audit_sequence INTEGER NOT NULL,
  verdict        TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  action_taken   TEXT    NULL,
  reported_to    TEXT    NULL,
  reported_at    TEXT    NULL,
  decided_at     TEXT    NOT NULL,
  decided_by     TEXT    NOT NULL
);

CREATE INDEX ix_incident_decisions_event ON incident_decisions (audit_sequence, id);
CREATE INDEX ix_incident_decisions_decision ON incident_decisions (decision_id, id);

-- The report of an incident as written when it was decided: text and PDF-ready HTML, kept with the records (in every backup).
CREATE TABLE incident_reports (
  decision_id TEXT NOT NULL PRIMARY KEY,
  report_text TEXT NOT NULL,
  report_html TEXT NOT NULL,
  written_at  TEXT NOT NULL
);

CREATE TRIGGER incident_decisions_no_update BEFORE UPDATE ON incident_decisions
BEGIN
  SELECT RAISE(ABORT, 'incident decisions are append-only: a later state is a new row');
END;

CREATE TRIGGER incident_decisions_no_delete BEFORE DELETE ON incident_decisions
BEGIN
  SELECT RAISE(ABORT, 'incident decisions are retained (1304.06(d))');
END;

CREATE TRIGGER incident_reports_no_update BEFORE UPDATE ON incident_reports
BEGIN
  SELECT RAISE(ABORT, 'incident reports never change');
END;

CREATE TRIGGER incident_reports_no_delete BEFORE DELETE ON incident_reports
BEGIN
  SELECT RAISE(ABORT, 'incident reports are retained (1304.06(d))');
END;
