#include "tocsin/page/snapshot_builder.hpp"

#include "test/support/fake_clock.hpp"
#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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
using domain::IncidentUpdate;
using test::At;

const TimePoint kNow = At("2026-03-10T12:00:00Z");

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

std::string Gunzip(const std::string& data) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    }
    inflateEnd(&zs);
    return rc == Z_STREAM_END ? out : "<inflate failed>";
}

Component MakeComponent(std::string id, std::string name, ComponentStatus status, int position) {
    Component c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.status = status;
    c.position = position;
    c.created_at = At("2026-01-02T00:00:00Z");
    c.updated_at = At("2026-03-01T00:00:00Z");
    return c;
}

IncidentUpdate MakeUpdate(
    const std::string& incident_id, std::string id, IncidentStatus status, std::string body, TimePoint at
) {
    IncidentUpdate u;
    u.id = std::move(id);
    u.incident_id = incident_id;
    u.status = status;
    u.body = std::move(body);
    u.created_at = u.updated_at = u.display_at = at;
    return u;
}

Incident MakeIncident(std::string id, std::string name, IncidentStatus status, TimePoint started) {
    Incident i;
    i.id = std::move(id);
    i.kind = IncidentKind::kIncident;
    i.name = std::move(name);
    i.status = status;
    i.impact = Impact::kMinor;
    i.created_at = i.updated_at = i.started_at = started;
    if (domain::IsClosedStatus(status)) i.resolved_at = started + 1h;
    i.updates.push_back(MakeUpdate(i.id, i.id + "-u1", status, "Update of " + i.name, started));
    return i;
}

Incident MakeMaintenance(std::string id, std::string name, IncidentStatus status, TimePoint from, TimePoint until) {
    Incident m;
    m.id = std::move(id);
    m.kind = IncidentKind::kMaintenance;
    m.name = std::move(name);
    m.status = status;
    m.impact = Impact::kMaintenance;
    m.created_at = m.updated_at = m.started_at = from - 48h;
    m.scheduled_for = from;
    m.scheduled_until = until;
    m.updates.push_back(MakeUpdate(m.id, m.id + "-u1", status, "Work on " + m.name, m.created_at));
    return m;
}

// A page with a group and two components, an open and a resolved incident, an upcoming,
// an active and a completed maintenance.
domain::PageState SamplePage() {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    s.settings.name = "Example";
    s.settings.url = "https://status.example.com";
    s.settings.time_zone = "UTC";
    s.settings.updated_at = At("2026-03-01T00:00:00Z");
    auto group = MakeComponent("grp000000001", "Core", ComponentStatus::kOperational, 1);
    group.is_group = true;
    auto api = MakeComponent("cmp000000001", "API", ComponentStatus::kDegradedPerformance, 2);
    api.group_id = group.id;
    api.description = "Public REST API";
    auto search = MakeComponent("cmp000000002", "Search", ComponentStatus::kUnderMaintenance, 3);
    s.components = {group, api, search};

    auto open = MakeIncident("inc000000001", "Slow API", IncidentStatus::kIdentified, kNow - 30min);
    open.component_ids = {api.id};
    open.updates.front().affected_components = {
        {api.id, api.name, ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance}};
    auto upcoming =
        MakeMaintenance("mnt000000001", "Database upgrade", IncidentStatus::kScheduled, kNow + 3h, kNow + 5h);
    auto active =
        MakeMaintenance("mnt000000002", "Search index rebuild", IncidentStatus::kInProgress, kNow - 1h, kNow + 1h);
    active.component_ids = {search.id};
    auto done = MakeMaintenance("mnt000000003", "Network work", IncidentStatus::kCompleted, kNow - 30h, kNow - 28h);
    auto resolved = MakeIncident("inc000000002", "Login errors", IncidentStatus::kResolved, kNow - 50h);
    // Newest first by started_at, as the store delivers them.
    s.incidents = {open, upcoming, active, done, resolved};
    std::sort(s.incidents.begin(), s.incidents.end(), [](const Incident& a, const Incident& b) {
        return a.started_at > b.started_at;
    });
    return s;
}

std::shared_ptr<const Snapshot> Build(const domain::PageState& s, TimePoint now = kNow, PageOptions o = {}) {
    SnapshotBuilder b(o);
    return b.Build(s, now, 1);
}

