#include "tocsin/page/uptime_render.hpp"

#include "test/support/fake_clock.hpp"
#include "tocsin/page/snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace tocsin::page {
namespace {

using namespace std::chrono_literals;
using domain::Component;
using domain::ComponentStatus;
using domain::DayHealth;
using domain::DayUptime;
using domain::LatencyPoint;
using domain::MonitorUptime;
using test::At;

const TimePoint kNow = At("2026-03-10T12:00:00Z");
const TimePoint kToday = At("2026-03-10T00:00:00Z");
const TimePoint kThisHour = At("2026-03-10T12:00:00Z");

// Index of a day in a 90-day list: 89 is today (March 10), 87 is March 8.
constexpr int kTodayIndex = 89;

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

int Count(std::string_view haystack, std::string_view needle) {
    int n = 0;
    for (auto pos = haystack.find(needle); pos != std::string_view::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

DayUptime Day(int index, DayHealth health, std::int64_t checks, std::int64_t failures, std::int64_t outage_s = 0) {
    DayUptime d;
    d.day_start = kToday - std::chrono::days(kTodayIndex - index);
    d.health = health;
    d.checks = checks;
    d.failures = failures;
    d.outage_seconds = outage_s;
    return d;
}

std::vector<LatencyPoint> Points(int count, std::chrono::hours step, TimePoint last, std::chrono::microseconds p50) {
    std::vector<LatencyPoint> out;
    for (int i = 0; i < count; ++i) {
        LatencyPoint p;
        p.start = last - step * (count - 1 - i);
        p.checks = 60;
        p.p50 = p50 + std::chrono::milliseconds(i % 5);
        p.p95 = p.p50 * 3;
        out.push_back(p);
    }
    return out;
}

MonitorUptime Monitor(std::string id, std::string name, std::vector<std::string> component_ids) {
    MonitorUptime m;
    m.id = std::move(id);
    m.name = std::move(name);
    m.type = "http";
    m.component_ids = std::move(component_ids);
    m.state = "up";
    m.uptime_24h = 100.0;
    m.uptime_7d = 99.999;
    m.uptime_30d = 99.95;
    m.uptime_90d = 99.5;
    for (int i = 0; i < kBarDays; ++i) m.days.push_back(Day(i, DayHealth::kOperational, 1440, 0));
    m.days.back().checks = 720;  // today is half over
    m.hours_24 = Points(24, 1h, kThisHour, 120ms);
    m.hours_168 = Points(168, 1h, kThisHour, 120ms);
    m.days_30 = Points(30, 24h, kToday, 120ms);
    return m;
}

// Two components; "API" has two monitors, "Search" one. Days of every health, a partial
// today, monitors that started late, and days where nothing reported.
domain::PageState UptimePage() {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    s.settings.name = "Example";
    s.settings.url = "https://status.example.com";
    s.settings.time_zone = "UTC";
    for (auto [id, name, pos] : {std::tuple{"cmp000000001", "API", 1}, std::tuple{"cmp000000002", "Search", 2}}) {
        Component c;
        c.id = id;
        c.name = name;
        c.status = ComponentStatus::kOperational;
        c.position = pos;
        s.components.push_back(c);
    }
    auto web = Monitor("mon1", "API web", {"cmp000000001"});
    auto db = Monitor("mon2", "API database", {"cmp000000001"});
    auto search = Monitor("mon3", "Search query", {"cmp000000002"});
    // March 9 (88): web degraded at 100 %, db operational with 1 % failed checks.
    web.days[88] = Day(88, DayHealth::kDegraded, 1440, 0);
    db.days[88] = Day(88, DayHealth::kOperational, 1440, 14);
    // March 8 (87): web down for an hour, db degraded.
    web.days[87] = Day(87, DayHealth::kOutage, 1440, 72, 3600);
    db.days[87] = Day(87, DayHealth::kDegraded, 1440, 0);
    // March 7 (86): web reported nothing, db fine. March 6 (85): neither reported.
    web.days[86] = Day(86, DayHealth::kNoData, 0, 0);
    web.days[85] = Day(85, DayHealth::kNoData, 0, 0);
    db.days[85] = Day(85, DayHealth::kNoData, 0, 0);
    // db was created on day 10; search 30 days ago, with an outage of 30 s on day 80.
    for (int i = 0; i < 10; ++i) db.days[static_cast<std::size_t>(i)] = Day(i, DayHealth::kNoData, 0, 0);
    for (int i = 0; i < 60; ++i) search.days[static_cast<std::size_t>(i)] = Day(i, DayHealth::kNoData, 0, 0);
    search.days[80] = Day(80, DayHealth::kOutage, 1440, 1, 30);
    db.uptime_90d = 99.25;
    search.uptime_90d = std::nullopt;
    search.uptime_7d = std::nullopt;
    search.state = "down";
    s.uptime.generated_at = kNow;
    s.uptime.monitors = {db, web, search};  // ordered by name
    return s;
}

struct Locale {
    explicit Locale(std::string lang, std::string zone = "UTC")
        : local(zone, Catalog::Embedded(), lang),
          utc("UTC", Catalog::Embedded(), lang),
          locale{Catalog::Embedded(), lang, local, utc} {}
    TimeFormatter local;
    TimeFormatter utc;
    RenderLocale locale;
};

std::shared_ptr<const Snapshot> Build(const domain::PageState& s) {
    return SnapshotBuilder().Build(s, kNow, 1);
}

const std::string& Body(const Snapshot& snap, std::string_view path, std::string_view lang) {
    static const std::string kMissing = "<missing>";
    const Entry* e = snap.Find(Snapshot::Key(path, lang));
    EXPECT_NE(e, nullptr) << "missing " << path << " " << lang;
    return e ? e->body : kMissing;
}

// ---- combining monitors into a component's days ------------------------------------------------

TEST(UptimeBar, HasNinetyDaysEndingToday) {
    auto s = UptimePage();
    auto days = CombineDays(MonitorsOf(s.uptime, "cmp000000001"), kNow);
    ASSERT_EQ(days.size(), 90u);
    EXPECT_EQ(days.front().day_start, At("2025-12-11T00:00:00Z"));
    EXPECT_EQ(days.back().day_start, kToday);
    EXPECT_EQ(days.back().health, DayHealth::kOperational) << "a partial today still counts";
}

TEST(UptimeBar, TakesTheWorstHealthOfTheComponentsMonitors) {
    auto s = UptimePage();
    auto days = CombineDays(MonitorsOf(s.uptime, "cmp000000001"), kNow);
    struct Case {
        std::string_view name;
        int index;
        DayHealth want;
    };
    for (const auto& c : std::vector<Case>{
             {"degraded beats operational", 88, DayHealth::kDegraded},
             {"outage beats degraded", 87, DayHealth::kOutage},
             {"data beats no data", 86, DayHealth::kOperational},
             {"nobody reported", 85, DayHealth::kNoData},
             {"one monitor not created yet", 5, DayHealth::kOperational},
         }) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(days[static_cast<std::size_t>(c.index)].health, c.want);
    }
}

TEST(UptimeBar, TakesTheLowestUptimeAmongMonitorsWithChecks) {
    auto s = UptimePage();
    auto days = CombineDays(MonitorsOf(s.uptime, "cmp000000001"), kNow);
    ASSERT_TRUE(days[88].uptime_percent);
    EXPECT_NEAR(*days[88].uptime_percent, 100.0 * 1426 / 1440, 1e-9) << "db's 99.03 %, not web's 100 %";
    EXPECT_NEAR(*days[87].uptime_percent, 95.0, 1e-9);
    EXPECT_EQ(days[87].outage_seconds, 3600);
    EXPECT_EQ(days[86].uptime_percent, std::optional<double>(100.0)) << "a monitor without checks does not count";
    EXPECT_EQ(days[85].uptime_percent, std::nullopt);
    EXPECT_EQ(CombineUptime90d(MonitorsOf(s.uptime, "cmp000000001")), std::optional<double>(99.25));
    EXPECT_EQ(CombineUptime90d(MonitorsOf(s.uptime, "cmp000000002")), std::nullopt);
}

TEST(UptimeBar, PlacesDaysByDateNotByPosition) {
    auto s = UptimePage();
    auto& m = s.uptime.monitors[2];
    m.days.resize(30);  // a short list: the days it has are still the first 30
    auto days = CombineDays({&m}, kNow);
    ASSERT_EQ(days.size(), 90u);
    EXPECT_EQ(days[89].health, DayHealth::kNoData);
    EXPECT_EQ(days[0].health, DayHealth::kNoData);
    // Data loaded yesterday does not slide into today when the snapshot is built after midnight.
    auto shifted = CombineDays({&s.uptime.monitors[0]}, kNow + 24h);
    EXPECT_EQ(shifted[89].health, DayHealth::kNoData);
    EXPECT_EQ(shifted[88].health, DayHealth::kOperational);
    EXPECT_EQ(shifted[86].health, DayHealth::kDegraded) << "db's degraded March 8 is one slot further left";
    EXPECT_EQ(CombineDays({&s.uptime.monitors[0]}, kNow)[87].health, DayHealth::kDegraded);
}

TEST(UptimeBar, RendersOneTitledSegmentPerDayWithoutStyleAttributes) {
    auto s = UptimePage();
    Locale en("en");
    auto svg = RenderUptimeBar(CombineDays(MonitorsOf(s.uptime, "cmp000000001"), kNow), en.locale);
    EXPECT_EQ(Count(svg, "<rect "), 90);
    EXPECT_EQ(Count(svg, "<title>"), 90);
    EXPECT_TRUE(Contains(svg, "viewBox=\"0 0 540 32\""));
    EXPECT_TRUE(Contains(svg, "width=\"100%\""));
    EXPECT_TRUE(Contains(svg, "aria-hidden=\"true\""));
    EXPECT_TRUE(Contains(svg, "class=\"d-outage\""));
    EXPECT_TRUE(Contains(svg, "class=\"d-degraded\""));
    EXPECT_TRUE(Contains(svg, "class=\"d-no_data\""));
    EXPECT_FALSE(Contains(svg, "style="));
    EXPECT_TRUE(Contains(svg, "<title>March 8, 2026: Outage, 95.00% uptime, 60 min down</title>"));
    EXPECT_TRUE(Contains(svg, "<title>March 6, 2026: no data</title>"));
    EXPECT_TRUE(Contains(svg, "<title>March 9, 2026: Degraded, 99.02% uptime, 0 min down</title>"));
}

TEST(UptimeBar, WordsDaysInGerman) {
    auto s = UptimePage();
    Locale de("de");
    auto days = CombineDays(MonitorsOf(s.uptime, "cmp000000001"), kNow);
    EXPECT_EQ(DayTitle(days[87], de.locale), "8. März 2026: Störung, 95,00\u00a0% Verfügbarkeit, 60\u00a0Min. Ausfall");
    EXPECT_EQ(DayTitle(days[85], de.locale), "6. März 2026: keine Daten");
    EXPECT_EQ(HealthLabel(DayHealth::kDegraded, de.locale), "Eingeschränkt");
    EXPECT_EQ(HealthLabel(DayHealth::kOperational, de.locale), "Betriebsbereit");
    EXPECT_EQ(HealthLabel(DayHealth::kNoData, de.locale), "Keine Daten");
}

TEST(UptimeBar, RoundsAnyOutageUpToAMinute) {
    Locale en("en");
    EXPECT_EQ(OutageText(0, en.locale), "0 min");
    EXPECT_EQ(OutageText(30, en.locale), "1 min");
    EXPECT_EQ(OutageText(3600, en.locale), "60 min");
}

// ---- numbers -----------------------------------------------------------------------------------

TEST(UptimeNumbers, TruncatesPercentagesSoThatAlmostIsNeverHundred) {
    Locale en("en");
    Locale de("de");
    struct Case {
        std::optional<double> in;
        std::string_view en;
        std::string_view de;
    };
    for (const auto& c : std::vector<Case>{
             {100.0, "100.00%", "100,00\u00a0%"},
             {99.999, "99.99%", "99,99\u00a0%"},
             {99.95, "99.95%", "99,95\u00a0%"},
             {0.0, "0.00%", "0,00\u00a0%"},
             {std::nullopt, "—", "—"},
         }) {
        SCOPED_TRACE(c.en);
        EXPECT_EQ(FormatPercent(c.in, en.locale), c.en);
        EXPECT_EQ(FormatPercent(c.in, de.locale), c.de);
    }
}

TEST(UptimeNumbers, FormatsLatenciesShortly) {
    Locale en("en");
    Locale de("de");
    EXPECT_EQ(FormatLatency(0, en.locale), "0 ms");
    EXPECT_EQ(FormatLatency(0.44, en.locale), "0.4 ms");
    EXPECT_EQ(FormatLatency(7.5, de.locale), "7,5 ms");
    EXPECT_EQ(FormatLatency(120.4, en.locale), "120 ms");
    EXPECT_EQ(FormatLatency(2500, en.locale), "2.5 s");
    EXPECT_EQ(FormatLatency(5000, en.locale), "5 s");
}

// ---- response-time chart -----------------------------------------------------------------------

TEST(LatencyChart, ChoosesThreeOrFourShortGridlines) {
    struct Case {
        std::string_view name;
        double max_ms;
        std::vector<double> ticks;
    };
    for (const auto& c : std::vector<Case>{
             {"all zero", 0, {0, 1, 2}},
             {"not a number", std::nan(""), {0, 1, 2}},
             {"sub-millisecond", 0.3, {0, 1, 2}},
             {"typical", 340, {0, 200, 400}},
             {"just above a step", 301, {0, 200, 400}},
             {"four lines fit better", 120, {0, 50, 100, 150}},
             {"five seconds", 5000, {0, 2500, 5000}},
             {"thirty seconds", 30000, {0, 10000, 20000, 30000}},
         }) {
        SCOPED_TRACE(c.name);
        auto axis = ChooseLatencyAxis(c.max_ms);
        EXPECT_EQ(axis.ticks_ms, c.ticks);
        EXPECT_EQ(axis.top_ms, c.ticks.back());
        if (c.max_ms > 0) {
            EXPECT_GE(axis.top_ms, c.max_ms);
        }
    }
}

MonitorUptime ChartMonitor(std::vector<LatencyPoint> hours) {
    MonitorUptime m;
    m.id = "mon1";
    m.name = "API";
    m.component_ids = {"cmp000000001"};
    m.hours_24 = std::move(hours);
    return m;
}

std::vector<std::string> YLabels(const std::string& svg) {
    std::vector<std::string> out;
    const std::string open = "<text class=\"ylabel\"";
    for (auto pos = svg.find(open); pos != std::string::npos; pos = svg.find(open, pos + 1)) {
        auto from = svg.find('>', pos) + 1;
        out.push_back(svg.substr(from, svg.find('<', from) - from));
    }
    return out;
}

TEST(LatencyChart, LabelsTheAxisSensiblyForZeroLatency) {
    Locale en("en");
    auto svg = RenderLatencyChart(ChartMonitor(Points(24, 1h, kThisHour, 0ms)), ChartRange::k24Hours, en.locale, "c1");
    // Points() adds up to 4 ms; with p95 = 3 × p50 the top is 12 ms.
    EXPECT_EQ(YLabels(svg), (std::vector<std::string>{"0 ms", "5 ms", "10 ms", "15 ms"}));
    auto zero = Points(24, 1h, kThisHour, 0ms);
    for (auto& p : zero) p.p50 = p.p95 = 0us;
    svg = RenderLatencyChart(ChartMonitor(zero), ChartRange::k24Hours, en.locale, "c1");
    EXPECT_EQ(YLabels(svg), (std::vector<std::string>{"0 ms", "1 ms", "2 ms"}));
    EXPECT_FALSE(Contains(svg, "nan"));
    EXPECT_FALSE(Contains(svg, "inf"));
    EXPECT_TRUE(Contains(svg, "Median 0 ms, 95th percentile 0 ms over the last 24 hours; 0 of 1,440 checks failed."));
}

TEST(LatencyChart, LabelsTheAxisInSecondsForSlowResponses) {
    Locale en("en");
    auto pts = Points(24, 1h, kThisHour, 1000ms);
    for (auto& p : pts) p.p95 = 5s;
    auto svg = RenderLatencyChart(ChartMonitor(pts), ChartRange::k24Hours, en.locale, "c1");
    EXPECT_EQ(YLabels(svg), (std::vector<std::string>{"0 ms", "2.5 s", "5 s"}));
    EXPECT_TRUE(Contains(svg, "95th percentile 5 s"));
}

TEST(LatencyChart, DrawsASinglePointAsDots) {
    Locale en("en");
    auto svg = RenderLatencyChart(ChartMonitor(Points(1, 1h, kThisHour, 200ms)), ChartRange::k24Hours, en.locale, "c1");
    EXPECT_EQ(Count(svg, "<circle "), 2);
    EXPECT_EQ(Count(svg, "<path "), 0);
    EXPECT_TRUE(Contains(svg, "cx=\"360.0\"")) << "centred";
    EXPECT_EQ(YLabels(svg), (std::vector<std::string>{"0 ms", "200 ms", "400 ms", "600 ms"}));
    EXPECT_FALSE(Contains(svg, "nan"));
    EXPECT_TRUE(Contains(svg, ">12:00</text>"));
}

TEST(LatencyChart, SaysNoDataWhenThereAreNoPoints) {
    Locale de("de");
    auto svg = RenderLatencyChart(ChartMonitor({}), ChartRange::k24Hours, de.locale, "c1");
    EXPECT_TRUE(Contains(svg, ">Keine Daten</text>"));
    EXPECT_TRUE(Contains(svg, "<desc id=\"c1-d\">Keine Antwortzeiten in den letzten 24 Stunden.</desc>"));
    EXPECT_EQ(YLabels(svg).size(), 3u);
}

TEST(LatencyChart, MarksFailuresAndBreaksTheLineWhereNothingSucceeded) {
    Locale en("en");
    auto pts = Points(24, 1h, kThisHour, 100ms);
    pts[10].failures = 2;               // some failed
    pts[11].failures = pts[11].checks;  // all failed: a gap and a shade
    auto svg = RenderLatencyChart(ChartMonitor(pts), ChartRange::k24Hours, en.locale, "c1");
    EXPECT_EQ(Count(svg, "<rect class=\"fail\""), 2);
    EXPECT_EQ(Count(svg, "<rect class=\"fail-all\""), 1);
    EXPECT_EQ(Count(svg, "<path class=\"p50\""), 2) << "two runs around the gap";
    EXPECT_TRUE(Contains(svg, "<title>Mar 10 00:00: 60 of 60 checks failed</title>"));
    EXPECT_TRUE(Contains(svg, "62 of 1,440 checks failed"));
}

TEST(LatencyChart, LabelsHoursInThePageTimeZone) {
    Locale berlin("de", "Europe/Berlin");
    auto svg =
        RenderLatencyChart(ChartMonitor(Points(24, 1h, kThisHour, 100ms)), ChartRange::k24Hours, berlin.locale, "c1");
    // 12:00 UTC is 13:00 in Berlin: the labelled hours are local ones.
    for (std::string_view hour : {">00:00<", ">06:00<", ">12:00<", ">18:00<"}) EXPECT_TRUE(Contains(svg, hour)) << hour;
    Locale kolkata("en", "Asia/Kolkata");  // UTC+5:30: hours on the half hour still get labels
    EXPECT_EQ(
        Count(
            RenderLatencyChart(
                ChartMonitor(Points(24, 1h, kThisHour, 100ms)), ChartRange::k24Hours, kolkata.locale, "c1"
            ),
            ":30</text>"
        ),
        4
    );
    auto week = ChartMonitor({});
    week.hours_168 = Points(168, 1h, kThisHour, 100ms);
    svg = RenderLatencyChart(week, ChartRange::k7Days, berlin.locale, "c1");
    EXPECT_EQ(Count(svg, "class=\"xlabel\""), 7);
    EXPECT_TRUE(Contains(svg, ">10. März<"));
    EXPECT_TRUE(Contains(svg, ">4. März<"));
    auto month = ChartMonitor({});
    month.days_30 = Points(30, 24h, kToday, 100ms);
    svg = RenderLatencyChart(month, ChartRange::k30Days, berlin.locale, "c1");
    EXPECT_EQ(Count(svg, "class=\"xlabel\""), 5);
    EXPECT_TRUE(Contains(svg, ">10. März<")) << "today is labelled";
    EXPECT_TRUE(Contains(svg, "in den letzten 30 Tagen"));
}

TEST(LatencyChart, EscapesTheMonitorName) {
    Locale en("en");
    auto m = ChartMonitor(Points(24, 1h, kThisHour, 100ms));
    m.name = "<b>\"x\"&";
    auto svg = RenderLatencyChart(m, ChartRange::k24Hours, en.locale, "c1");
    EXPECT_TRUE(Contains(svg, "<title id=\"c1-t\">Response time of &lt;b&gt;&quot;x&quot;&amp;</title>"));
    EXPECT_FALSE(Contains(svg, "<b>"));
}

// ---- in the snapshot ---------------------------------------------------------------------------

TEST(UptimePage, ShowsABarUnderEachComponentWithMonitors) {
    auto snap = Build(UptimePage());
    const auto& en = Body(*snap, "/", "en");
    EXPECT_EQ(Count(en, "<svg class=\"ubar\""), 2);
    EXPECT_EQ(Count(en, "<rect "), 180);
    EXPECT_EQ(Count(en, "<tr><th scope=\"row\">"), 180) << "every day again as a table row";
    EXPECT_TRUE(Contains(en, "90 days ago"));
    EXPECT_TRUE(Contains(en, "Today"));
    EXPECT_TRUE(Contains(en, "99.25% uptime")) << "the lower of API's two monitors";
    EXPECT_TRUE(Contains(en, "— uptime")) << "Search has no 90-day figure yet";
    EXPECT_TRUE(Contains(en, "<caption>Daily uptime of API, newest first</caption>"));
    EXPECT_TRUE(Contains(en, "href=\"/uptime?lang=en\""));
    const auto& de = Body(*snap, "/", "de");
    for (std::string_view word :
         {"vor 90 Tagen",
          "Heute",
          "99,25\u00a0% Verfügbarkeit",
          "Störung",
          "Eingeschränkt",
          "Betriebsbereit",
          "Keine Daten"}) {
        EXPECT_TRUE(Contains(de, word)) << word;
    }
    EXPECT_TRUE(Contains(de, "<title>8. März 2026: Störung, 95,00\u00a0% Verfügbarkeit, 60\u00a0Min. Ausfall</title>"));
}

TEST(UptimePage, ShowsNoBarUnderAComponentWithoutMonitors) {
    auto s = UptimePage();
    Component group;
    group.id = "grp000000001";
    group.name = "Core";
    group.is_group = true;
    auto child = s.components[1];
    child.id = "cmp000000003";
    child.name = "Child";
    child.group_id = group.id;
    s.components = {group, child};
    s.uptime.monitors[0].component_ids = {group.id};
    s.uptime.monitors.resize(1);
    auto snap = Build(s);  // the body lives in the snapshot: keep it alive
    const auto& html = Body(*snap, "/", "en");
    EXPECT_EQ(Count(html, "<svg class=\"ubar\""), 1) << "the child must not inherit its group's bar";
}

TEST(UptimePage, HasARangePageWithChartsPerLanguage) {
    auto snap = Build(UptimePage());
    for (std::string_view lang : {"en", "de"}) {
        for (std::string_view path : {"/uptime", "/uptime?range=7d", "/uptime?range=30d"}) {
            SCOPED_TRACE(std::string(path) + " " + std::string(lang));
            const Entry* e = snap->Find(Snapshot::Key(path, lang));
            ASSERT_NE(e, nullptr);
            EXPECT_TRUE(e->html);
            EXPECT_TRUE(e->localized);
            EXPECT_EQ(e->status, 200);
            EXPECT_EQ(Count(e->body, "<svg class=\"chart\""), 3);
            EXPECT_EQ(Count(e->body, "aria-current=\"page\""), 1);
        }
    }
    EXPECT_EQ(snap->Find(Snapshot::Key("/uptime")), nullptr) << "localized only";
    const auto& en = Body(*snap, "/uptime?range=7d", "en");
    EXPECT_TRUE(Contains(en, "<strong aria-current=\"page\">7 days</strong>"));
    EXPECT_TRUE(Contains(en, "href=\"/uptime?range=30d&amp;lang=en\""));
    EXPECT_TRUE(Contains(en, "href=\"/uptime?lang=en\""));
    EXPECT_TRUE(Contains(en, "over the last 7 days; 0 of 10,080 checks failed."));
    EXPECT_TRUE(Contains(Body(*snap, "/uptime?range=7d", "de"), "in den letzten 7 Tagen; 0 von 10.080 Prüfungen"));
    EXPECT_TRUE(Contains(en, "<td class=\"num\">99.99%</td>")) << "7-day uptime, truncated";
    EXPECT_TRUE(Contains(en, "<span class=\"vh\">No data</span>")) << "an absent figure is worded for screen readers";
    EXPECT_TRUE(Contains(en, "Outage</td>")) << "Search is down";
    const auto& de = Body(*snap, "/uptime", "de");
    EXPECT_TRUE(Contains(de, "Verfügbarkeit und Antwortzeiten"));
    EXPECT_TRUE(Contains(de, "Antwortzeit von API web"));
    EXPECT_TRUE(Contains(de, "in den letzten 24 Stunden"));
    EXPECT_TRUE(Contains(de, "hreflang=\"en\" href=\"https://status.example.com/uptime?lang=en\""));
    EXPECT_TRUE(Contains(Body(*snap, "/uptime?range=30d", "de"), "<strong aria-current=\"page\">30 Tage</strong>"));
}

TEST(UptimePage, RendersNothingWithoutMonitors) {
    auto s = UptimePage();
    s.uptime.monitors.clear();
    auto snap = Build(s);
    for (std::string_view path : {"/uptime", "/uptime?range=7d", "/uptime?range=30d"}) {
        EXPECT_EQ(snap->Find(Snapshot::Key(path, "en")), nullptr) << path;
    }
    for (const auto& [key, e] : snap->entries) {
        if (!e.html) continue;
        SCOPED_TRACE(key);
        EXPECT_FALSE(Contains(e.body, "ubar"));
        EXPECT_FALSE(Contains(e.body, "/uptime"));
    }
}

TEST(UptimePage, ListsOnlyMonitorsOfComponentsOnThePage) {
    auto s = UptimePage();
    s.uptime.monitors[2].component_ids = {"deleted00001"};
    s.uptime.monitors[2].name = "Leaky";
    auto snap = Build(s);
    EXPECT_FALSE(Contains(Body(*snap, "/uptime", "en"), "Leaky"));
    s.uptime.monitors.resize(0);
    s.uptime.monitors.push_back(UptimePage().uptime.monitors[2]);
    s.uptime.monitors[0].component_ids = {"deleted00001"};
    EXPECT_EQ(Build(s)->Find(Snapshot::Key("/uptime", "en")), nullptr);
}

TEST(UptimePage, NoHtmlEntryHasAStyleAttributeOrAScript) {
    auto snap = Build(UptimePage());
    int html = 0;
    for (const auto& [key, e] : snap->entries) {
        if (!e.html) continue;
        ++html;
        SCOPED_TRACE(key);
        EXPECT_FALSE(Contains(e.body, "style="));
        EXPECT_FALSE(Contains(e.body, "<script"));
        EXPECT_FALSE(Contains(e.body, "http://www.w3.org")) << "inline SVG needs no namespace, and names no origin";
    }
    EXPECT_GE(html, 10);
}

TEST(UptimePage, EscapesMonitorAndComponentNames) {
    auto s = UptimePage();
    s.uptime.monitors[0].name = "<b>\"x\"&";
    s.components[0].name = "<b>\"x\"&";
    auto snap = Build(s);
    for (std::string_view path : {"/", "/uptime"}) {
        const auto& html = Body(*snap, path, "en");
        SCOPED_TRACE(path);
        EXPECT_FALSE(Contains(html, "<b>\"x\""));
        EXPECT_TRUE(Contains(html, "&lt;b&gt;&quot;x&quot;&amp;"));
    }
}

TEST(UptimePage, LeavesTheStatuspageJsonAlone) {
    auto with = UptimePage();
    auto without = with;
    without.uptime = {};
    EXPECT_EQ(RenderV2Json(with, kNow, 50), RenderV2Json(without, kNow, 50));
    auto snap = Build(with);
    for (const auto& [key, e] : snap->entries) {
        if (key.rfind("/api/v2/", 0) != 0) continue;
        SCOPED_TRACE(key);
        EXPECT_FALSE(Contains(e.body, "uptime"));
        EXPECT_FALSE(Contains(e.body, "API web"));
    }
}

}  // namespace
}  // namespace tocsin::page
