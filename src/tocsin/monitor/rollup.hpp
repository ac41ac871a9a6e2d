/// @file
/// @brief History that does not grow without bound: raw results are summarised per hour
/// and per day, then deleted after the raw retention period.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/monitor/observation.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tocsin::monitor {

enum class RollupPeriod { kHour, kDay };

[[nodiscard]] std::string_view RollupPeriodName(RollupPeriod p);  // "hour" | "day"
[[nodiscard]] std::chrono::milliseconds RollupLength(RollupPeriod p);
/// The start of the period (UTC) that contains `t`.
[[nodiscard]] TimePoint RollupStart(RollupPeriod p, TimePoint t);

struct Rollup {
    std::string monitor_id;
    RollupPeriod period = RollupPeriod::kHour;
    TimePoint start{};
    std::int64_t checks = 0;
    std::int64_t failures = 0;  // outcome down
    std::int64_t degraded = 0;
    // response time (total) of the checks that reached the target
    std::chrono::microseconds p50{0};
    std::chrono::microseconds p95{0};
    std::chrono::microseconds p99{0};
    std::chrono::microseconds mean{0};

    /// Share of checks that were not down, in percent; 100 when there were none.
    [[nodiscard]] double UptimePercent() const {
        return checks == 0 ? 100.0 : 100.0 * static_cast<double>(checks - failures) / static_cast<double>(checks);
    }
};

/// The raw facts a rollup needs from one result.
struct ResultSample {
    Outcome outcome = Outcome::kUp;
    std::chrono::microseconds total{0};
};

/// Summarises the samples of one period (nearest-rank percentiles over checks that were
/// not down; down checks carry timeouts, not response times).
[[nodiscard]] Rollup Summarize(
    std::string monitor_id, RollupPeriod period, TimePoint start, std::vector<ResultSample> samples
);

/// Sums rollups (e.g. the hours of today) into one; percentiles are the check-weighted
/// mean of the parts' percentiles (an approximation, documented as such in the API).
[[nodiscard]] Rollup Combine(
    std::string monitor_id, RollupPeriod period, TimePoint start, const std::vector<Rollup>& parts
);

}  // namespace tocsin::monitor
