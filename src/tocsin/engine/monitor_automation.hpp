/// @file
/// @brief The monitoring pipeline between checks and the page: stores results in batches,
/// confirms state changes (retries, quorum), lets service::monitor_ops open and resolve
/// automatic incidents, notices missed heartbeats and stale locations.
///
/// Results arrive from any thread (the local check engine's sink, the probe and heartbeat
/// API handlers) through Submit() into a bounded queue; RunOnce() on the engine thread
/// drains it into one store transaction per round. The engine also owns the current set of
/// monitor definitions and tells the local check engine (OnPlans) when it changes.
#pragma once

#include "tocsin/common/metrics.hpp"
#include "tocsin/engine/engine.hpp"
#include "tocsin/monitor/judge.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/store/store.hpp"

#include <deque>
#include <functional>
#include <map>
#include <mutex>

namespace tocsin::engine {

class SnapshotPublisher;

struct MonitorAutomationOptions {
    std::chrono::milliseconds interval{1000};
    /// Results waiting beyond this are dropped (oldest first) and counted: a store that
    /// cannot keep up must not grow memory without bound.
    std::size_t max_queue = 200'000;
    /// The name of the server's own location ("local"); empty if it does not check.
    std::string local_location = "local";
};

class MonitorAutomation final : public Engine {
public:
    using PlansCallback = std::function<void(std::vector<monitor::CheckPlan>)>;

    MonitorAutomation(
        store::Store& store,
        SnapshotPublisher* publisher,
        MetricsRegistry& metrics,
        MonitorAutomationOptions options = {}
    );

    [[nodiscard]] std::string_view Name() const override { return "monitor_automation"; }
    [[nodiscard]] std::chrono::milliseconds Interval() const override { return options_.interval; }
    [[nodiscard]] Result<void> RunOnce(TimePoint now) override;

    /// Queues a judged result. `stored`: the caller already wrote it durably (probe pushes,
    /// which are acknowledged only after their commit). Thread-safe.
    void Submit(monitor::CheckResult result, bool stored = false);

    /// The monitor definitions changed (API, config reload): reload them next round. Thread-safe.
    void MonitorsChanged();

    /// Called on the engine thread with the plans the local location must run, after every
    /// reload. Set before the runner starts.
    void OnPlans(PlansCallback cb) { on_plans_ = std::move(cb); }

    /// Called on the engine thread after a round that reloaded monitors or changed a
    /// monitor's state (the page's uptime view is then stale). Set before the runner starts.
    void OnChange(std::function<void()> cb) { on_change_ = std::move(cb); }

    /// Called on the engine thread after a round that stored check results (live admin
    /// screens; the callee throttles). Set before the runner starts.
    void OnResults(std::function<void()> cb) { on_results_ = std::move(cb); }

    /// The plans of enabled monitors that list `location`. Thread-safe.
    [[nodiscard]] std::vector<monitor::CheckPlan> PlansFor(const std::string& location) const;

    /// Results waiting in the queue. Thread-safe.
    [[nodiscard]] std::size_t QueueLength() const;

private:
    struct Pending {
        monitor::CheckResult result;
        bool stored = false;
    };

    Result<void> Reload();
    Result<bool> Process(store::Tx& tx, std::vector<Pending>& batch, TimePoint now);

    store::Store& store_;
    SnapshotPublisher* publisher_;
    MonitorAutomationOptions options_;
    PlansCallback on_plans_;
    std::function<void()> on_change_;
    std::function<void()> on_results_;

    mutable std::mutex mu_;  // guards queue_, dirty_, plans_
    std::deque<Pending> queue_;
    bool dirty_ = true;
    std::vector<monitor::CheckPlan> plans_;
    std::map<std::string, std::vector<std::string>> plan_locations_;  // monitor id -> locations

    // engine thread only
    std::map<std::string, monitor::Monitor> monitors_;
    std::map<std::string, monitor::MonitorState> states_;

    Counter& results_stored_;
    Counter& results_dropped_;
    Counter& state_changes_;
};

}  // namespace tocsin::engine
