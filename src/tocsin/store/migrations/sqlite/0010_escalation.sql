-- Escalation (issue 7): policies, a service's policy, the durable escalation timers, the
-- notification attempts and the one-time acknowledge/resolve tokens already used.

-- A policy's levels are one JSON document ([{"targets": [{"type", "id"}], "delay_minutes"}]):
-- they are always read and written whole, like monitor definitions.
CREATE TABLE escalation_policies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    levels TEXT NOT NULL,
    repeat_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- NULL: the service pages nobody. Deleting a policy that services use is refused by the API.
ALTER TABLE services ADD COLUMN escalation_policy_id TEXT REFERENCES escalation_policies(id);
-- An incident acknowledged this long but not resolved is escalated again from level 1; 0: never.
ALTER TABLE services ADD COLUMN reescalate_after_seconds INTEGER NOT NULL DEFAULT 0;

-- One row per incident that escalates: which policy (as it was when the incident opened)
-- and which episode is current. `epoch` grows with each re-escalation or escalate-now;
-- timers of an older epoch are skipped. `stopped_at`: the current epoch was answered (an
-- acknowledgement through a link or reply while the incident was already acknowledged).
CREATE TABLE incident_escalations (
    incident_id TEXT PRIMARY KEY REFERENCES alert_incidents(id) ON DELETE CASCADE,
    policy_id TEXT NOT NULL,
    policy TEXT NOT NULL,
    epoch INTEGER NOT NULL DEFAULT 0,
    epoch_kind TEXT NOT NULL DEFAULT 'trigger' CHECK (epoch_kind IN ('trigger', 'reescalate', 'manual')),
    epoch_started_at INTEGER NOT NULL,
    stopped_at INTEGER,
    last_level INTEGER NOT NULL DEFAULT -1,
    last_pass INTEGER NOT NULL DEFAULT 0
);

-- The durable timers. A row is claimed (state 'done') in the same transaction that inserts
-- what it causes, and the UNIQUE step key means no level and no notification is inserted,
-- let alone fired, twice. level: page a level's targets; notify: one notification rule of one
-- user; reescalate is not a row (the engine derives it from the incident).
CREATE TABLE escalation_timers (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES alert_incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('level', 'notify')),
    epoch INTEGER NOT NULL,
    level INTEGER NOT NULL,
    pass INTEGER NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    contact_method_id TEXT NOT NULL DEFAULT '',
    due_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    outcome TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (incident_id, kind, epoch, level, pass, user_id, contact_method_id)
);
CREATE INDEX escalation_timers_due ON escalation_timers(due_at) WHERE state = 'pending';

-- Every page to one contact method. queued → sending (handed to the transport, committed
-- first) → sent | failed; bundled: carried by another attempt's message (bundled_into);
-- cancelled: the incident was answered before it went out.
CREATE TABLE notification_attempts (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES alert_incidents(id) ON DELETE CASCADE,
    timer_id TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL,
    contact_method_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'bundled', 'cancelled')),
    bundled_into TEXT NOT NULL DEFAULT '',
    bundled_count INTEGER NOT NULL DEFAULT 0,
    reply_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    answered_at INTEGER,
    answer TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notification_attempts_incident ON notification_attempts(incident_id, created_at);
CREATE INDEX notification_attempts_method ON notification_attempts(contact_method_id, state, created_at);
CREATE INDEX notification_attempts_reply ON notification_attempts(address, reply_code) WHERE reply_code != '';

-- Signed acknowledge/resolve links are one-time: the token's hash lands here when used.
CREATE TABLE escalation_tokens_used (
    token_hash TEXT PRIMARY KEY,
    used_at INTEGER NOT NULL
);
