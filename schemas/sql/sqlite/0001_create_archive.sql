-- The as-received archive (1311.205(b)(3), 1311.210). One row per received message, whatever its status.
-- Append-only: the as-received record is never changed; later life is derived from linked, appended rows.
CREATE TABLE prescription_archive (
  receipt_id              TEXT    NOT NULL PRIMARY KEY,
  received_at             TEXT    NOT NULL,
  source                  TEXT    NOT NULL,
  -- MessageID for a readable message; sha256:<hex of the bytes> for a rejected one (identical bytes, same message).
  dedupe_key              TEXT    NOT NULL UNIQUE,
  message_id              TEXT    NULL,
  relates_to_message_id   TEXT    NULL,
  prescriber_order_number TEXT    NULL,
  transaction_kind        TEXT    NULL,
  status                  TEXT    NOT NULL,
  reason_code             TEXT    NOT NULL,
  reason                  TEXT    NOT NULL,
  missing_elements        TEXT    NOT NULL,
  dea_schedule            TEXT    NOT NULL,
  prescriber_dea_number   TEXT    NOT NULL,
  prescriber_name         TEXT    NOT NULL,
  patient_name            TEXT    NOT NULL,
  drug_description        TEXT    NOT NULL,
  written_date            TEXT    NOT NULL,
  cancels_receipt_id      TEXT    NULL REFERENCES prescription_archive (receipt_id),
  as_received             BLOB    NOT NULL,
  as_received_sha256      TEXT    NOT NULL,
  receipt_signature       BLOB    NOT NULL,
  signer_thumbprint       TEXT    NOT NULL
);

CREATE INDEX ix_prescription_archive_message_id ON prescription_archive (message_id);
CREATE INDEX ix_prescription_archive_order_number ON prescription_archive (prescriber_order_number);
CREATE INDEX ix_prescription_archive_cancels ON prescription_archive (cancels_receipt_id) WHERE cancels_receipt_id IS NOT NULL;

CREATE TRIGGER prescription_archive_no_update BEFORE UPDATE ON prescription_archive
BEGIN
  SELECT RAISE(ABORT, 'prescription_archive is append-only: the as-received record is never changed');
END;

CREATE TRIGGER prescription_archive_no_delete BEFORE DELETE ON prescription_archive
BEGIN
  SELECT RAISE(ABORT, 'prescription_archive is append-only: records are retained (1311.305)');
END;
