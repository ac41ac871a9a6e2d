#include "tocsin/store/sqlite/sqlite_store.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace tocsin::store::sqlite {
namespace {

using namespace std::chrono_literals;
using domain::AffectedComponent;
using domain::Component;
using domain::ComponentStatus;
using domain::Impact;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;
using domain::IncidentUpdate;
using test::At;

// Streams an error for a failed assertion; empty for a success.
template <class R>
std::string Why(const R& r) {
    if (r) return {};
    return "[" + r.error().field + "] " + r.error().message;
}

class SqliteStoreTest : public ::testing::Test {
protected:
    void SetUp() override { Reopen(); }

    void Reopen() {
        store_.reset();
        auto r = SqliteStore::Open(path_, clock_);
        ASSERT_TRUE(r) << Why(r);
        store_ = std::move(*r);
    }

    // Runs `fn` in a write transaction and expects it to commit.
    void MustWrite(const std::function<Result<void>(Tx&)>& fn) {
        auto r = store_->Write(fn);
        EXPECT_TRUE(r) << Why(r);
    }

    // Runs one Tx method in a read transaction and returns its value (a default value on error).
    template <class F>
    auto MustRead(F&& f) {
        using T = typename std::invoke_result_t<F, Tx&>::value_type;
        T out{};
        auto r = store_->Read([&](Tx& tx) -> Result<void> {
            auto v = f(tx);
            if (!v) return v.error();
            out = std::move(*v);
            return {};
        });
        EXPECT_TRUE(r) << Why(r);
        return out;
    }

    // Runs one Tx method in its own write transaction and returns its error (kInternal "no error" on success).
    Error WriteError(const std::function<Result<void>(Tx&)>& fn) {
        auto r = store_->Write(fn);
        EXPECT_FALSE(r) << "expected an error";
        return r ? Error::Internal("no error") : r.error();
    }

    std::optional<Component> GetComponent(const std::string& id) {
        return MustRead([&](Tx& tx) { return tx.GetComponent(id); });
    }
    std::optional<Incident> GetIncident(const std::string& id) {
        return MustRead([&](Tx& tx) { return tx.GetIncident(id); });
    }
    std::vector<Incident> List(const IncidentFilter& f) {
        return MustRead([&](Tx& tx) { return tx.ListIncidents(f); });
    }
    std::int64_t Count(const IncidentFilter& f) {
        return MustRead([&](Tx& tx) { return tx.CountIncidents(f); });
    }
    std::int64_t OutboxSize() {
        return MustRead([&](Tx& tx) { return tx.CountOutbox(); });
    }

    test::TempDir dir_;
    std::string path_ = dir_.File("tocsin.db");
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<SqliteStore> store_;
};

Component MakeComponent(std::string id, int position = 1, std::optional<std::string> group_id = std::nullopt) {
    Component c;
    c.id = std::move(id);
    c.name = "Component " + c.id;
    c.position = position;
    c.group_id = std::move(group_id);
    c.created_at = At("2026-01-01T00:00:00Z");
    c.updated_at = At("2026-01-02T00:00:00Z");
    return c;
}

Component MakeGroup(std::string id, int position = 1) {
    Component g = MakeComponent(std::move(id), position);
    g.is_group = true;
    return g;
}

Incident MakeIncident(std::string id, std::string name, std::string_view started_at) {
    Incident i;
    i.id = std::move(id);
    i.name = std::move(name);
    i.started_at = At(started_at);
    i.created_at = i.started_at;
    i.updated_at = i.started_at;
    return i;
}

IncidentUpdate MakeUpdate(std::string id, std::string incident_id, IncidentStatus status, std::string_view display_at) {
    IncidentUpdate u;
    u.id = std::move(id);
    u.incident_id = std::move(incident_id);
    u.status = status;
    u.body = "Body of " + u.id;
    u.display_at = At(display_at);
    u.created_at = u.display_at;
    u.updated_at = u.display_at;
    return u;
}

std::vector<std::string> Ids(const std::vector<Incident>& list) {
    std::vector<std::string> ids;
    for (const auto& i : list) ids.push_back(i.id);
    return ids;
}

std::vector<std::string> Ids(const std::vector<Component>& list) {
    std::vector<std::string> ids;
    for (const auto& c : list) ids.push_back(c.id);
    return ids;
}

std::string Show(const std::optional<TimePoint>& t) {
    return t ? FormatIso8601(*t) : "(none)";
}
std::string Show(const std::optional<Impact>& i) {
    return i ? std::string(domain::ToString(*i)) : "(none)";
}

void ExpectSameComponent(const Component& got, const Component& want) {
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.description, want.description);
    EXPECT_EQ(domain::ToString(got.status), domain::ToString(want.status));
    EXPECT_EQ(got.is_group, want.is_group);
    EXPECT_EQ(got.group_id, want.group_id);
    EXPECT_EQ(got.position, want.position);
    EXPECT_EQ(got.showcase, want.showcase);
    EXPECT_EQ(got.only_show_if_degraded, want.only_show_if_degraded);
    EXPECT_EQ(FormatIso8601(got.created_at), FormatIso8601(want.created_at));
    EXPECT_EQ(FormatIso8601(got.updated_at), FormatIso8601(want.updated_at));
}

