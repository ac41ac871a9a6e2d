#include "tocsin/oncall/schedule.hpp"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace tocsin::oncall {
namespace {

using std::chrono::duration_cast;
using Seconds = std::chrono::seconds;

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::size_t kMaxLayers = 20;
constexpr std::size_t kMaxUsersPerLayer = 200;
constexpr std::size_t kMaxRestrictions = 50;
constexpr std::chrono::minutes kMaxTurnLength{365 * kMinutesPerDay};

cctz::time_zone LoadZone(const std::string& name) {
    cctz::time_zone tz;
    if (!cctz::load_time_zone(name, &tz)) tz = cctz::utc_time_zone();
    return tz;
}

int WeekdayIndex(const cctz::civil_day& d) {  // 0=Monday..6=Sunday
    switch (cctz::get_weekday(d)) {
        case cctz::weekday::monday:
            return 0;
        case cctz::weekday::tuesday:
            return 1;
        case cctz::weekday::wednesday:
            return 2;
        case cctz::weekday::thursday:
            return 3;
        case cctz::weekday::friday:
            return 4;
        case cctz::weekday::saturday:
            return 5;
        case cctz::weekday::sunday:
            return 6;
    }
    return 0;
}

int Mod(std::int64_t a, std::int64_t m) {
    return static_cast<int>(((a % m) + m) % m);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

/// The first instant at which the zone's wall clock reads `cs` or later: a skipped local time
/// (spring forward) is the transition itself; a repeated one (fall back) its first occurrence.
TimePoint WallClockReaches(const cctz::time_zone& tz, const cctz::civil_second& cs) {
    const auto lookup = tz.lookup(cs);
    const auto instant = lookup.kind == cctz::time_zone::civil_lookup::SKIPPED ? lookup.trans : lookup.pre;
    return TimePoint{duration_cast<std::chrono::milliseconds>(instant.time_since_epoch())};
}

cctz::civil_second Civil(const cctz::time_zone& tz, TimePoint t) {
    return cctz::convert(std::chrono::floor<Seconds>(t), tz);
}

/// The turn boundaries of one layer's rotation. Turn 0 starts at the layer's start; turn k >= 1
/// starts at the k-th handoff after it. Daily/weekly (and whole-day custom) handoffs sit on a grid
/// of local days (every `period_days` from `anchor`, at `time_of_day` local); other custom
/// lengths are fixed durations.
class Rotation {
public:
    Rotation(const Layer& layer, const cctz::time_zone& tz) : tz_(tz), start_(layer.start) {
        const auto start_civil = Civil(tz, layer.start);
        const cctz::civil_day start_day(start_civil);
        switch (layer.kind) {
            case Layer::Kind::kDaily:
            case Layer::Kind::kWeekly: {
                period_days_ = layer.kind == Layer::Kind::kDaily ? 1 : 7;
                time_of_day_ = layer.handoff_minute * 60;
                auto day = start_day;
                if (layer.kind == Layer::Kind::kWeekly) day += Mod(layer.handoff_weekday - WeekdayIndex(day), 7);
                while (HandoffOn(day) <= start_) day += period_days_;
                anchor_ = day;
                break;
            }
            case Layer::Kind::kCustom: {
                const auto minutes = std::max<std::int64_t>(layer.turn_length.count(), 1);
                if (minutes % kMinutesPerDay == 0) {
                    period_days_ = static_cast<int>(minutes / kMinutesPerDay);
                    time_of_day_ = static_cast<int>(start_civil - cctz::civil_second(start_day));
                    anchor_ = start_day + period_days_;
                    while (HandoffOn(anchor_) <= start_) anchor_ += period_days_;  // DST at the anchor
                } else {
                    fixed_ = std::chrono::minutes(minutes);
                }
                break;
            }
        }
    }

    /// The start of turn k (k >= 0).
    TimePoint TurnStart(std::int64_t k) const {
        if (k <= 0) return start_;
        if (fixed_) return start_ + *fixed_ * k;
        return HandoffOn(anchor_ + (k - 1) * period_days_);
    }

    /// The turn holding t (t >= start).
    std::int64_t TurnAt(TimePoint t) const {
        if (t < start_) return 0;
        if (fixed_) return (t - start_) / *fixed_;
        if (t < HandoffOn(anchor_)) return 0;
        const cctz::civil_day day(Civil(tz_, t));
        std::int64_t j = FloorDiv(day - anchor_, period_days_);  // handoff index on the grid (turn j+1)
        if (j < 0) j = 0;
        while (j > 0 && HandoffOn(anchor_ + j * period_days_) > t) --j;
        while (HandoffOn(anchor_ + (j + 1) * period_days_) <= t) ++j;
        return j + 1;
    }

private:
    TimePoint HandoffOn(const cctz::civil_day& day) const {
        return WallClockReaches(tz_, cctz::civil_second(day) + time_of_day_);
    }

    cctz::time_zone tz_;
    TimePoint start_;
    cctz::civil_day anchor_{};
    int period_days_ = 1;
    int time_of_day_ = 0;  // seconds after local midnight
    std::optional<std::chrono::minutes> fixed_;
};

struct Window {
    TimePoint start, end;
};

/// The occurrences of `r` that start on local day `day` (none or one).
std::optional<Window> RestrictionOn(const cctz::time_zone& tz, const Restriction& r, const cctz::civil_day& day) {
    cctz::civil_second start = cctz::civil_second(day) + r.start_minute * 60;
    cctz::civil_second end;
    if (r.start_weekday < 0) {
        end = cctz::civil_second(day) + r.end_minute * 60;
        if (r.end_minute <= r.start_minute) end += 24 * 3600;  // crosses midnight (equal: 24 hours)
    } else {
        if (WeekdayIndex(day) != r.start_weekday) return std::nullopt;
        const int span_days = Mod(r.end_weekday - r.start_weekday, 7);
        end = cctz::civil_second(day + span_days) + r.end_minute * 60;
        if (end <= start) end = cctz::civil_second(cctz::civil_day(end) + 7) + r.end_minute * 60;  // wraps the week
    }
    Window w{WallClockReaches(tz, start), WallClockReaches(tz, end)};
    if (w.end <= w.start) return std::nullopt;
    return w;
}

/// The union of a layer's restriction windows overlapping [from, to), sorted and disjoint.
std::vector<Window> RestrictionWindows(const cctz::time_zone& tz, const Layer& layer, TimePoint from, TimePoint to) {
    std::vector<Window> all;
    const cctz::civil_day first(Civil(tz, from));
    const cctz::civil_day last(Civil(tz, to));
    // A window may start up to 7 days (plus a DST hour) before `from` and still overlap it.
    for (auto day = first - 8; day <= last; ++day) {
        for (const auto& r : layer.restrictions) {
            if (auto w = RestrictionOn(tz, r, day); w && w->end > from && w->start < to) all.push_back(*w);
        }
    }
    std::sort(all.begin(), all.end(), [](const Window& a, const Window& b) { return a.start < b.start; });
    std::vector<Window> merged;
    for (const auto& w : all) {
        if (!merged.empty() && w.start <= merged.back().end) {
            merged.back().end = std::max(merged.back().end, w.end);
        } else {
            merged.push_back(w);
        }
    }
    return merged;
}

bool InRestrictions(const cctz::time_zone& tz, const Layer& layer, TimePoint t) {
    if (layer.restrictions.empty()) return true;
    const cctz::civil_day today(Civil(tz, t));
    for (auto day = today - 8; day <= today; ++day) {
        for (const auto& r : layer.restrictions) {
            if (auto w = RestrictionOn(tz, r, day); w && w->start <= t && t < w->end) return true;
        }
    }
    return false;
}

std::optional<std::string> LayerUserAt(const cctz::time_zone& tz, const Layer& layer, TimePoint t) {
    if (layer.user_ids.empty() || t < layer.start || (layer.end && t >= *layer.end)) return std::nullopt;
    if (!InRestrictions(tz, layer, t)) return std::nullopt;
    const Rotation rotation(layer, tz);
    const auto k = rotation.TurnAt(t);
    return layer.user_ids[static_cast<std::size_t>(k % static_cast<std::int64_t>(layer.user_ids.size()))];
}

void AppendMerged(std::vector<Shift>& out, Shift s) {
    if (s.end <= s.start) return;
    if (!out.empty() && out.back().user_id == s.user_id && out.back().end == s.start) {
        out.back().end = s.end;
        return;
    }
    out.push_back(std::move(s));
}

std::vector<Shift> ComputeLayerShifts(
    const cctz::time_zone& tz, const Layer& layer, int index, TimePoint from, TimePoint to
) {
    std::vector<Shift> out;
    if (layer.user_ids.empty()) return out;
    from = std::max(from, layer.start);
    if (layer.end) to = std::min(to, *layer.end);
    if (from >= to) return out;

    // The rotation's turns over [from, to).
    std::vector<Shift> turns;
    const Rotation rotation(layer, tz);
    const auto n = static_cast<std::int64_t>(layer.user_ids.size());
    for (auto k = rotation.TurnAt(from);; ++k) {
        const auto start = std::max(rotation.TurnStart(k), from);
        const auto end = std::min(rotation.TurnStart(k + 1), to);
        AppendMerged(turns, Shift{layer.user_ids[static_cast<std::size_t>(k % n)], start, end, index});
        if (end >= to) break;
    }
    if (layer.restrictions.empty()) return turns;

    // Intersect the turns with the restriction windows (both sorted and disjoint).
    const auto windows = RestrictionWindows(tz, layer, from, to);
    std::size_t w = 0;
    for (const auto& turn : turns) {
        while (w < windows.size() && windows[w].end <= turn.start) ++w;
        for (auto v = w; v < windows.size() && windows[v].start < turn.end; ++v) {
            AppendMerged(
                out,
                Shift{turn.user_id, std::max(turn.start, windows[v].start), std::min(turn.end, windows[v].end), index}
            );
        }
    }
    return out;
}

/// The override in force at t: the last one in the list that covers it.
const Override* OverrideAt(const std::vector<Override>& overrides, TimePoint t) {
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
        if (it->start <= t && t < it->end) return &*it;
    }
    return nullptr;
}

}  // namespace

