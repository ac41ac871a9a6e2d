/// @file
/// @brief Time as a dependency: every engine asks a Clock, pure code takes `now`.
///
/// Tests inject test::FakeClock and advance it; nothing in tocsin may call
/// std::chrono::system_clock::now() outside SystemClock.
#pragma once

#include <chrono>

namespace tocsin {

/// Millisecond wall-clock time, the unit stored in the database and sent in JSON.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

class Clock {
public:
    virtual ~Clock() = default;

    /// Current wall-clock time. Thread-safe.
    [[nodiscard]] virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] TimePoint Now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    }
};

}  // namespace tocsin
