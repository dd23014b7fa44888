-- Failed sign-ins per (account, address): the delay doubles from 1 s to 15 minutes for that pair only, so guessing from
-- one place cannot keep a pharmacist out from another (LoginThrottle). address_group (IPv4 /24, IPv6 /64) counts how
-- many places an account's failures come from: spread over many, the account itself is locked (login_failures).
CREATE TABLE login_throttle (
  user_name      TEXT NOT NULL COLLATE NOCASE,
  address        TEXT NOT NULL,
  address_group  TEXT NOT NULL,
  failures       INTEGER NOT NULL,
  locked_until   TEXT NULL,
  last_failed_at TEXT NOT NULL,
  audited_until  TEXT NULL,
  PRIMARY KEY (user_name, address)
);
CREATE INDEX ix_login_throttle_last_failed ON login_throttle (last_failed_at);
