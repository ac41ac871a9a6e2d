/// @file
/// @brief Services (what alerts are about), their integration keys, change events, Opsgenie
/// request records and heartbeats, as plain values.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/alerts/grouping.hpp"
#include "tocsin/common/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tocsin::alerts {

struct Service {
    std::string id;
    std::string name;
    std::string description;
    std::string team;
    std::string urgency = "severity";  // high | low | severity (from the severity map)
    GroupingRule grouping{std::chrono::seconds(300), {}};
    std::chrono::seconds ack_timeout{0};  // acknowledgement expires (re-triggers) after this; 0: never
    std::vector<std::string> component_ids;
    TimePoint created_at{};
    TimePoint updated_at{};
};

struct IntegrationKey {
    std::string id;
    std::string service_id;
    std::string name;
    Dialect dialect = Dialect::kGeneric;
    std::string prefix;               // first characters of the secret, shown in lists
    std::string mapping_json = "{}";  // generic dialect's field mapping
    TimePoint created_at{};
    std::optional<TimePoint> rotated_at;
    std::optional<TimePoint> revoked_at;
    std::optional<TimePoint> last_used_at;
};

struct ChangeEvent {
    std::string id;
    std::string service_id;
    std::string integration_key_id;
    std::string summary, source;
    std::string details_json = "{}", links_json = "[]";
    TimePoint occurred_at{};
    TimePoint created_at{};
};

/// What became of an Opsgenie request (GET /v2/alerts/requests/{id}).
struct IntakeRequestRecord {
    std::string id;
    std::string integration_key_id;
    std::string action;  // "Create", "Acknowledge", "Close", ...
    bool success = false;
    std::string status;  // "Created alert", "Alert does not exist", ...
    std::string alert_id, alias;
    TimePoint processed_at{};
};

struct Heartbeat {
    std::string id;
    std::string integration_key_id;
    std::string name;
    std::string description;
    int interval = 10;
    std::string interval_unit = "minutes";  // minutes | hours | days
    bool enabled = true;
    bool expired = false;
    std::optional<TimePoint> last_ping_at;
    TimePoint created_at{};
    TimePoint updated_at{};
    /// The expiry alert as Opsgenie configures it: {"alertMessage", "alertTags", "alertPriority",
    /// "ownerTeam"} (JSON object text; absent keys take the defaults of alerts::opsgenie).
    std::string alerting_json = "{}";
};

}  // namespace tocsin::alerts
