-- Search by a patient's name in any order and by date of birth (1311.205(b)(11)), derived from the as-received record
-- in batches off the archive writer's path (PatientSearchIndex): every prescription numbered above the highest one here
-- is what is missing, so the rows of an upgraded database are filled by the same catch-up as new ones.
--   patient_search: one row a prescription, its patient's date of birth as sent (yyyy-MM-dd, or '' when none).
--   patient_name_words: one row a word of the patient's name, folded (SearchKey.Words: case, accents, apostrophes).
-- Derived search rows, like prescriptions' keys; no rule reads them.
CREATE TABLE patient_search (
  prescription_number INTEGER NOT NULL PRIMARY KEY REFERENCES prescriptions (prescription_number),
  birth_date          TEXT    NOT NULL
);

CREATE INDEX ix_patient_search_birth_date ON patient_search (birth_date);

CREATE TABLE patient_name_words (
  word                TEXT    NOT NULL,
  prescription_number INTEGER NOT NULL REFERENCES prescriptions (prescription_number),
  PRIMARY KEY (word, prescription_number)
) WITHOUT ROWID;

CREATE INDEX ix_patient_name_words_number ON patient_name_words (prescription_number, word);
