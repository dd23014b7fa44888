-- What an inspector's export shows of each prescription beyond its search row (1304.04(h)(5), 1311.205(b)(12)): names
-- and addresses as received, the prescriber's DEA number, strength and form, and the status on receipt. Derived from
-- the as-received record in batches off the archive writer's path (PrescriptionDetails), so receiving pays nothing
-- for it; an export first derives whatever is missing. Insert-only, like the row it describes.
CREATE TABLE prescription_details (
  prescription_number INTEGER NOT NULL PRIMARY KEY REFERENCES prescriptions (prescription_number),
  message_id          TEXT    NOT NULL,
  status_on_receipt   TEXT    NOT NULL,
  patient_name        TEXT    NOT NULL,
  patient_address     TEXT    NOT NULL,
  prescriber_name     TEXT    NOT NULL,
  prescriber_address  TEXT    NOT NULL,
  prescriber_dea      TEXT    NOT NULL,
  drug_name           TEXT    NOT NULL,
  strength            TEXT    NOT NULL,
  dosage_form         TEXT    NOT NULL
);

CREATE TRIGGER prescription_details_no_update BEFORE UPDATE ON prescription_details
BEGIN
  SELECT RAISE(ABORT, 'prescription_details rows are derived from the as-received record and never change');
END;

CREATE TRIGGER prescription_details_no_delete BEFORE DELETE ON prescription_details
BEGIN
  SELECT RAISE(ABORT, 'prescription_details rows are retained (1311.305)');
END;
