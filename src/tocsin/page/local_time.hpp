/// @file
/// @brief Dates and times in the page's time zone, worded in the visitor's language.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/page/i18n.hpp"

#include <memory>
#include <string>

namespace tocsin::page {

/// True if `name` is an IANA zone the system's tz database knows.
bool IsKnownTimeZone(const std::string& name);

class TimeFormatter {
public:
    /// Unknown zones fall back to UTC (settings are validated on write).
    TimeFormatter(const std::string& time_zone, const Catalog& catalog, std::string lang);
    ~TimeFormatter();

    [[nodiscard]] std::string DateTime(TimePoint t) const;    // "November 22, 2026, 14:05 CET"
    [[nodiscard]] std::string Date(TimePoint t) const;        // "November 22, 2026"
    [[nodiscard]] std::string MonthLabel(TimePoint t) const;  // "November 2026"
    [[nodiscard]] std::string ShortDate(TimePoint t) const;   // "Nov 22" / "22. Nov."
    [[nodiscard]] std::string Time(TimePoint t) const;        // "14:05"
    [[nodiscard]] std::string DayKey(TimePoint t) const;      // "2026-11-22" in the page's zone
    [[nodiscard]] std::string MonthKey(TimePoint t) const;    // "2026-11"
    /// Start of the local day containing `t`, minus `days` days.
    [[nodiscard]] TimePoint StartOfDay(TimePoint t, int days_back) const;
    [[nodiscard]] const std::string& ZoneName() const { return zone_name_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string zone_name_;
};

}  // namespace tocsin::page
