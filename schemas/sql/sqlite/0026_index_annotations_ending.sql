-- The pharmacist's queue (issue 13) finds the prescriptions a Void or TransferOut annotation ended without reading
-- every annotation: a partial index on exactly the types the queue's WHERE names, word for word (WorkQueueReader.cs).
CREATE INDEX ix_annotations_ending ON annotations (receipt_id) WHERE annotation_type IN ('Void', 'TransferOut');
