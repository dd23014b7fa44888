-- The pharmacist's queue and the search by an attention status (issue 13) read the records whose status on receipt needs
-- attention without scanning the archive: a filtered index on exactly the statuses their WHERE names, as SQLite's 0025.
CREATE INDEX ix_prescription_archive_attention ON dbo.prescription_archive (status, received_at)
  WHERE status IN ('NeedsPharmacistReview', 'PendingRevocationCheck', 'Invalid', 'Rejected');
