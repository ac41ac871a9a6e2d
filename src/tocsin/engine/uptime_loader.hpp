/// @file
/// @brief Loads the monitoring history the public page shows (domain::UptimeState) and
/// hands it to the SnapshotPublisher every minute, without touching incidents.
#pragma once

#include "tocsin/domain/uptime.hpp"
#include "tocsin/engine/engine.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/store/store.hpp"

#include <atomic>
#include <optional>

namespace tocsin::engine {

class SnapshotPublisher;

/// Reads rollups, the raw results not yet rolled up, and state-change events of every
/// public monitor (linked to at least one component) as of `now`.
[[nodiscard]] Result<domain::UptimeState> LoadUptime(store::Store& store, TimePoint now);

/// Per-day confirmed outage/degraded seconds from a monitor's events, for the 90 UTC days
/// ending with the day of `now`. `initial` is the state before the first event (or the
/// current state when there are none). Pure; exposed for tests.
void AccumulateHealth(
    const std::vector<store::MonitorEvent>& events,
    monitor::Outcome initial,
    TimePoint now,
    std::vector<domain::DayUptime>& days
);

/// Reloads once a minute, and within a second after Poke() (a monitor was added, changed
/// or changed state), so a new monitor's bar appears without waiting for the minute.
class UptimeEngine final : public Engine {
public:
    UptimeEngine(store::Store& store, SnapshotPublisher& publisher) : store_(store), publisher_(publisher) {}
    [[nodiscard]] std::string_view Name() const override { return "uptime"; }
    [[nodiscard]] std::chrono::milliseconds Interval() const override { return std::chrono::seconds(1); }
    [[nodiscard]] Result<void> RunOnce(TimePoint now) override;
    /// Thread-safe.
    void Poke() { poked_ = true; }

private:
    store::Store& store_;
    SnapshotPublisher& publisher_;
    std::atomic<bool> poked_{true};
    std::optional<TimePoint> last_;
};

}  // namespace tocsin::engine
