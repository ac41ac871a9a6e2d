/// @file
/// @brief From an Observation to an Outcome: conditions, then the degraded threshold.
#pragma once

#include "tocsin/monitor/condition.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/observation.hpp"

namespace tocsin::monitor {

/// Everything a checker needs to run and judge one monitor; built once per monitor
/// change (conditions parsed then), shared read-only by the engine.
struct CheckPlan {
    std::string monitor_id;
    CheckSpec spec;
    ConditionSet conditions;  // empty: the type's default rule
    std::chrono::seconds interval{60};
    std::optional<std::chrono::milliseconds> degraded_threshold;
};

/// Builds the plan of a monitor; fails only if its conditions do not parse.
[[nodiscard]] Result<CheckPlan> MakePlan(const Monitor& m);

/// down: not reached, or a condition failed (http without conditions: status >= 400);
/// degraded: passed but total time above the threshold; up otherwise.
[[nodiscard]] CheckResult Judge(
    const CheckPlan& plan, const std::string& location, TimePoint started_at, const Observation& obs
);

}  // namespace tocsin::monitor
