-- The keyed audit chain (1311.205(b)(16), 1311.215(a)(5)): each event from the first ChainKeyed event on carries an
-- HMAC-SHA256 of its hash under the chain key (ID:HEX), which only the service can make; events before it keep NULL.
ALTER TABLE audit_events ADD COLUMN mac TEXT NULL;

-- Earlier chain keys, each sealed (AES-256-GCM) under the key that replaced it at a rotation, so older events verify.
CREATE TABLE chain_keys (
  key_id       TEXT NOT NULL,
  sealed_under TEXT NOT NULL,
  sealed       TEXT NOT NULL,
  stored_at    TEXT NOT NULL,
  PRIMARY KEY (key_id, sealed_under)
);

-- A session row carries the MAC of its fields under the chain key: a row planted or edited in the file opens nothing.
ALTER TABLE sessions ADD COLUMN mac TEXT NULL;
