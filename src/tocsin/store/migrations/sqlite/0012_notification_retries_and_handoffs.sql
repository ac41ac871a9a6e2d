-- Retries of failed pages and handoff notices (issue 7). Tables only (no ALTER), so the
-- file can run again without harm.

-- A transient failure of a notification attempt (connection refused, timeout, 5xx, 429)
-- schedules one retry: a durable timer inserted in the transaction that records the failure.
-- When it is due, the engine claims it (state done) in the transaction that queues the new
-- attempt (retry_attempt_id), so a restart neither loses nor doubles a retry. `try` is the try
-- number of the new attempt (2 for the first retry); an attempt that is not in
-- retry_attempt_id of any row is try 1.
CREATE TABLE IF NOT EXISTS notification_retries (
    attempt_id TEXT PRIMARY KEY REFERENCES notification_attempts(id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL REFERENCES alert_incidents(id) ON DELETE CASCADE,
    try INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    retry_attempt_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notification_retries_due ON notification_retries(due_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS notification_retries_of ON notification_retries(retry_attempt_id)
    WHERE retry_attempt_id != '';

-- Handoff notices: "you are on call for <schedule> from ... to ...", shortly before a shift
-- starts (kind 'start') and, optionally, when it ends ('end'). One row per shift and kind,
-- inserted (claimed) before the messages are handed to the senders: a restart neither sends
-- one twice nor skips one that is still ahead.
CREATE TABLE IF NOT EXISTS handoff_notices (
    schedule_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    shift_start INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'end')),
    shift_end INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, user_id, shift_start, kind)
);
