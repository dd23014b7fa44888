-- The pharmacist's work on a prescription, appended beside the as-received archive; sqlite/0007, 0008, 0009 and 0019 in
-- their final shape. Every table here is an append-only ledger table.

-- The pharmacy's prescription numbers: one sequence for every instance writing this database, so two instances never
-- hand out the same number and never wait on each other for one.
CREATE SEQUENCE dbo.prescription_numbers AS bigint START WITH 1 INCREMENT BY 1 CACHE 50;
GO

-- One row per archived NewRx: its number and the search keys (SearchKey: no accents, lower case; compared as bytes, so
-- a prefix range walks the index as on SQLite).
CREATE TABLE dbo.prescriptions (
  prescription_number bigint        NOT NULL CONSTRAINT pk_prescriptions PRIMARY KEY
                                             CONSTRAINT df_prescriptions_number DEFAULT (NEXT VALUE FOR dbo.prescription_numbers),
  receipt_id          nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_prescriptions_receipt UNIQUE
                                             CONSTRAINT fk_prescriptions_receipt REFERENCES dbo.prescription_archive (receipt_id),
  received_at         nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  patient_key         nvarchar(800) COLLATE Latin1_General_100_BIN2 NOT NULL,
  prescriber_key      nvarchar(800) COLLATE Latin1_General_100_BIN2 NOT NULL,
  drug_key            nvarchar(800) COLLATE Latin1_General_100_BIN2 NOT NULL,
  dea_schedule        nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  written_date        nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  earliest_fill_date  nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  quantity            nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  quantity_unit       nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  refills_authorized  nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_prescriptions_patient_received ON dbo.prescriptions (patient_key, received_at);
CREATE INDEX ix_prescriptions_prescriber_received ON dbo.prescriptions (prescriber_key, received_at);
CREATE INDEX ix_prescriptions_drug_received ON dbo.prescriptions (drug_key, received_at);
CREATE INDEX ix_prescriptions_received ON dbo.prescriptions (received_at);
GO

-- Annotations (1311.200(f), 1306.08(c)): typed, each with who and when; fields as JSON.
CREATE TABLE dbo.annotations (
  id              bigint IDENTITY(1, 1) NOT NULL CONSTRAINT pk_annotations PRIMARY KEY,
  receipt_id      nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT fk_annotations_receipt REFERENCES dbo.prescription_archive (receipt_id),
  annotation_type nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  fields          nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  created_at      nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  created_by      nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_annotations_receipt ON dbo.annotations (receipt_id, id);
GO

-- Dispensings (1311.205(b)(10), 1304.22(c)): quantity, date, who; the refill number as derived when recorded; why late.
CREATE TABLE dbo.dispensings (
  id             bigint IDENTITY(1, 1) NOT NULL CONSTRAINT pk_dispensings PRIMARY KEY,
  receipt_id     nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT fk_dispensings_receipt REFERENCES dbo.prescription_archive (receipt_id),
  quantity       nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  quantity_unit  nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  date_dispensed nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  dispenser      nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  refill_number  bigint        NOT NULL,
  recorded_at    nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  recorded_by    nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  reason         nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_dispensings_receipt ON dbo.dispensings (receipt_id, id);
CREATE INDEX ix_dispensings_date ON dbo.dispensings (date_dispensed, receipt_id);