void ExpectSameUpdate(const IncidentUpdate& got, const IncidentUpdate& want) {
    SCOPED_TRACE("update " + want.id);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(got.incident_id, want.incident_id);
    EXPECT_EQ(domain::ToString(got.status), domain::ToString(want.status));
    EXPECT_EQ(got.body, want.body);
    EXPECT_EQ(FormatIso8601(got.created_at), FormatIso8601(want.created_at));
    EXPECT_EQ(FormatIso8601(got.updated_at), FormatIso8601(want.updated_at));
    EXPECT_EQ(FormatIso8601(got.display_at), FormatIso8601(want.display_at));
    EXPECT_EQ(got.deliver_notifications, want.deliver_notifications);
    ASSERT_EQ(got.affected_components.size(), want.affected_components.size());
    for (std::size_t i = 0; i < want.affected_components.size(); ++i) {
        const auto& g = got.affected_components[i];
        const auto& w = want.affected_components[i];
        EXPECT_EQ(g.code, w.code);
        EXPECT_EQ(g.name, w.name);
        EXPECT_EQ(domain::ToString(g.old_status), domain::ToString(w.old_status));
        EXPECT_EQ(domain::ToString(g.new_status), domain::ToString(w.new_status));
    }
}

// Compares every field; `want.updates` must already be newest first.
void ExpectSameIncident(const Incident& got, const Incident& want) {
    SCOPED_TRACE("incident " + want.id);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(domain::ToString(got.kind), domain::ToString(want.kind));
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(domain::ToString(got.status), domain::ToString(want.status));
    EXPECT_EQ(domain::ToString(got.impact), domain::ToString(want.impact));
    EXPECT_EQ(Show(got.impact_override), Show(want.impact_override));
    EXPECT_EQ(FormatIso8601(got.created_at), FormatIso8601(want.created_at));
    EXPECT_EQ(FormatIso8601(got.updated_at), FormatIso8601(want.updated_at));
    EXPECT_EQ(FormatIso8601(got.started_at), FormatIso8601(want.started_at));
    EXPECT_EQ(Show(got.monitoring_at), Show(want.monitoring_at));
    EXPECT_EQ(Show(got.resolved_at), Show(want.resolved_at));
    EXPECT_EQ(Show(got.scheduled_for), Show(want.scheduled_for));
    EXPECT_EQ(Show(got.scheduled_until), Show(want.scheduled_until));
    EXPECT_EQ(got.auto_in_progress, want.auto_in_progress);
    EXPECT_EQ(got.auto_completed, want.auto_completed);
    EXPECT_EQ(got.remind_prior_minutes, want.remind_prior_minutes);
    EXPECT_EQ(got.automated, want.automated);
    EXPECT_EQ(got.component_ids, want.component_ids);
    ASSERT_EQ(got.updates.size(), want.updates.size());
    for (std::size_t i = 0; i < want.updates.size(); ++i) ExpectSameUpdate(got.updates[i], want.updates[i]);
}

// --- migrations and settings -------------------------------------------------------------

TEST_F(SqliteStoreTest, MigrationsCreateTheSettingsRowWithA12CharPageId) {
    EXPECT_GT(store_->SchemaVersion(), 0);
    auto s = MustRead([](Tx& tx) { return tx.GetPageSettings(); });
    ASSERT_EQ(s.page_id.size(), 12u) << s.page_id;
    EXPECT_TRUE(std::all_of(s.page_id.begin(), s.page_id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
    })) << s.page_id;
    EXPECT_EQ(s.name, "Status");
    EXPECT_EQ(s.url, "");
    EXPECT_EQ(s.time_zone, "UTC");
    EXPECT_EQ(s.default_language, "en");
    EXPECT_EQ(s.accent_color, "#2563eb");
    EXPECT_TRUE(s.footer_links.empty());
    EXPECT_TRUE(s.frame_ancestors.empty());
    EXPECT_EQ(s.logo, "");
    EXPECT_EQ(FormatIso8601(s.updated_at), "2026-03-01T10:00:00.000Z");
    EXPECT_TRUE(s.Validate()) << "the first row must be valid settings";
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataPageIdAndSchemaVersion) {
    const int version = store_->SchemaVersion();
    auto before = MustRead([](Tx& tx) { return tx.GetPageSettings(); });
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });

    clock_.Advance(24h);
    Reopen();

    EXPECT_EQ(store_->SchemaVersion(), version);
    auto after = MustRead([](Tx& tx) { return tx.GetPageSettings(); });
    EXPECT_EQ(after.page_id, before.page_id);
    EXPECT_EQ(FormatIso8601(after.updated_at), FormatIso8601(before.updated_at));
    EXPECT_TRUE(GetComponent("api").has_value());

    // Each migration is recorded once, not again on reopen.
    auto db = Database::Open(path_);
    ASSERT_TRUE(db) << Why(db);
    auto q = (*db)->Prepare("SELECT COUNT(*), MAX(version) FROM schema_migrations");
    ASSERT_TRUE(q) << Why(q);
    auto row = (*q)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*q)->Int(0), version);
    EXPECT_EQ((*q)->Int(1), version);
    (*q)->Reset();
}

