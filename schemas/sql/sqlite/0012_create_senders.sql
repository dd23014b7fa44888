-- Senders (DESIGN.md, "Trust boundaries"): the gateways and intermediaries that may submit messages to POST /api/inbound.
-- A sender's API key is 256 random bits shown once; only its SHA-256 is kept. A sender may be bound to the
-- Header/From identifier it must use and pinned to a client certificate. Rows are never deleted: a sender is
-- disabled, and every change is audited.
CREATE TABLE senders (
  sender_name             TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  key_sha256              TEXT NOT NULL UNIQUE,
  from_id                 TEXT NULL,
  client_cert_thumbprint  TEXT NULL UNIQUE,
  created_at              TEXT NOT NULL,
  created_by              TEXT NOT NULL,
  disabled_at             TEXT NULL
);

CREATE TRIGGER senders_no_delete BEFORE DELETE ON senders
BEGIN
  SELECT RAISE(ABORT, 'senders are disabled, never deleted');
END;

-- Only disabling changes a sender; its name, key, binding and pin never change.
CREATE TRIGGER senders_only_disable BEFORE UPDATE ON senders
WHEN NEW.sender_name IS NOT OLD.sender_name OR NEW.key_sha256 IS NOT OLD.key_sha256 OR NEW.from_id IS NOT OLD.from_id
  OR NEW.client_cert_thumbprint IS NOT OLD.client_cert_thumbprint OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by OR OLD.disabled_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a sender can only be disabled, once');
END;