const Entry& MustFind(const Snapshot& snap, std::string_view path, std::string_view lang = {}) {
    static const Entry kMissing{};
    const Entry* e = snap.Find(Snapshot::Key(path, lang));
    EXPECT_NE(e, nullptr) << "missing " << Snapshot::Key(path, lang);
    return e ? *e : kMissing;
}

json::object ParseObject(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    EXPECT_FALSE(ec) << text.substr(0, 200);
    return !ec && v.is_object() ? v.as_object() : json::object{};
}

std::set<std::string> Keys(const json::object& o) {
    std::set<std::string> out;
    for (const auto& kv : o) out.insert(std::string(kv.key()));
    return out;
}

std::vector<std::string> Ids(const json::array& a) {
    std::vector<std::string> out;
    for (const auto& v : a) out.emplace_back(v.as_object().at("id").as_string());
    return out;
}

// ---- keys -----------------------------------------------------------------------------

TEST(SnapshotBuilder, HasEveryOutputInEveryLanguage) {
    auto s = SamplePage();
    auto snap = Build(s);
    EXPECT_EQ(snap->languages, (std::vector<std::string>{"en", "de"}));
    EXPECT_EQ(snap->default_language, "en");
    struct Case {
        std::string_view name;
        std::string path;
        bool localized;
        std::string_view content_type;
        int status;
    };
    std::vector<Case> cases = {
        {"index", "/", true, "text/html; charset=utf-8", 200},
        {"history", "/history", true, "text/html; charset=utf-8", 200},
        {"not found page", "/404", true, "text/html; charset=utf-8", 404},
        {"atom", "/history.atom", true, "application/atom+xml; charset=utf-8", 200},
        {"rss", "/history.rss", true, "application/rss+xml; charset=utf-8", 200},
        {"summary", "/api/v2/summary.json", false, "application/json", 200},
        {"status", "/api/v2/status.json", false, "application/json", 200},
        {"components", "/api/v2/components.json", false, "application/json", 200},
        {"incidents", "/api/v2/incidents.json", false, "application/json", 200},
        {"unresolved", "/api/v2/incidents/unresolved.json", false, "application/json", 200},
        {"maintenances", "/api/v2/scheduled-maintenances.json", false, "application/json", 200},
        {"upcoming", "/api/v2/scheduled-maintenances/upcoming.json", false, "application/json", 200},
        {"active", "/api/v2/scheduled-maintenances/active.json", false, "application/json", 200},
        {"ical", "/maintenance.ics", false, "text/calendar; charset=utf-8", 200},
        {"css", "/assets/page.css", false, "text/css; charset=utf-8", 200},
        {"theme", "/assets/theme.css", false, "text/css; charset=utf-8", 200},
        {"favicon", "/favicon.svg", false, "image/svg+xml", 200},
    };
    for (const auto& inc : s.incidents) {
        cases.push_back({"incident page", "/incidents/" + inc.id, true, "text/html; charset=utf-8", 200});
    }
    for (const auto& c : cases) {
        SCOPED_TRACE(c.path);
        if (c.localized) {
            for (const std::string lang : {"en", "de"}) {
                SCOPED_TRACE(lang);
                const auto& e = MustFind(*snap, c.path, lang);
                EXPECT_EQ(e.content_type, c.content_type);
                EXPECT_EQ(e.status, c.status);
                EXPECT_TRUE(e.localized);
                EXPECT_FALSE(e.body.empty());
            }
            EXPECT_EQ(snap->Find(Snapshot::Key(c.path)), nullptr) << "a localized output has no neutral key";
        } else {
            const auto& e = MustFind(*snap, c.path);
            EXPECT_EQ(e.content_type, c.content_type);
            EXPECT_EQ(e.status, c.status);
            EXPECT_FALSE(e.localized);
            EXPECT_FALSE(e.html);
        }
    }
}

TEST(SnapshotBuilder, PutsTheDefaultLanguageFirst) {
    auto s = SamplePage();
    s.settings.default_language = "de";
    auto snap = Build(s);
    EXPECT_EQ(snap->languages, (std::vector<std::string>{"de", "en"}));
    EXPECT_EQ(snap->default_language, "de");
}

TEST(SnapshotBuilder, ServesTheLogoOnlyWhenThereIsOne) {
    auto s = SamplePage();
    EXPECT_EQ(Build(s)->Find(Snapshot::Key("/assets/logo")), nullptr);
    s.settings.logo = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
    s.settings.logo_content_type = "image/svg+xml";
    auto snap = Build(s);
    const auto& e = MustFind(*snap, "/assets/logo");
    EXPECT_EQ(e.body, s.settings.logo);
    EXPECT_EQ(e.content_type, "image/svg+xml");
    EXPECT_TRUE(Contains(MustFind(*snap, "/", "en").body, "<img src=\"/assets/logo\""));
}