TEST_F(SqliteStoreTest, RefusesADatabaseWithANewerSchema) {
    const int version = store_->SchemaVersion();
    store_.reset();
    {
        auto db = Database::Open(path_);
        ASSERT_TRUE(db) << Why(db);
        auto r = (*db)->ExecScript(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" + std::to_string(version + 1) +
            ", 'from_the_future.sql', 0)"
        );
        ASSERT_TRUE(r) << Why(r);
    }
    auto r = SqliteStore::Open(path_, clock_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
    EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
}

TEST_F(SqliteStoreTest, SavesAndReadsBackEveryPageSetting) {
    auto s = MustRead([](Tx& tx) { return tx.GetPageSettings(); });
    const std::string page_id = s.page_id;
    s.page_id = "ignoredchang";  // the page id is fixed at creation
    s.name = "Acme Status";
    s.url = "https://status.acme.example";
    s.time_zone = "Europe/Berlin";
    s.default_language = "de";
    s.accent_color = "#ff0000";
    s.footer_links = {{"Home", "https://acme.example"}, {"Privacy \"policy\"", "/privacy"}};
    s.frame_ancestors = {"https://intranet.acme.example", "https://wiki.acme.example"};
    s.logo_content_type = "image/png";
    s.logo = std::string("\x89PNG\r\n\x1a\n\0\0\xff", 11);  // binary, with NUL bytes
    s.updated_at = At("2026-03-02T08:00:00.123Z");
    MustWrite([&](Tx& tx) { return tx.SavePageSettings(s); });

    auto got = MustRead([](Tx& tx) { return tx.GetPageSettings(); });
    EXPECT_EQ(got.page_id, page_id);
    EXPECT_EQ(got.name, s.name);
    EXPECT_EQ(got.url, s.url);
    EXPECT_EQ(got.time_zone, s.time_zone);
    EXPECT_EQ(got.default_language, s.default_language);
    EXPECT_EQ(got.accent_color, s.accent_color);
    ASSERT_EQ(got.footer_links.size(), 2u);
    EXPECT_EQ(got.footer_links[1].label, "Privacy \"policy\"");
    EXPECT_EQ(got.footer_links[1].url, "/privacy");
    EXPECT_EQ(got.frame_ancestors, s.frame_ancestors);
    EXPECT_EQ(got.logo_content_type, "image/png");
    EXPECT_EQ(got.logo, s.logo);
    EXPECT_EQ(FormatIso8601(got.updated_at), "2026-03-02T08:00:00.123Z");
}

// --- components --------------------------------------------------------------------------

TEST_F(SqliteStoreTest, InsertsGetsAndListsComponentsByPositionThenName) {
    Component full = MakeComponent("web", 2);
    full.name = "Website";
    full.description = "The marketing site";
    full.status = ComponentStatus::kPartialOutage;
    full.showcase = false;
    full.only_show_if_degraded = true;
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(full));
        Component b = MakeComponent("b", 1);
        b.name = "Beta";
        TOCSIN_TRY(tx.InsertComponent(b));
        Component a = MakeComponent("a", 1);
        a.name = "Alpha";
        return tx.InsertComponent(a);
    });

    auto got = GetComponent("web");
    ASSERT_TRUE(got.has_value());
    ExpectSameComponent(*got, full);
    EXPECT_FALSE(GetComponent("missing").has_value());

    auto list = MustRead([](Tx& tx) { return tx.ListComponents(); });
    EXPECT_EQ(Ids(list), (std::vector<std::string>{"a", "b", "web"}));
}

TEST_F(SqliteStoreTest, InsertingADuplicateComponentIdIsAConflict) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    Error e = WriteError([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict) << e.message;
}

TEST_F(SqliteStoreTest, UpdateReplacesEveryFieldOfAComponent) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeGroup("g")));
        return tx.InsertComponent(MakeComponent("api"));
    });
    Component c = MakeComponent("api", 7, "g");
    c.name = "Public API";
    c.description = "REST and GraphQL";
    c.status = ComponentStatus::kMajorOutage;
    c.showcase = false;
    c.only_show_if_degraded = true;
    c.created_at = At("2025-12-01T00:00:00Z");
    c.updated_at = At("2026-03-01T10:00:00.5Z");
    MustWrite([&](Tx& tx) { return tx.UpdateComponent(c); });

    auto got = GetComponent("api");
    ASSERT_TRUE(got.has_value());
    ExpectSameComponent(*got, c);

    // And back to no group: the NULL must be written, not skipped.
    c.group_id.reset();
    MustWrite([&](Tx& tx) { return tx.UpdateComponent(c); });
    EXPECT_EQ(GetComponent("api")->group_id, std::nullopt);
}

TEST_F(SqliteStoreTest, UpdatingOrDeletingAMissingComponentIsNotFound) {
    Error update = WriteError([](Tx& tx) { return tx.UpdateComponent(MakeComponent("ghost")); });
    EXPECT_EQ(update.kind, ErrorKind::kNotFound) << update.message;
    Error del = WriteError([](Tx& tx) { return tx.DeleteComponent("ghost"); });
    EXPECT_EQ(del.kind, ErrorKind::kNotFound) << del.message;
    EXPECT_FALSE(GetComponent("ghost").has_value()) << "an update must not create the row";
}

TEST_F(SqliteStoreTest, DeletingAComponentRemovesIt) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    MustWrite([](Tx& tx) { return tx.DeleteComponent("api"); });
    EXPECT_FALSE(GetComponent("api").has_value());
    Error again = WriteError([](Tx& tx) { return tx.DeleteComponent("api"); });
    EXPECT_EQ(again.kind, ErrorKind::kNotFound);
}

TEST_F(SqliteStoreTest, DeletingAGroupUngroupsItsChildren) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeGroup("g")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api", 1, "g")));
        return tx.InsertComponent(MakeComponent("web", 2, "g"));
    });
    MustWrite([](Tx& tx) { return tx.DeleteComponent("g"); });
    auto list = MustRead([](Tx& tx) { return tx.ListComponents(); });
    ASSERT_EQ(Ids(list), (std::vector<std::string>{"api", "web"}));
    for (const auto& c : list) EXPECT_EQ(c.group_id, std::nullopt) << c.id;
}

TEST_F(SqliteStoreTest, DeletingAComponentRemovesItFromIncidents) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        Incident i = MakeIncident("i1", "Outage", "2026-02-01T00:00:00Z");
        i.component_ids = {"api", "web"};
        return tx.InsertIncident(i);
    });
    MustWrite([](Tx& tx) { return tx.DeleteComponent("api"); });
    auto got = GetIncident("i1");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->component_ids, (std::vector<std::string>{"web"}));
}

