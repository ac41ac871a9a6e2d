/// @file
/// @brief The escalation engine: pages people per escalation policy on the injected clock.
///
/// Duties, each round (RunOnce(now)):
///  1. record the outcomes of sends that finished since the last round (notification_attempts
///     sent/failed, "notify.sent"/"notify.failed" in the incident's log);
///  2. one write transaction: re-escalate acknowledged incidents left unresolved too long,
///     then fire due escalation timers (service::FireDueEscalationTimers: a timer is claimed in
///     the transaction that writes what it causes, so nothing fires twice);
///  3. one write transaction: per contact method with queued attempts, apply the rate limit
///     (at most `max_per_window` messages per `window`, and none within `min_gap` of the last:
///     the person is already being paged) and bundle everything queued into one message
///     ("and 3 more incidents"); mark it sending and commit BEFORE handing it to the sender;
///  4. hand the messages to the sender (notify::Transport in the application).
/// A transient failure schedules a durable retry (notification_retries, inserted with the
/// failure); a due retry queues a new attempt (and the pages the failed message carried) in the
/// transaction that claims it, and the new attempt goes through step 3 like any page.
/// A message marked sending when the process died is failed at the next start ("interrupted"),
/// never sent again: a page is sent at most once, and escalation goes on to the next level.
#pragma once

#include "tocsin/engine/engine.hpp"
#include "tocsin/notify/links.hpp"
#include "tocsin/notify/transport.hpp"
#include "tocsin/oncall/contact.hpp"
#include "tocsin/service/escalation_ops.hpp"
#include "tocsin/store/store.hpp"

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace tocsin::engine {

struct EscalationEngineOptions {
    std::chrono::milliseconds interval{1000};
    service::EscalationTiming timing;  // the length of a policy minute (level and rule delays, limits below)
    int max_per_window = 5;            // messages per contact method per window
    int window_minutes = 10;           // in policy minutes
    int min_gap_minutes = 1;           // in policy minutes; 0 sends every page at once
    /// Retries of a transiently failed message (timeout, refused, 5xx, 429): up to this many,
    /// the first half a policy minute after the failure, doubling, at most 8 policy minutes
    /// apart, never sooner than the provider's Retry-After. 0: no retries.
    int max_retries = 3;
    /// Handoff notices: this many policy minutes before a shift starts, its person gets "You
    /// are on call for <schedule> from <local time> to <local time>" on the contact methods of
    /// their low-urgency notification rules; -1: off. A notice whose time passed while the
    /// server was down still goes out up to 15 policy minutes after the shift started.
    int handoff_lead_minutes = 10;
    bool handoff_end_notice = false;  // also when a shift ends
    oncall::SenderConfig senders;     // providers; senders.public_url is the base of the links
};

/// Hands one built message to whatever delivers it; `done` runs once, on any thread.
using PageSender = std::function<void(const oncall::Outgoing&, notify::SendDone)>;

/// Delivers through `transport` (mail or HTTP as built).
PageSender TransportSender(notify::Transport& transport);

class EscalationEngine final : public Engine {
public:
    EscalationEngine(
        store::Store& store, PageSender sender, notify::LinkSigner signer, EscalationEngineOptions options
    );

    std::string_view Name() const override { return "escalation"; }
    std::chrono::milliseconds Interval() const override { return options_.interval; }
    Result<void> RunOnce(TimePoint now) override;

    /// Records outcomes that arrived (called by RunOnce; at shutdown by the application).
    Result<void> Flush(TimePoint now);

    /// The public links of one attempt (used by the engine's messages; exposed for tests).
    [[nodiscard]] std::string AckUrl(const std::string& attempt_id) const;
    [[nodiscard]] std::string ResolveUrl(const std::string& attempt_id) const;

private:
    struct Prepared {
        std::string attempt_id;  // "" for a handoff notice
        oncall::Outgoing outgoing;
        store::HandoffNotice handoff;  // handoff notices only
        std::string channel;           // handoff notices only
    };
    struct Outcome {
        std::string attempt_id;
        notify::SendResult result;
        std::optional<store::HandoffNotice> handoff;
        std::string channel;
    };
    Result<std::vector<Prepared>> PrepareSends(store::Tx& tx, TimePoint now);
    Result<void> FireDueRetries(store::Tx& tx, TimePoint now);
    /// Claims (handoff_notices) and builds the handoff notices due at `now`.
    Result<std::vector<Prepared>> PrepareHandoffs(store::Tx& tx, TimePoint now);
    /// When to retry attempt `a` that failed with `r` (nullopt: not at all), and why not.
    std::optional<std::chrono::milliseconds> RetryDelay(int try_number, const notify::SendResult& r, std::string& why)
        const;

    store::Store& store_;
    PageSender sender_;
    notify::LinkSigner signer_;
    EscalationEngineOptions options_;
    bool started_ = false;
    std::optional<TimePoint> next_held_back_check_;
    std::optional<TimePoint> next_handoff_check_;
    std::mutex mu_;
    std::deque<Outcome> outcomes_;  // guarded by mu_
};

}  // namespace tocsin::engine
