-- Issue 11, finding 3: an administrator cannot act as someone else.
-- A user is a person or a service account (senders, export scripts); existing users are persons. Who created a user is
-- kept beside it (the audit event says so too), and a password someone else set (at creation or by a reset) must be
-- changed at the first sign-in: such a session may only change the password.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'Person';
ALTER TABLE users ADD COLUMN created_by TEXT NULL;
ALTER TABLE users ADD COLUMN password_change_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN password_change_only INTEGER NOT NULL DEFAULT 0;
