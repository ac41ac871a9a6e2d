/// @file
/// @brief Silences: alerts that match are recorded but flagged silenced (they never page).
///
/// A silence applies to one service (or every service when empty) and, optionally, to alerts
/// whose labels match all its matchers. It is one-off (starts_at..ends_at) or weekly recurring
/// (days of week and a time-of-day span in UTC minutes). A status-page maintenance in progress
/// silences its components' services through a silence carrying its maintenance_id.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/common/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::alerts {

struct LabelMatcher {
    std::string name;
    std::string value;
    bool equal = true;  // false: label must differ (or be absent)
};

struct Silence {
    std::string id;
    std::string service_id;  // empty: every service
    std::vector<LabelMatcher> matchers;
    std::string comment;
    std::string created_by;
    std::string maintenance_id;  // set for silences derived from a status-page maintenance
    TimePoint starts_at{};
    std::optional<TimePoint> ends_at;  // nullopt: open-ended
    // Weekly recurrence (UTC): when days is non-empty the silence is active only on those
    // weekdays (0 = Sunday) between start_minute and end_minute (minutes of the day).
    std::vector<int> weekly_days;
    int start_minute = 0;
    int end_minute = 24 * 60;
    TimePoint created_at{};

    /// Active at `now` (within starts_at..ends_at and, if recurring, inside today's span).
    [[nodiscard]] bool IsActiveAt(TimePoint now) const;
    /// Applies to an alert of `service_id` with `labels` at `now`.
    [[nodiscard]] bool Matches(
        const std::string& alert_service_id,
        const std::vector<std::pair<std::string, std::string>>& labels,
        TimePoint now
    ) const;
};

/// Checks a silence's fields; errors name the field ("matchers[0].name", "weekly_days[1]").
Result<void> Validate(const Silence& s);

/// True if any silence in `silences` matches.
bool IsSilenced(
    const std::vector<Silence>& silences,
    const std::string& service_id,
    const std::vector<std::pair<std::string, std::string>>& labels,
    TimePoint now
);

}  // namespace tocsin::alerts