std::optional<Layer::Kind> ParseLayerKind(std::string_view text) {
    if (text == "daily") return Layer::Kind::kDaily;
    if (text == "weekly") return Layer::Kind::kWeekly;
    if (text == "custom") return Layer::Kind::kCustom;
    return std::nullopt;
}

const char* LayerKindName(Layer::Kind kind) {
    switch (kind) {
        case Layer::Kind::kDaily:
            return "daily";
        case Layer::Kind::kWeekly:
            return "weekly";
        case Layer::Kind::kCustom:
            return "custom";
    }
    return "weekly";
}

std::vector<std::string> OnCallAt(const Schedule& s, TimePoint t) {
    if (const auto* o = OverrideAt(s.overrides, t)) return {o->user_id};
    const auto tz = LoadZone(s.time_zone);
    for (auto it = s.layers.rbegin(); it != s.layers.rend(); ++it) {
        if (auto user = LayerUserAt(tz, *it, t)) return {*user};
    }
    return {};
}

std::vector<Shift> LayerShifts(const Schedule& s, int layer, TimePoint from, TimePoint to) {
    if (layer < 0 || static_cast<std::size_t>(layer) >= s.layers.size() || from >= to) return {};
    const auto tz = LoadZone(s.time_zone);
    return ComputeLayerShifts(tz, s.layers[static_cast<std::size_t>(layer)], layer, from, to);
}

