/// @file
/// @brief Monitoring history on the public page: the 90-day uptime bar of a component and
/// the response-time chart of a monitor, as inline SVG, plus the numbers and words around them.
///
/// Pure functions of their arguments: no clock, no store. The SVG carries no style attribute
/// and no script (the page's CSP allows neither); colours come from classes in page.css, so
/// dark mode follows the page. Text from monitors is escaped here, because the SVG is inserted
/// into the templates unescaped.
#pragma once

#include "tocsin/domain/uptime.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/local_time.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::page {

/// Words and clocks of one rendering. `local` is in the page's time zone (hourly chart
/// labels); `utc` formats the day buckets, which are UTC days (domain::DayUptime).
struct RenderLocale {
    const Catalog& catalog;
    std::string lang;
    const TimeFormatter& local;
    const TimeFormatter& utc;
};

// ---- 90-day bar -------------------------------------------------------------------------------

inline constexpr int kBarDays = 90;

/// One segment of a component's bar, combined from the component's monitors.
struct BarDay {
    TimePoint day_start{};
    domain::DayHealth health = domain::DayHealth::kNoData;  // the worst of the monitors' days
    std::optional<double> uptime_percent;                   // the lowest of the monitors with checks
    std::int64_t outage_seconds = 0;                        // the longest of the monitors' outages
};

/// Monitors shown on the page for `component_id` (their component_ids contain it), in the
/// order of `uptime.monitors`.
[[nodiscard]] std::vector<const domain::MonitorUptime*> MonitorsOf(
    const domain::UptimeState& uptime, std::string_view component_id
);

/// Exactly kBarDays days, oldest first, the last is the UTC day containing `now`. Each
/// monitor day is placed by its day_start; days outside the window are ignored, missing ones
/// are "no data" (a monitor created last week, data loaded before midnight). Worst-of health,
/// minimum uptime among monitors with checks, longest outage: a component is as bad as its
/// worst monitor.
[[nodiscard]] std::vector<BarDay> CombineDays(const std::vector<const domain::MonitorUptime*>& monitors, TimePoint now);

/// The lowest 90-day uptime among `monitors`; absent when none has one.
[[nodiscard]] std::optional<double> CombineUptime90d(const std::vector<const domain::MonitorUptime*>& monitors);

/// "December 3, 2026: Outage, 97.50% uptime, 36 min down" in the locale's language.
[[nodiscard]] std::string DayTitle(const BarDay& day, const RenderLocale& locale);
/// The localized word of a day's health ("Störung").
[[nodiscard]] std::string HealthLabel(domain::DayHealth health, const RenderLocale& locale);
/// "kNoData" → "no_data", ...: the suffix of the CSS classes and i18n keys.
[[nodiscard]] std::string_view HealthName(domain::DayHealth health);
/// Outage seconds as whole minutes, rounded up so that any outage shows ("1 min").
[[nodiscard]] std::string OutageText(std::int64_t outage_seconds, const RenderLocale& locale);

/// Inline SVG of the bar: one <rect> per day with a <title> for the hover text. The SVG is
/// aria-hidden: the caller renders the same days as a table for assistive technology and
/// keyboard users (a hover title is reachable by neither).
[[nodiscard]] std::string RenderUptimeBar(const std::vector<BarDay>& days, const RenderLocale& locale);

// ---- numbers ----------------------------------------------------------------------------------

/// "99.95%" / "99,95 %", or "—" when absent. Truncated, not rounded, to two decimals:
/// 99.999% must not read as 100.00%.
[[nodiscard]] std::string FormatPercent(std::optional<double> percent, const RenderLocale& locale);
/// "0 ms", "0.4 ms", "120 ms", "2.5 s", with the locale's decimal separator.
[[nodiscard]] std::string FormatLatency(double milliseconds, const RenderLocale& locale);

// ---- response-time chart ----------------------------------------------------------------------

enum class ChartRange { k24Hours, k7Days, k30Days };

/// The range's page path ("/uptime", "/uptime?range=7d"), i18n key stem ("24h", "7d",
/// "30d") and the monitor's points for it.
[[nodiscard]] std::string_view RangePath(ChartRange range);
[[nodiscard]] std::string_view RangeName(ChartRange range);
[[nodiscard]] const std::vector<domain::LatencyPoint>& RangePoints(const domain::MonitorUptime& m, ChartRange range);

/// The y axis of a chart whose largest value is `max_ms`: gridlines at 0, step, 2·step
/// (and 3·step), with step a 1/2/2.5/5 multiple of a power of ten and at least 1 ms, so the
/// labels stay short. Picks the lowest top that covers `max_ms` (3 or 4 gridlines).
struct LatencyAxis {
    double top_ms = 0;
    std::vector<double> ticks_ms;  // ascending, first 0, last top_ms
};
[[nodiscard]] LatencyAxis ChooseLatencyAxis(double max_ms);

/// One-line summary of the range: median and p95 (check-weighted medians of the points'
/// p50 and p95: an estimate, the exact window percentiles are not in the data), failures.
[[nodiscard]] std::string ChartSummary(
    const std::vector<domain::LatencyPoint>& points, ChartRange range, const RenderLocale& locale
);

/// Inline SVG with role="img", <title> ("Response time of API") and <desc> (ChartSummary):
/// p95 band and line, p50 line, failure marks below the plot (full-height shade where every
/// check failed), y gridlines with labels, x labels in the page's time zone (hourly ranges)
/// or UTC days (30 d). `id_prefix` makes the element ids unique within the document.
/// Points without a successful check break the lines; a lone point is drawn as dots.
[[nodiscard]] std::string RenderLatencyChart(
    const domain::MonitorUptime& monitor, ChartRange range, const RenderLocale& locale, std::string_view id_prefix
);

}  // namespace tocsin::page
