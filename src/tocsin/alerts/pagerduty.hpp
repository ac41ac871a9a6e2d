/// @file
/// @brief PagerDuty Events API v2: alert events (`/v2/enqueue`) and change events
/// (`/v2/change/enqueue`) parsed into IntakeEvents. Pure: no store, no HTTP.
///
/// Validation follows PagerDuty's documented rules: `routing_key` and `event_action` always;
/// `dedup_key` (at most 255 characters) for acknowledge and resolve; for a trigger a `payload`
/// with `summary` (at most 1024 characters), `source` and `severity`
/// (critical|error|warning|info); `timestamp` as ISO 8601 with `Z`, `+00:00` or `+0000`.
/// Every problem found is reported, each naming its field, the way PagerDuty's 400 lists them.
#pragma once

#include "tocsin/alerts/intake.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::alerts::pagerduty {

inline constexpr std::size_t kMaxBodyBytes = 512 * 1024;
inline constexpr std::size_t kMaxSummaryChars = 1024;
inline constexpr std::size_t kMaxDedupKeyChars = 255;
inline constexpr std::size_t kMaxLinks = 50;

struct Parsed {
    /// The integration key from the body; empty when it is missing or not a string.
    std::string routing_key;
    /// Valid only when `errors` is empty. For a trigger without `dedup_key` the identifier
    /// is empty: the route generates one and returns it.
    IntakeEvent event{};
    /// One message per problem, each naming the field ("'payload.severity' must be one of ...").
    std::vector<std::string> errors;
    /// True when the body is not a JSON object at all (PagerDuty's "Unrecognized object").
    bool unrecognized = false;

    [[nodiscard]] bool Ok() const { return errors.empty(); }
};

/// Parses one alert event (trigger, acknowledge, resolve).
Parsed ParseAlertEvent(std::string_view body);

/// Parses one change event: `routing_key`, `payload.summary` required; `payload.source`,
/// `payload.timestamp`, `payload.custom_details`, `links` optional. Action kChangeEvent.
Parsed ParseChangeEvent(std::string_view body);

}  // namespace tocsin::alerts::pagerduty
