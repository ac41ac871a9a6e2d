// 90-day uptime bars and response-time charts of the public page, as inline SVG strings.
// Everything is computed from the values passed in; the caller decides where it goes.
#include "tocsin/page/uptime_render.hpp"

#include "tocsin/page/markdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <utility>

namespace tocsin::page {
namespace {

using domain::DayHealth;
using domain::LatencyPoint;
using domain::MonitorUptime;

// Replaces every "{key}" in `pattern`; the catalog's Format() knows only "{n}".
std::string Fill(std::string pattern, std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
    for (const auto& [key, value] : values) {
        std::string token = "{" + std::string(key) + "}";
        for (auto pos = pattern.find(token); pos != std::string::npos; pos = pattern.find(token, pos + value.size())) {
            pattern.replace(pos, token.size(), value);
        }
    }
    return pattern;
}

std::string Decimal(double v, int decimals, bool trim, const RenderLocale& locale) {
    std::string s = fmt::format("{:.{}f}", v, decimals);
    if (trim && s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    auto dot = s.find('.');
    if (dot != std::string::npos) s.replace(dot, 1, locale.catalog.Get(locale.lang, "decimal_separator"));
    return s;
}

// "10,080" / "10.080": check counts of a week run into five digits.
std::string Count(std::int64_t n, const RenderLocale& locale) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    const std::string& sep = locale.catalog.Get(locale.lang, "thousands_separator");
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

double Ms(std::chrono::microseconds us) {
    return static_cast<double>(us.count()) / 1000.0;
}

// A point draws latency only if a check succeeded: a failed check's duration is a timeout
// or a refusal, not a response time.
bool HasLatency(const LatencyPoint& p) {
    return p.checks > p.failures;
}

// Weighted by successful checks, so a quiet hour with one slow check does not count as
// much as a busy one.
double WeightedMedian(std::vector<std::pair<double, std::int64_t>> values) {
    std::sort(values.begin(), values.end());
    std::int64_t total = 0;
    for (const auto& v : values) total += v.second;
    std::int64_t seen = 0;
    for (const auto& [value, weight] : values) {
        seen += weight;
        if (2 * seen >= total) return value;
    }
    return values.empty() ? 0.0 : values.back().first;
}

std::string Coord(double v) {
    return fmt::format("{:.1f}", v);
}

// Chart geometry in viewBox units. The y labels sit inside the plot, above their gridline,
// so no margin is lost on a phone; page.css enlarges the text on narrow screens, where the
// whole drawing is scaled down.
constexpr double kChartWidth = 720;
constexpr double kChartHeight = 220;
constexpr double kPlotTop = 28;
constexpr double kPlotBottom = 180;
constexpr double kInset = 6;  // keeps end dots and marks inside the drawing

}  // namespace

std::vector<const MonitorUptime*> MonitorsOf(const domain::UptimeState& uptime, std::string_view component_id) {
    std::vector<const MonitorUptime*> out;
    for (const auto& m : uptime.monitors) {
        if (std::find(m.component_ids.begin(), m.component_ids.end(), component_id) != m.component_ids.end()) {
            out.push_back(&m);
        }
    }
    return out;
}

std::vector<BarDay> CombineDays(const std::vector<const MonitorUptime*>& monitors, TimePoint now) {
    using Days = std::chrono::days;
    const auto today = std::chrono::floor<Days>(now);
    const auto first = today - Days(kBarDays - 1);
    std::vector<BarDay> out(kBarDays);
    for (int i = 0; i < kBarDays; ++i) {
        out[static_cast<std::size_t>(i)].day_start =
            std::chrono::time_point_cast<std::chrono::milliseconds>(first + Days(i));
    }
    for (const auto* m : monitors) {
        for (const auto& d : m->days) {
            // Placed by date, not by position: data loaded just before midnight must not
            // shift into the new day.
            auto index = (std::chrono::floor<Days>(d.day_start) - first).count();
            if (index < 0 || index >= kBarDays) continue;
            auto& b = out[static_cast<std::size_t>(index)];
            b.health = std::max(b.health, d.health);  // the enum is declared from best to worst
            if (auto u = d.UptimePercent()) b.uptime_percent = std::min(b.uptime_percent.value_or(100.0), *u);
            // The longest, not the sum: two monitors down during the same hour are one hour
            // of outage for the component. The true union is not in the data.
            b.outage_seconds = std::max(b.outage_seconds, d.outage_seconds);
        }
    }
    return out;
}

std::optional<double> CombineUptime90d(const std::vector<const MonitorUptime*>& monitors) {
    std::optional<double> out;
    for (const auto* m : monitors) {
        if (m->uptime_90d) out = std::min(out.value_or(100.0), *m->uptime_90d);
    }
    return out;
}

std::string_view HealthName(DayHealth health) {
    switch (health) {
        case DayHealth::kOperational:
            return "operational";
        case DayHealth::kDegraded:
            return "degraded";
        case DayHealth::kOutage:
            return "outage";
        case DayHealth::kNoData:
            break;
    }
    return "no_data";
}

std::string HealthLabel(DayHealth health, const RenderLocale& locale) {
    return locale.catalog.Get(locale.lang, "health." + std::string(HealthName(health)));
}

std::string OutageText(std::int64_t outage_seconds, const RenderLocale& locale) {
    auto minutes = outage_seconds <= 0 ? 0 : (outage_seconds + 59) / 60;
    return locale.catalog.Format(locale.lang, "minutes_short", std::to_string(minutes));
}

std::string DayTitle(const BarDay& day, const RenderLocale& locale) {
    std::string date = locale.utc.Date(day.day_start);
    if (day.health == DayHealth::kNoData && !day.uptime_percent) {
        return Fill(locale.catalog.Get(locale.lang, "bar_day_title_no_data"), {{"date", date}});
    }
    return Fill(
        locale.catalog.Get(locale.lang, "bar_day_title"),
        {{"date", date},
         {"health", HealthLabel(day.health, locale)},
         {"uptime", FormatPercent(day.uptime_percent, locale)},
         {"outage", OutageText(day.outage_seconds, locale)}}
    );
}

std::string RenderUptimeBar(const std::vector<BarDay>& days, const RenderLocale& locale) {
    // 6 units per day, 4 of them drawn: at 360 px the gaps stay visible. The bar stretches
    // to the width of its box (preserveAspectRatio="none"); page.css fixes its height.
    constexpr int kPitch = 6;
    constexpr int kBar = 4;
    const int width = kPitch * static_cast<int>(days.size());
    std::string out = fmt::format(
        "<svg class=\"ubar\" viewBox=\"0 0 {} 32\" preserveAspectRatio=\"none\" width=\"100%\" height=\"32\" "
        "aria-hidden=\"true\" focusable=\"false\">",
        width
    );
    for (std::size_t i = 0; i < days.size(); ++i) {
        out += fmt::format(
            "<rect class=\"d-{}\" x=\"{}\" y=\"0\" width=\"{}\" height=\"32\"><title>{}</title></rect>",
            HealthName(days[i].health),
            static_cast<int>(i) * kPitch + (kPitch - kBar) / 2,
            kBar,
            EscapeHtml(DayTitle(days[i], locale))
        );
    }
    out += "</svg>";
    return out;
}

std::string FormatPercent(std::optional<double> percent, const RenderLocale& locale) {
    if (!percent || std::isnan(*percent)) return "—";
    double v = std::clamp(*percent, 0.0, 100.0);
    // The epsilon undoes binary noise (99.95 is stored as 99.9499…), not real fractions.
    double truncated = std::floor(v * 100.0 + 1e-6) / 100.0;
    return locale.catalog.Format(locale.lang, "percent", Decimal(truncated, 2, false, locale));
}

std::string FormatLatency(double milliseconds, const RenderLocale& locale) {
    if (!(milliseconds > 0)) return "0 ms";
    if (milliseconds >= 1000) return Decimal(milliseconds / 1000.0, 2, true, locale) + " s";
    if (milliseconds < 10) return Decimal(milliseconds, 1, true, locale) + " ms";
    return Decimal(std::round(milliseconds), 0, false, locale) + " ms";
}

std::string_view RangePath(ChartRange range) {
    switch (range) {
        case ChartRange::k7Days:
            return "/uptime?range=7d";
        case ChartRange::k30Days:
            return "/uptime?range=30d";
        case ChartRange::k24Hours:
            break;
    }
    return "/uptime";
}

std::string_view RangeName(ChartRange range) {
    switch (range) {
        case ChartRange::k7Days:
            return "7d";
        case ChartRange::k30Days:
            return "30d";
        case ChartRange::k24Hours:
            break;
    }
    return "24h";
}

const std::vector<LatencyPoint>& RangePoints(const MonitorUptime& m, ChartRange range) {
    switch (range) {
        case ChartRange::k7Days:
            return m.hours_168;
        case ChartRange::k30Days:
            return m.days_30;
        case ChartRange::k24Hours:
            break;
    }
    return m.hours_24;
}

LatencyAxis ChooseLatencyAxis(double max_ms) {
    if (!(max_ms > 0)) max_ms = 0;  // also catches NaN
    // The smallest 1, 2, 2.5 or 5 times a power of ten that is at least x.
    auto nice_ceil = [](double x) {
        double base = std::pow(10.0, std::floor(std::log10(x)));
        for (double m : {1.0, 2.0, 2.5, 5.0}) {
            if (x <= m * base * (1 + 1e-9)) return m * base;
        }
        return 10.0 * base;
    };
    double best_step = 1;
    int best_intervals = 3;
    double best_top = std::numeric_limits<double>::infinity();
    // Three intervals first, so that a tie keeps the fourth gridline.
    for (int intervals : {3, 2}) {
        // At least 1 ms a step: sub-millisecond gridlines would label noise.
        double step = nice_ceil(std::max(max_ms / intervals, 1.0));
        if (step * intervals < best_top - 1e-9) {
            best_top = step * intervals;
            best_step = step;
            best_intervals = intervals;
        }
    }
    LatencyAxis axis;
    axis.top_ms = best_top;
    for (int i = 0; i <= best_intervals; ++i) axis.ticks_ms.push_back(best_step * i);
    return axis;
}

std::string ChartSummary(const std::vector<LatencyPoint>& points, ChartRange range, const RenderLocale& locale) {
    const auto& cat = locale.catalog;
    std::string over = cat.Get(locale.lang, "range." + std::string(RangeName(range)) + ".over");
    std::int64_t checks = 0;
    std::int64_t failures = 0;
    std::vector<std::pair<double, std::int64_t>> p50;
    std::vector<std::pair<double, std::int64_t>> p95;
    for (const auto& p : points) {
        checks += p.checks;
        failures += p.failures;
        if (!HasLatency(p)) continue;
        p50.emplace_back(Ms(p.p50), p.checks - p.failures);
        p95.emplace_back(Ms(p.p95), p.checks - p.failures);
    }
    if (checks == 0) return Fill(cat.Get(locale.lang, "chart.no_data"), {{"range", over}});
    return Fill(
        cat.Get(locale.lang, "chart.summary"),
        {{"median", p50.empty() ? "—" : FormatLatency(WeightedMedian(p50), locale)},
         {"p95", p95.empty() ? "—" : FormatLatency(WeightedMedian(p95), locale)},
         {"range", over},
         {"failed", Count(failures, locale)},
         {"checks", Count(checks, locale)}}
    );
}

std::string RenderLatencyChart(
    const MonitorUptime& monitor, ChartRange range, const RenderLocale& locale, std::string_view id_prefix
) {
    const auto& pts = RangePoints(monitor, range);
    const auto n = pts.size();
    const bool daily = range == ChartRange::k30Days;

    double max_ms = 0;
    for (const auto& p : pts) {
        if (HasLatency(p)) max_ms = std::max({max_ms, Ms(p.p50), Ms(p.p95)});
    }
    const LatencyAxis axis = ChooseLatencyAxis(max_ms);
    auto x_of = [&](std::size_t i) {
        if (n <= 1) return kChartWidth / 2;
        return kInset + static_cast<double>(i) * (kChartWidth - 2 * kInset) / static_cast<double>(n - 1);
    };
    auto y_of = [&](double ms) {
        return kPlotBottom - std::min(ms, axis.top_ms) / axis.top_ms * (kPlotBottom - kPlotTop);
    };
    auto when = [&](TimePoint t) {
        return daily ? locale.utc.ShortDate(t) : locale.local.ShortDate(t) + " " + locale.local.Time(t);
    };

    std::string id(EscapeHtml(id_prefix));
    std::string out = fmt::format(
        "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-labelledby=\"{}-t {}-d\">"
        "<title id=\"{}-t\">{}</title><desc id=\"{}-d\">{}</desc>",
        kChartWidth,
        kChartHeight,
        id,
        id,
        id,
        EscapeHtml(locale.catalog.Format(locale.lang, "chart.title", monitor.name)),
        id,
        EscapeHtml(ChartSummary(pts, range, locale))
    );

    for (double tick : axis.ticks_ms) {
        out += fmt::format(
            "<line class=\"grid\" x1=\"0\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
            kChartWidth,
            Coord(y_of(tick)),
            Coord(y_of(tick))
        );
    }

    // Failures: a mark under the plot for every point with one, and a shade over the plot
    // where nothing succeeded (the line has a gap there).
    const double slot = n == 0 ? 0 : (kChartWidth - 2 * kInset) / static_cast<double>(std::max<std::size_t>(n - 1, 1));
    const double mark = std::clamp(slot * 0.8, 2.0, 12.0);
    bool any_data = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& p = pts[i];
        any_data = any_data || p.checks > 0;
        if (p.failures <= 0) continue;
        double x = x_of(i) - mark / 2;
        if (!HasLatency(p)) {
            out += fmt::format(
                "<rect class=\"fail-all\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                Coord(x),
                Coord(kPlotTop),
                Coord(mark),
                Coord(kPlotBottom - kPlotTop)
            );
        }
        std::string title = Fill(
            locale.catalog.Get(locale.lang, "chart.failed_title"),
            {{"time", when(p.start)}, {"failed", Count(p.failures, locale)}, {"checks", Count(p.checks, locale)}}
        );
        out += fmt::format(
            "<rect class=\"fail\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"6\"><title>{}</title></rect>",
            Coord(x),
            Coord(kPlotBottom + 4),
            Coord(mark),
            EscapeHtml(title)
        );
    }

