/// @file
/// @brief The write rules of escalation (issue 7), each inside the caller's Tx: starting an
/// incident's escalation, firing due escalation timers, re-escalating acknowledged incidents,
/// escalate-now, and answering a page (acknowledge/resolve through a link or a reply).
///
/// A timer is claimed (state done) in the same transaction that inserts what it causes
/// (the next level's timer, one notify timer per notification rule, a queued notification
/// attempt), and every step is UNIQUE in escalation_timers, so a crash or a restart never
/// fires a level or a notification twice. Sending is the engine's (engine/escalation_engine).
/// Every step writes a row to the incident's alert log.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/service/alert_ops.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace tocsin::service {

/// The hook where an incident opens (alert intake, split): when the incident's service has an
/// escalation policy and the incident is not silenced, records the escalation (with a copy of
/// the policy) and its first level's timer, due at `now`. Otherwise does nothing.
[[nodiscard]] Result<void> StartEscalation(store::Tx& tx, TimePoint now, const alerts::AlertIncident& incident);

/// Escalations held back by a silence or a snooze: for each triggered incident of a service
/// with a policy that has no escalation yet and whose alerts were silenced or snoozed
/// (store::Tx::ListHeldBackIncidents), starts the escalation (level 1 at once) when one of its
/// triggered alerts would page now: not snoozed, and not silenced or its silences no longer
/// match (ended or deleted). Returns how many started.
[[nodiscard]] Result<int> StartHeldBackEscalations(store::Tx& tx, TimePoint now, int limit);

/// The hook where an alert's snooze ends (RunAlertTimers): when its incident is triggered,
/// no longer snoozed and its escalation is not running any more (no pending level timer:
/// the snooze held it, or every level has fired), escalation starts again from level 1 (a new
/// epoch that stops at the acknowledgement); an incident that never escalated starts as in
/// StartHeldBackEscalations. Cheap when the incident's service has no policy.
/// The same when an alert's acknowledgement expired and re-triggered it: `ack_expired` only
/// changes what the log says.
[[nodiscard]] Result<void> ResumeEscalationAfterSnooze(
    store::Tx& tx, TimePoint now, const std::string& incident_id, bool ack_expired = false
);

struct EscalationTiming {
    /// The length of one policy/notification-rule minute. 60 s in production; the black-box
    /// tests shorten it (config `escalation.minute`) so a level delay of 1 takes a second.
    std::chrono::milliseconds minute{std::chrono::minutes(1)};
};

struct FireCounts {
    int levels = 0;    // level timers that paged
    int notifies = 0;  // notify timers that queued an attempt
    int skipped = 0;   // timers of answered, resolved or superseded escalations
};

/// Fires up to `limit` timers due at `now`. A level timer pages its targets (users, the
/// on-call users of schedules at `now`, team members), inserting one notify timer per
/// notification rule of the incident's urgency, and the next level's timer. A notify timer
/// queues a notification attempt for its contact method. While every open alert of the
/// incident is snoozed, its timers are claimed and skipped ("skipped: snoozed"; the snooze's
/// end starts it again, see ResumeEscalationAfterSnooze). Timers of an escalation that stopped
/// (incident resolved; acknowledged in a first escalation; answered in a re-escalation; an
/// older epoch) are claimed and skipped.
[[nodiscard]] Result<FireCounts> FireDueEscalationTimers(
    store::Tx& tx, TimePoint now, int limit, const EscalationTiming& timing
);

/// Starts a new epoch from the first level for incidents acknowledged longer than their
/// service's reescalate_after without being resolved. Returns how many.
[[nodiscard]] Result<int> ReescalateDue(store::Tx& tx, TimePoint now, int limit);

/// "Escalate now": a new epoch starting at `level` (0-based; nullopt: the level after the last
/// one that fired), due at once, whatever the incident's acknowledgement. NotFound (unknown
/// incident), Conflict (resolved, or neither the incident nor its service has a policy),
/// Invalid ("level") outside the policy.
[[nodiscard]] Result<alerts::AlertIncident> EscalateNow(
    store::Tx& tx, TimePoint now, const std::string& incident_id, std::optional<int> level, const Actor& by
);

enum class PageAnswer { kAcknowledge, kResolve };

/// Someone answered the page of notification attempt `attempt_id` (`via`: "link", "sms",
/// "voice"). Acknowledges or resolves the incident as the attempt's user; an acknowledgement
/// of an already acknowledged incident answers the current (re-)escalation, which stops.
/// NotFound (unknown attempt), Conflict (the incident is already resolved).
[[nodiscard]] Result<alerts::AlertIncident> AnswerPage(
    store::Tx& tx, TimePoint now, const std::string& attempt_id, PageAnswer answer, const std::string& via
);

/// Whether the escalation `e` of `incident` still pages (see FireDueEscalationTimers).
[[nodiscard]] bool IsEscalating(const store::IncidentEscalation& e, const alerts::AlertIncident& incident);

}  // namespace tocsin::service
