-- A review of the SQL Server schema against what the service accepts (issue 14): a user's full name and initials and an
-- API key's label may be 1,000 characters (TextLimits.Text), and SQLite takes any length; these columns were narrower,
-- so a valid entry failed with "String or binary data would be truncated". None is indexed.
ALTER TABLE dbo.users ALTER COLUMN full_name nvarchar(1000) COLLATE Latin1_General_100_CI_AS_SC NOT NULL;
ALTER TABLE dbo.users ALTER COLUMN initials nvarchar(1000) COLLATE Latin1_General_100_CI_AS_SC NOT NULL;
ALTER TABLE dbo.api_keys ALTER COLUMN label nvarchar(1000) COLLATE Latin1_General_100_CI_AS_SC NOT NULL;
GO

-- sqlite/0023 on SQL Server: no query reads the trail by type and time, and the one look-up by type (did a CancelRx
-- cancel this prescription) gets a filtered index holding only those events.
DROP INDEX ix_audit_events_type_time ON dbo.audit_events;
CREATE INDEX ix_audit_events_cancelled ON dbo.audit_events (target) WHERE event_type = 'PrescriptionCancelled';