TEST(SnapshotBuilder, MarksHtmlDocumentsAndStampsEveryEntry) {
    auto snap = Build(SamplePage());
    for (const auto& [key, e] : snap->entries) {
        SCOPED_TRACE(key);
        EXPECT_EQ(e.html, e.content_type.rfind("text/html", 0) == 0);
        EXPECT_EQ(e.last_modified, FormatHttpDate(kNow));
        EXPECT_FALSE(e.cache_control.empty());
        ASSERT_GE(e.etag.size(), 3u);
        EXPECT_EQ(e.etag.front(), '"');
        EXPECT_EQ(e.etag.back(), '"');
    }
    EXPECT_EQ(MustFind(*snap, "/404", "en").cache_control, "no-cache");
}

// ---- v2 JSON ------------------------------------------------------------------------------

TEST(SnapshotBuilder, SummaryJsonHasStatuspageFields) {
    auto snap = Build(SamplePage());
    auto doc = ParseObject(MustFind(*snap, "/api/v2/summary.json").body);
    EXPECT_EQ(
        Keys(doc), (std::set<std::string>{"page", "components", "incidents", "scheduled_maintenances", "status"})
    );

    const auto& page = doc.at("page").as_object();
    EXPECT_EQ(Keys(page), (std::set<std::string>{"id", "name", "url", "time_zone", "updated_at"}));
    EXPECT_EQ(page.at("id").as_string(), "page00000001");
    EXPECT_EQ(page.at("url").as_string(), "https://status.example.com");
    EXPECT_EQ(page.at("updated_at").as_string(), "2026-03-10T11:30:00.000Z");  // newest change in the state

    const auto& status = doc.at("status").as_object();
    EXPECT_EQ(Keys(status), (std::set<std::string>{"indicator", "description"}));
    EXPECT_EQ(status.at("indicator").as_string(), "minor");
    EXPECT_EQ(status.at("description").as_string(), "Partially Degraded Service");

    const std::set<std::string> component_keys = {
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "position",
        "description",
        "showcase",
        "start_date",
        "group_id",
        "page_id",
        "group",
        "only_show_if_degraded"};
    const auto& components = doc.at("components").as_array();
    ASSERT_EQ(components.size(), 3u);
    for (const auto& v : components) {
        const auto& c = v.as_object();
        SCOPED_TRACE(std::string(c.at("name").as_string()));
        auto keys = Keys(c);
        if (c.at("group").as_bool()) {
            EXPECT_EQ(c.at("components").as_array(), (json::array{"cmp000000001"}));
            keys.erase("components");
            EXPECT_EQ(c.at("status").as_string(), "degraded_performance");  // the worst of its children
        }
        EXPECT_EQ(keys, component_keys);
    }
    EXPECT_EQ(components[1].as_object().at("group_id").as_string(), "grp000000001");
    EXPECT_TRUE(components[0].as_object().at("description").is_null());
    EXPECT_EQ(components[1].as_object().at("start_date").as_string(), "2026-01-02");

    const std::set<std::string> incident_keys = {
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "monitoring_at",
        "resolved_at",
        "impact",
        "shortlink",
        "started_at",
        "page_id",
        "incident_updates",
        "components"};
    const auto& incidents = doc.at("incidents").as_array();
    EXPECT_EQ(Ids(incidents), (std::vector<std::string>{"inc000000001"}));  // unresolved only
    const auto& inc = incidents[0].as_object();
    EXPECT_EQ(Keys(inc), incident_keys);
    EXPECT_EQ(inc.at("shortlink").as_string(), "https://status.example.com/incidents/inc000000001");
    EXPECT_EQ(inc.at("impact").as_string(), "minor");
    EXPECT_EQ(Ids(inc.at("components").as_array()), (std::vector<std::string>{"cmp000000001"}));
    const auto& update = inc.at("incident_updates").as_array().at(0).as_object();
    EXPECT_EQ(
        Keys(update),
        (std::set<std::string>{
            "id",
            "status",
            "body",
            "incident_id",
            "created_at",
            "updated_at",
            "display_at",
            "affected_components",
            "deliver_notifications",
            "custom_tweet",
            "tweet_id"})
    );
    const auto& affected = update.at("affected_components").as_array().at(0).as_object();
    EXPECT_EQ(Keys(affected), (std::set<std::string>{"code", "name", "old_status", "new_status"}));
    EXPECT_EQ(affected.at("old_status").as_string(), "operational");
    EXPECT_EQ(affected.at("new_status").as_string(), "degraded_performance");

    // Active first, then upcoming soonest first; completed ones are not in the summary.
    const auto& maint = doc.at("scheduled_maintenances").as_array();
    EXPECT_EQ(Ids(maint), (std::vector<std::string>{"mnt000000002", "mnt000000001"}));
    auto maint_keys = incident_keys;
    maint_keys.insert({"scheduled_for", "scheduled_until"});
    EXPECT_EQ(Keys(maint[0].as_object()), maint_keys);
    EXPECT_EQ(maint[0].as_object().at("impact").as_string(), "maintenance");
    EXPECT_EQ(maint[1].as_object().at("scheduled_for").as_string(), FormatIso8601(kNow + 3h));
}

