/// @file
/// @brief Applies intake events and admin actions to alerts and alert incidents inside one Tx.
///
/// Every change writes alert_log rows in the same transaction. Changes of an incident, and the
/// rare alert actions somebody must act on, also write an outbox message: "incident.opened",
/// "incident.acknowledged", "incident.triggered", "incident.resolved", "incident.merged",
/// "alert.snoozed", "alert.retriggered" (snooze ended), "alert.escalated", "alert.assigned".
/// Per-alert triggers, acknowledgements and resolutions are only in the log: an outbox row each
/// cost the dispatcher a transaction per alert under intake load (see docs/architecture.md).
/// Payloads carry ids, service, urgency and `silenced` (a silenced alert is recorded but must
/// not page).
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/store/store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tocsin::service {

/// Applies `events` in order as of `now`. One outcome per event. A validation problem of one
/// event (unknown alias, missing summary) is an outcome with applied=false; only store errors
/// fail the call (the caller's transaction then rolls back).
[[nodiscard]] Result<std::vector<alerts::IntakeOutcome>> ApplyIntake(
    store::Tx& tx, TimePoint now, const std::vector<alerts::IntakeEvent>& events
);

/// ApplyIntake for many requests in one transaction (the intake's group commit): the severity
/// map, silences and services are read once for the whole batch, and each integration key's
/// last use is written once. Lives no longer than the transaction `tx`.
class IntakeBatch {
public:
    IntakeBatch(store::Tx& tx, TimePoint now);
    ~IntakeBatch();
    IntakeBatch(const IntakeBatch&) = delete;
    IntakeBatch& operator=(const IntakeBatch&) = delete;

    /// One request's events, in order; the same contract as ApplyIntake.
    [[nodiscard]] Result<std::vector<alerts::IntakeOutcome>> Apply(const std::vector<alerts::IntakeEvent>& events);

    struct State;

private:
    std::unique_ptr<State> state_;
};

/// Who acted and through what ("api", "cli", "system") for the log.
struct Actor {
    std::string name;
    std::string via = "api";
};

/// Admin actions on one alert. NotFound if it does not exist; Conflict if it is resolved.
[[nodiscard]] Result<alerts::Alert> AcknowledgeAlert(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by
);
[[nodiscard]] Result<alerts::Alert> ResolveAlert(store::Tx& tx, TimePoint now, const std::string& id, const Actor& by);
/// Invalid (field "note") if the text is empty or longer than 25000 characters.
[[nodiscard]] Result<void> AddAlertNote(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by, const std::string& text
);

/// Incident actions apply to every open alert of the incident.
[[nodiscard]] Result<alerts::AlertIncident> AcknowledgeIncident(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by
);
[[nodiscard]] Result<alerts::AlertIncident> ResolveIncident(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by
);
[[nodiscard]] Result<void> AddIncidentNote(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by, const std::string& text
);
/// Moves every alert of `sources` into `target`; the sources end resolved with merged_into set.
/// Invalid if a source is the target or belongs to another service; NotFound for unknown ids.
[[nodiscard]] Result<alerts::AlertIncident> MergeIncidents(
    store::Tx& tx, TimePoint now, const std::string& target, const std::vector<std::string>& sources, const Actor& by
);
/// Moves one alert out of its incident into a new incident of its own (returned).
[[nodiscard]] Result<alerts::AlertIncident> SplitAlert(
    store::Tx& tx, TimePoint now, const std::string& alert_id, const Actor& by
);

/// Ends snoozes that are over and re-triggers alerts whose acknowledgement expired, as of
/// `now`; at most `limit` alerts. Returns how many alerts changed.
[[nodiscard]] Result<int> RunAlertTimers(store::Tx& tx, TimePoint now, int limit);

/// Keeps one silence per (maintenance in progress, service linked to one of its components),
/// marked with the maintenance id, and deletes those of maintenances no longer in progress.
/// Returns how many silences were created or deleted.
[[nodiscard]] Result<int> SyncMaintenanceSilences(store::Tx& tx, TimePoint now);

/// A monitor's confirmed change raises (down/degraded) or resolves (up) a "monitor" alert on
/// every service linked to one of its components. Dedup key "monitor:<monitor id>".
[[nodiscard]] Result<void> RaiseMonitorAlerts(
    store::Tx& tx, const monitor::Monitor& m, const monitor::StateChange& change, TimePoint now
);

}  // namespace tocsin::service
