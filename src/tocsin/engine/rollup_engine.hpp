/// @file
/// @brief Summarises raw check results per hour and per day and enforces retention, so
/// that the database does not grow without bound.
#pragma once

#include "tocsin/engine/engine.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>

namespace tocsin::engine {

struct RetentionOptions {
    std::chrono::hours raw{24 * 7};      // raw results; at least 2 days (day rollups read them)
    std::chrono::hours hourly{24 * 90};  // hourly rollups (charts, 7-day windows)
    std::chrono::hours daily{24 * 730};  // daily rollups (90-day bars, reports)
};

class RollupEngine final : public Engine {
public:
    RollupEngine(store::Store& store, RetentionOptions retention) : store_(store), retention_(retention) {}

    [[nodiscard]] std::string_view Name() const override { return "rollups"; }
    [[nodiscard]] std::chrono::milliseconds Interval() const override { return std::chrono::minutes(1); }
    /// Rolls up every completed hour and day not yet rolled up (at most 48 hours and 2 days
    /// per monitor per round, so a long backlog is worked off in short transactions), then
    /// deletes raw results and rollups past their retention.
    [[nodiscard]] Result<void> RunOnce(TimePoint now) override;

private:
    store::Store& store_;
    RetentionOptions retention_;
};

}  // namespace tocsin::engine
