-- A disabled sender can be enabled again by pharmacy IT (1311.215(a)(4): SenderEnabled, audited like SenderDisabled):
-- disabled_at goes from a time back to NULL. Nothing else about a sender ever changes: its name, key, binding and pin.
-- The trigger keeps its name, so tamper tests and runbooks that name it still find it.
DROP TRIGGER senders_only_disable;

CREATE TRIGGER senders_only_disable BEFORE UPDATE ON senders
WHEN NEW.sender_name IS NOT OLD.sender_name OR NEW.key_sha256 IS NOT OLD.key_sha256 OR NEW.from_id IS NOT OLD.from_id
  OR NEW.client_cert_thumbprint IS NOT OLD.client_cert_thumbprint OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by
BEGIN
  SELECT RAISE(ABORT, 'a sender is only disabled or enabled; its name, key, binding and pin never change');
END;
