-- On-call schedules (issue 7): only the definition is kept (layers as JSON: rotation, handoff,
-- participants, restrictions); who is on call is computed from it (oncall/schedule.hpp), never
-- stored as expanded shifts. Overrides are rows; iCal feed tokens are kept hashed. Times are UTC
-- milliseconds.
CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,
    team_id TEXT NOT NULL DEFAULT '',
    layers_json TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Listed oldest first: among overlapping overrides the newest wins.
CREATE TABLE schedule_overrides (
    id TEXT PRIMARY KEY,
    schedule_id TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX schedule_overrides_by_schedule ON schedule_overrides (schedule_id, created_at);

-- Secret calendar feed URLs: one token per schedule or user, stored as its hash; rotating
-- replaces the row, so the old URL stops working.
CREATE TABLE ical_feeds (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,            -- schedule | user
    subject_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, subject_id)
);
