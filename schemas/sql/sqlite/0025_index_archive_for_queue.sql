-- The pharmacist's queue (issue 13) reads the records whose status on receipt needs attention without scanning the
-- archive: a partial index on exactly the statuses the queue's WHERE names, word for word (WorkQueueReader.cs).
CREATE INDEX ix_prescription_archive_attention ON prescription_archive (status, received_at)
  WHERE status IN ('NeedsPharmacistReview', 'PendingRevocationCheck', 'Invalid', 'Rejected');
