/// @file
/// @brief The escalation tables of SqliteTx (policies, a service's policy, incident
/// escalations, durable timers, notification attempts, used link tokens; migration 0010), kept
/// apart from sqlite_store.cpp. Same contract as the matching Tx methods in store.hpp.
#pragma once

#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/store.hpp"

#include <utility>

namespace tocsin::store::sqlite {

/// Triggered incidents whose escalation a silence or a snooze held back (?1: at most). Each
/// question is a seek: a silenced triggered alert of the incident in alerts_incident_state
/// (incident, state, silenced), a snoozed one in the partial index alerts_snoozed (the `+`
/// keeps SQLite from walking the incident's alerts instead). Asked as one "silenced OR
/// snoozed" over the incident's triggered alerts, it read every one of them: every 5 s,
/// 100-200 ms holding the store with 130,000 open alerts (intake p99 117 ms; 20 ms after).
inline constexpr const char* kHeldBackIncidentsSql =
    "SELECT i.id FROM services s JOIN alert_incidents i ON i.service_id = s.id AND i.state = 'triggered' "
    "WHERE s.escalation_policy_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM incident_escalations e WHERE e.incident_id = i.id) "
    "AND (EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id AND a.state = 'triggered' AND a.silenced = 1) "
    "OR EXISTS (SELECT 1 FROM alerts a WHERE a.snoozed_until IS NOT NULL AND a.state != 'resolved' "
    "AND +a.state = 'triggered' AND +a.incident_id = i.id)) "
    "ORDER BY i.created_at LIMIT ?1";

class EscalationTables {
public:
    explicit EscalationTables(Database& db) : db_(db) {}

    Result<std::vector<oncall::EscalationPolicy>> ListEscalationPolicies();
    Result<std::optional<oncall::EscalationPolicy>> GetEscalationPolicy(const std::string& id);
    Result<void> InsertEscalationPolicy(const oncall::EscalationPolicy& p);
    Result<void> UpdateEscalationPolicy(const oncall::EscalationPolicy& p);
    Result<void> DeleteEscalationPolicy(const std::string& id);
    Result<std::optional<ServiceEscalation>> GetServiceEscalation(const std::string& service_id);
    Result<void> SetServiceEscalation(const std::string& service_id, const ServiceEscalation& e);

    Result<void> InsertIncidentEscalation(const IncidentEscalation& e);
    Result<std::optional<IncidentEscalation>> GetIncidentEscalation(const std::string& incident_id);
    Result<void> UpdateIncidentEscalation(const IncidentEscalation& e);
    Result<std::vector<std::pair<IncidentEscalation, TimePoint>>> ListReescalationDue(TimePoint now, int limit);

    Result<bool> InsertEscalationTimer(const EscalationTimer& t);
    Result<std::vector<EscalationTimer>> ListDueEscalationTimers(TimePoint now, int limit);
    Result<bool> CompleteEscalationTimer(const std::string& id, const std::string& outcome);
    Result<std::vector<EscalationTimer>> ListEscalationTimers(const std::string& incident_id);

    Result<void> InsertNotificationAttempt(const NotificationAttempt& a);
    Result<void> UpdateNotificationAttempt(const NotificationAttempt& a);
    Result<std::optional<NotificationAttempt>> GetNotificationAttempt(const std::string& id);
    Result<std::vector<NotificationAttempt>> ListNotificationAttempts(const NotificationAttemptFilter& f);
    Result<std::vector<std::string>> ListQueuedContactMethods(int limit);
    Result<std::optional<NotificationAttempt>> FindAttemptByReply(
        const std::string& address, const std::string& reply_code, TimePoint since
    );
    Result<bool> UseEscalationToken(const std::string& token_hash, TimePoint at);

    Result<std::vector<std::string>> ListHeldBackIncidents(int limit);
    Result<bool> IncidentSnoozedAt(const std::string& incident_id, TimePoint now);
    Result<bool> InsertNotificationRetry(const NotificationRetry& r);
    Result<std::vector<NotificationRetry>> ListDueNotificationRetries(TimePoint now, int limit);
    Result<bool> CompleteNotificationRetry(const std::string& attempt_id, const std::string& retry_attempt_id);
    Result<std::optional<NotificationRetry>> FindRetryQueuing(const std::string& retry_attempt_id);
    Result<bool> InsertHandoffNotice(const HandoffNotice& n);
    Result<void> SetHandoffNoticeOutcome(const HandoffNotice& n);
    Result<std::vector<HandoffNotice>> ListHandoffNotices(TimePoint since, int limit);

private:
    Database& db_;
};

/// The policy's levels as stored (and as the API shows them):
/// [{"targets": [{"type": "user", "id": "..."}], "delay_minutes": 30}].
std::string EscalationLevelsJson(const std::vector<oncall::EscalationLevel>& levels);
std::vector<oncall::EscalationLevel> ParseEscalationLevels(const std::string& text);

}  // namespace tocsin::store::sqlite
