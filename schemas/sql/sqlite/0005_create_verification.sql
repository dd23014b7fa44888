-- Trust configured by pharmacy IT (1311.210(c)): certification authorities practitioners chain to, and intermediaries
-- whose signature makes a record IntermediarySigned (1311.210(a)(1)). Each change is audited (1311.215(a)(4)).
CREATE TABLE trusted_certificates (
  thumbprint  TEXT NOT NULL PRIMARY KEY,
  purpose     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  not_after   TEXT NOT NULL,
  der         BLOB NOT NULL,
  added_at    TEXT NOT NULL,
  added_by    TEXT NOT NULL
);

-- Every CRL the service has held (1311.210(c)(2)): imported, read from the CRL folder or fetched from a distribution
-- point. Kept, so that what a verification relied on can be shown later.
CREATE TABLE revocation_lists (
  sha256      TEXT NOT NULL PRIMARY KEY,
  issuer      TEXT NOT NULL,
  crl_number  TEXT NOT NULL,
  this_update TEXT NOT NULL,
  next_update TEXT NULL,
  source      TEXT NOT NULL,
  der         BLOB NOT NULL,
  stored_at   TEXT NOT NULL
);

CREATE INDEX ix_revocation_lists_issuer ON revocation_lists (issuer, this_update);

-- A record's status after receipt: a pending revocation check resolved later (1311.210(c)(2)). Append-only like the
-- archive; each row is sealed with the pharmacy key, and the newest row for a receipt is its current status.
CREATE TABLE verification_events (
  id                INTEGER NOT NULL PRIMARY KEY,
  receipt_id        TEXT    NOT NULL REFERENCES prescription_archive (receipt_id),
  occurred_at       TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  reason_code       TEXT    NOT NULL,
  reason            TEXT    NOT NULL,
  seal              BLOB    NOT NULL,
  signer_thumbprint TEXT    NOT NULL
);

CREATE INDEX ix_verification_events_receipt ON verification_events (receipt_id, id);
CREATE INDEX ix_prescription_archive_pending ON prescription_archive (received_at) WHERE status = 'PendingRevocationCheck';

CREATE TRIGGER verification_events_no_update BEFORE UPDATE ON verification_events
BEGIN
  SELECT RAISE(ABORT, 'verification_events is append-only: a later status is a new row');
END;

CREATE TRIGGER verification_events_no_delete BEFORE DELETE ON verification_events
BEGIN
  SELECT RAISE(ABORT, 'verification_events is append-only: records are retained (1311.305)');
END;
