/// @file
/// @brief ISO-8601 text for TimePoint, the way Statuspage and PagerDuty write it; the other
/// date forms (HTTP, mail, iCalendar) and iCalendar's text escaping and line folding.
#pragma once

#include "tocsin/common/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

/// "2025-03-01T10:15:02.118Z" (always UTC, always milliseconds).
std::string FormatIso8601(TimePoint t);

/// Accepts "YYYY-MM-DDTHH:MM:SS" with optional fraction and a zone of Z, +HH:MM, +HHMM
/// or +HH; a bare date "YYYY-MM-DD" means midnight UTC. Returns nullopt on anything else.
std::optional<TimePoint> ParseIso8601(std::string_view text);

/// RFC 7231 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (Last-Modified, RSS pubDate uses RFC 822 alike).
std::string FormatHttpDate(TimePoint t);

/// The RFC 5322 date-time of a UTC TimePoint, whole seconds, followed by `zone`:
/// "Sun, 06 Nov 1994 08:49:37 " + zone ("GMT" for HTTP, "+0000" for a mail's Date).
std::string FormatRfc5322Utc(TimePoint t, std::string_view zone);

/// iCalendar UTC form: "20250301T101502Z".
std::string FormatICalUtc(TimePoint t);

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newline are escaped; CR and the
/// other control characters (TEXT allows none but tab) are left out.
[[nodiscard]] std::string EscapeICalText(std::string_view text);

/// Folds one iCalendar content line (without its CRLF) so that no physical line passes 75
/// octets, never inside a UTF-8 sequence (continuation lines start with a space), and appends
/// CRLF.
[[nodiscard]] std::string FoldICalLine(std::string_view line);

inline std::int64_t ToMillis(TimePoint t) {
    return t.time_since_epoch().count();
}
inline TimePoint FromMillis(std::int64_t ms) {
    return TimePoint(std::chrono::milliseconds(ms));
}

}  // namespace tocsin
