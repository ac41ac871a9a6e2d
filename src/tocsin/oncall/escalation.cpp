#include "tocsin/oncall/escalation.hpp"

#include <string>

namespace tocsin::oncall {

std::string_view ToString(TargetKind k) {
    switch (k) {
        case TargetKind::kUser:
            return "user";
        case TargetKind::kSchedule:
            return "schedule";
        case TargetKind::kTeamAll:
            return "team";
        case TargetKind::kTeamRoundRobin:
            return "team_round_robin";
    }
    return "user";
}

std::optional<TargetKind> ParseTargetKind(std::string_view s) {
    if (s == "user") return TargetKind::kUser;
    if (s == "schedule") return TargetKind::kSchedule;
    if (s == "team") return TargetKind::kTeamAll;
    if (s == "team_round_robin") return TargetKind::kTeamRoundRobin;
    return std::nullopt;
}

Result<void> Validate(const EscalationPolicy& p) {
    if (p.name.empty() || p.name.size() > 200) return Error::Invalid("name", "must be 1 to 200 characters");
    if (p.description.size() > 2000) return Error::Invalid("description", "must be at most 2000 characters");
    if (p.levels.empty() || p.levels.size() > static_cast<std::size_t>(kMaxLevels)) {
        return Error::Invalid("levels", "must have 1 to " + std::to_string(kMaxLevels) + " levels");
    }
    if (p.repeat < 0 || p.repeat > kMaxRepeat) {
        return Error::Invalid("repeat", "must be 0 to " + std::to_string(kMaxRepeat));
    }
    for (std::size_t i = 0; i < p.levels.size(); ++i) {
        const auto& level = p.levels[i];
        const std::string at = "levels[" + std::to_string(i) + "]";
        if (level.targets.empty() || level.targets.size() > static_cast<std::size_t>(kMaxTargets)) {
            return Error::Invalid(at + ".targets", "must have 1 to " + std::to_string(kMaxTargets) + " targets");
        }
        // A zero delay would page the next level in the same round: every level at once.
        if (level.delay < std::chrono::minutes(1) || level.delay > kMaxDelay) {
            return Error::Invalid(at + ".delay_minutes", "must be 1 to 1440 minutes");
        }
        for (std::size_t t = 0; t < level.targets.size(); ++t) {
            const auto& target = level.targets[t];
            if (target.id.empty() || target.id.size() > 64) {
                return Error::Invalid(at + ".targets[" + std::to_string(t) + "].id", "must be 1 to 64 characters");
            }
        }
    }
    return {};
}

std::optional<NextEscalation> NextStep(
    const EscalationPolicy& p, EscalationStep current, TimePoint fired_at, std::chrono::milliseconds minute
) {
    const int levels = static_cast<int>(p.levels.size());
    if (current.level < 0 || current.level >= levels || current.pass < 0 || current.pass > p.repeat) {
        return std::nullopt;
    }
    EscalationStep next = current;
    if (current.level + 1 < levels) {
        next.level = current.level + 1;
    } else if (current.pass < p.repeat) {
        next.level = 0;
        next.pass = current.pass + 1;
    } else {
        return std::nullopt;
    }
    const auto delay = minute * p.levels[static_cast<std::size_t>(current.level)].delay.count();
    return NextEscalation{next, fired_at + std::chrono::duration_cast<std::chrono::milliseconds>(delay)};
}

EscalationStep EscalateNowStep(const EscalationPolicy& p, EscalationStep current) {
    const int levels = static_cast<int>(p.levels.size());
    if (levels == 0) return {};
    if (current.level < 0 || current.pass < 0) return {};
    if (current.level + 1 < levels) return {current.level + 1, current.pass};
    if (current.pass < p.repeat) return {0, current.pass + 1};
    return {levels - 1, p.repeat};
}

std::string RoundRobinMember(
    const std::vector<std::string>& members_by_position, std::int64_t incident_number, int pass
) {
    if (members_by_position.empty()) return {};
    const auto n = static_cast<std::int64_t>(members_by_position.size());
    std::int64_t i = (incident_number + pass) % n;
    if (i < 0) i += n;
    return members_by_position[static_cast<std::size_t>(i)];
}

}  // namespace tocsin::oncall
