-- Trust, CRLs and status changes after receipt (1311.210(c)); sqlite/0005.
CREATE TABLE dbo.trusted_certificates (
  thumbprint nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  purpose    nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  subject    nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  not_after  nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  der        varbinary(max) NOT NULL,
  added_at   nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  added_by   nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  CONSTRAINT pk_trusted_certificates PRIMARY KEY (thumbprint) WITH (IGNORE_DUP_KEY = ON)
);

-- Every CRL the service has held (1311.210(c)(2)); kept. A repeated CRL is a no-op, so this is no ledger table (a ledger
-- table's key cannot ignore duplicates); a trigger refuses changes instead.
CREATE TABLE dbo.revocation_lists (
  sha256      nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  issuer      nvarchar(800) COLLATE Latin1_General_100_BIN2     NOT NULL,
  crl_number  nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  this_update nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  next_update nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  source      nvarchar(max) COLLATE Latin1_General_100_BIN2     NOT NULL,
  der         varbinary(max) NOT NULL,
  stored_at   nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  CONSTRAINT pk_revocation_lists PRIMARY KEY (sha256) WITH (IGNORE_DUP_KEY = ON)
);
GO

CREATE INDEX ix_revocation_lists_issuer ON dbo.revocation_lists (issuer, this_update);
GO

CREATE TRIGGER dbo.revocation_lists_append_only ON dbo.revocation_lists INSTEAD OF UPDATE, DELETE
AS
  THROW 51000, N'revocation_lists is append-only: records are retained (1311.305)', 1;
GO

-- A record's status after receipt: the newest row for a receipt is its current status. Append-only ledger table.
CREATE TABLE dbo.verification_events (
  id                bigint IDENTITY(1, 1) NOT NULL CONSTRAINT pk_verification_events PRIMARY KEY,
  receipt_id        nvarchar(36)  COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT fk_verification_events_receipt REFERENCES dbo.prescription_archive (receipt_id),
  occurred_at       nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  status            nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
  reason_code       nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  reason            nvarchar(max) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  seal              varbinary(max) NOT NULL,
  signer_thumbprint nvarchar(64)  COLLATE Latin1_General_100_BIN2 NOT NULL
)
WITH (LEDGER = ON (APPEND_ONLY = ON));
GO

CREATE INDEX ix_verification_events_receipt ON dbo.verification_events (receipt_id, id);
