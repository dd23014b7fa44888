-- The console's data-protection keys, shared by the instances on this database; sqlite/0030.
CREATE TABLE dbo.console_keys (
  friendly_name nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_console_keys PRIMARY KEY,
  xml           nvarchar(max) COLLATE Latin1_General_100_BIN2 NOT NULL,
  stored_at     nvarchar(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
);
