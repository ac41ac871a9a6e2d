#include "tocsin/common/metrics.hpp"

#include <fmt/format.h>

#include <set>

namespace tocsin {

void Histogram::Observe(double seconds) {
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Histogram::Render(const std::string& name, const std::string& labels) const {
    std::string out;
    std::string sep = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, sep, kBounds[i], cumulative);
    }
    cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, sep, cumulative);
    std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += fmt::format("{}_sum{} {}\n", name, braces, static_cast<double>(sum_micros_.load()) / 1e6);
    out += fmt::format("{}_count{} {}\n", name, braces, count_.load());
    return out;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help, const std::string& labels) {
    std::lock_guard lock(mu_);
    for (auto& e : counters_) {
        if (e.name == name && e.labels == labels) return e.counter;
    }
    auto& e = counters_.emplace_back();
    e.name = name;
    e.help = help;
    e.labels = labels;
    return e.counter;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help, const std::string& labels) {
    std::lock_guard lock(mu_);
    for (auto& e : histograms_) {
        if (e.name == name && e.labels == labels) return e.histogram;
    }
    auto& e = histograms_.emplace_back();
    e.name = name;
    e.help = help;
    e.labels = labels;
    return e.histogram;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help, std::function<double()> read) {
    std::lock_guard lock(mu_);
    gauges_.push_back(GaugeEntry{name, help, std::move(read)});
}

std::string MetricsRegistry::Render() const {
    std::lock_guard lock(mu_);
    std::string out;
    std::set<std::string> described;
    for (const auto& e : counters_) {
        if (described.insert(e.name).second)
            out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", e.name, e.help, e.name);
        out += fmt::format("{}{} {}\n", e.name, e.labels.empty() ? "" : "{" + e.labels + "}", e.counter.Value());
    }
    for (const auto& e : histograms_) {
        if (described.insert(e.name).second) {
            out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", e.name, e.help, e.name);
        }
        out += e.histogram.Render(e.name, e.labels);
    }
    for (const auto& g : gauges_) {
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", g.name, g.help, g.name, g.name, g.read());
    }
    return out;
}

}  // namespace tocsin
