/// @file
/// @brief Monitoring history as the public page shows it: per-day health and uptime for the
/// 90-day bars, response-time series for the charts, uptime over fixed windows.
///
/// Filled by engine::UptimeLoader from the store (rollups, raw results of the current hour,
/// and monitor events); rendered by page::SnapshotBuilder. Only monitors linked to at least
/// one component are public: the page is about components.
#pragma once

#include "tocsin/common/clock.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::domain {

/// The worst confirmed state a monitor was in during a day.
enum class DayHealth { kNoData, kOperational, kDegraded, kOutage };

struct DayUptime {
    TimePoint day_start{};  // 00:00 UTC
    std::int64_t checks = 0;
    std::int64_t failures = 0;
    DayHealth health = DayHealth::kNoData;
    std::int64_t outage_seconds = 0;    // confirmed down time within the day
    std::int64_t degraded_seconds = 0;  // confirmed degraded time within the day
    /// Share of checks not down; absent when there were no checks.
    [[nodiscard]] std::optional<double> UptimePercent() const {
        if (checks == 0) return std::nullopt;
        return 100.0 * static_cast<double>(checks - failures) / static_cast<double>(checks);
    }
};

/// One point of a response-time chart: an hour (24 h and 7 d charts) or a day (30 d).
struct LatencyPoint {
    TimePoint start{};
    std::int64_t checks = 0;
    std::int64_t failures = 0;
    std::chrono::microseconds p50{0};
    std::chrono::microseconds p95{0};
};

struct MonitorUptime {
    std::string id;
    std::string name;
    std::string type;  // "http", "tcp", ...
    std::vector<std::string> component_ids;
    std::string state;                 // "up", "degraded", "down"
    std::optional<double> uptime_24h;  // percent; absent without checks in the window
    std::optional<double> uptime_7d;
    std::optional<double> uptime_30d;
    std::optional<double> uptime_90d;
    std::vector<DayUptime> days;          // exactly 90, oldest first, the last is today (UTC)
    std::vector<LatencyPoint> hours_24;   // 24 hourly points, oldest first, the last is the current hour
    std::vector<LatencyPoint> hours_168;  // 7 days of hourly points
    std::vector<LatencyPoint> days_30;    // 30 daily points
};

struct UptimeState {
    TimePoint generated_at{};
    std::vector<MonitorUptime> monitors;  // ordered by name
};

}  // namespace tocsin::domain
