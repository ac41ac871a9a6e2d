#include "tocsin/checks/engine_schedule.hpp"

#include <algorithm>

namespace tocsin::checks::detail {
namespace {

void AppendField(std::string& out, std::string_view value) {
    // Length-prefixed, so no value can imitate a field boundary.
    out += std::to_string(value.size());
    out += ':';
    out += value;
}

}  // namespace

std::uint64_t StableHash(std::string_view text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    // FNV's low bits mix poorly for short, similar ids ("m-1", "m-2"); finish with the
    // splitmix64 avalanche so `h % interval` is uniform.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

std::chrono::microseconds StableOffset(std::string_view monitor_id, std::chrono::microseconds interval) {
    if (interval.count() <= 0) return std::chrono::microseconds{0};
    return std::chrono::microseconds{static_cast<std::int64_t>(StableHash(monitor_id) % interval.count())};
}

std::chrono::microseconds MaxJitter(std::chrono::microseconds interval) {
    return std::min<std::chrono::microseconds>(interval / 50, std::chrono::seconds{1});
}

std::string PlanFingerprint(const monitor::CheckPlan& plan) {
    const auto& s = plan.spec;
    std::string out;
    out.reserve(256 + s.url.size() + s.body.size() + s.ca_pem.size());
    AppendField(out, plan.monitor_id);
    AppendField(out, std::to_string(static_cast<int>(s.type)));
    AppendField(out, s.url);
    AppendField(out, s.method);
    AppendField(out, std::to_string(s.headers.size()));
    for (const auto& [name, value] : s.headers) {
        AppendField(out, name);
        AppendField(out, value);
    }
    AppendField(out, s.body);
    AppendField(out, s.basic_user);
    AppendField(out, s.basic_password);
    AppendField(out, s.bearer_token);
    AppendField(out, s.follow_redirects ? "1" : "0");
    AppendField(out, s.verify_tls ? "1" : "0");
    AppendField(out, s.ca_pem);
    AppendField(out, s.host);
    AppendField(out, std::to_string(s.port));
    AppendField(out, s.server_name);
    AppendField(out, s.dns_record_type);
    AppendField(out, s.dns_resolver);
    AppendField(out, std::to_string(s.timeout.count()));
    AppendField(out, std::to_string(plan.interval.count()));
    AppendField(out, plan.degraded_threshold ? std::to_string(plan.degraded_threshold->count()) : "-");
    return out;
}

LatenessWindow::LatenessWindow(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {
    samples_.reserve(capacity_);
}

void LatenessWindow::Add(std::chrono::microseconds sample) {
    if (samples_.size() < capacity_) {
        samples_.push_back(sample);
        return;
    }
    samples_[next_] = sample;
    next_ = (next_ + 1) % capacity_;
}

LatenessWindow::Summary LatenessWindow::Summarize() const {
    Summary s;
    if (samples_.empty()) return s;
    std::vector<std::chrono::microseconds> sorted = samples_;
    // Nearest-rank percentiles: the smallest sample with at least p % of samples at or below it.
    auto rank = [&](std::size_t percent) {
        std::size_t r = (percent * sorted.size() + 99) / 100;
        return std::max<std::size_t>(r, 1) - 1;
    };
    auto p50 = sorted.begin() + static_cast<std::ptrdiff_t>(rank(50));
    std::nth_element(sorted.begin(), p50, sorted.end());
    s.p50 = *p50;
    auto p99 = sorted.begin() + static_cast<std::ptrdiff_t>(rank(99));
    std::nth_element(p50, p99, sorted.end());
    s.p99 = *p99;
    s.max = *std::max_element(p99, sorted.end());
    return s;
}

}  // namespace tocsin::checks::detail
