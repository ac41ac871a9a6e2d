-- People on call (issue 7): each user's time zone, contact methods with their pending
-- verification code, notification rules per urgency, and teams. Times are UTC milliseconds.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE contact_methods (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,            -- email | sms | voice | ntfy | web_push | slack | teams | telegram | webhook
    label TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL,
    data_json TEXT NOT NULL DEFAULT '{}',
    verified INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, kind, address)
);
CREATE INDEX contact_methods_by_user ON contact_methods (user_id, created_at);

-- At most one pending code per method; only its hash is kept. A new code replaces the old one
-- and resets the attempt count.
CREATE TABLE contact_verifications (
    contact_method_id TEXT PRIMARY KEY REFERENCES contact_methods(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE notification_rules (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_method_id TEXT NOT NULL REFERENCES contact_methods(id) ON DELETE CASCADE,
    urgency TEXT NOT NULL,         -- high | low
    delay_minutes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (contact_method_id, urgency, delay_minutes)
);
CREATE INDEX notification_rules_by_user ON notification_rules (user_id, urgency, delay_minutes);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member',   -- manager | member
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id);
