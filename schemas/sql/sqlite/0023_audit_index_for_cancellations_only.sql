-- Issue 12, point 5: one index fewer for the archive writer to maintain on every audit event it appends (a receipt event
-- per message, RowsCovered per commit). No query reads the trail by type and time (the daily report walks it in sequence
-- order); the one lookup by type is whether a CancelRx cancelled a prescription, and this partial index holds only those
-- events. The dispensing rules' query repeats this WHERE term exactly so SQLite uses it.
DROP INDEX ix_audit_events_type_time;
CREATE INDEX ix_audit_events_cancelled ON audit_events (target) WHERE event_type = 'PrescriptionCancelled';
