-- People and service accounts (1311.205(b)(1)-(2)); sqlite/0003 and 0014 in their final shape. User names ignore case
-- through their collation. A repeated key is a no-op (IGNORE_DUP_KEY): the dialect's "insert unless present".
CREATE TABLE dbo.users (
  user_name                nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  full_name                nvarchar(400) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  initials                 nvarchar(40)  COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  status                   nvarchar(20)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  password_hash            nvarchar(400) COLLATE Latin1_General_100_BIN2     NOT NULL,
  created_at               nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  kind                     nvarchar(20)  COLLATE Latin1_General_100_BIN2     NOT NULL CONSTRAINT df_users_kind DEFAULT 'Person',
  created_by               nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NULL,
  password_change_required int           NOT NULL CONSTRAINT df_users_password_change DEFAULT 0,
  CONSTRAINT pk_users PRIMARY KEY (user_name) WITH (IGNORE_DUP_KEY = ON)
);

CREATE TABLE dbo.user_roles (
  user_name nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL CONSTRAINT fk_user_roles_user REFERENCES dbo.users (user_name),
  role_name nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  CONSTRAINT pk_user_roles PRIMARY KEY (user_name, role_name) WITH (IGNORE_DUP_KEY = ON)
);
