-- Remote probe agents authenticate with tokens of the new role 'probe'. SQLite cannot
-- change a CHECK constraint in place: the table is rebuilt with the same rows. No other
-- table references api_tokens.
CREATE TABLE api_tokens_new (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'responder', 'stakeholder', 'probe')),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
INSERT INTO api_tokens_new (id, name, role, secret_hash, created_at, revoked_at)
    SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
