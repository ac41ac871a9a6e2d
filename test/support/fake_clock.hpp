/// @file
/// @brief A Clock that moves only when a test says so.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/time_format.hpp"

#include <atomic>
#include <chrono>
#include <string_view>

namespace tocsin::test {

class FakeClock final : public Clock {
public:
    explicit FakeClock(TimePoint start = *ParseIso8601("2026-03-01T10:00:00Z")) : now_ms_(ToMillis(start)) {}

    [[nodiscard]] TimePoint Now() const override { return FromMillis(now_ms_.load()); }
    void Advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }
    void Set(TimePoint t) { now_ms_ = ToMillis(t); }

private:
    std::atomic<std::int64_t> now_ms_;
};

/// Parses an ISO-8601 literal in a test; aborts on a typo so the test fails loudly.
inline TimePoint At(std::string_view iso) {
    auto t = ParseIso8601(iso);
    if (!t) std::abort();
    return *t;
}

}  // namespace tocsin::test
