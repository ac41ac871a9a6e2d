-- Alert intake (issue 6): services with integration keys, alerts deduplicated per service and
-- grouped into alert incidents, their append-only log, change events, Opsgenie request records,
-- silences, the severity map and Opsgenie heartbeats. Times are UTC milliseconds.

-- A service: what alerts are about. Grouping: alerts within group_window_seconds of the
-- service's newest open incident join it; group_labels (JSON array of label names) group
-- alerts sharing those labels' values.
CREATE TABLE services (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    urgency TEXT NOT NULL DEFAULT 'severity' CHECK (urgency IN ('high', 'low', 'severity')),
    group_window_seconds INTEGER NOT NULL DEFAULT 300,
    group_labels TEXT NOT NULL DEFAULT '[]',
    ack_timeout_seconds INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Status-page components a service stands behind (maintenance silences; monitors raise alerts).
CREATE TABLE service_components (
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, component_id)
);
CREATE INDEX service_components_component ON service_components(component_id);

-- An integration key of one dialect. Only the BLAKE2b hash of the secret is kept; `prefix`
-- (its first characters) lets people tell keys apart. mapping is the generic dialect's field
-- mapping (JSON object), '{}' otherwise.
CREATE TABLE integration_keys (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    dialect TEXT NOT NULL CHECK (dialect IN ('pagerduty', 'opsgenie', 'alertmanager', 'grafana', 'generic')),
    secret_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    mapping TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER,
    last_used_at INTEGER
);
CREATE INDEX integration_keys_service ON integration_keys(service_id);

CREATE TABLE alert_incidents (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    group_key TEXT NOT NULL DEFAULT '',
    label_signature TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
    urgency TEXT NOT NULL CHECK (urgency IN ('high', 'low')),
    alert_count INTEGER NOT NULL DEFAULT 0,
    open_count INTEGER NOT NULL DEFAULT 0,
    silenced INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_alert_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    resolved_at INTEGER,
    merged_into TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_incidents_open ON alert_incidents(service_id, state) WHERE state != 'resolved';
CREATE INDEX alert_incidents_created ON alert_incidents(created_at);

CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    tiny_id INTEGER NOT NULL UNIQUE,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL DEFAULT '',
    integration_key_id TEXT NOT NULL DEFAULT '',
    dialect TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    group_key TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
    count INTEGER NOT NULL DEFAULT 1,
    summary TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    entity TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT 'error',
    priority INTEGER NOT NULL DEFAULT 3,
    urgency TEXT NOT NULL DEFAULT 'high',
    details TEXT NOT NULL DEFAULT '{}',
    labels TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    links TEXT NOT NULL DEFAULT '[]',
    images TEXT NOT NULL DEFAULT '[]',
    responders TEXT NOT NULL DEFAULT '[]',
    silenced INTEGER NOT NULL DEFAULT 0,
    snoozed_until INTEGER,
    ack_expires_at INTEGER,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_event_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    resolved_at INTEGER
);
-- At most one open alert per (service, dedup key): a repeat while open is a deduplication.
CREATE UNIQUE INDEX alerts_open_dedup ON alerts(service_id, dedup_key) WHERE state != 'resolved';
CREATE INDEX alerts_dedup ON alerts(service_id, dedup_key, created_at);
CREATE INDEX alerts_incident ON alerts(incident_id);
CREATE INDEX alerts_created ON alerts(created_at);
CREATE INDEX alerts_timers ON alerts(snoozed_until, ack_expires_at) WHERE state != 'resolved';

-- Append-only: who did what to an alert or an incident, when, through which dialect.
CREATE TABLE alert_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL DEFAULT '',
    incident_id TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    dialect TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_log_alert ON alert_log(alert_id, seq);
CREATE INDEX alert_log_incident ON alert_log(incident_id, seq);
CREATE TRIGGER alert_log_append_only_update BEFORE UPDATE ON alert_log
BEGIN SELECT RAISE(ABORT, 'alert_log is append-only'); END;
CREATE TRIGGER alert_log_append_only_delete BEFORE DELETE ON alert_log
BEGIN SELECT RAISE(ABORT, 'alert_log is append-only'); END;

-- PagerDuty change events: context on a service, never paging.
CREATE TABLE change_events (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    integration_key_id TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',
    links TEXT NOT NULL DEFAULT '[]',
    occurred_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX change_events_service ON change_events(service_id, occurred_at);

-- Opsgenie request ids and their outcome (GET /v2/alerts/requests/{id}).
CREATE TABLE intake_requests (
    id TEXT PRIMARY KEY,
    integration_key_id TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    success INTEGER NOT NULL,
    status TEXT NOT NULL,
    alert_id TEXT NOT NULL DEFAULT '',
    alias TEXT NOT NULL DEFAULT '',
    processed_at INTEGER NOT NULL
);
CREATE INDEX intake_requests_processed ON intake_requests(processed_at);

-- Silences: matching alerts are recorded but flagged silenced. matchers: JSON array of
-- {name, value, equal}; weekly_days: JSON array of weekdays (0 = Sunday), empty for one-off.
CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL DEFAULT '',
    matchers TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    maintenance_id TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    weekly_days TEXT NOT NULL DEFAULT '[]',
    start_minute INTEGER NOT NULL DEFAULT 0,
    end_minute INTEGER NOT NULL DEFAULT 1440,
    created_at INTEGER NOT NULL
);
CREATE INDEX silences_maintenance ON silences(maintenance_id);

-- The severity model: PagerDuty severity <-> Opsgenie priorities <-> Alertmanager label values
-- <-> urgency. Seeded with the built-in table; PUT /api/v1/severity-map replaces it.
CREATE TABLE severity_map (
    severity TEXT PRIMARY KEY CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    position INTEGER NOT NULL,
    priorities TEXT NOT NULL,
    label_values TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('high', 'low'))
);
INSERT INTO severity_map (severity, position, priorities, label_values, urgency) VALUES
    ('critical', 0, '[1]', '["critical","page","p1","fatal","emergency"]', 'high'),
    ('error', 1, '[2,3]', '["error","high","major","p2","p3"]', 'high'),
    ('warning', 2, '[4]', '["warning","warn","medium","minor","p4"]', 'low'),
    ('info', 3, '[5]', '["info","low","none","p5","informational"]', 'low');

-- Opsgenie heartbeats, named per integration key.
CREATE TABLE heartbeats (
    id TEXT PRIMARY KEY,
    integration_key_id TEXT NOT NULL REFERENCES integration_keys(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    interval INTEGER NOT NULL CHECK (interval >= 1),
    interval_unit TEXT NOT NULL CHECK (interval_unit IN ('minutes', 'hours', 'days')),
    enabled INTEGER NOT NULL DEFAULT 1,
    expired INTEGER NOT NULL DEFAULT 0,
    last_ping_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (integration_key_id, name)
);