// --- incidents ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, IncidentWithUpdatesAndLinksRoundTripsEveryField) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("db", 1)));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api", 2)));
        return tx.InsertComponent(MakeComponent("web", 3));
    });

    Incident m;
    m.id = "m1";
    m.kind = IncidentKind::kMaintenance;
    m.name = "Database upgrade to v16 — «ünïcode»";
    m.status = IncidentStatus::kVerifying;
    m.impact = Impact::kMaintenance;
    m.impact_override = Impact::kMajor;
    m.created_at = At("2026-02-01T09:00:00.001Z");
    m.updated_at = At("2026-02-03T10:30:00.002Z");
    m.started_at = At("2026-02-03T10:00:00.003Z");
    m.monitoring_at = At("2026-02-03T10:20:00.004Z");
    m.resolved_at = At("2026-02-03T11:00:00.005Z");
    m.scheduled_for = At("2026-02-03T10:00:00Z");
    m.scheduled_until = At("2026-02-03T12:00:00Z");
    m.auto_in_progress = false;
    m.auto_completed = false;
    m.remind_prior_minutes = 60;
    m.automated = true;
    m.component_ids = {"web", "db", "api"};  // link order is kept, not sorted

    IncidentUpdate scheduled = MakeUpdate("u1", "m1", IncidentStatus::kScheduled, "2026-02-01T09:00:00Z");
    scheduled.deliver_notifications = false;
    IncidentUpdate started = MakeUpdate("u2", "m1", IncidentStatus::kInProgress, "2026-02-03T10:00:00Z");
    started.body = "We **started**.\n\nLine two, with \"quotes\" and a \\ backslash.";
    started.created_at = At("2026-02-03T10:05:00Z");  // back-dated: written after its display time
    started.affected_components = {
        AffectedComponent{"db", "Database", ComponentStatus::kDegradedPerformance, ComponentStatus::kUnderMaintenance},
        AffectedComponent{"api", "API \"v2\"", ComponentStatus::kOperational, ComponentStatus::kUnderMaintenance},
    };
    IncidentUpdate verifying = MakeUpdate("u3", "m1", IncidentStatus::kVerifying, "2026-02-03T10:30:00Z");
    verifying.updated_at = At("2026-02-03T10:45:00Z");
    // Inserted out of order: the store returns them newest first.
    m.updates = {started, scheduled, verifying};
    MustWrite([&](Tx& tx) { return tx.InsertIncident(m); });

    Incident want = m;
    want.updates = {verifying, started, scheduled};
    auto got = GetIncident("m1");
    ASSERT_TRUE(got.has_value());
    ExpectSameIncident(*got, want);

    auto listed = List({});
    ASSERT_EQ(listed.size(), 1u);
    ExpectSameIncident(listed[0], want);
}

TEST_F(SqliteStoreTest, UnsetOptionalIncidentFieldsStayUnset) {
    Incident i = MakeIncident("i1", "Slow", "2026-02-01T00:00:00Z");
    i.impact = Impact::kMinor;
    MustWrite([&](Tx& tx) { return tx.InsertIncident(i); });
    auto got = GetIncident("i1");
    ASSERT_TRUE(got.has_value());
    ExpectSameIncident(*got, i);
    EXPECT_FALSE(got->impact_override.has_value());
    EXPECT_FALSE(got->resolved_at.has_value());
    EXPECT_TRUE(got->component_ids.empty());
    EXPECT_TRUE(got->updates.empty());
    EXPECT_FALSE(GetIncident("missing").has_value());
}

TEST_F(SqliteStoreTest, UpdateIncidentReplacesRowAndLinksButKeepsUpdates) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        Incident i = MakeIncident("i1", "Errors", "2026-02-01T00:00:00Z");
        i.component_ids = {"api"};
        i.impact_override = Impact::kCritical;
        i.updates = {MakeUpdate("u1", "i1", IncidentStatus::kInvestigating, "2026-02-01T00:00:00Z")};
        return tx.InsertIncident(i);
    });

    Incident changed = MakeIncident("i1", "Errors on the API", "2026-02-01T00:00:00Z");
    changed.status = IncidentStatus::kResolved;
    changed.impact = Impact::kMajor;
    changed.resolved_at = At("2026-02-01T02:00:00Z");
    changed.component_ids = {"web"};
    MustWrite([&](Tx& tx) { return tx.UpdateIncident(changed); });

    auto got = GetIncident("i1");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->name, "Errors on the API");
    EXPECT_EQ(domain::ToString(got->status), "resolved");
    EXPECT_EQ(Show(got->impact_override), "(none)");
    EXPECT_EQ(Show(got->resolved_at), "2026-02-01T02:00:00.000Z");
    EXPECT_EQ(got->component_ids, (std::vector<std::string>{"web"}));
    ASSERT_EQ(got->updates.size(), 1u);
    EXPECT_EQ(got->updates[0].id, "u1");

    Error missing =
        WriteError([](Tx& tx) { return tx.UpdateIncident(MakeIncident("ghost", "x", "2026-02-01T00:00:00Z")); });
    EXPECT_EQ(missing.kind, ErrorKind::kNotFound) << missing.message;
}

