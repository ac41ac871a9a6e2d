/// @file
/// @brief Owns the current public snapshot: rebuilds it after a change and swaps it in.
///
/// Readers (request handlers on I/O threads) only call Current(), an atomic load.
/// Refresh() is called by writers after their commit; concurrent calls coalesce into
/// as few rebuilds as possible, and each caller returns only once a snapshot that
/// includes its commit is published (read-your-writes for the admin).
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/metrics.hpp"
#include "tocsin/domain/page_state.hpp"
#include "tocsin/engine/engine.hpp"
#include "tocsin/page/snapshot.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/store/store.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace tocsin::engine {

class SnapshotPublisher {
public:
    SnapshotPublisher(
        store::Store& store, const Clock& clock, const page::SnapshotBuilder& builder, MetricsRegistry& metrics
    );

    /// The published snapshot; nullptr before the first Refresh(). Thread-safe, lock-free for readers.
    [[nodiscard]] std::shared_ptr<const page::Snapshot> Current() const { return current_.load(); }

    /// Reloads the page state from the store and publishes a new snapshot. Blocking.
    [[nodiscard]] Result<void> Refresh();

    /// Re-renders the last loaded state at the clock's time (for "starts in" texts) without
    /// reading the store. Blocking.
    void Rerender();

    /// Replaces the monitoring history shown on the page and re-renders the last loaded
    /// state with it, without reading incidents from the store. Blocking.
    void SetUptime(std::shared_ptr<const domain::UptimeState> uptime);

    /// Called after Refresh() published a snapshot of freshly loaded state (components,
    /// incidents, maintenances, settings changed), on the refreshing thread; must not block.
    /// Not after Rerender() or SetUptime(). Set before the first concurrent Refresh().
    void OnRefreshed(std::function<void()> cb) { on_refreshed_ = std::move(cb); }

private:
    void Publish(const domain::PageState& state);

    store::Store& store_;
    const Clock& clock_;
    const page::SnapshotBuilder& builder_;
    std::atomic<std::shared_ptr<const page::Snapshot>> current_;
    std::mutex build_mu_;  // one build at a time
    std::atomic<std::uint64_t> requested_{0};
    std::uint64_t completed_ = 0;                          // guarded by build_mu_
    std::uint64_t generation_ = 0;                         // guarded by build_mu_
    std::shared_ptr<const domain::PageState> last_state_;  // guarded by build_mu_
    std::shared_ptr<const domain::UptimeState> uptime_;    // guarded by build_mu_
    std::function<void()> on_refreshed_;
    Counter& rebuilds_;
    Histogram& build_seconds_;
};

/// Re-renders the page every minute so that relative times stay true.
class PageClockEngine final : public Engine {
public:
    explicit PageClockEngine(SnapshotPublisher& publisher) : publisher_(publisher) {}
    std::string_view Name() const override { return "page_clock"; }
    std::chrono::milliseconds Interval() const override { return std::chrono::minutes(1); }
    Result<void> RunOnce(TimePoint) override {
        publisher_.Rerender();
        return {};
    }

private:
    SnapshotPublisher& publisher_;
};

}  // namespace tocsin::engine
