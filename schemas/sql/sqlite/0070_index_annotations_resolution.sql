-- The queue reads every resolution of an Invalid or Rejected record (AnnotationType.Resolution) to check each against
-- the audit chain before it takes a record off the queue; a partial index keeps that read to the resolutions alone.
CREATE INDEX ix_annotations_resolution ON annotations (receipt_id) WHERE annotation_type = 'Resolution';
