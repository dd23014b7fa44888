-- Senders (DESIGN.md, "Trust boundaries"); sqlite/0012. Never deleted; only disabled, once.
CREATE TABLE dbo.senders (
  sender_name            nvarchar(64)  COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT pk_senders PRIMARY KEY,
  key_sha256             nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT uq_senders_key UNIQUE,
  from_id                nvarchar(max) COLLATE Latin1_General_100_BIN2     NULL,
  client_cert_thumbprint nvarchar(64)  COLLATE Latin1_General_100_BIN2     NULL,
  created_at             nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  created_by             nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  disabled_at            nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL
);
GO

-- UNIQUE over the non-NULL pins only, as SQLite's UNIQUE treats NULLs as distinct.
CREATE UNIQUE INDEX uq_senders_client_cert ON dbo.senders (client_cert_thumbprint) WHERE client_cert_thumbprint IS NOT NULL;
GO

CREATE TRIGGER dbo.senders_no_delete ON dbo.senders INSTEAD OF DELETE
AS
  THROW 51000, N'senders are disabled, never deleted', 1;
GO

-- Only disabling changes a sender; its name, key, binding and pin never change.
CREATE TRIGGER dbo.senders_only_disable ON dbo.senders AFTER UPDATE
AS
BEGIN
  SET NOCOUNT ON;
  IF EXISTS (
    SELECT 1 FROM inserted i JOIN deleted d ON d.sender_name = i.sender_name
    WHERE d.disabled_at IS NOT NULL
       OR i.key_sha256 <> d.key_sha256
       OR i.created_at <> d.created_at
       OR i.created_by <> d.created_by
       OR NOT (i.from_id = d.from_id OR (i.from_id IS NULL AND d.from_id IS NULL))
       OR NOT (i.client_cert_thumbprint = d.client_cert_thumbprint OR (i.client_cert_thumbprint IS NULL AND d.client_cert_thumbprint IS NULL)))
    OR (SELECT COUNT(*) FROM inserted) <> (SELECT COUNT(*) FROM inserted i JOIN deleted d ON d.sender_name = i.sender_name)
    THROW 51000, N'a sender can only be disabled, once', 1;
END;
