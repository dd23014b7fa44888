-- The pharmacist's work on a prescription, appended beside the as-received archive, which never changes.

-- One row per archived NewRx: the pharmacy's prescription number and the values search and the dispensing rules use,
-- derived from the as-received record when it is archived. Names are search keys (SearchKey: no accents, lower case).
CREATE TABLE prescriptions (
  prescription_number INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  receipt_id          TEXT    NOT NULL UNIQUE REFERENCES prescription_archive (receipt_id),
  received_at         TEXT    NOT NULL,
  patient_key         TEXT    NOT NULL,
  prescriber_key      TEXT    NOT NULL,
  drug_key            TEXT    NOT NULL,
  dea_schedule        TEXT    NOT NULL,
  written_date        TEXT    NOT NULL,
  earliest_fill_date  TEXT    NOT NULL,
  quantity            TEXT    NOT NULL,
  quantity_unit       TEXT    NOT NULL,
  refills_authorized  TEXT    NOT NULL
);

CREATE INDEX ix_prescriptions_patient ON prescriptions (patient_key);
CREATE INDEX ix_prescriptions_prescriber ON prescriptions (prescriber_key);
CREATE INDEX ix_prescriptions_drug ON prescriptions (drug_key);
CREATE INDEX ix_prescriptions_received ON prescriptions (received_at);
CREATE INDEX ix_prescriptions_schedule ON prescriptions (dea_schedule, received_at);

-- Annotations (1311.200(f), 1306.08(c)): typed, each with who and when; fields as JSON. Append-only.
CREATE TABLE annotations (
  id              INTEGER NOT NULL PRIMARY KEY,
  receipt_id      TEXT    NOT NULL REFERENCES prescription_archive (receipt_id),
  annotation_type TEXT    NOT NULL,
  fields          TEXT    NOT NULL,
  created_at      TEXT    NOT NULL,
  created_by      TEXT    NOT NULL
);

CREATE INDEX ix_annotations_receipt ON annotations (receipt_id, id);

-- Dispensings (1311.205(b)(10), 1304.22(c)): quantity, date, who; the refill number as derived when recorded.
CREATE TABLE dispensings (
  id             INTEGER NOT NULL PRIMARY KEY,
  receipt_id     TEXT    NOT NULL REFERENCES prescription_archive (receipt_id),
  quantity       TEXT    NOT NULL,
  quantity_unit  TEXT    NOT NULL,
  date_dispensed TEXT    NOT NULL,
  dispenser      TEXT    NOT NULL,
  refill_number  INTEGER NOT NULL,
  recorded_at    TEXT    NOT NULL,
  recorded_by    TEXT    NOT NULL
);

CREATE INDEX ix_dispensings_receipt ON dispensings (receipt_id, id);
CREATE INDEX ix_dispensings_date ON dispensings (date_dispensed, receipt_id);

CREATE TRIGGER annotations_no_update BEFORE UPDATE ON annotations
BEGIN
  SELECT RAISE(ABORT, 'annotations are append-only: a correction is a new annotation');
END;

CREATE TRIGGER annotations_no_delete BEFORE DELETE ON annotations
BEGIN
  SELECT RAISE(ABORT, 'annotations are append-only (1311.305)');
END;

CREATE TRIGGER dispensings_no_update BEFORE UPDATE ON dispensings
BEGIN
  SELECT RAISE(ABORT, 'dispensings are append-only: a correction is a new annotation');
END;

CREATE TRIGGER dispensings_no_delete BEFORE DELETE ON dispensings
BEGIN
  SELECT RAISE(ABORT, 'dispensings are append-only (1311.305)');
END;

CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions
BEGIN
  SELECT RAISE(ABORT, 'prescriptions rows are derived from the as-received record and never change');
END;

CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN
  SELECT RAISE(ABORT, 'prescriptions rows are retained (1311.305)');
END;
