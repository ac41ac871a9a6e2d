#include "tocsin/page/embeds.hpp"

#include "test/support/fake_clock.hpp"
#include "tocsin/page/snapshot_builder.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace tocsin::page {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using domain::Component;
using domain::ComponentStatus;
using domain::Impact;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;
using test::At;

const TimePoint kNow = At("2026-03-10T12:00:00Z");

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

Incident MakeItem(std::string id, IncidentKind kind, std::string name, IncidentStatus status) {
    Incident i;
    i.id = std::move(id);
    i.kind = kind;
    i.name = std::move(name);
    i.status = status;
    i.impact = kind == IncidentKind::kMaintenance ? Impact::kMaintenance : Impact::kMajor;
    i.created_at = i.updated_at = i.started_at = kNow - 2h;
    domain::IncidentUpdate u;
    u.id = i.id + "-u";
    u.incident_id = i.id;
    u.status = status;
    u.body = "Latest on " + i.name;
    u.created_at = u.updated_at = u.display_at = kNow - 1h;
    i.updates.push_back(u);
    return i;
}

Incident MakeMaintenance(std::string id, std::string name, IncidentStatus status, TimePoint from) {
    auto m = MakeItem(std::move(id), IncidentKind::kMaintenance, std::move(name), status);
    m.scheduled_for = from;
    m.scheduled_until = from + 2h;
    return m;
}

domain::PageState Sample() {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    s.settings.name = "Example <Status>";
    s.settings.url = "https://status.example.com";
    s.settings.time_zone = "UTC";
    Component api;
    api.id = "cmp000000001";
    api.name = "API & \"Edge\"";
    api.status = ComponentStatus::kPartialOutage;
    api.position = 1;
    s.components = {api};
    s.incidents = {
        MakeItem("inc000000001", IncidentKind::kIncident, "Errors <on> login", IncidentStatus::kIdentified),
        MakeItem("inc000000002", IncidentKind::kIncident, "Old outage", IncidentStatus::kResolved),
        MakeMaintenance("mnt000000001", "Database upgrade", IncidentStatus::kScheduled, kNow + 48h),
        MakeMaintenance("mnt000000002", "Far future", IncidentStatus::kScheduled, kNow + 24h * 10),
        MakeMaintenance("mnt000000003", "Running now", IncidentStatus::kInProgress, kNow - 1h),
        MakeMaintenance("mnt000000004", "Done", IncidentStatus::kCompleted, kNow - 24h),
    };
    domain::MonitorUptime m;
    m.id = "mon000000001";
    m.name = "API check";
    m.component_ids = {"cmp000000001"};
    m.uptime_24h = 99.5;
    m.uptime_30d = 99.987;
    domain::MonitorUptime hidden;
    hidden.id = "mon000000002";
    hidden.name = "Internal";
    hidden.component_ids = {"gone00000001"};
    hidden.uptime_30d = 50;
    s.uptime.monitors = {m, hidden};
    return s;
}

