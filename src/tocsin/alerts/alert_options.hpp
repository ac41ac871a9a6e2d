/// @file
/// @brief The `alerts:` configuration section: intake rate limits, the group-commit queue and
/// the alert timers' interval.
#pragma once

#include "tocsin/common/result.hpp"

#include <chrono>
#include <cstddef>

namespace tocsin::alerts {

struct AlertOptions {
    int rate_per_minute = 120;                       // sustained intake requests per minute per integration key
    int rate_burst = 60;                             // requests allowed at once above that
    std::size_t max_queued_events = 20000;           // group-commit queue bound; beyond it intake answers 429/503
    std::chrono::milliseconds timer_interval{5000};  // snooze ends and acknowledgement expiry checks

    /// Errors name the key ("alerts.rate_per_minute").
    [[nodiscard]] Result<void> Validate() const;
};

}  // namespace tocsin::alerts
