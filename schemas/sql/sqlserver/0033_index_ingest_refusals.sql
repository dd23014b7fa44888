-- The periods when ingest was refused; sqlite/0033.
CREATE INDEX ix_audit_events_ingest_refusals ON dbo.audit_events (sequence) WHERE event_type IN (N'IngestRefused', N'IngestResumed');
