/// @file
/// @brief Runs every engine on one background thread at its interval until stopped.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/metrics.hpp"
#include "tocsin/engine/engine.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tocsin::engine {

class EngineRunner {
public:
    EngineRunner(const Clock& clock, MetricsRegistry& metrics) : clock_(clock), metrics_(metrics) {}
    ~EngineRunner() { Stop(); }

    /// Adds an engine before Start(). The runner does not own it.
    void Add(Engine& engine) { engines_.push_back(&engine); }

    /// Starts the loop thread; every engine runs once right away, then at its interval.
    void Start();
    /// Stops the loop and joins the thread. Idempotent; thread-safe.
    void Stop();

private:
    void Loop();

    const Clock& clock_;
    MetricsRegistry& metrics_;
    std::vector<Engine*> engines_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
};

}  // namespace tocsin::engine
