-- Search by a patient's name in any order and by date of birth (1311.205(b)(11)); sqlite/0071. Derived search rows,
-- filled by PatientSearchIndex for every prescription above the highest one here; no rule reads them.
CREATE TABLE dbo.patient_search (
  prescription_number bigint       NOT NULL CONSTRAINT pk_patient_search PRIMARY KEY
                                            CONSTRAINT fk_patient_search_number REFERENCES dbo.prescriptions (prescription_number),
  birth_date          nvarchar(40) COLLATE Latin1_General_100_BIN2 NOT NULL
);

CREATE INDEX ix_patient_search_birth_date ON dbo.patient_search (birth_date);

CREATE TABLE dbo.patient_name_words (
  word                nvarchar(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
  prescription_number bigint        NOT NULL CONSTRAINT fk_patient_name_words_number REFERENCES dbo.prescriptions (prescription_number),
  CONSTRAINT pk_patient_name_words PRIMARY KEY (word, prescription_number)
);

CREATE INDEX ix_patient_name_words_number ON dbo.patient_name_words (prescription_number, word);
