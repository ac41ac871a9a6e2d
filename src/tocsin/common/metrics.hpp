/// @file
/// @brief Process metrics in Prometheus text format: counters and histograms, lock-free.
///
/// Modules register their metrics once at start-up and update them from any thread.
/// The registry only renders; it never blocks an updater.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace tocsin {

class Counter {
public:
    void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// Fixed buckets in seconds, from 100 µs to 10 s.
class Histogram {
public:
    static constexpr std::array<double, 12> kBounds = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, 10.0};
    void Observe(double seconds);
    [[nodiscard]] std::string Render(const std::string& name, const std::string& labels) const;

private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micros_{0};
};

class MetricsRegistry {
public:
    /// Returns a counter that lives as long as the registry. `labels` like `code="2xx"`.
    Counter& GetCounter(const std::string& name, const std::string& help, const std::string& labels = "");
    Histogram& GetHistogram(const std::string& name, const std::string& help, const std::string& labels = "");
    /// Gauges are read at render time from a callback (e.g. resident memory).
    void AddGauge(const std::string& name, const std::string& help, std::function<double()> read);

    [[nodiscard]] std::string Render() const;

private:
    struct CounterEntry {
        std::string name, help, labels;
        Counter counter;
    };
    struct HistogramEntry {
        std::string name, help, labels;
        Histogram histogram;
    };
    struct GaugeEntry {
        std::string name, help;
        std::function<double()> read;
    };
    mutable std::mutex mu_;
    std::deque<CounterEntry> counters_;  // deque: stable addresses
    std::deque<HistogramEntry> histograms_;
    std::vector<GaugeEntry> gauges_;
};

}  // namespace tocsin
