#include "tocsin/monitor/rollup.hpp"

#include <algorithm>
#include <cmath>

namespace tocsin::monitor {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string_view RollupPeriodName(RollupPeriod p) {
    return p == RollupPeriod::kHour ? "hour" : "day";
}

milliseconds RollupLength(RollupPeriod p) {
    return p == RollupPeriod::kHour ? milliseconds(3'600'000) : milliseconds(86'400'000);
}

TimePoint RollupStart(RollupPeriod p, TimePoint t) {
    auto len = RollupLength(p).count();
    auto ms = t.time_since_epoch().count();
    auto floored = ms >= 0 ? ms - ms % len : ms - ((ms % len) + len) % len;
    return TimePoint(milliseconds(floored));
}

Rollup Summarize(std::string monitor_id, RollupPeriod period, TimePoint start, std::vector<ResultSample> samples) {
    Rollup r;
    r.monitor_id = std::move(monitor_id);
    r.period = period;
    r.start = start;
    std::vector<std::int64_t> times;
    times.reserve(samples.size());
    for (const auto& s : samples) {
        ++r.checks;
        if (s.outcome == Outcome::kDown) {
            ++r.failures;
            continue;
        }
        if (s.outcome == Outcome::kDegraded) ++r.degraded;
        times.push_back(s.total.count());
    }
    if (times.empty()) return r;
    std::sort(times.begin(), times.end());
    auto rank = [&](double q) {
        auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(times.size())));
        return microseconds(times[std::clamp<std::size_t>(idx, 1, times.size()) - 1]);
    };
    r.p50 = rank(0.50);
    r.p95 = rank(0.95);
    r.p99 = rank(0.99);
    long double sum = 0;
    for (auto t : times) sum += static_cast<long double>(t);
    r.mean = microseconds(static_cast<std::int64_t>(sum / static_cast<long double>(times.size())));
    return r;
}

Rollup Combine(std::string monitor_id, RollupPeriod period, TimePoint start, const std::vector<Rollup>& parts) {
    Rollup r;
    r.monitor_id = std::move(monitor_id);
    r.period = period;
    r.start = start;
    long double w50 = 0, w95 = 0, w99 = 0, wmean = 0, weight = 0;
    for (const auto& p : parts) {
        r.checks += p.checks;
        r.failures += p.failures;
        r.degraded += p.degraded;
        auto w = static_cast<long double>(p.checks - p.failures);
        if (w <= 0) continue;
        weight += w;
        w50 += w * static_cast<long double>(p.p50.count());
        w95 += w * static_cast<long double>(p.p95.count());
        w99 += w * static_cast<long double>(p.p99.count());
        wmean += w * static_cast<long double>(p.mean.count());
    }
    if (weight > 0) {
        r.p50 = microseconds(static_cast<std::int64_t>(w50 / weight));
        r.p95 = microseconds(static_cast<std::int64_t>(w95 / weight));
        r.p99 = microseconds(static_cast<std::int64_t>(w99 / weight));
        r.mean = microseconds(static_cast<std::int64_t>(wmean / weight));
    }
    return r;
}

}  // namespace tocsin::monitor
