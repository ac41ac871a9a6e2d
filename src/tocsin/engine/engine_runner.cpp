#include "tocsin/engine/engine_runner.hpp"

#include "tocsin/common/log.hpp"

namespace tocsin::engine {

void EngineRunner::Start() {
    thread_ = std::thread([this] { Loop(); });
}

void EngineRunner::Stop() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void EngineRunner::Loop() {
    auto log = Logger("engine");
    // Intervals are measured on the steady clock; business time comes from clock_.
    std::vector<std::chrono::steady_clock::time_point> due(engines_.size(), std::chrono::steady_clock::now());
    std::vector<Counter*> failures;
    for (auto* e : engines_) {
        failures.push_back(&metrics_.GetCounter(
            "tocsin_engine_failures_total", "Engine rounds that failed", "engine=\"" + std::string(e->Name()) + "\""
        ));
    }
    std::unique_lock lock(mu_);
    while (!stop_) {
        auto now = std::chrono::steady_clock::now();
        auto next = now + std::chrono::hours(1);
        for (std::size_t i = 0; i < engines_.size(); ++i) {
            if (due[i] <= now) {
                lock.unlock();
                try {
                    auto r = engines_[i]->RunOnce(clock_.Now());
                    if (!r) {
                        failures[i]->Add();
                        log->warn("[engine.{}] {}", engines_[i]->Name(), r.error().message);
                    }
                } catch (const std::exception& ex) {
                    failures[i]->Add();
                    log->error("[engine.{}] escaped exception: {}", engines_[i]->Name(), ex.what());
                }
                lock.lock();
                due[i] = std::chrono::steady_clock::now() + engines_[i]->Interval();
                if (stop_) return;
            }
            next = std::min(next, due[i]);
        }
        cv_.wait_until(lock, next, [this] { return stop_; });
    }
}

}  // namespace tocsin::engine
