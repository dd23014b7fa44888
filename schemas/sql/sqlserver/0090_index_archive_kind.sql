-- The inspector's export reads each prescription's transaction kind (ExportQuery.cs) without touching the archive's
-- rows, which hold the as-received message: a covering index, as SQLite's 0090.
CREATE INDEX ix_prescription_archive_kind ON dbo.prescription_archive (receipt_id) INCLUDE (transaction_kind);
