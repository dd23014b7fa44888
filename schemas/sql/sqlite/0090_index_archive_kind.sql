-- The inspector's export reads each prescription's transaction kind (ExportQuery.cs). The archive's rows hold the
-- as-received message, about one 4 KB page each: a lookup per prescription read a page per row from the whole file.
-- This covering index answers the join from a few hundred megabytes instead.
CREATE INDEX ix_prescription_archive_kind ON prescription_archive (receipt_id, transaction_kind);
