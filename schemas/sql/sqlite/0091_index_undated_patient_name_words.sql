-- A release before 0081 (during a rolling upgrade, or after a rollback) still writes words without received_at, so by
-- its default ''. PatientSearchIndex gives them their moment of receipt at its next catch-up; this partial index finds
-- them without reading every word, and is empty otherwise.
CREATE INDEX ix_patient_name_words_undated ON patient_name_words (prescription_number) WHERE received_at = '';