std::vector<Shift> Shifts(const Schedule& s, TimePoint from, TimePoint to) {
    std::vector<Shift> out;
    if (from >= to) return out;
    const auto tz = LoadZone(s.time_zone);

    // Every layer's shifts and every override become pieces; the boundaries of all pieces cut
    // [from, to) into segments, and each segment goes to the override or topmost layer covering it.
    std::vector<std::vector<Shift>> layers;
    std::vector<TimePoint> cuts{from, to};
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        layers.push_back(ComputeLayerShifts(tz, s.layers[i], static_cast<int>(i), from, to));
        for (const auto& sh : layers.back()) {
            cuts.push_back(sh.start);
            cuts.push_back(sh.end);
        }
    }
    std::vector<Override> overrides;  // those overlapping [from, to), in their order
    for (const auto& o : s.overrides) {
        if (o.end <= from || o.start >= to) continue;
        overrides.push_back(o);
        cuts.push_back(std::max(o.start, from));
        cuts.push_back(std::min(o.end, to));
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    std::vector<std::size_t> next(layers.size(), 0);  // per layer: first shift not yet behind us
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        const auto seg_start = cuts[c];
        const auto seg_end = cuts[c + 1];
        if (const auto* o = OverrideAt(overrides, seg_start)) {
            AppendMerged(out, Shift{o->user_id, seg_start, seg_end, -1});
            continue;
        }
        const Shift* winner = nullptr;
        for (std::size_t i = layers.size(); i-- > 0;) {
            auto& j = next[i];
            while (j < layers[i].size() && layers[i][j].end <= seg_start) ++j;
            if (!winner && j < layers[i].size() && layers[i][j].start <= seg_start) winner = &layers[i][j];
        }
        if (winner) AppendMerged(out, Shift{winner->user_id, seg_start, seg_end, winner->layer});
    }
    return out;
}

