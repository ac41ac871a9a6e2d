/// @file
/// @brief The alert model: alerts, the incidents that group them, and their append-only log.
///
/// Pure values (no store, no HTTP). An alert is one thing that went wrong on a service,
/// deduplicated by its key while open; an alert incident groups the alerts that page together.
#pragma once

#include "tocsin/common/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::alerts {

/// The wire format an event came through.
enum class Dialect { kPagerDuty, kOpsgenie, kAlertmanager, kGrafana, kGeneric, kMonitor };

/// "pagerduty", "opsgenie", "alertmanager", "grafana", "generic", "monitor".
std::string_view ToString(Dialect d);
std::optional<Dialect> ParseDialect(std::string_view s);

/// triggered -> acknowledged -> resolved. Snooze and acknowledgement expiry are times on the
/// alert, not states: a snoozed alert is triggered (or acknowledged) with snoozed_until set.
enum class AlertState { kTriggered, kAcknowledged, kResolved };

/// "triggered", "acknowledged", "resolved".
std::string_view ToString(AlertState s);
std::optional<AlertState> ParseAlertState(std::string_view s);

/// Urgency drives paging (the next issue): high pages at once, low waits for working hours.
enum class Urgency { kHigh, kLow };
std::string_view ToString(Urgency u);
std::optional<Urgency> ParseUrgency(std::string_view s);

struct Alert {
    std::string id;
    std::int64_t tiny_id = 0;  // small per-installation number (Opsgenie's tinyId)
    std::string service_id;
    std::string incident_id;
    std::string integration_key_id;  // empty for monitor and manual alerts
    Dialect dialect = Dialect::kGeneric;
    std::string dedup_key;
    std::string group_key;  // Alertmanager groupKey; empty otherwise
    AlertState state = AlertState::kTriggered;
    std::int64_t count = 1;  // deliveries of the same key while open
    std::string summary, description, source, entity;
    std::string severity = "error";  // critical|error|warning|info
    int priority = 3;                // 1..5
    Urgency urgency = Urgency::kHigh;
    std::string details_json = "{}";
    std::vector<std::pair<std::string, std::string>> labels;
    std::vector<std::string> tags;
    std::string links_json = "[]", images_json = "[]";
    std::string responders_json = "[]";
    bool silenced = false;  // recorded but matched a silence at trigger time: never pages
    std::optional<TimePoint> snoozed_until;
    std::optional<TimePoint> ack_expires_at;
    std::string acknowledged_by;
    TimePoint created_at{};
    TimePoint updated_at{};
    TimePoint last_event_at{};
    std::optional<TimePoint> acknowledged_at;
    std::optional<TimePoint> resolved_at;

    [[nodiscard]] bool IsOpen() const { return state != AlertState::kResolved; }
    /// Snoozed at `now`: notifications held back until snoozed_until.
    [[nodiscard]] bool IsSnoozedAt(TimePoint now) const { return snoozed_until && *snoozed_until > now; }
};

/// A group of alerts that page as one. Its state follows its alerts: resolved when all are,
/// acknowledged when every open one is, triggered otherwise.
struct AlertIncident {
    std::string id;
    std::int64_t number = 0;  // human number, per installation
    std::string service_id;
    std::string group_key;  // Alertmanager groupKey this incident stands for; empty otherwise
    std::string title;
    AlertState state = AlertState::kTriggered;
    Urgency urgency = Urgency::kHigh;
    std::int64_t alert_count = 0;  // alerts that joined (open or not)
    std::int64_t open_count = 0;
    bool silenced = false;  // every alert in it is silenced
    TimePoint created_at{};
    TimePoint updated_at{};
    TimePoint last_alert_at{};
    std::optional<TimePoint> acknowledged_at;
    std::optional<TimePoint> resolved_at;
    std::string merged_into;  // set when merged into another incident (then resolved)

    [[nodiscard]] bool IsOpen() const { return state != AlertState::kResolved; }
};

/// One append-only log row of an alert or an incident (who did what, when, through which dialect).
struct AlertLogEntry {
    std::int64_t seq = 0;
    std::string alert_id;     // empty for an incident-only row
    std::string incident_id;  // empty when the alert has no incident yet
    TimePoint at{};
    std::string actor;    // user, integration key name, "system"
    std::string dialect;  // ToString(Dialect), "api", "cli", "system"
    std::string action;   // "trigger", "deduplicated", "acknowledge", "resolve", "note", "snooze", ...
    std::string text;
    std::string data_json = "{}";
};

/// Incident state from its alerts' states: all resolved -> resolved; every open one acknowledged
/// -> acknowledged; otherwise triggered. An empty list counts as resolved.
AlertState RollUpState(const std::vector<AlertState>& alert_states);

}  // namespace tocsin::alerts
