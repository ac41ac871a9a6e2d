-- Core tables of the status page: settings, components, incidents with their updates,
-- API tokens, users and the transactional outbox. Times are UTC milliseconds.

CREATE TABLE page_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    page_id TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    default_language TEXT NOT NULL DEFAULT 'en',
    accent_color TEXT NOT NULL DEFAULT '#2563eb',
    footer_links TEXT NOT NULL DEFAULT '[]',
    frame_ancestors TEXT NOT NULL DEFAULT '[]',
    logo_content_type TEXT NOT NULL DEFAULT '',
    logo BLOB,
    updated_at INTEGER NOT NULL
);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    is_group INTEGER NOT NULL DEFAULT 0,
    group_id TEXT REFERENCES components(id) ON DELETE SET NULL,
    position INTEGER NOT NULL DEFAULT 0,
    showcase INTEGER NOT NULL DEFAULT 1,
    only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    impact_override TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    monitoring_at INTEGER,
    resolved_at INTEGER,
    scheduled_for INTEGER,
    scheduled_until INTEGER,
    auto_in_progress INTEGER NOT NULL DEFAULT 1,
    auto_completed INTEGER NOT NULL DEFAULT 1,
    remind_prior_minutes INTEGER NOT NULL DEFAULT 0,
    automated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX incidents_kind_started ON incidents(kind, started_at DESC);
CREATE INDEX incidents_status ON incidents(status);

CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (incident_id, component_id)
);

CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    display_at INTEGER NOT NULL,
    deliver_notifications INTEGER NOT NULL DEFAULT 1,
    affected_components TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX incident_updates_incident ON incident_updates(incident_id, display_at DESC);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'responder', 'stakeholder')),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'responder', 'stakeholder')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    dispatched_at INTEGER
);
