/// @file
/// @brief The alert-intake tables of SqliteTx (services, keys, alerts, incidents, log, change
/// events, Opsgenie requests, silences, severity map, heartbeats), kept apart from
/// sqlite_store.cpp. Same contract as the matching Tx methods in store.hpp.
#pragma once

#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::store::sqlite {

/// The condition that finds the open alert of (?1 service id, ?2 dedup key) with one seek in
/// the index alerts_dedup_slot (migration 0013): its third column is this expression, and
/// SQLite uses an expression index only for the same expression text.
inline constexpr const char* kOpenAlertByDedupKey =
    "service_id = ?1 AND dedup_key = ?2 AND (CASE WHEN state = 'resolved' THEN tiny_id ELSE 0 END) = 0";

class AlertTables {
public:
    explicit AlertTables(Database& db) : db_(db) {}

    Result<std::vector<alerts::Service>> ListServices();
    Result<std::optional<alerts::Service>> GetService(const std::string& id);
    Result<void> InsertService(const alerts::Service& s);
    Result<void> UpdateService(const alerts::Service& s);
    Result<void> DeleteService(const std::string& id);
    Result<std::vector<std::string>> ListServicesOfComponent(const std::string& component_id);

    Result<void> InsertIntegrationKey(const alerts::IntegrationKey& k, const std::string& hash);
    Result<std::optional<alerts::IntegrationKey>> GetIntegrationKey(const std::string& id);
    Result<std::vector<alerts::IntegrationKey>> ListIntegrationKeys(const std::string& service_id);
    Result<std::vector<ActiveIntegrationKey>> ListActiveIntegrationKeys();
    Result<void> RotateIntegrationKey(
        const std::string& id, const std::string& hash, const std::string& prefix, TimePoint at
    );
    Result<void> RevokeIntegrationKey(const std::string& id, TimePoint at);
    Result<void> TouchIntegrationKey(const std::string& id, TimePoint at);

    Result<void> InsertAlert(const alerts::Alert& a);
    Result<void> UpdateAlert(const alerts::Alert& a);
    Result<std::optional<alerts::Alert>> GetAlert(const std::string& id);
    Result<std::optional<alerts::Alert>> GetAlertByTinyId(std::int64_t tiny_id);
    Result<std::optional<alerts::Alert>> FindOpenAlert(const std::string& service_id, const std::string& dedup_key);
    Result<std::optional<alerts::Alert>> FindLatestAlert(const std::string& service_id, const std::string& dedup_key);
    Result<std::vector<alerts::Alert>> ListAlerts(const AlertFilter& f);
    Result<std::int64_t> NextAlertTinyId();
    Result<std::vector<alerts::Alert>> ListDueAlertTimers(TimePoint now, int limit);
    Result<std::optional<AlertRepeat>> RepeatOpenAlert(
        const std::string& service_id, const std::string& dedup_key, TimePoint at
    );

    Result<void> InsertAlertIncident(const alerts::AlertIncident& i, const std::string& label_signature);
    Result<void> UpdateAlertIncident(const alerts::AlertIncident& i);
    Result<std::optional<alerts::AlertIncident>> GetAlertIncident(const std::string& id);
    Result<std::vector<alerts::AlertIncident>> ListAlertIncidents(const AlertIncidentFilter& f);
    Result<std::vector<alerts::GroupCandidate>> ListGroupCandidates(const std::string& service_id);
    Result<std::int64_t> NextAlertIncidentNumber();
    Result<IncidentAlertCounts> CountIncidentAlerts(const std::string& incident_id);
    Result<IncidentAlertPresence> ProbeIncidentAlerts(const std::string& incident_id);

    Result<std::int64_t> InsertAlertLog(const alerts::AlertLogEntry& e);
    Result<std::vector<alerts::AlertLogEntry>> ListAlertLog(
        const std::string& alert_id, const std::string& incident_id, int limit
    );

    Result<void> InsertChangeEvent(const alerts::ChangeEvent& e);
    Result<std::vector<alerts::ChangeEvent>> ListChangeEvents(const std::string& service_id, int limit);

    Result<void> SaveIntakeRequest(const alerts::IntakeRequestRecord& r);
    Result<std::optional<alerts::IntakeRequestRecord>> GetIntakeRequest(const std::string& id);
    Result<std::int64_t> DeleteIntakeRequestsBefore(TimePoint before);

    Result<std::vector<alerts::Silence>> ListSilences();
    Result<std::optional<alerts::Silence>> GetSilence(const std::string& id);
    Result<void> InsertSilence(const alerts::Silence& s);
    Result<void> UpdateSilence(const alerts::Silence& s);
    Result<void> DeleteSilence(const std::string& id);

    Result<alerts::SeverityTable> GetSeverityMap();
    Result<void> SaveSeverityMap(const alerts::SeverityTable& t);

    Result<void> InsertHeartbeat(const alerts::Heartbeat& h);
    Result<std::optional<alerts::Heartbeat>> GetHeartbeat(
        const std::string& integration_key_id, const std::string& name
    );
    Result<std::vector<alerts::Heartbeat>> ListHeartbeats(const std::string& integration_key_id);
    Result<void> UpdateHeartbeat(const alerts::Heartbeat& h);
    Result<void> DeleteHeartbeat(const std::string& id);

private:
    Result<void> SaveServiceComponents(const alerts::Service& s);
    Result<std::vector<alerts::Alert>> QueryAlerts(
        const std::string& where_sql, const std::vector<std::string>& binds, int limit
    );

    Database& db_;
};

}  // namespace tocsin::store::sqlite
