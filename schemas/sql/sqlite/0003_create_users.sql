-- People who use the service and the roles they hold (1311.205(b)(1)-(2)). The permission model grows with the
-- access-control work; this is what init needs to create the first administrator.
CREATE TABLE users (
  user_name     TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  full_name     TEXT NOT NULL,
  initials      TEXT NOT NULL,
  status        TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
  user_name TEXT NOT NULL REFERENCES users (user_name),
  role_name TEXT NOT NULL,
  PRIMARY KEY (user_name, role_name)
);
