-- Words an older release wrote without received_at, found without reading every word; sqlite/0091.
CREATE INDEX ix_patient_name_words_undated ON dbo.patient_name_words (prescription_number) WHERE received_at = N'';
