/// @file
/// @brief HeartbeatExpiry: raises "<name> is expired" when an Opsgenie heartbeat misses its
/// interval (the ping and disable routes resolve it again).
///
/// Duties, each round:
///   1. read every enabled heartbeat that is not already expired (one read transaction);
///   2. for those whose last ping (or, never pinged, their enabling) is a full interval ago,
///      in ONE write transaction: re-read, mark expired and trigger the expiry alert on the
///      service of the heartbeat's integration key (alias "heartbeat:<name>").
/// A heartbeat whose key is revoked or gone is skipped (the key's owner removed it).
#pragma once

#include "tocsin/engine/engine.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <functional>

namespace tocsin::engine {

class HeartbeatExpiry final : public Engine {
public:
    /// `on_alert` runs after a commit that raised at least one alert (may be empty).
    HeartbeatExpiry(store::Store& store, std::chrono::milliseconds interval, std::function<void()> on_alert = {})
        : store_(store), interval_(interval), on_alert_(std::move(on_alert)) {}

    // engine::Engine
    [[nodiscard]] std::string_view Name() const override { return "heartbeat_expiry"; }
    [[nodiscard]] std::chrono::milliseconds Interval() const override { return interval_; }
    [[nodiscard]] Result<void> RunOnce(TimePoint now) override;

    /// Heartbeats expired so far by this engine (tests, metrics).
    [[nodiscard]] std::size_t ExpiredCount() const { return expired_; }

private:
    store::Store& store_;
    std::chrono::milliseconds interval_;
    std::function<void()> on_alert_;
    std::size_t expired_ = 0;
};

}  // namespace tocsin::engine