TEST(EmbedJson, ListsActiveIncidentsAndMaintenanceWithinSevenDaysOnly) {
    auto doc = json::parse(RenderEmbedJson(Sample(), kNow, "en")).as_object();
    EXPECT_EQ(doc.at("page").at("name").as_string(), "Example <Status>");
    EXPECT_EQ(doc.at("page").at("url").as_string(), "https://status.example.com");
    EXPECT_EQ(doc.at("status").at("indicator").as_string(), "major");
    EXPECT_FALSE(doc.at("status").at("description").as_string().empty());

    const auto& incidents = doc.at("incidents").as_array();
    ASSERT_EQ(incidents.size(), 1u);  // the resolved one has ended
    const auto& inc = incidents[0].as_object();
    EXPECT_EQ(inc.at("id").as_string(), "inc000000001");
    EXPECT_EQ(inc.at("name").as_string(), "Errors <on> login");
    EXPECT_EQ(inc.at("status").as_string(), "identified");
    EXPECT_EQ(inc.at("status_label").as_string(), "Identified");
    EXPECT_EQ(inc.at("impact").as_string(), "major");
    EXPECT_EQ(inc.at("url").as_string(), "https://status.example.com/incidents/inc000000001?lang=en");
    EXPECT_EQ(inc.at("updated_at").as_string(), "2026-03-10T10:00:00.000Z");
    EXPECT_EQ(inc.at("latest_update").as_string(), "Latest on Errors <on> login");

    const auto& maint = doc.at("maintenances").as_array();
    ASSERT_EQ(maint.size(), 2u);  // running, and the one in two days; not in ten days, not done
    EXPECT_EQ(maint[0].at("id").as_string(), "mnt000000003");
    EXPECT_EQ(maint[1].at("id").as_string(), "mnt000000001");
    EXPECT_EQ(maint[1].at("scheduled_for").as_string(), "2026-03-12T12:00:00.000Z");
    EXPECT_EQ(maint[1].at("scheduled_until").as_string(), "2026-03-12T14:00:00.000Z");
    EXPECT_EQ(maint[1].at("status").as_string(), "scheduled");
}

TEST(EmbedJson, SpeaksGerman) {
    auto doc = json::parse(RenderEmbedJson(Sample(), kNow, "de")).as_object();
    EXPECT_EQ(doc.at("lang").as_string(), "de");
    EXPECT_EQ(doc.at("incidents").as_array()[0].at("status_label").as_string(), "Ursache erkannt");
    EXPECT_TRUE(Contains(doc.at("incidents").as_array()[0].at("url").as_string(), "?lang=de"));
    auto en = json::parse(RenderEmbedJson(Sample(), kNow, "en")).as_object();
    EXPECT_NE(doc.at("status").at("description"), en.at("status").at("description"));
}

TEST(EmbedJson, QuietPageHasEmptyLists) {
    auto s = Sample();
    s.incidents.clear();
    s.components[0].status = ComponentStatus::kOperational;
    auto doc = json::parse(RenderEmbedJson(s, kNow, "en")).as_object();
    EXPECT_EQ(doc.at("status").at("indicator").as_string(), "none");
    EXPECT_TRUE(doc.at("incidents").as_array().empty());
    EXPECT_TRUE(doc.at("maintenances").as_array().empty());
}

TEST(EmbedBanner, EscapesAndListsActiveItemsWithoutScript) {
    auto html = RenderEmbedBanner(Sample(), kNow, "en");
    EXPECT_TRUE(Contains(html, "Errors &lt;on&gt; login"));
    EXPECT_FALSE(Contains(html, "Errors <on>"));
    EXPECT_TRUE(Contains(html, "data-tocsin-item=\"inc000000001\""));
    EXPECT_TRUE(Contains(html, "data-tocsin-item=\"mnt000000001\""));
    EXPECT_FALSE(Contains(html, "inc000000002"));
    EXPECT_FALSE(Contains(html, "Far future"));
    EXPECT_TRUE(Contains(html, "role=\"status\""));
    EXPECT_FALSE(Contains(html, "<script"));
    EXPECT_TRUE(Contains(RenderEmbedBanner(Sample(), kNow, "de"), "lang=\"de\""));
}

TEST(Badge, EscapesTextAndGrowsWithIt) {
    auto svg = RenderBadge("a<b", "x&\"y\"", "#123456");
    EXPECT_TRUE(Contains(svg, "a&lt;b"));
    EXPECT_TRUE(Contains(svg, "x&amp;&quot;y&quot;"));
    EXPECT_FALSE(Contains(svg, "a<b"));
    EXPECT_TRUE(Contains(svg, "fill=\"#123456\""));
    EXPECT_TRUE(Contains(svg, "role=\"img\""));
    EXPECT_LT(BadgeTextWidth("ok"), BadgeTextWidth("operational"));
    EXPECT_LT(BadgeTextWidth("iii"), BadgeTextWidth("MMM"));
    auto short_svg = RenderBadge("status", "ok", "#000000");
    auto long_svg = RenderBadge("status", "partial outage everywhere", "#000000");
    auto width = [](const std::string& s) {
        auto at = s.find("width=\"") + 7;
        return std::stoi(s.substr(at, s.find('"', at) - at));
    };
    EXPECT_LT(width(short_svg), width(long_svg));
}

