/// @file
/// @brief Engines: single-purpose loops driven by one EngineRunner.
///
/// An engine does one thing per RunOnce(now) and returns; it never sleeps and never
/// reads a clock of its own, so tests drive it with a FakeClock. The runner owns the
/// timing, catches what escapes and keeps the loop alive.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <chrono>
#include <string_view>

namespace tocsin::engine {

class Engine {
public:
    virtual ~Engine() = default;

    [[nodiscard]] virtual std::string_view Name() const = 0;
    /// How often the runner calls RunOnce.
    [[nodiscard]] virtual std::chrono::milliseconds Interval() const = 0;
    /// Does one round of work as of `now`. Blocking (may use the store). An error is
    /// logged and counted by the runner; the engine runs again at its next interval.
    [[nodiscard]] virtual Result<void> RunOnce(TimePoint now) = 0;
};

}  // namespace tocsin::engine