    // Lines and band, one piece per run of points with a response time.
    for (std::size_t i = 0; i < n;) {
        if (!HasLatency(pts[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < n && HasLatency(pts[end])) ++end;
        if (end - i == 1) {
            for (auto [cls, v] : {std::pair{"p95", pts[i].p95}, std::pair{"p50", pts[i].p50}}) {
                out += fmt::format(
                    "<circle class=\"{} dot\" cx=\"{}\" cy=\"{}\" r=\"3\"/>", cls, Coord(x_of(i)), Coord(y_of(Ms(v)))
                );
            }
        } else {
            std::string p50_d, p95_d, band;
            for (std::size_t k = i; k < end; ++k) {
                auto x = Coord(x_of(k));
                p50_d += (k == i ? "M" : "L") + x + "," + Coord(y_of(Ms(pts[k].p50)));
                p95_d += (k == i ? "M" : "L") + x + "," + Coord(y_of(Ms(pts[k].p95)));
            }
            band = p95_d;
            for (std::size_t k = end; k-- > i;) band += "L" + Coord(x_of(k)) + "," + Coord(y_of(Ms(pts[k].p50)));
            out += "<path class=\"band\" d=\"" + band + "Z\"/>";
            out += "<path class=\"p95\" d=\"" + p95_d + "\"/>";
            out += "<path class=\"p50\" d=\"" + p50_d + "\"/>";
        }
        i = end;
    }

    if (!any_data) {
        out += fmt::format(
            "<text class=\"nodata\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            Coord(kChartWidth / 2),
            Coord((kPlotTop + kPlotBottom) / 2),
            EscapeHtml(HealthLabel(DayHealth::kNoData, locale))
        );
    }

    // Labels last, so they are painted over the lines (page.css gives them a halo).
    for (double tick : axis.ticks_ms) {
        out += fmt::format(
            "<text class=\"ylabel\" x=\"2\" y=\"{}\">{}</text>",
            Coord(y_of(tick) - 5),
            EscapeHtml(FormatLatency(tick, locale))
        );
    }
    auto x_label = [&](std::size_t i, const std::string& text) {
        double x = x_of(i);
        std::string_view anchor = x < 40 ? "start" : (x > kChartWidth - 40 ? "end" : "middle");
        out += fmt::format(
            "<text class=\"xlabel\" x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text>",
            Coord(x),
            Coord(kChartHeight - 6),
            anchor,
            EscapeHtml(text)
        );
    };
    switch (range) {
        case ChartRange::k24Hours:
            // Every six local hours: 00:00, 06:00, 12:00, 18:00 (06:30 in a half-hour zone).
            for (std::size_t i = 0; i < n; ++i) {
                auto hhmm = locale.local.Time(pts[i].start);
                if (std::stoi(hhmm.substr(0, 2)) % 6 == 0) x_label(i, hhmm);
            }
            break;
        case ChartRange::k7Days:
            // The first hour of each local day, named by its date.
            for (std::size_t i = 1; i < n; ++i) {
                if (locale.local.DayKey(pts[i].start) != locale.local.DayKey(pts[i - 1].start)) {
                    x_label(i, locale.local.ShortDate(pts[i].start));
                }
            }
            break;
        case ChartRange::k30Days:
            // Weekly, counted back from today so that today is always labelled.
            for (std::size_t back = 0; back < n; back += 7)
                x_label(n - 1 - back, locale.utc.ShortDate(pts[n - 1 - back].start));
            break;
    }
    out += "</svg>";
    return out;
}

}  // namespace tocsin::page