TEST_F(SqliteStoreTest, DeletingAnIncidentDeletesItsUpdatesAndLinks) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        Incident i = MakeIncident("i1", "Errors", "2026-02-01T00:00:00Z");
        i.component_ids = {"api"};
        i.updates = {MakeUpdate("u1", "i1", IncidentStatus::kInvestigating, "2026-02-01T00:00:00Z")};
        return tx.InsertIncident(i);
    });
    MustWrite([](Tx& tx) { return tx.DeleteIncident("i1"); });
    EXPECT_FALSE(GetIncident("i1").has_value());
    EXPECT_TRUE(GetComponent("api").has_value()) << "the component itself stays";

    // The same ids are free again, so nothing of the old incident was left behind.
    MustWrite([](Tx& tx) -> Result<void> {
        Incident i = MakeIncident("i1", "Again", "2026-02-02T00:00:00Z");
        i.component_ids = {"api"};
        i.updates = {MakeUpdate("u1", "i1", IncidentStatus::kInvestigating, "2026-02-02T00:00:00Z")};
        return tx.InsertIncident(i);
    });
    auto again = GetIncident("i1");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->updates.size(), 1u);

    Error missing = WriteError([](Tx& tx) { return tx.DeleteIncident("ghost"); });
    EXPECT_EQ(missing.kind, ErrorKind::kNotFound);
}

TEST_F(SqliteStoreTest, LinkingANonexistentComponentIsInvalidInputOnComponents) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    Incident i = MakeIncident("i1", "Errors", "2026-02-01T00:00:00Z");
    i.component_ids = {"api", "nope"};
    Error e = WriteError([&](Tx& tx) { return tx.InsertIncident(i); });
    EXPECT_EQ(e.kind, ErrorKind::kInvalidInput) << e.message;
    EXPECT_EQ(e.field, "components");
    EXPECT_NE(e.message.find("nope"), std::string::npos) << e.message;
    EXPECT_FALSE(GetIncident("i1").has_value()) << "the failed write must leave no incident behind";

    // The same applies when an update relinks.
    MustWrite([](Tx& tx) { return tx.InsertIncident(MakeIncident("i2", "Ok", "2026-02-01T00:00:00Z")); });
    Incident relink = MakeIncident("i2", "Ok", "2026-02-01T00:00:00Z");
    relink.component_ids = {"ghost"};
    Error e2 = WriteError([&](Tx& tx) { return tx.UpdateIncident(relink); });
    EXPECT_EQ(e2.kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(e2.field, "components");
}

TEST_F(SqliteStoreTest, ListingTheSameComponentTwiceIsInvalidInput) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    Incident i = MakeIncident("i1", "Errors", "2026-02-01T00:00:00Z");
    i.component_ids = {"api", "api"};
    Error e = WriteError([&](Tx& tx) { return tx.InsertIncident(i); });
    EXPECT_EQ(e.kind, ErrorKind::kInvalidInput) << e.message;
    EXPECT_EQ(e.field, "components");
}

// --- incident updates --------------------------------------------------------------------

TEST_F(SqliteStoreTest, UpdateUpdateReplacesOnlyItsEditableFields) {
    IncidentUpdate u = MakeUpdate("u1", "i1", IncidentStatus::kInvestigating, "2026-02-01T00:00:00Z");
    u.affected_components = {{"api", "API", ComponentStatus::kOperational, ComponentStatus::kMajorOutage}};
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertIncident(MakeIncident("i1", "Errors", "2026-02-01T00:00:00Z")));
        return tx.InsertUpdate(u);
    });

    IncidentUpdate edit = u;
    edit.status = IncidentStatus::kIdentified;
    edit.body = "Corrected text";
    edit.display_at = At("2026-01-31T23:50:00Z");
    edit.updated_at = At("2026-02-01T01:00:00Z");
    edit.deliver_notifications = false;
    edit.created_at = At("2030-01-01T00:00:00Z");  // not editable
    edit.affected_components.clear();              // not editable
    MustWrite([&](Tx& tx) { return tx.UpdateUpdate(edit); });

    IncidentUpdate want = edit;
    want.created_at = u.created_at;
    want.affected_components = u.affected_components;
    auto got = GetIncident("i1");
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->updates.size(), 1u);
    ExpectSameUpdate(got->updates[0], want);
}

TEST_F(SqliteStoreTest, EditingOrDeletingAnUpdateChecksItsIncident) {
    MustWrite([](Tx& tx) -> Result<void> {
        Incident a = MakeIncident("a", "A", "2026-02-01T00:00:00Z");
        a.updates = {MakeUpdate("ua", "a", IncidentStatus::kInvestigating, "2026-02-01T00:00:00Z")};
        TOCSIN_TRY(tx.InsertIncident(a));
        return tx.InsertIncident(MakeIncident("b", "B", "2026-02-01T00:00:00Z"));
    });
    // Update "ua" belongs to "a": addressing it through "b" must not touch it.
    IncidentUpdate wrong = MakeUpdate("ua", "b", IncidentStatus::kResolved, "2026-02-01T00:00:00Z");
    Error edit = WriteError([&](Tx& tx) { return tx.UpdateUpdate(wrong); });
    EXPECT_EQ(edit.kind, ErrorKind::kNotFound);
    Error del = WriteError([](Tx& tx) { return tx.DeleteUpdate("b", "ua"); });
    EXPECT_EQ(del.kind, ErrorKind::kNotFound);
    ASSERT_EQ(GetIncident("a")->updates.size(), 1u);
    EXPECT_EQ(domain::ToString(GetIncident("a")->updates[0].status), "investigating");

    MustWrite([](Tx& tx) { return tx.DeleteUpdate("a", "ua"); });
    EXPECT_TRUE(GetIncident("a")->updates.empty());
    Error again = WriteError([](Tx& tx) { return tx.DeleteUpdate("a", "ua"); });
    EXPECT_EQ(again.kind, ErrorKind::kNotFound);
}

// --- listing -----------------------------------------------------------------------------

