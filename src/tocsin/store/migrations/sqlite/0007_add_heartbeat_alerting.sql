-- Opsgenie heartbeats keep how their expiry alert looks (alertMessage, alertTags,
-- alertPriority, ownerTeam) as one JSON object, like monitor definitions.
ALTER TABLE heartbeats ADD COLUMN alerting TEXT NOT NULL DEFAULT '{}';