TEST(SnapshotBuilder, EachV2DocumentHoldsWhatStatuspageDocuments) {
    auto snap = Build(SamplePage());
    struct Case {
        std::string_view name;
        std::string path;
        std::set<std::string> keys;
        std::string list;  // the array to check, empty for none
        std::vector<std::string> ids;
    };
    const Case cases[] = {
        {"status", "/api/v2/status.json", {"page", "status"}, "", {}},
        {"components",
         "/api/v2/components.json",
         {"page", "components"},
         "components",
         {"grp000000001", "cmp000000001", "cmp000000002"}},
        {"incidents include resolved",
         "/api/v2/incidents.json",
         {"page", "incidents"},
         "incidents",
         {"inc000000001", "inc000000002"}},
        {"unresolved", "/api/v2/incidents/unresolved.json", {"page", "incidents"}, "incidents", {"inc000000001"}},
        {"every maintenance",
         "/api/v2/scheduled-maintenances.json",
         {"page", "scheduled_maintenances"},
         "scheduled_maintenances",
         {"mnt000000002", "mnt000000001", "mnt000000003"}},
        {"upcoming",
         "/api/v2/scheduled-maintenances/upcoming.json",
         {"page", "scheduled_maintenances"},
         "scheduled_maintenances",
         {"mnt000000001"}},
        {"active",
         "/api/v2/scheduled-maintenances/active.json",
         {"page", "scheduled_maintenances"},
         "scheduled_maintenances",
         {"mnt000000002"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto doc = ParseObject(MustFind(*snap, c.path).body);
        EXPECT_EQ(Keys(doc), c.keys);
        if (!c.list.empty()) {
            auto ids = Ids(doc.at(c.list).as_array());
            if (c.list != "components") std::sort(ids.begin(), ids.end());
            auto expected = c.ids;
            if (c.list != "components") std::sort(expected.begin(), expected.end());
            EXPECT_EQ(ids, expected);
        }
    }
}

TEST(SnapshotBuilder, V2ListsStopAtTheFeedLimit) {
    auto s = SamplePage();
    for (int i = 0; i < 10; ++i) {
        s.incidents.push_back(MakeIncident(
            "old" + std::to_string(i), "Old " + std::to_string(i), IncidentStatus::kResolved, kNow - 100h - i * 1h
        ));
    }
    PageOptions o;
    o.feed_entries = 4;
    auto snap = Build(s, kNow, o);
    auto doc = ParseObject(MustFind(*snap, "/api/v2/incidents.json").body);
    EXPECT_EQ(doc.at("incidents").as_array().size(), 4u);
}

// ---- bytes, gzip and validators ----------------------------------------------------------

TEST(SnapshotBuilder, GzipDecompressesToTheBody) {
    auto snap = Build(SamplePage());
    int compressed = 0;
    for (const auto& [key, e] : snap->entries) {
        SCOPED_TRACE(key);
        if (e.gzip.empty()) {
            // Only tiny bodies go uncompressed.
            EXPECT_LE(e.body.size(), 200u);
            continue;
        }
        ++compressed;
        EXPECT_EQ(Gunzip(e.gzip), e.body);
        EXPECT_LT(e.gzip.size(), e.body.size());
        EXPECT_NE(e.etag_gzip, e.etag);
        EXPECT_FALSE(e.etag_gzip.empty());
    }
    EXPECT_GE(compressed, 10);
    EXPECT_FALSE(MustFind(*snap, "/api/v2/summary.json").gzip.empty());
    EXPECT_FALSE(MustFind(*snap, "/", "de").gzip.empty());
}

TEST(SnapshotBuilder, ETagsAreStableWhenNothingChanged) {
    auto s = SamplePage();
    auto a = Build(s);
    auto b = Build(s);
    ASSERT_EQ(a->entries.size(), b->entries.size());
    for (const auto& [key, e] : a->entries) {
        SCOPED_TRACE(key);
        const Entry* other = b->Find(key);
        ASSERT_NE(other, nullptr);
        EXPECT_EQ(e.etag, other->etag);
        EXPECT_EQ(e.etag_gzip, other->etag_gzip);
        EXPECT_EQ(e.body, other->body);
    }
}

TEST(SnapshotBuilder, JsonETagsSurviveARebuildAtALaterTime) {
    auto s = SamplePage();
    auto a = Build(s, kNow);
    auto b = Build(s, kNow + 1min);
    for (std::string_view path : {"/api/v2/summary.json", "/api/v2/components.json", "/api/v2/status.json"}) {
        SCOPED_TRACE(path);
        EXPECT_EQ(MustFind(*a, path).etag, MustFind(*b, path).etag);
    }
}

TEST(SnapshotBuilder, ETagsChangeWhenTheStateChanges) {
    auto s = SamplePage();
    auto before = Build(s);
    s.components[1].status = ComponentStatus::kMajorOutage;
    s.components[1].updated_at = kNow;
    auto after = Build(s);
    for (std::string_view path : {"/api/v2/summary.json", "/api/v2/components.json", "/api/v2/status.json"}) {
        SCOPED_TRACE(path);
        EXPECT_NE(MustFind(*before, path).etag, MustFind(*after, path).etag);
    }
    for (std::string_view lang : {"en", "de"}) {
        SCOPED_TRACE(lang);
        EXPECT_NE(MustFind(*before, "/", lang).etag, MustFind(*after, "/", lang).etag);
        EXPECT_NE(MustFind(*before, "/", lang).etag_gzip, MustFind(*after, "/", lang).etag_gzip);
    }
    // Outputs that do not show components keep their validators.
    EXPECT_EQ(MustFind(*before, "/assets/page.css").etag, MustFind(*after, "/assets/page.css").etag);
    EXPECT_EQ(MustFind(*before, "/maintenance.ics").etag, MustFind(*after, "/maintenance.ics").etag);
}

TEST(SnapshotBuilder, LocalizedVariantsHaveTheirOwnETags) {
    auto snap = Build(SamplePage());
    EXPECT_NE(MustFind(*snap, "/", "en").etag, MustFind(*snap, "/", "de").etag);
}

// ---- HTML -------------------------------------------------------------------------------------

TEST(SnapshotBuilder, RendersEnglishAndGermanHtml) {
    auto s = SamplePage();
    auto snap = Build(s);
    struct Case {
        std::string_view lang;
        std::vector<std::string_view> phrases;
    };
    const Case cases[] = {
        {"en",
         {"<html lang=\"en\">",
          "Partially Degraded Service",
          "Components",
          "Degraded Performance",
          "Active incidents",
          "Scheduled maintenance",
          "Maintenance in progress",
          "March 10, 2026",
          "Identified"}},
        {"de",
         {"<html lang=\"de\">",
          "Teilweise eingeschränkter Dienst",
          "Komponenten",
          "Eingeschränkte Leistung",
          "Aktuelle Störungen",
          "Geplante Wartungsarbeiten",
          "Laufende Wartungsarbeiten",
          "10. März 2026",
          "Ursache erkannt",
          "Zum Inhalt springen"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.lang);
        const auto& html = MustFind(*snap, "/", c.lang).body;
        for (auto phrase : c.phrases) EXPECT_TRUE(Contains(html, phrase)) << phrase;
    }
    const auto& de = MustFind(*snap, "/", "de").body;
    EXPECT_FALSE(Contains(de, "All Systems")) << "English left in the German page";
    EXPECT_FALSE(Contains(de, "Active incidents"));
}

TEST(SnapshotBuilder, GermanFeedsAndIncidentPagesAreGerman) {
    auto snap = Build(SamplePage());
    EXPECT_TRUE(Contains(MustFind(*snap, "/incidents/inc000000001", "de").body, "Ursache erkannt"));
    EXPECT_TRUE(Contains(MustFind(*snap, "/history", "de").body, "Störungsverlauf"));
    EXPECT_TRUE(Contains(MustFind(*snap, "/history.rss", "de").body, "<language>de</language>"));
    EXPECT_TRUE(Contains(MustFind(*snap, "/history.atom", "de").body, "xml:lang=\"de\""));
    EXPECT_TRUE(Contains(MustFind(*snap, "/404", "de").body, "Diese Seite gibt es nicht."));
}

TEST(SnapshotBuilder, NamesThePageTimeZoneInTheFooter) {
    struct Case {
        std::string_view name;
        std::string zone;
        std::string_view lang;
        std::string_view expected;
    };
    const Case cases[] = {
        {"utc in english", "UTC", "en", "Times are shown in UTC."},
        {"berlin in english", "Europe/Berlin", "en", "Times are shown in Europe/Berlin."},
        {"berlin in german", "Europe/Berlin", "de", "Zeiten in Europe/Berlin."},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto s = SamplePage();
        s.settings.time_zone = c.zone;
        auto snap = Build(s);
        const auto& html = MustFind(*snap, "/", c.lang).body;
        EXPECT_TRUE(Contains(html, c.expected)) << html.substr(html.find("class=\"tz\""), 80);
        EXPECT_FALSE(Contains(html, "{tz}"));
    }
}

TEST(SnapshotBuilder, ShowsTimesInThePageTimeZone) {
    auto s = SamplePage();
    s.settings.time_zone = "Europe/Berlin";
    auto snap = Build(s);
    // The upcoming window starts 15:00 UTC, which is 16:00 CET.
    EXPECT_TRUE(Contains(MustFind(*snap, "/", "en").body, "March 10, 2026, 16:00 CET"));
    EXPECT_TRUE(Contains(MustFind(*snap, "/", "de").body, "10. März 2026, 16:00 CET"));
}

// Text of the index page's section introduced by `heading_id`, up to the next section.
std::string Section(const std::string& html, std::string_view heading_id) {
    auto start = html.find("id=\"" + std::string(heading_id) + "\"");
    if (start == std::string::npos) return {};
    auto end = html.find("</section>", start);
    return html.substr(start, end - start);
}

TEST(SnapshotBuilder, PlacesUpcomingAndActiveMaintenanceApart) {
    auto snap = Build(SamplePage());
    const auto& html = MustFind(*snap, "/", "en").body;
    auto upcoming = Section(html, "h-upcoming");
    auto active = Section(html, "h-maint");
    auto incidents = Section(html, "h-active");
    EXPECT_TRUE(Contains(upcoming, "Database upgrade"));
    EXPECT_FALSE(Contains(upcoming, "Search index rebuild"));
    EXPECT_TRUE(Contains(active, "Search index rebuild"));
    EXPECT_FALSE(Contains(active, "Database upgrade"));
    EXPECT_TRUE(Contains(incidents, "Slow API"));
    EXPECT_FALSE(Contains(incidents, "Database upgrade"));
    EXPECT_FALSE(Contains(incidents, "Search index rebuild"));
    // A completed maintenance is history, not upcoming.
    EXPECT_FALSE(Contains(upcoming, "Network work"));
    EXPECT_FALSE(Contains(active, "Network work"));
}

TEST(SnapshotBuilder, OmitsEmptySections) {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    s.components = {MakeComponent("cmp000000001", "API", ComponentStatus::kOperational, 1)};
    auto snap = Build(s);
    const auto& html = MustFind(*snap, "/", "en").body;
    EXPECT_TRUE(Contains(html, "All Systems Operational"));
    EXPECT_FALSE(Contains(html, "id=\"h-upcoming\""));
    EXPECT_FALSE(Contains(html, "id=\"h-maint\""));
    EXPECT_FALSE(Contains(html, "id=\"h-active\""));
}

TEST(SnapshotBuilder, SaysWhenUpcomingMaintenanceStarts) {
    struct Case {
        std::string_view name;
        std::chrono::minutes ahead;
        std::string_view en;
        std::string_view de;
    };
    const Case cases[] = {
        {"minutes", 90min, "Starts in 90 minutes", "Beginnt in 90 Minuten"},
        {"hours", 180min, "Starts in 3 hours", "Beginnt in 3 Stunden"},
        {"days", 3 * 24 * 60min, "Starts in 3 days", "Beginnt in 3 Tagen"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        domain::PageState s;
        s.settings.page_id = "page00000001";
        s.incidents = {
            MakeMaintenance("mnt1", "Upgrade", IncidentStatus::kScheduled, kNow + c.ahead, kNow + c.ahead + 1h)};
        auto snap = Build(s);
        EXPECT_TRUE(Contains(MustFind(*snap, "/", "en").body, c.en));
        EXPECT_TRUE(Contains(MustFind(*snap, "/", "de").body, c.de));
    }
}

TEST(SnapshotBuilder, RendersIncidentUpdatesAsSafeMarkdown) {
    auto s = SamplePage();
    s.incidents[0].updates.front().body =
        "**Root cause**: a full disk.\n\n<script>alert(1)</script> [details](javascript:alert(2)) "
        "![graph](https://cdn.example.com/g.png)";
    auto snap = Build(s);
    const auto& id = s.incidents[0].id;
    for (std::string_view lang : {"en", "de"}) {
        SCOPED_TRACE(lang);
        for (const auto& path : {std::string("/"), "/incidents/" + id}) {
            SCOPED_TRACE(path);
            const auto& html = MustFind(*snap, path, lang).body;
            EXPECT_TRUE(Contains(html, "<strong>Root cause</strong>"));
            EXPECT_TRUE(Contains(html, "&lt;script&gt;"));
            EXPECT_FALSE(Contains(html, "javascript:"));
            EXPECT_FALSE(Contains(html, "<img src=\"https://cdn.example.com"));
        }
    }
    // Documents a browser renders or a feed reader shows as HTML never carry a script element.
    // (The v2 JSON carries the Markdown source verbatim, as Statuspage does; it is served as JSON.)
    for (const auto& [key, e] : snap->entries) {
        if (!e.html && e.content_type.find("xml") == std::string::npos) continue;
        SCOPED_TRACE(key);
        EXPECT_FALSE(Contains(e.body, "<script"));
    }
}

TEST(SnapshotBuilder, EscapesNamesInHtml) {
    auto s = SamplePage();
    s.settings.name = "Tom & Jerry <Status>";
    s.components[1].name = "<b>API</b>";
    s.incidents[0].name = "\"quoted\" <i>incident</i>";
    auto snap = Build(s);
    const auto& html = MustFind(*snap, "/", "en").body;
    EXPECT_TRUE(Contains(html, "Tom &amp; Jerry &lt;Status&gt;"));
    EXPECT_TRUE(Contains(html, "&lt;b&gt;API&lt;/b&gt;"));
    EXPECT_FALSE(Contains(html, "<b>API"));
    EXPECT_FALSE(Contains(html, "<i>incident"));
}

TEST(SnapshotBuilder, PaginatesHistory) {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    for (int i = 0; i < 5; ++i) {
        // inc0 is the newest.
        s.incidents.push_back(MakeIncident(
            "inc" + std::to_string(i),
            "Incident number " + std::to_string(i),
            IncidentStatus::kResolved,
            kNow - std::chrono::hours(24 * (i + 1))
        ));
    }
    s.incidents.push_back(MakeIncident("open", "Still open", IncidentStatus::kInvestigating, kNow - 1h));
    std::sort(s.incidents.begin(), s.incidents.end(), [](const Incident& a, const Incident& b) {
        return a.started_at > b.started_at;
    });
    PageOptions o;
    o.history_page_size = 2;
    auto snap = Build(s, kNow, o);

    const auto& p1 = MustFind(*snap, "/history", "en").body;
    const auto& p2 = MustFind(*snap, "/history?page=2", "en").body;
    const auto& p3 = MustFind(*snap, "/history?page=3", "en").body;
    EXPECT_EQ(snap->Find(Snapshot::Key("/history?page=4", "en")), nullptr);
    EXPECT_EQ(snap->Find(Snapshot::Key("/history?page=1", "en")), nullptr);

    EXPECT_TRUE(Contains(p1, "Incident number 0"));
    EXPECT_TRUE(Contains(p1, "Incident number 1"));
    EXPECT_FALSE(Contains(p1, "Incident number 2"));
    EXPECT_FALSE(Contains(p1, "Still open")) << "history lists closed incidents only";
    EXPECT_TRUE(Contains(p2, "Incident number 2"));
    EXPECT_TRUE(Contains(p2, "Incident number 3"));
    EXPECT_TRUE(Contains(p3, "Incident number 4"));

    EXPECT_TRUE(Contains(p1, "href=\"/history?page=2&amp;lang=en\""));
    EXPECT_FALSE(Contains(p1, "rel=\"prev\""));
    EXPECT_TRUE(Contains(p2, "rel=\"prev\" href=\"/history?lang=en\""));
    EXPECT_TRUE(Contains(p2, "href=\"/history?page=3&amp;lang=en\""));
    EXPECT_TRUE(Contains(p3, "rel=\"prev\" href=\"/history?page=2&amp;lang=en\""));
    EXPECT_FALSE(Contains(p3, "rel=\"next\""));
    EXPECT_TRUE(Contains(p3, "Page 3"));
    EXPECT_TRUE(Contains(MustFind(*snap, "/history?page=3", "de").body, "Seite 3"));
}

TEST(SnapshotBuilder, HasOneHistoryPageWhenNothingIsClosed) {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    auto snap = Build(s);
    EXPECT_TRUE(Contains(MustFind(*snap, "/history", "en").body, "No incidents reported."));
    EXPECT_EQ(snap->Find(Snapshot::Key("/history?page=2", "en")), nullptr);
}

// ---- security headers and origins ---------------------------------------------------------------

TEST(SnapshotBuilder, ContentSecurityPolicyNamesNoOtherOrigin) {
    auto snap = Build(SamplePage());
    const auto& csp = snap->content_security_policy;
    EXPECT_TRUE(Contains(csp, "default-src 'none'"));
    EXPECT_TRUE(Contains(csp, "frame-ancestors 'none'"));
    EXPECT_FALSE(Contains(csp, "http"));
    EXPECT_FALSE(Contains(csp, "*"));
    EXPECT_FALSE(Contains(csp, "unsafe-inline"));
    EXPECT_FALSE(Contains(csp, "unsafe-eval"));
    // Every source is the page itself, nothing, or inline data.
    std::string rest = csp;
    for (std::string_view directive :
         {"default-src", "style-src", "img-src", "form-action", "base-uri", "frame-ancestors"}) {
        auto pos = rest.find(directive);
        ASSERT_NE(pos, std::string::npos) << directive;
        rest.erase(pos, directive.size());
    }
    for (std::string_view allowed : {"'self'", "'none'", "data:", ";"}) {
        for (auto pos = rest.find(allowed); pos != std::string::npos; pos = rest.find(allowed))
            rest.erase(pos, allowed.size());
    }
    EXPECT_EQ(rest.find_first_not_of(' '), std::string::npos) << "unexpected sources: " << rest;
    EXPECT_EQ(snap->frame_options, "DENY");
}

TEST(SnapshotBuilder, FrameAncestorsComeFromTheSettings) {
    auto s = SamplePage();
    s.settings.frame_ancestors = {"https://intranet.example.com", "https://wiki.example.com"};
    auto snap = Build(s);
    EXPECT_TRUE(
        Contains(snap->content_security_policy, "frame-ancestors https://intranet.example.com https://wiki.example.com")
    );
    EXPECT_FALSE(Contains(snap->content_security_policy, "frame-ancestors 'none'"));
    // X-Frame-Options cannot express a list, so it is left to the CSP.
    EXPECT_EQ(snap->frame_options, "");
}

TEST(SnapshotBuilder, HtmlLoadsNothingFromAnotherHost) {
    auto s = SamplePage();
    s.settings.logo = "png";
    s.settings.logo_content_type = "image/png";
    auto snap = Build(s);
    for (const auto& [key, e] : snap->entries) {
        if (!e.html) continue;
        SCOPED_TRACE(key);
        // Subresources: src= anywhere and href= on <link rel=stylesheet|icon>.
        for (auto pos = e.body.find(" src=\""); pos != std::string::npos; pos = e.body.find(" src=\"", pos + 1)) {
            EXPECT_EQ(e.body.substr(pos + 6, 1), "/") << e.body.substr(pos, 60);
            EXPECT_NE(e.body.substr(pos + 6, 2), "//") << e.body.substr(pos, 60);
        }
        for (auto pos = e.body.find("<link rel=\""); pos != std::string::npos;
             pos = e.body.find("<link rel=\"", pos + 1)) {
            auto tag = e.body.substr(pos, e.body.find('>', pos) - pos);
            if (Contains(tag, "rel=\"alternate\"")) continue;  // a link for readers, not a fetch
            auto href = tag.find("href=\"");
            ASSERT_NE(href, std::string::npos) << tag;
            EXPECT_EQ(tag.substr(href + 6, 1), "/") << tag;
            EXPECT_NE(tag.substr(href + 6, 2), "//") << tag;
        }
        EXPECT_FALSE(Contains(e.body, "<script"));
        EXPECT_FALSE(Contains(e.body, "@import"));
    }
}

}  // namespace
}  // namespace tocsin::page
