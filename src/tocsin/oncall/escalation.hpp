/// @file
/// @brief Escalation policies and their stepping: which level pages next, and when.
///
/// Pure values and functions of (policy, step, time): no store, no clock of its own. The
/// escalation engine (engine/escalation_engine) keeps the steps in a durable timer table and
/// asks NextStep what to insert after a level fired. A policy is an ordered list of levels;
/// each level pages its targets, then waits `delay` before the next level. After the last
/// level the whole policy starts again, `repeat` more times; then escalation ends.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::oncall {

/// Who a level pages: one user, whoever is on call on a schedule at that moment, every member
/// of a team, or one member of a team in turn (round robin by the members' `position`).
enum class TargetKind { kUser, kSchedule, kTeamAll, kTeamRoundRobin };

/// "user", "schedule", "team", "team_round_robin".
[[nodiscard]] std::string_view ToString(TargetKind k);
[[nodiscard]] std::optional<TargetKind> ParseTargetKind(std::string_view s);

struct EscalationTarget {
    TargetKind kind = TargetKind::kUser;
    std::string id;  // user, schedule or team id
};

struct EscalationLevel {
    std::vector<EscalationTarget> targets;  // 1..20
    /// Minutes from this level's page to the next level (or to the next pass after the last).
    std::chrono::minutes delay{30};
};

struct EscalationPolicy {
    std::string id, name, description;
    std::vector<EscalationLevel> levels;  // 1..20
    int repeat = 0;                       // extra passes over all levels after the first, 0..9
    TimePoint created_at{};
    TimePoint updated_at{};
};

/// Limits Validate enforces (also what the API documents).
inline constexpr int kMaxLevels = 20;
inline constexpr int kMaxTargets = 20;
inline constexpr int kMaxRepeat = 9;
inline constexpr std::chrono::minutes kMaxDelay{1440};

/// Errors name the field: "name", "levels", "levels[1].targets", "levels[0].targets[2].id",
/// "levels[0].delay_minutes", "repeat".
[[nodiscard]] Result<void> Validate(const EscalationPolicy& p);

/// A position in an escalation: level index (0-based) in pass `pass` (0 = the first pass).
struct EscalationStep {
    int level = 0;
    int pass = 0;

    friend bool operator==(const EscalationStep&, const EscalationStep&) = default;
};

/// The step after `current` and when it is due.
struct NextEscalation {
    EscalationStep step;
    TimePoint due_at{};
};

/// The step that follows `current`, due `current` level's delay after `fired_at`. `minute` is
/// the length of one policy minute (60 s; tests shorten it). nullopt when `current` was the last
/// level of the last pass, or `current` is outside the policy.
[[nodiscard]] std::optional<NextEscalation> NextStep(
    const EscalationPolicy& p,
    EscalationStep current,
    TimePoint fired_at,
    std::chrono::milliseconds minute = std::chrono::minutes(1)
);

/// The step an "escalate now" moves to from `current`: the next level of the same pass, or the
/// first level of the next pass after the last level; when the policy is exhausted it stays on
/// the last level of the last pass (a human asked for more paging: page the last level again).
[[nodiscard]] EscalationStep EscalateNowStep(const EscalationPolicy& p, EscalationStep current);

/// The member a round-robin team target pages for the incident numbered `incident_number` in
/// pass `pass`: members ordered by position (the caller sorts), index (number + pass) mod size.
/// Consecutive incidents go to consecutive members, and each repeat pass moves on by one, so
/// nobody is woken twice in a row by the same unanswered incident. Empty for an empty team.
[[nodiscard]] std::string RoundRobinMember(
    const std::vector<std::string>& members_by_position, std::int64_t incident_number, int pass
);

}  // namespace tocsin::oncall