class SqliteStoreListTest : public SqliteStoreTest {
protected:
    void SetUp() override {
        SqliteStoreTest::SetUp();
        MustWrite([](Tx& tx) -> Result<void> {
            Incident i1 = MakeIncident("i1", "Database latency", "2026-01-01T00:00:00Z");
            Incident i2 = MakeIncident("i2", "API errors", "2026-01-05T00:00:00Z");
            i2.status = IncidentStatus::kResolved;
            Incident i3 = MakeIncident("i3", "Database upgrade", "2026-01-10T00:00:00Z");
            i3.kind = IncidentKind::kMaintenance;
            i3.status = IncidentStatus::kScheduled;
            Incident i4 = MakeIncident("i4", "CDN outage", "2026-01-15T00:00:00Z");
            i4.status = IncidentStatus::kMonitoring;
            for (const auto* i : {&i2, &i4, &i1, &i3}) TOCSIN_TRY(tx.InsertIncident(*i));
            return {};
        });
    }
};

TEST_F(SqliteStoreListTest, FiltersByKindStatusTimeAndQuery) {
    struct Case {
        std::string_view name;
        IncidentFilter filter;
        std::vector<std::string> want;
    };
    auto filter = [](auto edit) {
        IncidentFilter f;
        edit(f);
        return f;
    };
    const Case cases[] = {
        {"no filter: newest first", {}, {"i4", "i3", "i2", "i1"}},
        {"maintenances", filter([](auto& f) { f.kind = IncidentKind::kMaintenance; }), {"i3"}},
        {"incidents", filter([](auto& f) { f.kind = IncidentKind::kIncident; }), {"i4", "i2", "i1"}},
        {"one status", filter([](auto& f) { f.statuses = {IncidentStatus::kResolved}; }), {"i2"}},
        {"several statuses",
         filter([](auto& f) {
             f.statuses = {IncidentStatus::kInvestigating, IncidentStatus::kMonitoring};
         }),
         {"i4", "i1"}},
        {"since is inclusive", filter([](auto& f) { f.since = At("2026-01-05T00:00:00Z"); }), {"i4", "i3", "i2"}},
        {"until is exclusive", filter([](auto& f) { f.until = At("2026-01-10T00:00:00Z"); }), {"i2", "i1"}},
        {"since and until",
         filter([](auto& f) {
             f.since = At("2026-01-02T00:00:00Z");
             f.until = At("2026-01-15T00:00:00Z");
         }),
         {"i3", "i2"}},
        {"query ignores case", filter([](auto& f) { f.query = "DATABASE"; }), {"i3", "i1"}},
        {"query matches inside the name", filter([](auto& f) { f.query = "base up"; }), {"i3"}},
        {"query is not a LIKE pattern", filter([](auto& f) { f.query = "%"; }), {}},
        {"query with no match", filter([](auto& f) { f.query = "dns"; }), {}},
        {"kind and query",
         filter([](auto& f) {
             f.kind = IncidentKind::kIncident;
             f.query = "database";
         }),
         {"i1"}},
        // Text and time parameters together check that every placeholder gets its own value.
        {"every filter at once",
         filter([](auto& f) {
             f.kind = IncidentKind::kMaintenance;
             f.statuses = {IncidentStatus::kScheduled, IncidentStatus::kInProgress};
             f.query = "data";
             f.since = At("2026-01-01T00:00:00Z");
             f.until = At("2026-01-11T00:00:00Z");
         }),
         {"i3"}},
        {"limit", filter([](auto& f) { f.limit = 2; }), {"i4", "i3"}},
        {"limit and offset",
         filter([](auto& f) {
             f.limit = 2;
             f.offset = 2;
         }),
         {"i2", "i1"}},
        {"offset past the end", filter([](auto& f) { f.offset = 4; }), {}},
        {"limit after filtering",
         filter([](auto& f) {
             f.kind = IncidentKind::kIncident;
             f.limit = 1;
             f.offset = 1;
         }),
         {"i2"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(Ids(List(c.filter)), c.want);
    }
}

TEST_F(SqliteStoreListTest, CountIgnoresLimitAndOffset) {
    IncidentFilter f;
    f.kind = IncidentKind::kIncident;
    f.limit = 1;
    f.offset = 1;
    EXPECT_EQ(Count(f), 3);
    f.query = "database";
    EXPECT_EQ(Count(f), 1);
    f = IncidentFilter{};
    f.since = At("2026-01-05T00:00:00Z");
    f.statuses = {IncidentStatus::kResolved, IncidentStatus::kScheduled};
    EXPECT_EQ(Count(f), 2);
    EXPECT_EQ(Count(IncidentFilter{}), 4);
}

TEST_F(SqliteStoreListTest, EqualStartTimesSortByCreationThenId) {
    MustWrite([](Tx& tx) -> Result<void> {
        Incident late = MakeIncident("x-late", "Same start, created later", "2026-01-20T00:00:00Z");
        late.created_at = At("2026-01-20T00:10:00Z");
        Incident b = MakeIncident("x-b", "Same start and creation", "2026-01-20T00:00:00Z");
        Incident a = MakeIncident("x-a", "Same start and creation", "2026-01-20T00:00:00Z");
        TOCSIN_TRY(tx.InsertIncident(a));
        TOCSIN_TRY(tx.InsertIncident(late));
        return tx.InsertIncident(b);
    });
    IncidentFilter f;
    f.limit = 3;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"x-late", "x-b", "x-a"}));
}

// --- transactions ------------------------------------------------------------------------

