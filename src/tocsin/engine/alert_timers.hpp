/// @file
/// @brief The alert clock: snooze ends, expired acknowledgements (re-trigger) and the silences
/// that status-page maintenances in progress put on their components' services.
#pragma once

#include "tocsin/engine/engine.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::engine {

class AlertTimers final : public Engine {
public:
    AlertTimers(store::Store& store, std::chrono::milliseconds interval) : store_(store), interval_(interval) {}

    std::string_view Name() const override { return "alert_timers"; }
    std::chrono::milliseconds Interval() const override { return interval_; }
    /// One write transaction: service::RunAlertTimers (up to 500 alerts),
    /// service::SyncMaintenanceSilences, and Opsgenie request records older than 7 days deleted.
    Result<void> RunOnce(TimePoint now) override;

    /// Alerts and silences changed by the last RunOnce (for tests and metrics).
    [[nodiscard]] int LastChanged() const { return last_changed_; }

private:
    store::Store& store_;
    std::chrono::milliseconds interval_;
    int last_changed_ = 0;
};

}  // namespace tocsin::engine
