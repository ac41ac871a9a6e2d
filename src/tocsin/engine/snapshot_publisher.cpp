#include "tocsin/engine/snapshot_publisher.hpp"

namespace tocsin::engine {

SnapshotPublisher::SnapshotPublisher(
    store::Store& store, const Clock& clock, const page::SnapshotBuilder& builder, MetricsRegistry& metrics
)
    : store_(store),
      clock_(clock),
      builder_(builder),
      rebuilds_(metrics.GetCounter("tocsin_snapshot_rebuilds_total", "Public page snapshots built")),
      build_seconds_(
          metrics.GetHistogram("tocsin_snapshot_build_duration_seconds", "Time to load and render a snapshot")
      ) {}

Result<void> SnapshotPublisher::Refresh() {
    std::uint64_t ticket = requested_.fetch_add(1) + 1;
    std::lock_guard lock(build_mu_);
    // A build that started after our request already read our commit.
    if (completed_ >= ticket) return {};
    std::uint64_t target = requested_.load();
    auto started = std::chrono::steady_clock::now();
    TOCSIN_ASSIGN(state, store::LoadPageState(store_));
    if (uptime_) state.uptime = *uptime_;
    last_state_ = std::make_shared<const domain::PageState>(std::move(state));
    Publish(*last_state_);
    build_seconds_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    completed_ = target;
    if (on_refreshed_) on_refreshed_();
    return {};
}

void SnapshotPublisher::Rerender() {
    std::lock_guard lock(build_mu_);
    if (last_state_) Publish(*last_state_);
}

void SnapshotPublisher::SetUptime(std::shared_ptr<const domain::UptimeState> uptime) {
    std::lock_guard lock(build_mu_);
    uptime_ = std::move(uptime);
    if (!last_state_) return;
    auto state = std::make_shared<domain::PageState>(*last_state_);
    state->uptime = *uptime_;
    last_state_ = std::move(state);
    Publish(*last_state_);
}

void SnapshotPublisher::Publish(const domain::PageState& state) {
    auto previous = current_.load();
    current_.store(builder_.Build(state, clock_.Now(), ++generation_, previous.get()));
    rebuilds_.Add();
}

}  // namespace tocsin::engine
