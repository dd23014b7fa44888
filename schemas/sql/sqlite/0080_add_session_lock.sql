-- A console session locked at a shared counter (idle past Console:LockAfter, or locked by its user): it opens the lock
-- screen only, until its own user's password unlocks it. NULL when unlocked. Covered by the session row's MAC.
ALTER TABLE sessions ADD COLUMN locked_at TEXT NULL;
