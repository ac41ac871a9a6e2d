/// @file
/// @brief On-call schedules: layered rotations in an IANA time zone, restrictions and overrides.
///
/// Everything here is computed from the definition (GoAlert's pure calculators): nothing is
/// expanded or stored. Rules:
/// - Turn 0 of a layer starts at `start`; each later turn starts at the next handoff. Daily and
///   weekly handoffs happen at `handoff_minute` local time (weekly: on `handoff_weekday`) in the
///   schedule's zone, so a 09:00 handoff stays at 09:00 across daylight-saving changes. A custom
///   turn that is a whole number of days hands off at the local time of day of `start`; other
///   custom turns (hours) are fixed durations.
/// - A local time is taken as the first instant at which the wall clock reads it or later: a time
///   skipped by spring forward happens at the transition (02:30 -> 03:00), a time repeated by fall
///   back at its first occurrence. Handoffs and restriction bounds follow this rule.
/// - Restrictions mask a layer (the rotation goes on underneath). End at or before start crosses
///   midnight (daily) or the week's end (weekly); end == start is a whole day (daily) or week.
/// - Later layers win where they have someone; an override wins over every layer, and among
///   overlapping overrides the last one in the list wins (the store lists them oldest first).
/// - Shifts: adjacent pieces of the same user are merged (their layer is the first piece's).
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::oncall {

/// A weekly window in the schedule's zone; crossing midnight (and the week's end) is allowed.
struct Restriction {
    int start_weekday = -1;  // 0=Monday..6=Sunday, or -1: every day (a "daily restriction")
    int start_minute = 0;    // minutes after local midnight, 0..1439
    int end_weekday = -1;    // -1 with start_weekday == -1
    int end_minute = 0;      // exclusive; end at or before start = crosses into the next day/week
};

struct Layer {
    std::string name;
    TimePoint start{};  // rotation epoch (the first handoff)
    std::optional<TimePoint> end;
    enum class Kind { kDaily, kWeekly, kCustom } kind = Kind::kWeekly;
    std::chrono::minutes turn_length{0};    // custom only (hours or days, as minutes)
    int handoff_minute = 9 * 60;            // local time of day of each handoff (daily/weekly)
    int handoff_weekday = 0;                // weekly: 0=Monday
    std::vector<std::string> user_ids;      // ordered participants
    std::vector<Restriction> restrictions;  // empty: always
};

struct Override {
    std::string id, user_id;
    TimePoint start{}, end{};
};

struct Schedule {
    std::string id, name, description, time_zone /* IANA */, team_id;
    std::vector<Layer> layers;        // later layers win where they have someone
    std::vector<Override> overrides;  // win over all layers
};

struct Shift {
    std::string user_id;
    TimePoint start{}, end{};
    int layer = -1;  // -1: override
    friend bool operator==(const Shift&, const Shift&) = default;
};

/// Who is on call at `t` (the final schedule; usually one user; empty if nobody).
[[nodiscard]] std::vector<std::string> OnCallAt(const Schedule& s, TimePoint t);

/// The final shifts overlapping [from, to), clipped, adjacent equal shifts merged.
[[nodiscard]] std::vector<Shift> Shifts(const Schedule& s, TimePoint from, TimePoint to);

/// The shifts of one layer alone (for the layer view), clipped to [from, to).
[[nodiscard]] std::vector<Shift> LayerShifts(const Schedule& s, int layer, TimePoint from, TimePoint to);

/// Unknown zone, no users, bad restriction...: the error names the field (e.g. "layers[1].user_ids").
[[nodiscard]] Result<void> Validate(const Schedule& s);

/// Parses "daily" | "weekly" | "custom"; Kind names for the API and the store.
[[nodiscard]] std::optional<Layer::Kind> ParseLayerKind(std::string_view text);
[[nodiscard]] const char* LayerKindName(Layer::Kind kind);

}  // namespace tocsin::oncall
