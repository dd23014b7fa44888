-- The access policy (the pharmacy's pharmacist-in-charge, the two-person rule on or off) is what its newest events under
-- the chain's MAC say (AccessPolicy): this partial index holds only those events. The reader's WHERE repeats this term.
CREATE INDEX ix_audit_events_access_policy ON audit_events (sequence)
  WHERE event_type IN ('PharmacistInChargeNamed', 'TwoPersonRuleTurnedOff', 'TwoPersonRuleTurnedOn');