TEST_F(SqliteStoreTest, AFailingWriteRollsBackEverythingItDid) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    auto settings_before = MustRead([](Tx& tx) { return tx.GetPageSettings(); });

    auto r = store_->Write([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        Component api = MakeComponent("api");
        api.status = ComponentStatus::kMajorOutage;
        TOCSIN_TRY(tx.UpdateComponent(api));
        Incident i = MakeIncident("i1", "Outage", "2026-02-01T00:00:00Z");
        i.component_ids = {"api", "web"};
        i.updates = {MakeUpdate("u1", "i1", IncidentStatus::kInvestigating, "2026-02-01T00:00:00Z")};
        TOCSIN_TRY(tx.InsertIncident(i));
        TOCSIN_TRY(tx.EnqueueOutbox({"incident.created", "incident:i1:created", "{}", {}}));
        auto s = tx.GetPageSettings();
        if (!s) return s.error();
        s->name = "Half written";
        TOCSIN_TRY(tx.SavePageSettings(*s));
        return Error::Conflict("the caller changed its mind");
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kConflict);
    EXPECT_EQ(r.error().message, "the caller changed its mind");

    EXPECT_FALSE(GetComponent("web").has_value());
    EXPECT_EQ(domain::ToString(GetComponent("api")->status), "operational");
    EXPECT_FALSE(GetIncident("i1").has_value());
    EXPECT_EQ(Count(IncidentFilter{}), 0);
    EXPECT_EQ(OutboxSize(), 0);
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.GetPageSettings(); }).name, settings_before.name);

    // The store is usable afterwards.
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("web")); });
    EXPECT_TRUE(GetComponent("web").has_value());
}

TEST_F(SqliteStoreTest, AFailedStepInsideAWriteRollsBackTheEarlierSteps) {
    Incident bad = MakeIncident("i1", "Outage", "2026-02-01T00:00:00Z");
    bad.component_ids = {"web", "ghost"};
    Error e = WriteError([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        TOCSIN_TRY(tx.EnqueueOutbox({"component.created", "component:web", "{}", {}}));
        return tx.InsertIncident(bad);
    });
    EXPECT_EQ(e.kind, ErrorKind::kInvalidInput);
    EXPECT_FALSE(GetComponent("web").has_value());
    EXPECT_FALSE(GetIncident("i1").has_value());
    EXPECT_EQ(OutboxSize(), 0);
}

TEST_F(SqliteStoreTest, ACallbackThatThrowsRollsBackAndLeavesTheStoreUsable) {
    // HTTP handlers may throw HttpError and Result::value() throws; neither may wedge the store.
    EXPECT_THROW(
        (void)store_->Write([](Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
            throw std::runtime_error("handler gave up");
        }),
        std::runtime_error
    );
    EXPECT_FALSE(GetComponent("web").has_value());
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    EXPECT_TRUE(GetComponent("api").has_value());

    EXPECT_THROW(
        (void)store_->Read([](Tx& tx) -> Result<void> {
            (void)tx.ListComponents();
            throw std::runtime_error("renderer gave up");
        }),
        std::runtime_error
    );
    MustWrite([](Tx& tx) { return tx.DeleteComponent("api"); });
    EXPECT_FALSE(GetComponent("api").has_value());
}

TEST_F(SqliteStoreTest, ReadReturnsTheCallbacksError) {
    auto r = store_->Read([](Tx&) -> Result<void> { return Error::NotFound("nothing here"); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
    EXPECT_EQ(r.error().message, "nothing here");
}

// --- outbox ------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, OutboxDedupsByIdempotencyKey) {
    EXPECT_EQ(OutboxSize(), 0);
    MustWrite([](Tx& tx) { return tx.EnqueueOutbox({"incident.created", "k1", R"({"n":1})", {}}); });
    MustWrite([](Tx& tx) { return tx.EnqueueOutbox({"incident.created", "k1", R"({"n":2})", {}}); });
    EXPECT_EQ(OutboxSize(), 1) << "a second enqueue of the same event is a no-op, not an error";
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.EnqueueOutbox({"incident.updated", "k2", "{}", {}}));
        return tx.EnqueueOutbox({"incident.updated", "k2", "{}", {}});
    });
    EXPECT_EQ(OutboxSize(), 2);
}

// --- tokens and users --------------------------------------------------------------------

TEST_F(SqliteStoreTest, TokensAreFoundByHashAndRevokedOnce) {
    ApiToken t{"t1", "CI deploys", "responder", At("2026-02-01T00:00:00Z"), std::nullopt};
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertToken(t, "hash-1"));
        return tx.InsertToken(ApiToken{"t2", "Read only", "stakeholder", At("2026-02-02T00:00:00Z"), {}}, "hash-2");
    });

    auto found = MustRead([](Tx& tx) { return tx.FindTokenByHash("hash-1"); });
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, "t1");
    EXPECT_EQ(found->name, "CI deploys");
    EXPECT_EQ(found->role, "responder");
    EXPECT_EQ(FormatIso8601(found->created_at), "2026-02-01T00:00:00.000Z");
    EXPECT_FALSE(found->revoked_at.has_value());
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindTokenByHash("hash-3"); }).has_value());
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindTokenByHash("t1"); }).has_value()) << "looked up by hash only";

    MustWrite([](Tx& tx) { return tx.RevokeToken("t1", At("2026-02-03T00:00:00Z")); });
    auto revoked = MustRead([](Tx& tx) { return tx.FindTokenByHash("hash-1"); });
    ASSERT_TRUE(revoked.has_value());
    EXPECT_EQ(Show(revoked->revoked_at), "2026-02-03T00:00:00.000Z");

    // A second revoke neither succeeds nor moves the revocation time.
    Error again = WriteError([](Tx& tx) { return tx.RevokeToken("t1", At("2026-02-04T00:00:00Z")); });
    EXPECT_EQ(again.kind, ErrorKind::kNotFound);
    Error missing = WriteError([](Tx& tx) { return tx.RevokeToken("ghost", At("2026-02-04T00:00:00Z")); });
    EXPECT_EQ(missing.kind, ErrorKind::kNotFound);

    auto all = MustRead([](Tx& tx) { return tx.ListTokens(); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, "t1");
    EXPECT_EQ(Show(all[0].revoked_at), "2026-02-03T00:00:00.000Z");
    EXPECT_EQ(all[1].id, "t2");
    EXPECT_FALSE(all[1].revoked_at.has_value());
}

