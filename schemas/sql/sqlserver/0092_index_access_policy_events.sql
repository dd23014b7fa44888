-- The access policy's events; sqlite/0092.
CREATE INDEX ix_audit_events_access_policy ON dbo.audit_events (sequence)
  WHERE event_type IN (N'PharmacistInChargeNamed', N'TwoPersonRuleTurnedOff', N'TwoPersonRuleTurnedOn');