Result<void> Validate(const Schedule& s) {
    if (s.name.empty()) return Error::Invalid("name", "name is required");
    if (s.name.size() > 200) return Error::Invalid("name", "name is longer than 200 characters");
    if (s.time_zone.empty()) return Error::Invalid("time_zone", "time_zone is required (an IANA zone name)");
    cctz::time_zone tz;
    if (!cctz::load_time_zone(s.time_zone, &tz)) {
        return Error::Invalid("time_zone", fmt::format("unknown time zone '{}'", s.time_zone));
    }
    if (s.layers.size() > kMaxLayers) return Error::Invalid("layers", fmt::format("at most {} layers", kMaxLayers));
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const auto& l = s.layers[i];
        const auto f = [i](std::string_view name) { return fmt::format("layers[{}].{}", i, name); };
        if (l.user_ids.empty()) return Error::Invalid(f("user_ids"), "a layer needs at least one user");
        if (l.user_ids.size() > kMaxUsersPerLayer) {
            return Error::Invalid(f("user_ids"), fmt::format("at most {} users per layer", kMaxUsersPerLayer));
        }
        for (std::size_t j = 0; j < l.user_ids.size(); ++j) {
            if (l.user_ids[j].empty())
                return Error::Invalid(fmt::format("layers[{}].user_ids[{}]", i, j), "empty user id");
        }
        if (l.end && *l.end <= l.start) return Error::Invalid(f("end"), "end must be after start");
        if (l.kind == Layer::Kind::kCustom) {
            if (l.turn_length < std::chrono::minutes(60) || l.turn_length > kMaxTurnLength) {
                return Error::Invalid(f("turn_length"), "a custom rotation needs a turn of 1 hour to 365 days");
            }
        } else {
            if (l.handoff_minute < 0 || l.handoff_minute >= kMinutesPerDay) {
                return Error::Invalid(f("handoff_minute"), "handoff_minute must be 0..1439 (minutes after midnight)");
            }
            if (l.kind == Layer::Kind::kWeekly && (l.handoff_weekday < 0 || l.handoff_weekday > 6)) {
                return Error::Invalid(f("handoff_weekday"), "handoff_weekday must be 0 (Monday)..6 (Sunday)");
            }
        }
        if (l.restrictions.size() > kMaxRestrictions) {
            return Error::Invalid(f("restrictions"), fmt::format("at most {} restrictions", kMaxRestrictions));
        }
        for (std::size_t j = 0; j < l.restrictions.size(); ++j) {
            const auto& r = l.restrictions[j];
            const auto g = [i, j](std::string_view name) {
                return fmt::format("layers[{}].restrictions[{}].{}", i, j, name);
            };
            if (r.start_weekday < -1 || r.start_weekday > 6) {
                return Error::Invalid(
                    g("start_weekday"), "start_weekday must be 0 (Monday)..6 (Sunday), or -1 (daily)"
                );
            }
            if (r.start_weekday == -1 ? r.end_weekday != -1 : (r.end_weekday < 0 || r.end_weekday > 6)) {
                return Error::Invalid(
                    g("end_weekday"), "end_weekday must be 0..6 for a weekly window and -1 for a daily one"
                );
            }
            if (r.start_minute < 0 || r.start_minute >= kMinutesPerDay) {
                return Error::Invalid(g("start_minute"), "start_minute must be 0..1439");
            }
            if (r.end_minute < 0 || r.end_minute >= kMinutesPerDay) {
                return Error::Invalid(g("end_minute"), "end_minute must be 0..1439");
            }
        }
    }
    for (std::size_t i = 0; i < s.overrides.size(); ++i) {
        const auto& o = s.overrides[i];
        if (o.user_id.empty()) return Error::Invalid(fmt::format("overrides[{}].user_id", i), "user_id is required");
        if (o.end <= o.start) return Error::Invalid(fmt::format("overrides[{}].end", i), "end must be after start");
    }
    return {};
}

}  // namespace tocsin::oncall
