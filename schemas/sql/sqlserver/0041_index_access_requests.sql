-- Access changes held for approval; sqlite/0041.
CREATE INDEX ix_audit_events_access_requests ON dbo.audit_events (target)
  WHERE event_type IN (N'AccessChangeRequested', N'AccessChangeApproved', N'AccessChangeRefused');
