-- Sign-in through the pharmacy's identity provider; sqlite/0050. Issuer, subject and claim values compare as bytes (BIN2).
CREATE TABLE dbo.federated_identities (
  user_name  nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT pk_federated_identities PRIMARY KEY
             CONSTRAINT fk_federated_identities_user REFERENCES dbo.users (user_name),
  issuer     nvarchar(400) COLLATE Latin1_General_100_BIN2     NOT NULL,
  subject    nvarchar(255) COLLATE Latin1_General_100_BIN2     NOT NULL,
  created_at nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  CONSTRAINT uq_federated_identities UNIQUE (issuer, subject)
);

CREATE TABLE dbo.federated_claims (
  user_name   nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_federated_claims_user REFERENCES dbo.users (user_name),
  claim_value nvarchar(200) COLLATE Latin1_General_100_BIN2     NOT NULL,
  CONSTRAINT pk_federated_claims PRIMARY KEY (user_name, claim_value)
);

CREATE TABLE dbo.claim_role_mappings (
  claim_value nvarchar(200) COLLATE Latin1_General_100_BIN2     NOT NULL,
  role_name   nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_claim_role_mappings_role REFERENCES dbo.roles (role_name),
  created_at  nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  created_by  nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  CONSTRAINT pk_claim_role_mappings PRIMARY KEY (claim_value, role_name)
);
CREATE INDEX ix_federated_claims_value ON dbo.federated_claims (claim_value);
