-- Subscribers and notifications: who is told (subscribers, optionally per component), one
-- delivery row per message and destination, fan-out progress on the outbox, small server
-- secrets and the Mastodon thread of each incident. Times are UTC milliseconds.

CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL
        CHECK (channel IN ('email', 'webhook', 'slack', 'teams', 'discord', 'telegram', 'mastodon')),
    target TEXT NOT NULL,
    secret TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'en',
    confirmed_at INTEGER,
    created_at INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'public'
);
-- One subscriber per destination. E-mail addresses are stored with a lower-cased domain by
-- the caller and still compare ignoring case (Alice@ and alice@ are one mailbox in
-- practice); a URL or chat id compares exactly (webhook tokens are case-sensitive).
CREATE UNIQUE INDEX subscribers_email_target ON subscribers (target COLLATE NOCASE) WHERE channel = 'email';
CREATE UNIQUE INDEX subscribers_other_target ON subscribers (channel, target) WHERE channel <> 'email';

-- No rows: the whole page. Deleting a component removes it from every subscription, as
-- incident_components does.
CREATE TABLE subscriber_components (
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (subscriber_id, component_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_components_by_component ON subscriber_components (component_id);

-- One message to one destination. subscriber_id is '' for the page's own Mastodon account,
-- so it carries no foreign key; DeleteSubscriber deletes a subscriber's rows itself.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    outbox_seq INTEGER NOT NULL,
    subscriber_id TEXT NOT NULL,
    channel TEXT NOT NULL
        CHECK (channel IN ('email', 'webhook', 'slack', 'teams', 'discord', 'telegram', 'mastodon')),
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
-- The sender polls "pending and due, oldest first" several times a second: only pending
-- rows are in this index, so sent history does not slow it down.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 'pending';
-- Progress of one outbox message (attempts makes the count of failing rows index-only).
CREATE INDEX deliveries_by_outbox ON deliveries (outbox_seq, state, attempts);
CREATE INDEX deliveries_by_subscriber ON deliveries (subscriber_id);

-- Fan-out progress: the id of the last subscriber whose deliveries were written.
ALTER TABLE outbox ADD COLUMN fanout_cursor TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_undispatched ON outbox (seq) WHERE dispatched_at IS NULL;

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- The Mastodon status the next post about an incident replies to; gone with the incident.
CREATE TABLE thread_posts (
    incident_id TEXT PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
    status_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
