-- The periods when ingest was refused (a full or failing disk): compliance names the recent ones, reading only these
-- events. A partial index holds nothing else, so the writer's own events cost it nothing. The reader's WHERE repeats this.
CREATE INDEX ix_audit_events_ingest_refusals ON audit_events (sequence) WHERE event_type IN ('IngestRefused', 'IngestResumed');
