/// @file
/// @brief IntakeEvent / IntakeOutcome: what a dialect parser produces and what applying it yields.
///
/// Every dialect (PagerDuty, Opsgenie, Alertmanager, Grafana, generic, monitor) turns its
/// request into a list of IntakeEvents; service::ApplyIntake applies them in one transaction
/// and answers one IntakeOutcome per event, in order.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/common/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::alerts {

enum class IntakeAction {
    kTrigger,
    kAcknowledge,
    kUnacknowledge,
    kResolve,
    kNote,
    kSnooze,
    kEscalate,
    kAssign,
    kSetPriority,
    kSetMessage,
    kSetDescription,
    kAddTags,
    kChangeEvent,
    kHeartbeatPing
};

/// "trigger", "acknowledge", "unacknowledge", "resolve", "note", "snooze", "escalate", "assign",
/// "set_priority", "set_message", "set_description", "add_tags", "change_event", "heartbeat_ping".
std::string_view ToString(IntakeAction a);

enum class IdentifierType { kDedupKey, kId, kTinyId };

struct IntakeEvent {
    Dialect dialect = Dialect::kGeneric;
    IntakeAction action = IntakeAction::kTrigger;
    std::string integration_key_id;  // filled by the route from the authenticated key
    std::string service_id;          // ditto
    std::string identifier;          // dedup key (alias), alert id or tiny id; empty dedup on trigger: generated
    IdentifierType identifier_type = IdentifierType::kDedupKey;
    std::string group_key;  // Alertmanager groupKey (one tocsin incident per group); else empty
    std::string summary, description, source, entity, note, user;  // user: who acted (dialect's user field)
    std::optional<std::string> severity;  // pagerduty-style critical|error|warning|info, mapped by the table
    std::optional<int> priority;          // 1..5 (Opsgenie P1..P5)
    std::string details_json;             // JSON object text (custom_details / details / annotations)
    std::vector<std::pair<std::string, std::string>> labels;  // Alertmanager labels, tags as tag=""
    std::vector<std::string> tags;
    std::string links_json, images_json;   // JSON arrays as sent
    std::string responders_json;           // Opsgenie responders (kept for the escalation issue)
    std::optional<TimePoint> occurred_at;  // payload timestamp / startsAt / endsAt
    std::optional<TimePoint> snooze_until;
    std::string request_id;  // Opsgenie requestId to record for GET /v2/alerts/requests/{id}
};

struct IntakeOutcome {
    bool applied = false;  // false: dropped (ack/resolve of unknown or resolved key, ...)
    std::string status;    // human text: "Created alert", "Alert does not exist", "Deduplicated", ...
    std::string alert_id, incident_id, dedup_key;
    std::int64_t tiny_id = 0;
    std::int64_t count = 0;
};

}  // namespace tocsin::alerts
