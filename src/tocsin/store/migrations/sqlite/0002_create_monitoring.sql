-- Monitors, their confirmed state, raw check results, state-change events and rollups.
-- The monitor definition is one JSON document (monitor_json.hpp, the API's field names),
-- so a new check option needs no migration.
CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
    definition TEXT NOT NULL,
    heartbeat_token_hash TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE monitor_states (
    monitor_id TEXT PRIMARY KEY REFERENCES monitors(id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('up', 'degraded', 'down')),
    since INTEGER NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}'
);

-- One row per check; kept for the raw retention period, then only rollups remain.
-- outcome: 0 up, 1 degraded, 2 down. `at` in UTC milliseconds like every time in the schema;
-- the *_us durations in microseconds.
CREATE TABLE check_results (
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    location TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT 'none',
    message TEXT NOT NULL DEFAULT '',
    status_code INTEGER NOT NULL DEFAULT 0,
    total_us INTEGER NOT NULL,
    dns_us INTEGER,
    connect_us INTEGER,
    tls_us INTEGER,
    first_byte_us INTEGER,
    certificate_days_left INTEGER
);
CREATE INDEX check_results_by_monitor ON check_results (monitor_id, at);
CREATE INDEX check_results_by_time ON check_results (at);

-- Every change of a monitor's confirmed state: the event later engines consume.
CREATE TABLE monitor_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    locations TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX monitor_events_by_monitor ON monitor_events (monitor_id, at);

CREATE TABLE check_rollups (
    monitor_id TEXT NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
    period TEXT NOT NULL CHECK (period IN ('hour', 'day')),
    start INTEGER NOT NULL,
    checks INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    p50_us INTEGER NOT NULL,
    p95_us INTEGER NOT NULL,
    p99_us INTEGER NOT NULL,
    mean_us INTEGER NOT NULL,
    PRIMARY KEY (monitor_id, period, start)
) WITHOUT ROWID;
