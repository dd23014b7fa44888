-- A disabled sender can be enabled again (SenderEnabled, audited); sqlite/0072. Only disabled_at changes.
DROP TRIGGER dbo.senders_only_disable;
GO

CREATE TRIGGER dbo.senders_only_disable ON dbo.senders AFTER UPDATE
AS
BEGIN
  SET NOCOUNT ON;
  IF EXISTS (
    SELECT 1 FROM inserted i JOIN deleted d ON d.sender_name = i.sender_name
    WHERE i.key_sha256 <> d.key_sha256
       OR i.created_at <> d.created_at
       OR i.created_by <> d.created_by
       OR NOT (i.from_id = d.from_id OR (i.from_id IS NULL AND d.from_id IS NULL))
       OR NOT (i.client_cert_thumbprint = d.client_cert_thumbprint OR (i.client_cert_thumbprint IS NULL AND d.client_cert_thumbprint IS NULL)))
    OR (SELECT COUNT(*) FROM inserted) <> (SELECT COUNT(*) FROM inserted i JOIN deleted d ON d.sender_name = i.sender_name)
    THROW 51000, N'a sender is only disabled or enabled; its name, key, binding and pin never change', 1;
END;
