-- The pharmacist's queue (issue 13) finds the prescriptions a Void or TransferOut annotation ended without reading
-- every annotation: a filtered index on exactly the types the queue's WHERE names (WorkQueueReader.cs).
CREATE INDEX ix_annotations_ending ON dbo.annotations (receipt_id) WHERE annotation_type IN ('Void', 'TransferOut');
