-- A search by patient name reads its page from patient_name_words alone, newest first (PrescriptionSearch): each word
-- carries its prescription's moment of receipt, so neither the matches' order nor their page needs the prescriptions
-- table. The table is its key (word, prescription_number, WITHOUT ROWID), so a prefix range of words with their moments
-- is one covering read; an index on (word, received_at) would order the matches of one word only, not of a prefix range.
--   received_at: the prescription's received_at (UTC, as stored there); the words of an upgraded database get it here,
--   in one statement, and new words from PatientSearchIndex as they are derived.
-- Derived search rows; no rule reads them.
ALTER TABLE patient_name_words ADD COLUMN received_at TEXT NOT NULL DEFAULT '';

UPDATE patient_name_words
SET received_at = (SELECT p.received_at FROM prescriptions p WHERE p.prescription_number = patient_name_words.prescription_number);
