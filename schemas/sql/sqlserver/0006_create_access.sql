-- Access control (1311.205(b)(1)-(2), 1311.200(e)); sqlite/0006 and 0014 in their final shape. Role names ignore case
-- through their collation, so no query has to ask for it.
CREATE TABLE dbo.roles (
  role_name   nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT pk_roles PRIMARY KEY,
  description nvarchar(400) COLLATE Latin1_General_100_CI_AS_SC NOT NULL
);

CREATE TABLE dbo.role_permissions (
  role_name  nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_role_permissions_role REFERENCES dbo.roles (role_name),
  permission nvarchar(100) COLLATE Latin1_General_100_BIN2     NOT NULL,
  CONSTRAINT pk_role_permissions PRIMARY KEY (role_name, permission) WITH (IGNORE_DUP_KEY = ON)
);

CREATE TABLE dbo.user_permissions (
  user_name  nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_user_permissions_user REFERENCES dbo.users (user_name),
  permission nvarchar(100) COLLATE Latin1_General_100_BIN2     NOT NULL,
  CONSTRAINT pk_user_permissions PRIMARY KEY (user_name, permission) WITH (IGNORE_DUP_KEY = ON)
);

-- A session token is 256 random bits given to the client once; only its SHA-256 is kept.
CREATE TABLE dbo.sessions (
  token_sha256         nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT pk_sessions PRIMARY KEY,
  user_name            nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_sessions_user REFERENCES dbo.users (user_name),
  created_at           nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  last_seen_at         nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  ended_at             nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  password_change_only int           NOT NULL CONSTRAINT df_sessions_password_change_only DEFAULT 0
);

CREATE TABLE dbo.api_keys (
  key_sha256 nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
  user_name  nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_api_keys_user REFERENCES dbo.users (user_name),
  label      nvarchar(400) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  created_at nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  revoked_at nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL
);

CREATE TABLE dbo.login_failures (
  user_name    nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  failures     int           NOT NULL,
  locked_until nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  CONSTRAINT pk_login_failures PRIMARY KEY (user_name) WITH (IGNORE_DUP_KEY = ON)
);
GO

-- The default roles (DefaultRoles in Core); editable afterwards, each change audited.
INSERT INTO dbo.roles (role_name, description) VALUES
  ('Pharmacist', 'Works prescriptions: read, annotate, dispense, correct, void'),
  ('Technician', 'Reads and annotates prescriptions'),
  ('PharmacyAdmin', 'Sets access controls, backups, trust'),
  ('Inspector', 'Reads and exports records for an inspection'),
  ('Auditor', 'Reads the audit trail and its reports');

INSERT INTO dbo.role_permissions (role_name, permission) VALUES
  ('Pharmacist', 'ReadPrescriptions'),
  ('Pharmacist', 'Annotate'),
  ('Pharmacist', 'Dispense'),
  ('Pharmacist', 'AlterPrescription'),
  ('Pharmacist', 'DeletePrescription'),
  ('Technician', 'ReadPrescriptions'),
  ('Technician', 'Annotate'),
  ('PharmacyAdmin', 'ManageAccess'),
  ('PharmacyAdmin', 'RunBackup'),
  ('PharmacyAdmin', 'ManageTrust'),
  ('PharmacyAdmin', 'ReadAudit'),
  ('Inspector', 'ReadPrescriptions'),
  ('Inspector', 'Export'),
  ('Auditor', 'ReadAudit');
