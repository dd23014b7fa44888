-- A console session locked at a shared counter (idle past Console:LockAfter, or locked by its user): it opens the lock
-- screen only, until its own user's password unlocks it. NULL when unlocked. Covered by the session row's MAC.
ALTER TABLE dbo.sessions ADD locked_at nvarchar(40) COLLATE Latin1_General_100_BIN2 NULL;
