-- Failed sign-ins per (account, address); sqlite/0040.
CREATE TABLE dbo.login_throttle (
  user_name      nvarchar(128) COLLATE Latin1_General_100_CI_AS_SC NOT NULL,
  address        nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  address_group  nvarchar(64)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  failures       int           NOT NULL,
  locked_until   nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  last_failed_at nvarchar(40)  COLLATE Latin1_General_100_BIN2     NOT NULL,
  audited_until  nvarchar(40)  COLLATE Latin1_General_100_BIN2     NULL,
  CONSTRAINT pk_login_throttle PRIMARY KEY (user_name, address) WITH (IGNORE_DUP_KEY = ON)
);
CREATE INDEX ix_login_throttle_last_failed ON dbo.login_throttle (last_failed_at);
