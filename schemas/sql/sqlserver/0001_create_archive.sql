-- The as-received archive (1311.205(b)(3), 1311.210): SQL Server's mirror of sqlite/0001, 0004, 0005 (pending index) and
-- 0013 in their final shape. An append-only ledger table: the engine refuses UPDATE and DELETE, and its ledger digest
-- vouches for every row beside our own chain (sys.sp_verify_database_ledger, run by verify).
-- Text that people search ignores case through its collation (CI); keys and hashes compare as bytes (BIN2). Text from
-- the message is nvarchar(max) unless an index needs it, then as wide as an index key may be (1,700 bytes).
CREATE TABLE dbo.prescription_archive (
  receipt_id              nvarchar(36)  COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT pk_prescription_archive PRIMARY KEY,
  received_at             nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  source                  nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  -- MessageID for a readable message; sha256:<hex of the bytes> for a rejected one. Unique: across every instance writing
  -- this database, a second insert of the same key fails with a duplicate-key error, which the writer answers as a duplicate.
  dedupe_key              nvarchar(850) COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT uq_prescription_archive_dedupe UNIQUE,
  message_id              nvarchar(850) COLLATE Latin1_General_100_BIN2     NULL,
  relates_to_message_id   nvarchar(850) COLLATE Latin1_General_100_BIN2     NULL,
  prescriber_order_number nvarchar(850) COLLATE Latin1_General_100_BIN2     NULL,
  transaction_kind        nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  status                  nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  reason_code             nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  reason                  nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  missing_elements        nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  dea_schedule            nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  prescriber_dea_number   nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  prescriber_name         nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  patient_name            nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  drug_description        nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  written_date            nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  cancels_receipt_id      nvarchar(36)  COLLATE Latin1_General_100_BIN2     NULL CONSTRAINT fk_prescription_archive_cancels REFERENCES dbo.prescription_archive (receipt_id),
  as_received             varbinary(max) NOT NULL,
  as_received_sha256      nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  receipt_signature       varbinary(max) NOT NULL,
  signer_thumbprint       nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  -- Links a CancelRx that arrived first to its NewRx (sqlite/0013).
  cancel_binding          nvarchar(64)  COLLATE Latin1_General_100_BIN2     NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_prescription_archive_message_id ON dbo.prescription_archive (message_id);
CREATE INDEX ix_prescription_archive_order_number ON dbo.prescription_archive (prescriber_order_number);
CREATE INDEX ix_prescription_archive_cancels ON dbo.prescription_archive (cancels_receipt_id) WHERE cancels_receipt_id IS NOT NULL;
CREATE INDEX ix_prescription_archive_relates_to ON dbo.prescription_archive (relates_to_message_id) WHERE relates_to_message_id IS NOT NULL;
CREATE INDEX ix_prescription_archive_pending ON dbo.prescription_archive (received_at) WHERE status = 'PendingRevocationCheck';
