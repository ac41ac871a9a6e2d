/// @file
/// @brief The check engine's pure scheduling arithmetic: stable offsets, jitter bounds,
/// plan fingerprints and the lateness window. No I/O, no clocks: times are parameters.
#pragma once

#include "tocsin/monitor/judge.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::checks::detail {

/// FNV-1a, 64 bit: the same value for the same id in every process and build, so a
/// monitor keeps its phase across restarts and hosts.
[[nodiscard]] std::uint64_t StableHash(std::string_view text);

/// Where in [0, interval) a monitor's runs fall, derived from its id only. Ids hash
/// uniformly, so 10,000 monitors set at once spread over the interval instead of bursting.
[[nodiscard]] std::chrono::microseconds StableOffset(std::string_view monitor_id, std::chrono::microseconds interval);

/// The largest jitter applied to one run: 2 % of the interval, at most 1 s.
[[nodiscard]] std::chrono::microseconds MaxJitter(std::chrono::microseconds interval);

/// The first run time on the monitor's grid `epoch + offset + k * interval` that is not
/// before `now` (k >= 0 when now >= epoch).
template <class TimePointT>
[[nodiscard]] TimePointT FirstGridPoint(
    TimePointT epoch, std::chrono::microseconds offset, std::chrono::microseconds interval, TimePointT now
) {
    auto first = epoch + offset;
    if (now <= first) return first;
    auto behind = std::chrono::duration_cast<std::chrono::microseconds>(now - first);
    auto periods = (behind.count() + interval.count() - 1) / interval.count();
    return first + periods * interval;
}

/// Everything about a plan that decides *what* is checked and *when*: monitor id, every
/// CheckSpec field, interval and degraded threshold. ConditionSet is opaque, so condition
/// changes do not show here; the engine swaps the plan of an unchanged fingerprint in place
/// (new conditions apply from the next run) and keeps its schedule.
[[nodiscard]] std::string PlanFingerprint(const monitor::CheckPlan& plan);

/// Percentiles over the last `capacity` samples (a ring). Not thread-safe.
class LatenessWindow {
public:
    struct Summary {
        std::chrono::microseconds p50{0};
        std::chrono::microseconds p99{0};
        std::chrono::microseconds max{0};
    };

    explicit LatenessWindow(std::size_t capacity = 10'000);

    void Add(std::chrono::microseconds sample);
    [[nodiscard]] Summary Summarize() const;
    [[nodiscard]] std::size_t size() const { return samples_.size(); }

private:
    std::size_t capacity_;
    std::size_t next_ = 0;
    std::vector<std::chrono::microseconds> samples_;
};

}  // namespace tocsin::checks::detail