TEST_F(SqliteStoreTest, ADuplicateTokenHashIsAConflict) {
    MustWrite([](Tx& tx) { return tx.InsertToken({"t1", "a", "owner", {}, {}}, "same-hash"); });
    Error e = WriteError([](Tx& tx) { return tx.InsertToken({"t2", "b", "owner", {}, {}}, "same-hash"); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict);
}

TEST_F(SqliteStoreTest, UserEmailsAreUniqueIgnoringCase) {
    User u{"u1", "Ops@Example.com", "Olga Ops", "owner", "$argon2id$v=19$stub", At("2026-02-01T00:00:00Z")};
    MustWrite([&](Tx& tx) { return tx.InsertUser(u); });

    User twin{"u2", "ops@example.COM", "Someone else", "responder", "$argon2id$v=19$other", {}};
    Error e = WriteError([&](Tx& tx) { return tx.InsertUser(twin); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict) << e.message;

    auto found = MustRead([](Tx& tx) { return tx.FindUserByEmail("OPS@example.com"); });
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, "u1");
    EXPECT_EQ(found->email, "Ops@Example.com") << "stored as entered";
    EXPECT_EQ(found->name, "Olga Ops");
    EXPECT_EQ(found->role, "owner");
    EXPECT_EQ(found->password_hash, "$argon2id$v=19$stub");
    EXPECT_EQ(FormatIso8601(found->created_at), "2026-02-01T00:00:00.000Z");
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindUserByEmail("nobody@example.com"); }).has_value());
}

// --- LoadPageState -----------------------------------------------------------------------

TEST_F(SqliteStoreTest, LoadPageStateReturnsSettingsComponentsAndIncidents) {
    MustWrite([](Tx& tx) -> Result<void> {
        auto s = tx.GetPageSettings();
        if (!s) return s.error();
        s->name = "Acme Status";
        TOCSIN_TRY(tx.SavePageSettings(*s));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api", 1)));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web", 2)));
        Incident old = MakeIncident("old", "Old outage", "2026-01-01T00:00:00Z");
        old.status = IncidentStatus::kResolved;
        old.updates = {
            MakeUpdate("o1", "old", IncidentStatus::kInvestigating, "2026-01-01T00:00:00Z"),
            MakeUpdate("o2", "old", IncidentStatus::kResolved, "2026-01-01T01:00:00Z"),
        };
        TOCSIN_TRY(tx.InsertIncident(old));
        Incident now = MakeIncident("now", "Current outage", "2026-03-01T09:00:00Z");
        now.component_ids = {"web"};
        now.updates = {MakeUpdate("n1", "now", IncidentStatus::kInvestigating, "2026-03-01T09:00:00Z")};
        TOCSIN_TRY(tx.InsertIncident(now));
        Incident m = MakeIncident("mnt", "Planned work", "2026-02-01T00:00:00Z");
        m.kind = IncidentKind::kMaintenance;
        m.status = IncidentStatus::kCompleted;
        return tx.InsertIncident(m);
    });

    auto state = LoadPageState(*store_);
    ASSERT_TRUE(state) << Why(state);
    EXPECT_EQ(state->settings.name, "Acme Status");
    EXPECT_EQ(state->settings.page_id.size(), 12u);
    EXPECT_EQ(Ids(state->components), (std::vector<std::string>{"api", "web"}));
    ASSERT_EQ(Ids(state->incidents), (std::vector<std::string>{"now", "mnt", "old"}));
    EXPECT_EQ(state->incidents[0].component_ids, (std::vector<std::string>{"web"}));
    ASSERT_EQ(state->incidents[2].updates.size(), 2u);
    EXPECT_EQ(state->incidents[2].updates[0].id, "o2") << "updates newest first";
}

TEST_F(SqliteStoreTest, LoadPageStateListsEachGroupBeforeItsChildren) {
    // Positions order siblings; a child's position may be lower than its group's.
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("a-top", 1)));
        TOCSIN_TRY(tx.InsertComponent(MakeGroup("g", 2)));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("g-2", 2, "g")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("g-1", 1, "g")));
        return tx.InsertComponent(MakeComponent("z-top", 3));
    });
    auto state = LoadPageState(*store_);
    ASSERT_TRUE(state) << Why(state);
    EXPECT_EQ(Ids(state->components), (std::vector<std::string>{"a-top", "g", "g-1", "g-2", "z-top"}));
}

TEST_F(SqliteStoreTest, LoadPageStateKeepsEveryComponentWhenGroupsNest) {
    // The model forbids a group inside a group; the page must still lose nothing.
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeGroup("outer", 1)));
        Component inner = MakeGroup("inner", 2);
        inner.group_id = "outer";
        TOCSIN_TRY(tx.InsertComponent(inner));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("leaf", 3, "inner")));
        return tx.InsertComponent(MakeComponent("solo", 4));
    });
    auto state = LoadPageState(*store_);
    ASSERT_TRUE(state) << Why(state);
    auto ids = Ids(state->components);
    ASSERT_EQ(ids.size(), 4u);
    auto at = [&](const std::string& id) { return std::find(ids.begin(), ids.end(), id) - ids.begin(); };
    EXPECT_LT(at("outer"), at("inner"));
    EXPECT_LT(at("inner"), at("leaf"));
    EXPECT_LT(at("solo"), static_cast<long>(ids.size()));
}

}  // namespace
}  // namespace tocsin::store::sqlite
