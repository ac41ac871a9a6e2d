-- Indexes for the alert intake under load.
--
-- An incident's state follows its alerts. Acknowledging or resolving one alert asks only
-- whether any alert of the incident is still triggered, acknowledged, or open and not
-- silenced: with state and silenced in the index each question is one seek, where counting
-- read every alert of the incident (in a flood of 10,000 alerts, each resolve read 10,000
-- rows). The new index serves every lookup by incident_id the old one did.
DROP INDEX IF EXISTS alerts_incident;
CREATE INDEX IF NOT EXISTS alerts_incident_state ON alerts(incident_id, state, silenced);

-- Timers: only alerts that have one are indexed, so a new alert (no snooze, no expiring
-- acknowledgement) adds nothing to these indexes.
DROP INDEX IF EXISTS alerts_timers;
CREATE INDEX IF NOT EXISTS alerts_snoozed ON alerts(snoozed_until) WHERE snoozed_until IS NOT NULL AND state != 'resolved';
CREATE INDEX IF NOT EXISTS alerts_ack_expiry ON alerts(ack_expires_at) WHERE ack_expires_at IS NOT NULL AND state != 'resolved';