TEST(Badge, PageComponentAndPublicMonitorBadges) {
    auto badges = RenderBadges(Sample(), kNow, "en");
    auto find = [&](const std::string& path) -> std::string {
        for (const auto& b : badges) {
            if (b.path == path) return b.svg;
        }
        return {};
    };
    auto page = find("/badge.svg");
    EXPECT_TRUE(Contains(page, ">status<"));
    EXPECT_TRUE(Contains(page, ">partial outage<"));
    auto component = find("/badge/components/cmp000000001.svg");
    EXPECT_TRUE(Contains(component, "API &amp; &quot;Edge&quot;"));
    EXPECT_TRUE(Contains(component, ">Partial Outage<"));
    EXPECT_TRUE(Contains(find("/badge/monitors/mon000000001/uptime.svg?days=30"), ">99.99%<"));
    EXPECT_EQ(find("/badge/monitors/mon000000001/uptime.svg"), find("/badge/monitors/mon000000001/uptime.svg?days=30"));
    EXPECT_TRUE(Contains(find("/badge/monitors/mon000000001/uptime.svg?days=1"), ">99.50%<"));
    EXPECT_TRUE(Contains(find("/badge/monitors/mon000000001/uptime.svg?days=7"), ">no data<"));
    // A monitor of no component on the page stays private.
    EXPECT_TRUE(find("/badge/monitors/mon000000002/uptime.svg").empty());

    auto de = RenderBadges(Sample(), kNow, "de");
    bool german = false;
    for (const auto& b : de) {
        if (b.path == "/badge/monitors/mon000000001/uptime.svg?days=30") {
            german = Contains(b.svg, "Verfügbarkeit 30 T") && Contains(b.svg, "99,99\u00a0%");
        }
    }
    EXPECT_TRUE(german);
}

TEST(EmbedSnapshot, HeadersGiveCorsOnlyToEmbedsAndFramingOnlyToTheBanner) {
    SnapshotBuilder builder;
    auto snap = builder.Build(Sample(), kNow, 1);
    auto header = [&](const std::string& key, std::string_view name) -> std::string {
        const Entry* e = snap->Find(key);
        if (!e) return "<missing>";
        for (const auto& [n, v] : e->headers) {
            if (n == name) return v;
        }
        return {};
    };
    for (std::string key :
         {"/embed/status.json#en", "/embed/banner.js", "/badge.svg#de", "/badge/components/cmp000000001.svg#en"}) {
        EXPECT_EQ(header(key, "Access-Control-Allow-Origin"), "*") << key;
        EXPECT_EQ(header(key, "X-Content-Type-Options"), "nosniff") << key;
    }
    for (std::string key : {"/#en", "/embed/banner#en", "/history#en", "/assets/page.css"}) {
        EXPECT_EQ(header(key, "Access-Control-Allow-Origin"), "") << key;
    }
    EXPECT_TRUE(Contains(header("/embed/banner#en", "Content-Security-Policy"), "frame-ancestors *"));
    EXPECT_EQ(header("/embed/banner#en", "X-Frame-Options"), "");
    EXPECT_TRUE(Contains(header("/#en", "Content-Security-Policy"), "frame-ancestors 'none'"));
    EXPECT_EQ(header("/#en", "X-Frame-Options"), "DENY");
    EXPECT_EQ(snap->Find("/embed/banner.js")->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(snap->Find("/badge.svg#en")->content_type, "image/svg+xml");
}

}  // namespace
}  // namespace tocsin::page
