-- The resolutions of Invalid and Rejected records, which the queue checks against the audit chain; sqlite/0070.
CREATE INDEX ix_annotations_resolution ON dbo.annotations (receipt_id) WHERE annotation_type = 'Resolution';
