-- The dispensing rules ask the audit chain which annotations and dispensings it recorded for a prescription, so that a
-- row deleted behind the service's back is noticed before a fill (1311.215(a)(2)). Partial: receipt events on the
-- ingest path are not indexed, and the rules' query repeats this WHERE term exactly so SQLite uses it.
CREATE INDEX ix_audit_events_work_by_receipt ON audit_events (target)
WHERE event_type IN ('AnnotationAdded', 'PrescriptionDispensed');
