-- Access control (1311.205(b)(1)-(2), 1311.200(e)): permissions granted to users by name and through roles, sessions
-- and API keys stored only as hashes, and the failed-login count behind the back-off. Every change is audited.
CREATE TABLE roles (
  role_name   TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  description TEXT NOT NULL
);

CREATE TABLE role_permissions (
  role_name  TEXT NOT NULL REFERENCES roles (role_name),
  permission TEXT NOT NULL,
  PRIMARY KEY (role_name, permission)
);

CREATE TABLE user_permissions (
  user_name  TEXT NOT NULL REFERENCES users (user_name),
  permission TEXT NOT NULL,
  PRIMARY KEY (user_name, permission)
);

-- A session token is 256 random bits given to the client once; only its SHA-256 is kept.
CREATE TABLE sessions (
  token_sha256 TEXT NOT NULL PRIMARY KEY,
  user_name    TEXT NOT NULL REFERENCES users (user_name),
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  ended_at     TEXT NULL
);

CREATE TABLE api_keys (
  key_sha256 TEXT NOT NULL PRIMARY KEY,
  user_name  TEXT NOT NULL REFERENCES users (user_name),
  label      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT NULL
);

CREATE TABLE login_failures (
  user_name    TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  failures     INTEGER NOT NULL,
  locked_until TEXT NULL
);

-- The default roles (DefaultRoles in Core); editable afterwards, each change audited.
INSERT INTO roles (role_name, description) VALUES
  ('Pharmacist', 'Works prescriptions: read, annotate, dispense, correct, void'),
  ('Technician', 'Reads and annotates prescriptions'),
  ('PharmacyAdmin', 'Sets access controls, backups, trust'),
  ('Inspector', 'Reads and exports records for an inspection'),
  ('Auditor', 'Reads the audit trail and its reports');

INSERT INTO role_permissions (role_name, permission) VALUES
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
