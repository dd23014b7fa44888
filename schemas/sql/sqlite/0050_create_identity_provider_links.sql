-- Sign-in through the pharmacy's identity provider (OpenID Connect). A person signed in that way is a users row of kind
-- 'Federated' named "subject@issuer" (a name no local account can take: it holds '@'), bound here to the exact issuer
-- and subject the provider gave, compared as bytes. federated_claims keeps the group or app-role values the provider
-- sent at the person's last sign-in; claim_role_mappings says which PharmacyRx role each value gives (1311.205(b)(1)-(2)).
-- All three are covered by the audit chain: a row planted in the file binds, presents or maps nothing.
CREATE TABLE federated_identities (
  user_name  TEXT NOT NULL PRIMARY KEY COLLATE NOCASE REFERENCES users (user_name),
  issuer     TEXT NOT NULL COLLATE BINARY,
  subject    TEXT NOT NULL COLLATE BINARY,
  created_at TEXT NOT NULL,
  UNIQUE (issuer, subject)
);

CREATE TABLE federated_claims (
  user_name   TEXT NOT NULL COLLATE NOCASE REFERENCES users (user_name),
  claim_value TEXT NOT NULL COLLATE BINARY,
  PRIMARY KEY (user_name, claim_value)
);

CREATE TABLE claim_role_mappings (
  claim_value TEXT NOT NULL COLLATE BINARY,
  role_name   TEXT NOT NULL COLLATE NOCASE REFERENCES roles (role_name),
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  PRIMARY KEY (claim_value, role_name)
);
CREATE INDEX ix_federated_claims_value ON federated_claims (claim_value);
