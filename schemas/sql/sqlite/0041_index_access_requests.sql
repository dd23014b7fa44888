-- Access changes held for a second person's approval live in the audit trail itself (AccessChangeRequested, then
-- AccessChangeApproved or AccessChangeRefused, each targeting the request): this partial index holds only those events.
-- The reader's WHERE repeats this term.
CREATE INDEX ix_audit_events_access_requests ON audit_events (target)
  WHERE event_type IN ('AccessChangeRequested', 'AccessChangeApproved', 'AccessChangeRefused');
