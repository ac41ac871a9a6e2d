#include "tocsin/alerts/alert.hpp"

#include "tocsin/alerts/intake.hpp"

namespace tocsin::alerts {

std::string_view ToString(Dialect d) {
    switch (d) {
        case Dialect::kPagerDuty:
            return "pagerduty";
        case Dialect::kOpsgenie:
            return "opsgenie";
        case Dialect::kAlertmanager:
            return "alertmanager";
        case Dialect::kGrafana:
            return "grafana";
        case Dialect::kGeneric:
            return "generic";
        case Dialect::kMonitor:
            return "monitor";
    }
    return "generic";
}

std::optional<Dialect> ParseDialect(std::string_view s) {
    for (Dialect d :
         {Dialect::kPagerDuty,
          Dialect::kOpsgenie,
          Dialect::kAlertmanager,
          Dialect::kGrafana,
          Dialect::kGeneric,
          Dialect::kMonitor}) {
        if (ToString(d) == s) return d;
    }
    return std::nullopt;
}

std::string_view ToString(AlertState s) {
    switch (s) {
        case AlertState::kTriggered:
            return "triggered";
        case AlertState::kAcknowledged:
            return "acknowledged";
        case AlertState::kResolved:
            return "resolved";
    }
    return "triggered";
}

std::optional<AlertState> ParseAlertState(std::string_view s) {
    for (AlertState st : {AlertState::kTriggered, AlertState::kAcknowledged, AlertState::kResolved}) {
        if (ToString(st) == s) return st;
    }
    return std::nullopt;
}

std::string_view ToString(Urgency u) {
    return u == Urgency::kHigh ? "high" : "low";
}

std::optional<Urgency> ParseUrgency(std::string_view s) {
    if (s == "high") return Urgency::kHigh;
    if (s == "low") return Urgency::kLow;
    return std::nullopt;
}

AlertState RollUpState(const std::vector<AlertState>& alert_states) {
    bool any_open = false;
    for (AlertState s : alert_states) {
        if (s == AlertState::kTriggered) return AlertState::kTriggered;
        if (s == AlertState::kAcknowledged) any_open = true;
    }
    return any_open ? AlertState::kAcknowledged : AlertState::kResolved;
}

std::string_view ToString(IntakeAction a) {
    switch (a) {
        case IntakeAction::kTrigger:
            return "trigger";
        case IntakeAction::kAcknowledge:
            return "acknowledge";
        case IntakeAction::kUnacknowledge:
            return "unacknowledge";
        case IntakeAction::kResolve:
            return "resolve";
        case IntakeAction::kNote:
            return "note";
        case IntakeAction::kSnooze:
            return "snooze";
        case IntakeAction::kEscalate:
            return "escalate";
        case IntakeAction::kAssign:
            return "assign";
        case IntakeAction::kSetPriority:
            return "set_priority";
        case IntakeAction::kSetMessage:
            return "set_message";
        case IntakeAction::kSetDescription:
            return "set_description";
        case IntakeAction::kAddTags:
            return "add_tags";
        case IntakeAction::kChangeEvent:
            return "change_event";
        case IntakeAction::kHeartbeatPing:
            return "heartbeat_ping";
    }
    return "trigger";
}

}  // namespace tocsin::alerts
