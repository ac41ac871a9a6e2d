-- The admin web app (issue 5): signed-in sessions, the user's language and last sign-in,
-- and reusable incident/maintenance texts. Times are UTC milliseconds.

ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE users ADD COLUMN last_login_at INTEGER;

-- A browser session. The cookie holds a 256-bit secret; only its BLAKE2b hash is kept, so a
-- copy of the database signs no one in. Deleting a user ends their sessions.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    client_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Prepared texts for a new incident or maintenance (title, first status, body).
CREATE TABLE incident_templates (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    name TEXT NOT NULL COLLATE NOCASE,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, name)
);
