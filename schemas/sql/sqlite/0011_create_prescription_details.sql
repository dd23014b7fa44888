-- What an inspector's export shows of each prescription (1304.04(h)(5), 1311.205(b)(12)), derived from the as-received
-- record in batches off the archive writer's path (PrescriptionDetails), so receiving pays nothing for it; an export
-- first derives whatever is missing. Insert-only, like the row it describes.
--   fields: the export's columns from the written date to the refills authorized (ExportColumns), as UTF-8 text joined
--           by U+001F, ready to copy into an export row: one column to read per row instead of thirteen.
--   message_id: for a CancelRx that names this prescription before it arrived.
--   status_on_receipt: the verification status it was archived with; status changes are read beside it.
CREATE TABLE prescription_details (
  prescription_number INTEGER NOT NULL PRIMARY KEY REFERENCES prescriptions (prescription_number),
  message_id          TEXT    NOT NULL,
  status_on_receipt   TEXT    NOT NULL,
  fields              TEXT    NOT NULL
);

CREATE TRIGGER prescription_details_no_update BEFORE UPDATE ON prescription_details
BEGIN
  SELECT RAISE(ABORT, 'prescription_details rows are derived from the as-received record and never change');
END;

CREATE TRIGGER prescription_details_no_delete BEFORE DELETE ON prescription_details
BEGIN
  SELECT RAISE(ABORT, 'prescription_details rows are retained (1311.305)');
END;
