-- A search by patient name reads its page from patient_name_words alone, newest first; sqlite/0081. The words of an
-- upgraded database get their prescription's received_at here, in one statement; new words from PatientSearchIndex.
-- The clustered key (word, prescription_number) carries the column, so a prefix range stays one covering read.
ALTER TABLE dbo.patient_name_words
  ADD received_at nvarchar(40) COLLATE Latin1_General_100_BIN2 NOT NULL
      CONSTRAINT df_patient_name_words_received DEFAULT N'';
GO

UPDATE w SET w.received_at = p.received_at
FROM dbo.patient_name_words w JOIN dbo.prescriptions p ON p.prescription_number = w.prescription_number;
