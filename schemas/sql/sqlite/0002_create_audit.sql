-- The audit trail (1311.205(b)(13)-(14)): date/time, type, actor, outcome, target; hash-chained so that edits,
-- insertions and deletions are detectable, and append-only so that they are refused (1311.205(b)(16)).
CREATE TABLE audit_events (
  sequence      INTEGER NOT NULL PRIMARY KEY,
  occurred_at   TEXT    NOT NULL,
  event_type    TEXT    NOT NULL,
  actor         TEXT    NOT NULL,
  outcome       TEXT    NOT NULL,
  target        TEXT    NOT NULL,
  details       TEXT    NOT NULL,
  previous_hash TEXT    NOT NULL,
  hash          TEXT    NOT NULL
);

CREATE INDEX ix_audit_events_type_time ON audit_events (event_type, occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only (1311.205(b)(16))');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only (1311.205(b)(16))');
END;
