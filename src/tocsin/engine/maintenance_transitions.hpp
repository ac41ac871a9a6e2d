/// @file
/// @brief Moves scheduled maintenance at its window's edges.
///
/// Duties, each RunOnce(now):
///   1. scheduled → in_progress when the window opens (components → under_maintenance);
///   2. in_progress/verifying → completed when it closes (components back to what they were);
///   3. publish a new snapshot if anything moved.
#pragma once

#include "tocsin/engine/engine.hpp"
#include "tocsin/engine/snapshot_publisher.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::engine {

class MaintenanceTransitions final : public Engine {
public:
    MaintenanceTransitions(store::Store& store, SnapshotPublisher* publisher, std::chrono::milliseconds interval)
        : store_(store), publisher_(publisher), interval_(interval) {}

    std::string_view Name() const override { return "maintenance_transitions"; }
    std::chrono::milliseconds Interval() const override { return interval_; }
    Result<void> RunOnce(TimePoint now) override;

    /// Transitions applied by the last RunOnce (for tests and metrics).
    [[nodiscard]] int LastApplied() const { return last_applied_; }

private:
    store::Store& store_;
    SnapshotPublisher* publisher_;  // may be null in tests
    std::chrono::milliseconds interval_;
    int last_applied_ = 0;
};

}  // namespace tocsin::engine
