-- Run once by the DBA (or the compose file's sqlserver-init) with sqlcmd, as a login that may create databases:
--   sqlcmd -S HOST -U sa -i deploy/sqlserver/init.sql -v PHARMACYRX_DB_PASSWORD="..."
-- The service applies its own schema (schemas/sql/sqlserver/, recorded in schema_migrations) on start; this makes only
-- what a migration cannot: the database, its row-versioning setting (exports read one moment of it, SNAPSHOT), and the
-- service's login, which owns the database so that it can create its tables, the ledger tables among them.
-- The database's collation is named, not taken from the instance: literals and the session's #coverage_pending table
-- follow it. Readers see the last committed rows rather than waiting on a group commit (READ_COMMITTED_SNAPSHOT); the
-- writers' turns (sp_getapplock) do not rest on read locks.
IF DB_ID(N'pharmacyrx') IS NULL
  CREATE DATABASE pharmacyrx COLLATE Latin1_General_100_CI_AS_SC;
GO
ALTER DATABASE pharmacyrx SET ALLOW_SNAPSHOT_ISOLATION ON;
GO
ALTER DATABASE pharmacyrx SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE;
GO
IF SUSER_ID(N'pharmacyrx') IS NULL
  CREATE LOGIN pharmacyrx WITH PASSWORD = N'$(PHARMACYRX_DB_PASSWORD)', DEFAULT_DATABASE = pharmacyrx, CHECK_POLICY = ON;
GO
USE pharmacyrx;
GO
IF USER_ID(N'pharmacyrx') IS NULL
  CREATE USER pharmacyrx FOR LOGIN pharmacyrx;
ALTER ROLE db_owner ADD MEMBER pharmacyrx;
GO
-- backup run: BACKUP DATABASE needs db_backupoperator (db_owner has it); RESTORE VERIFYONLY, the server permission
-- CREATE ANY DATABASE (the service never restores: backup restore prints the statement for the DBA).
USE master;
GO
GRANT CREATE ANY DATABASE TO pharmacyrx;
GO
