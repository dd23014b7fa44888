-- What an inspector's export shows of each prescription (1304.04(h)(5), 1311.205(b)(12)); sqlite/0011. Insert-only,
-- like the row it describes: an append-only ledger table.
CREATE TABLE dbo.prescription_details (
  prescription_number bigint        NOT NULL CONSTRAINT pk_prescription_details PRIMARY KEY
                                             CONSTRAINT fk_prescription_details_number REFERENCES dbo.prescriptions (prescription_number),
  message_id          nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  status_on_receipt   nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  fields              nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
