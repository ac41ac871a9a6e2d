/// @file
/// @brief The check engine: runs every monitor's check on its interval from one event loop.
///
/// One thread runs one Asio io_context. HTTP(S) goes through libcurl's multi socket
/// interface driven by that loop; TCP, TLS, DNS (c-ares) and ICMP are asynchronous on the
/// same loop. No thread per check, no blocking call on the loop. Checks are spread over
/// their interval (a stable offset per monitor plus jitter), never fired in bursts.
/// Asio and libcurl stay inside this module's .cpp files.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/monitor/judge.hpp"
#include "tocsin/monitor/observation.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tocsin::checks {

struct CheckEngineOptions {
    std::string location = "local";
    /// Checks allowed in flight at once; a check that would exceed it waits (and its
    /// lateness is counted).
    std::size_t max_in_flight = 4096;
};

struct CheckEngineStats {
    std::uint64_t checks_started = 0;
    std::uint64_t checks_finished = 0;
    /// Scheduled runs not started because the monitor's previous check was still running.
    std::uint64_t checks_skipped = 0;
    std::size_t in_flight = 0;
    std::size_t monitors = 0;
    /// Lateness (actual start minus scheduled start) over the last 10,000 checks.
    std::chrono::microseconds lateness_p50{0};
    std::chrono::microseconds lateness_p99{0};
    std::chrono::microseconds lateness_max{0};
};

class CheckEngine {
public:
    /// Called on the engine thread with every judged result. Must return quickly
    /// (hand the result to a queue); it must not call back into the engine.
    using ResultSink = std::function<void(monitor::CheckResult)>;

    /// `clock` stamps CheckResult::at; scheduling itself uses the steady clock.
    CheckEngine(const Clock& clock, CheckEngineOptions options, ResultSink sink);
    ~CheckEngine();  // stops
    CheckEngine(const CheckEngine&) = delete;
    CheckEngine& operator=(const CheckEngine&) = delete;

    /// Starts the loop thread. Call once.
    void Start();
    /// Stops the loop: checks in flight are abandoned (no result), the thread is joined.
    /// Idempotent, thread-safe.
    void Stop();

    /// Replaces the set of scheduled monitors. A monitor whose plan did not change keeps its
    /// place in the schedule; a new or changed one first runs within one interval (at its
    /// stable offset); a removed one stops (a check in flight finishes without a result).
    /// Heartbeat plans are ignored (they are passive). Thread-safe.
    void SetPlans(std::vector<monitor::CheckPlan> plans);

    /// Runs one check now, outside the schedule, and calls `done` on the engine thread.
    /// It takes a max_in_flight slot (ahead of queued scheduled runs when none is free);
    /// its result goes to `done` only, not to the sink. After Stop(), `done` is never called.
    /// Thread-safe; used by "check now" in the API and by tests.
    void CheckNow(monitor::CheckPlan plan, std::function<void(monitor::CheckResult)> done);

    [[nodiscard]] CheckEngineStats Stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::checks
