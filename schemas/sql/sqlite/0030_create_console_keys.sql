-- The console's data-protection keys (antiforgery tokens, the notice cookie), kept with the records so that every
-- instance on one database, and an instance after a restart, accepts the forms the others served (issue 14). Rows are
-- only ever added: a revoked key is a new element, as ASP.NET Core's key ring writes it.
CREATE TABLE console_keys (
  friendly_name TEXT NOT NULL PRIMARY KEY,
  xml           TEXT NOT NULL,
  stored_at     TEXT NOT NULL
);
