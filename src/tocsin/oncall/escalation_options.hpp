/// @file
/// @brief Settings of the escalation engine: `escalation:` in the config file (docs/oncall.md,
/// "Escalation"). Filled by config, used by the application.
#pragma once

#include "tocsin/common/result.hpp"

#include <chrono>
#include <string>

namespace tocsin::oncall {

struct EscalationOptions {
    std::chrono::milliseconds interval{1000};  // how often due timers are fired
    /// The length of one policy minute (level delays, notification rule delays, rate-limit
    /// window and gap). 60 s; tests shorten it to make a one-minute level delay a second.
    std::chrono::milliseconds minute{60000};
    int max_per_window = 5;   // messages per contact method per window; more bundle into the next
    int window_minutes = 10;  // the rate-limit window, in policy minutes
    int min_gap_minutes = 1;  // no new message to a contact method sooner than this after the last
    int max_retries = 3;      // retries of a transiently failed message (backoff from half a policy minute)
    /// Handoff notices: this many policy minutes before a shift starts, its person is told
    /// (through their low-urgency notification rules); -1 turns them off.
    int handoff_lead_minutes = 10;
    bool handoff_end_notice = false;  // also tell the person when their shift ends
    /// The secret path segment of the SMS/voice provider webhooks (/hooks/oncall/sms/{secret});
    /// empty: those routes answer 404.
    std::string inbound_secret;

    [[nodiscard]] Result<void> Validate() const {
        if (interval < std::chrono::milliseconds(50) || interval > std::chrono::minutes(1)) {
            return Error::Invalid("escalation.interval", "must be 50ms to 1m");
        }
        if (minute < std::chrono::milliseconds(100) || minute > std::chrono::minutes(1)) {
            return Error::Invalid("escalation.minute", "must be 100ms to 1m");
        }
        if (max_per_window < 1 || max_per_window > 1000) {
            return Error::Invalid("escalation.max_per_window", "must be 1 to 1000");
        }
        if (window_minutes < 1 || window_minutes > 1440) {
            return Error::Invalid("escalation.window_minutes", "must be 1 to 1440");
        }
        if (min_gap_minutes < 0 || min_gap_minutes > 60) {
            return Error::Invalid("escalation.min_gap_minutes", "must be 0 to 60");
        }
        if (max_retries < 0 || max_retries > 10) {
            return Error::Invalid("escalation.max_retries", "must be 0 to 10");
        }
        if (handoff_lead_minutes < -1 || handoff_lead_minutes > 1440) {
            return Error::Invalid("escalation.handoff_lead_minutes", "must be -1 (off) to 1440");
        }
        if (!inbound_secret.empty() && inbound_secret.size() < 16) {
            return Error::Invalid("escalation.inbound_secret", "must be at least 16 characters");
        }
        return {};
    }
};

}  // namespace tocsin::oncall
