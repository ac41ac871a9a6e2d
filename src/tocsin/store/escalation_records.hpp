/// @file
/// @brief The rows of the escalation tables (migration 0010) as the Tx methods of the ESC
/// section of store.hpp read and write them. Plain values; see that section for contracts.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/oncall/escalation.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tocsin::store {

/// A service's paging settings (services.escalation_policy_id, reescalate_after_seconds).
struct ServiceEscalation {
    std::string policy_id;                     // "" pages nobody
    std::chrono::seconds reescalate_after{0};  // acknowledged but unresolved this long: escalate again; 0 never
};

/// The escalation of one incident: the policy as it was when the incident opened (a later edit
/// of the policy does not change a running escalation) and the current episode.
struct IncidentEscalation {
    std::string incident_id;
    oncall::EscalationPolicy policy;
    std::int64_t epoch = 0;
    std::string epoch_kind = "trigger";  // trigger | reescalate | manual
    TimePoint epoch_started_at{};
    std::optional<TimePoint> stopped_at;  // the current epoch was answered
    int last_level = -1;                  // the last level that fired in this epoch (-1: none yet)
    int last_pass = 0;
};

struct EscalationTimer {
    std::string id, incident_id;
    std::string kind = "level";  // level | notify
    std::int64_t epoch = 0;
    int level = 0;
    int pass = 0;
    std::string user_id, contact_method_id;  // notify only
    TimePoint due_at{};
    std::string state = "pending";  // pending | done
    std::string outcome;            // what firing did ("paged 2 users", "skipped: acknowledged")
    TimePoint created_at{};
};

struct NotificationAttempt {
    std::string id, incident_id, timer_id, user_id, contact_method_id;
    std::string channel;           // oncall::ToString(ContactKind)
    std::string state = "queued";  // queued | sending | sent | failed | bundled | cancelled
    std::string bundled_into;      // bundled: the attempt whose message carried this one
    int bundled_count = 0;         // sending/sent: how many other incidents the message named
    std::string reply_code;        // sms/voice: the code a reply or key press names
    std::string address;           // the contact method's address when it was sent
    std::string error;
    int status = 0;
    TimePoint created_at{};
    std::optional<TimePoint> sent_at;
    std::optional<TimePoint> answered_at;
    std::string answer;  // acknowledged | resolved (through this attempt's link or reply)
};

/// A retry of a failed notification attempt (notification_retries, migration 0012).
struct NotificationRetry {
    std::string attempt_id;  // the attempt that failed
    std::string incident_id;
    int try_number = 2;  // the try the retry makes (2: the first retry)
    TimePoint due_at{};
    std::string state = "pending";  // pending | done
    std::string retry_attempt_id;   // done: the attempt it queued ("" when it was dropped)
    TimePoint created_at{};
};

/// A handoff notice sent (or being sent) for one shift (handoff_notices, migration 0012).
struct HandoffNotice {
    std::string schedule_id, user_id;
    TimePoint shift_start{}, shift_end{};
    std::string kind = "start";  // start | end
    TimePoint sent_at{};
    std::string outcome;
};

struct NotificationAttemptFilter {
    std::string incident_id;         // "" any
    std::string contact_method_id;   // "" any
    std::string state;               // "" any
    std::optional<TimePoint> since;  // created_at >= since
    int limit = 500;
};

}  // namespace tocsin::store
