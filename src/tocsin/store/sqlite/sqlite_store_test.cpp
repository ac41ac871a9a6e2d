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

// The embedded migration files (generated; see src/tocsin/store/CMakeLists.txt).
namespace tocsin::store::sqlite_migrations {
std::string_view Find(std::string_view name);
std::vector<std::string_view> Names();
}  // namespace tocsin::store::sqlite_migrations

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
    auto q = (*db)->Prepare("SELECT COUNT(*), COUNT(DISTINCT name), MAX(version) FROM schema_migrations");
    ASSERT_TRUE(q) << Why(q);
    auto row = (*q)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_GT((*q)->Int(0), 0);
    EXPECT_EQ((*q)->Int(0), (*q)->Int(1));
    EXPECT_EQ((*q)->Int(2), version);
    (*q)->Reset();
}

TEST_F(SqliteStoreTest, AMigrationMissingBelowTheNewestIsAppliedOnOpen) {
    // Migrations added out of order (parallel work) still run: 0011 is re-run here after its
    // record is removed, and recreates what it creates.
    store_.reset();
    {
        auto db = Database::Open(path_);
        ASSERT_TRUE(db) << Why(db);
        auto r = (*db)->ExecScript("DELETE FROM schema_migrations WHERE version = 11; DROP INDEX alerts_snoozed;");
        ASSERT_TRUE(r) << Why(r);
    }
    Reopen();
    auto db = Database::Open(path_);
    ASSERT_TRUE(db) << Why(db);
    auto q = (*db)->Prepare(
        "SELECT (SELECT COUNT(*) FROM schema_migrations WHERE version = 11), "
        "(SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'alerts_snoozed')"
    );
    ASSERT_TRUE(q) << Why(q);
    auto row = (*q)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*q)->Int(0), 1);
    EXPECT_EQ((*q)->Int(1), 1);
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
    User u{"u1", "Ops@Example.com", "Olga Ops", "owner", "$argon2id$v=19$stub", At("2026-02-01T00:00:00Z"), "en", {}};
    MustWrite([&](Tx& tx) { return tx.InsertUser(u); });

    User twin{"u2", "ops@example.COM", "Someone else", "responder", "$argon2id$v=19$other", {}, "en", {}};
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

// --- subscribers -------------------------------------------------------------------------

using domain::Channel;
using domain::Subscriber;

Subscriber MakeSubscriber(std::string id, Channel channel, std::string target) {
    Subscriber s;
    s.id = std::move(id);
    s.channel = channel;
    s.target = std::move(target);
    s.created_at = At("2026-02-01T00:00:00Z");
    return s;
}

Subscriber MakeEmail(std::string id, std::string address, bool confirmed = true) {
    Subscriber s = MakeSubscriber(std::move(id), Channel::kEmail, std::move(address));
    if (confirmed) s.confirmed_at = At("2026-02-01T00:05:00Z");
    return s;
}

std::vector<std::string> Ids(const std::vector<Subscriber>& list) {
    std::vector<std::string> ids;
    for (const auto& s : list) ids.push_back(s.id);
    return ids;
}

void ExpectSameSubscriber(const Subscriber& got, const Subscriber& want) {
    SCOPED_TRACE("subscriber " + want.id);
    EXPECT_EQ(got.id, want.id);
    EXPECT_EQ(domain::ToString(got.channel), domain::ToString(want.channel));
    EXPECT_EQ(got.target, want.target);
    EXPECT_EQ(got.secret, want.secret);
    EXPECT_EQ(got.language, want.language);
    EXPECT_EQ(got.component_ids, want.component_ids);
    EXPECT_EQ(Show(got.confirmed_at), Show(want.confirmed_at));
    EXPECT_EQ(FormatIso8601(got.created_at), FormatIso8601(want.created_at));
    EXPECT_EQ(got.source, want.source);
}

class SqliteSubscriberTest : public SqliteStoreTest {
protected:
    std::optional<Subscriber> GetSubscriber(const std::string& id) {
        return MustRead([&](Tx& tx) { return tx.GetSubscriber(id); });
    }
    std::optional<Subscriber> Find(Channel c, const std::string& target) {
        return MustRead([&](Tx& tx) { return tx.FindSubscriber(c, target); });
    }
    std::vector<Subscriber> List(const SubscriberFilter& f) {
        return MustRead([&](Tx& tx) { return tx.ListSubscribers(f); });
    }
    std::int64_t Count(const SubscriberFilter& f) {
        return MustRead([&](Tx& tx) { return tx.CountSubscribers(f); });
    }
};

TEST_F(SqliteSubscriberTest, InsertedSubscriberRoundTripsEveryFieldAndItsComponentOrder) {
    Subscriber hook = MakeSubscriber("s-hook", Channel::kWebhook, "https://hooks.example.com/In");
    hook.secret = "signing secret";
    hook.language = "de";
    hook.component_ids = {"web", "api"};  // kept in the order given
    hook.source = "api";
    Subscriber mail = MakeEmail("s-mail", "alice@example.com", false);
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        TOCSIN_TRY(tx.InsertSubscriber(hook));
        return tx.InsertSubscriber(mail);
    });
    auto got = GetSubscriber("s-hook");
    ASSERT_TRUE(got.has_value());
    ExpectSameSubscriber(*got, hook);
    got = GetSubscriber("s-mail");
    ASSERT_TRUE(got.has_value());
    ExpectSameSubscriber(*got, mail);
    EXPECT_FALSE(GetSubscriber("s-none").has_value());

    auto found = Find(Channel::kWebhook, "https://hooks.example.com/In");
    ASSERT_TRUE(found.has_value());
    ExpectSameSubscriber(*found, hook);
}

TEST_F(SqliteSubscriberTest, ASecondSubscriberForTheSameDestinationIsAConflict) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertSubscriber(MakeEmail("s1", "alice@example.com")));
        return tx.InsertSubscriber(MakeSubscriber("s2", Channel::kWebhook, "https://hooks.example.com/x"));
    });

    Error e = WriteError([](Tx& tx) { return tx.InsertSubscriber(MakeEmail("s3", "Alice@Example.com")); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict) << e.message;
    EXPECT_NE(e.message.find("email subscriber with this target already exists"), std::string::npos) << e.message;

    e = WriteError([](Tx& tx) {
        return tx.InsertSubscriber(MakeSubscriber("s4", Channel::kWebhook, "https://hooks.example.com/x"));
    });
    EXPECT_EQ(e.kind, ErrorKind::kConflict) << e.message;

    e = WriteError([](Tx& tx) { return tx.InsertSubscriber(MakeEmail("s1", "bob@example.com")); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict);
    EXPECT_NE(e.message.find("subscriber s1 already exists"), std::string::npos) << e.message;

    // The same target on another channel, or a URL that differs in case, is another destination.
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertSubscriber(MakeSubscriber("s5", Channel::kSlack, "https://hooks.example.com/x")));
        return tx.InsertSubscriber(MakeSubscriber("s6", Channel::kWebhook, "https://hooks.example.com/X"));
    });
    EXPECT_EQ(Count({}), 4);
}

TEST_F(SqliteSubscriberTest, FindComparesEmailIgnoringCaseAndOtherTargetsExactly) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertSubscriber(MakeEmail("s1", "Alice@example.com")));
        return tx.InsertSubscriber(MakeSubscriber("s2", Channel::kTelegram, "@StatusChannel"));
    });
    auto f = Find(Channel::kEmail, "alice@EXAMPLE.com");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->id, "s1");
    EXPECT_EQ(f->target, "Alice@example.com") << "the stored spelling is kept";
    EXPECT_FALSE(Find(Channel::kWebhook, "Alice@example.com").has_value()) << "the channel must match";
    EXPECT_TRUE(Find(Channel::kTelegram, "@StatusChannel").has_value());
    EXPECT_FALSE(Find(Channel::kTelegram, "@statuschannel").has_value());
}

TEST_F(SqliteSubscriberTest, UpdateReplacesLanguageSecretComponentsAndConfirmationOnly) {
    Subscriber s = MakeSubscriber("s1", Channel::kWebhook, "https://hooks.example.com/a");
    s.component_ids = {"api"};
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        return tx.InsertSubscriber(s);
    });

    Subscriber changed = s;
    changed.language = "de";
    changed.secret = "new secret";
    changed.component_ids = {"web"};
    changed.confirmed_at = At("2026-02-03T00:00:00Z");
    changed.target = "https://elsewhere.example.com/";  // not replaced
    changed.source = "import";                          // not replaced
    changed.created_at = At("2030-01-01T00:00:00Z");    // not replaced
    MustWrite([&](Tx& tx) { return tx.UpdateSubscriber(changed); });

    Subscriber want = s;
    want.language = "de";
    want.secret = "new secret";
    want.component_ids = {"web"};
    want.confirmed_at = At("2026-02-03T00:00:00Z");
    auto got = GetSubscriber("s1");
    ASSERT_TRUE(got.has_value());
    ExpectSameSubscriber(*got, want);

    // Back to the whole page and unconfirmed.
    changed.component_ids.clear();
    changed.confirmed_at.reset();
    MustWrite([&](Tx& tx) { return tx.UpdateSubscriber(changed); });
    got = GetSubscriber("s1");
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->component_ids.empty());
    EXPECT_FALSE(got->confirmed_at.has_value());

    Error e = WriteError([](Tx& tx) { return tx.UpdateSubscriber(MakeEmail("s-none", "x@example.com")); });
    EXPECT_EQ(e.kind, ErrorKind::kNotFound);
}

TEST_F(SqliteSubscriberTest, AnUnknownOrRepeatedComponentIsInvalidInputAndWritesNothing) {
    MustWrite([](Tx& tx) { return tx.InsertComponent(MakeComponent("api")); });
    Subscriber s = MakeEmail("s1", "alice@example.com");
    s.component_ids = {"api", "nope"};
    Error e = WriteError([&](Tx& tx) { return tx.InsertSubscriber(s); });
    EXPECT_EQ(e.kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(e.field, "components");
    EXPECT_FALSE(GetSubscriber("s1").has_value()) << "the failed write is rolled back whole";

    s.component_ids = {"api", "api"};
    e = WriteError([&](Tx& tx) { return tx.InsertSubscriber(s); });
    EXPECT_EQ(e.kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(e.field, "components");
}

TEST_F(SqliteSubscriberTest, DeletingAComponentRemovesItFromSubscriptions) {
    Subscriber s = MakeEmail("s1", "alice@example.com");
    s.component_ids = {"api", "web"};
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        return tx.InsertSubscriber(s);
    });
    MustWrite([](Tx& tx) { return tx.DeleteComponent("api"); });
    auto got = GetSubscriber("s1");
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->component_ids, (std::vector<std::string>{"web"}));
}

TEST_F(SqliteSubscriberTest, ListFiltersByChannelConfirmationAndTargetSubstring) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertSubscriber(MakeEmail("s1", "alice@acme.example")));
        TOCSIN_TRY(tx.InsertSubscriber(MakeEmail("s2", "bob@other.example", false)));
        TOCSIN_TRY(tx.InsertSubscriber(MakeEmail("s3", "Carol@ACME.example", false)));
        return tx.InsertSubscriber(MakeSubscriber("s4", Channel::kWebhook, "https://acme.example/hook"));
    });
    SubscriberFilter f;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
    f.channel = Channel::kEmail;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s1", "s2", "s3"}));
    f.confirmed = false;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s2", "s3"}));
    EXPECT_EQ(Count(f), 2);
    f.query = "acme";  // case-insensitive
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s3"}));
    f.confirmed = true;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s1"}));
    f.channel.reset();
    f.confirmed.reset();
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s1", "s3", "s4"}));
    EXPECT_EQ(Count(f), 3);
    f.query = "%";  // no LIKE pattern: a literal character that no target contains
    EXPECT_TRUE(List(f).empty());
    EXPECT_EQ(Count(f), 0);
}

TEST_F(SqliteSubscriberTest, ListPagesByIdWithEachPagesComponents) {
    MustWrite([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("web")));
        for (int i = 9; i >= 1; --i) {  // inserted out of order on purpose
            Subscriber s = MakeEmail("s" + std::to_string(i), "user" + std::to_string(i) + "@example.com");
            if (i % 3 == 0) s.component_ids = {"web", "api"};
            if (i % 3 == 1) s.component_ids = {"api"};
            TOCSIN_TRY(tx.InsertSubscriber(s));
        }
        return {};
    });
    SubscriberFilter f;
    f.limit = 4;
    std::vector<std::string> seen;
    for (int page = 0; page < 5; ++page) {
        auto list = List(f);
        for (const auto& s : list) {
            seen.push_back(s.id);
            int n = s.id.back() - '0';
            std::vector<std::string> want;
            if (n % 3 == 0) want = {"web", "api"};
            if (n % 3 == 1) want = {"api"};
            EXPECT_EQ(s.component_ids, want) << s.id;
        }
        if (list.size() < static_cast<std::size_t>(f.limit)) break;
        f.after_id = list.back().id;
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"}));

    f.after_id = "s4";
    f.limit = 100;
    EXPECT_EQ(Ids(List(f)), (std::vector<std::string>{"s5", "s6", "s7", "s8", "s9"}));
    EXPECT_EQ(Count(f), 9) << "the count ignores the page position";
    f.limit = 0;
    EXPECT_TRUE(List(f).empty());
}

// --- deliveries --------------------------------------------------------------------------

Delivery MakeDelivery(
    std::string key,
    std::string subscriber_id,
    std::string_view due,
    std::int64_t seq = 1,
    Channel channel = Channel::kEmail
) {
    Delivery d;
    d.idempotency_key = std::move(key);
    d.outbox_seq = seq;
    d.subscriber_id = std::move(subscriber_id);
    d.channel = channel;
    d.next_attempt_at = At(due);
    d.created_at = At("2026-03-01T09:00:00Z");
    return d;
}

std::vector<std::string> Keys(const std::vector<Delivery>& list) {
    std::vector<std::string> keys;
    for (const auto& d : list) keys.push_back(d.idempotency_key);
    return keys;
}

class SqliteDeliveryTest : public SqliteStoreTest {
protected:
    std::int64_t Insert(const std::vector<Delivery>& rows) {
        std::int64_t n = -1;
        MustWrite([&](Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inserted, tx.InsertDeliveries(rows));
            n = inserted;
            return {};
        });
        return n;
    }
    std::vector<Delivery> Due(std::string_view now, int limit = 100) {
        return MustRead([&](Tx& tx) { return tx.ListDueDeliveries(At(now), limit); });
    }
    std::vector<Delivery> List(const DeliveryFilter& f) {
        return MustRead([&](Tx& tx) { return tx.ListDeliveries(f); });
    }
    std::optional<Delivery> Get(std::int64_t id) {
        return MustRead([&](Tx& tx) { return tx.GetDelivery(id); });
    }
    DeliveryProgress Progress(std::int64_t seq) {
        return MustRead([&](Tx& tx) { return tx.GetDeliveryProgress(seq); });
    }
    // The id of the delivery with this key.
    std::int64_t IdOf(const std::string& key) {
        for (const auto& d : List({})) {
            if (d.idempotency_key == key) return d.id;
        }
        ADD_FAILURE() << "no delivery " << key;
        return 0;
    }
};

TEST(DeliveryStateNames, RoundTrip) {
    for (auto s : {DeliveryState::kPending, DeliveryState::kSent, DeliveryState::kDead}) {
        auto parsed = ParseDeliveryState(ToString(s));
        ASSERT_TRUE(parsed.has_value()) << ToString(s);
        EXPECT_EQ(*parsed, s);
    }
    EXPECT_EQ(ToString(DeliveryState::kDead), "dead");
    EXPECT_FALSE(ParseDeliveryState("failed").has_value());
}

TEST_F(SqliteDeliveryTest, InsertWritesEachIdempotencyKeyOnceAndCountsNewRows) {
    EXPECT_EQ(
        Insert({MakeDelivery("k/a", "a", "2026-03-01T10:00:00Z"), MakeDelivery("k/b", "b", "2026-03-01T10:00:00Z")}), 2
    );
    // The fan-out ran again after a crash: the old rows stay as they were.
    Delivery again = MakeDelivery("k/a", "a", "2026-03-01T12:00:00Z");
    again.last_error = "must not replace";
    EXPECT_EQ(Insert({again, MakeDelivery("k/c", "c", "2026-03-01T10:00:00Z")}), 1);
    EXPECT_EQ(Insert({again, again}), 0);
    EXPECT_EQ(Insert({}), 0);

    auto all = List({});
    EXPECT_EQ(Keys(all), (std::vector<std::string>{"k/a", "k/b", "k/c"}));
    auto a = Get(all[0].id);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->last_error, "");
    EXPECT_EQ(FormatIso8601(a->next_attempt_at), "2026-03-01T10:00:00.000Z");
}

TEST_F(SqliteDeliveryTest, InsertRoundTripsEveryFieldAndTakesLargeBatches) {
    Delivery m = MakeDelivery("k/mastodon", "", "2026-03-01T10:00:00Z", 7, Channel::kMastodon);
    m.attempts = 2;
    m.state = DeliveryState::kSent;
    m.sent_at = At("2026-03-01T10:00:05Z");
    m.last_error = "timeout";
    ASSERT_EQ(Insert({m}), 1);
    auto got = List({});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_GT(got[0].id, 0);
    EXPECT_EQ(got[0].idempotency_key, "k/mastodon");
    EXPECT_EQ(got[0].outbox_seq, 7);
    EXPECT_EQ(got[0].subscriber_id, "");
    EXPECT_EQ(got[0].channel, Channel::kMastodon);
    EXPECT_EQ(got[0].state, DeliveryState::kSent);
    EXPECT_EQ(got[0].attempts, 2);
    EXPECT_EQ(got[0].last_error, "timeout");
    EXPECT_EQ(FormatIso8601(got[0].created_at), "2026-03-01T09:00:00.000Z");
    EXPECT_EQ(Show(got[0].sent_at), "2026-03-01T10:00:05.000Z");

    std::vector<Delivery> batch;
    for (int i = 0; i < 1000; ++i) {
        batch.push_back(MakeDelivery("big/" + std::to_string(i), "s" + std::to_string(i), "2026-03-01T10:00:00Z", 8));
    }
    EXPECT_EQ(Insert(batch), 1000);
    EXPECT_EQ(Insert(batch), 0);
    EXPECT_EQ(Progress(8).pending, 1000);
}

TEST_F(SqliteDeliveryTest, DueListsPendingRowsDueNowOldestFirstThenById) {
    Delivery sent = MakeDelivery("sent", "s", "2026-03-01T08:00:00Z");
    sent.state = DeliveryState::kSent;
    Delivery dead = MakeDelivery("dead", "d", "2026-03-01T08:00:00Z");
    dead.state = DeliveryState::kDead;
    Insert({
        MakeDelivery("late", "a", "2026-03-01T09:30:00Z"),
        MakeDelivery("early-1", "b", "2026-03-01T09:00:00Z"),
        MakeDelivery("future", "c", "2026-03-01T10:00:00.001Z"),
        sent,
        dead,
        MakeDelivery("early-2", "e", "2026-03-01T09:00:00Z"),
        MakeDelivery("now", "f", "2026-03-01T10:00:00Z"),
    });
    EXPECT_EQ(Keys(Due("2026-03-01T10:00:00Z")), (std::vector<std::string>{"early-1", "early-2", "late", "now"}));
    EXPECT_EQ(Keys(Due("2026-03-01T10:00:00Z", 2)), (std::vector<std::string>{"early-1", "early-2"}));
    EXPECT_TRUE(Due("2026-03-01T08:59:59Z").empty());
    EXPECT_EQ(Due("2026-03-01T11:00:00Z").size(), 5u);
}

// ListDueDeliveries runs every few hundred milliseconds over a table with many pending and
// far more sent rows: it must walk the partial index in order, not scan or sort.
TEST_F(SqliteStoreTest, PollingQueriesUseTheirPartialIndexesWithoutSorting) {
    auto db = Database::Open(path_);
    ASSERT_TRUE(db) << Why(db);
    auto plan = [&](const std::string& sql) {
        std::string out;
        auto q = (*db)->Prepare("EXPLAIN QUERY PLAN " + sql);
        EXPECT_TRUE(q) << Why(q);
        if (!q) return out;
        while (true) {
            auto row = (*q)->Step();
            EXPECT_TRUE(row) << Why(row);
            if (!row || !*row) break;
            out += (*q)->Text(3) + "\n";
        }
        return out;
    };
    std::string due = plan(queries::DueDeliveries());
    EXPECT_NE(due.find("USING INDEX deliveries_due"), std::string::npos) << due;
    EXPECT_EQ(due.find("TEMP B-TREE"), std::string::npos) << due;

    std::string outbox = plan(queries::UndispatchedOutbox());
    EXPECT_NE(outbox.find("outbox_undispatched"), std::string::npos) << outbox;
    EXPECT_EQ(outbox.find("TEMP B-TREE"), std::string::npos) << outbox;
}

TEST_F(SqliteDeliveryTest, FailedSentDeadAndRetriedDeliveriesMoveBetweenStates) {
    Insert({MakeDelivery("k/a", "a", "2026-03-01T10:00:00Z"), MakeDelivery("k/b", "b", "2026-03-01T10:00:00Z")});
    const std::int64_t a = IdOf("k/a");
    const std::int64_t b = IdOf("k/b");

    // A failed attempt: pending again, due later, with the error.
    MustWrite([&](Tx& tx) { return tx.MarkDeliveryFailed(a, 1, At("2026-03-01T10:05:00Z"), "421 try later", false); });
    auto got = Get(a);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->state, DeliveryState::kPending);
    EXPECT_EQ(got->attempts, 1);
    EXPECT_EQ(got->last_error, "421 try later");
    EXPECT_EQ(Keys(Due("2026-03-01T10:00:00Z")), (std::vector<std::string>{"k/b"}));
    EXPECT_EQ(Keys(Due("2026-03-01T10:05:00Z")), (std::vector<std::string>{"k/b", "k/a"}));

    // Sent: never due again.
    MustWrite([&](Tx& tx) { return tx.MarkDeliverySent(b, 1, At("2026-03-01T10:00:02Z")); });
    got = Get(b);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->state, DeliveryState::kSent);
    EXPECT_EQ(got->attempts, 1);
    EXPECT_EQ(Show(got->sent_at), "2026-03-01T10:00:02.000Z");

    // Given up: dead, not due.
    MustWrite([&](Tx& tx) { return tx.MarkDeliveryFailed(a, 5, At("2026-03-01T11:00:00Z"), "550 no such user", true); }
    );
    got = Get(a);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->state, DeliveryState::kDead);
    EXPECT_EQ(got->attempts, 5);
    EXPECT_EQ(got->last_error, "550 no such user");
    EXPECT_TRUE(Due("2026-03-02T00:00:00Z").empty());

    // Only a dead delivery can be retried; it keeps its attempts.
    Error e = WriteError([&](Tx& tx) { return tx.RetryDelivery(b, At("2026-03-01T12:00:00Z")); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict);
    EXPECT_NE(e.message.find("is sent"), std::string::npos) << e.message;
    e = WriteError([&](Tx& tx) { return tx.RetryDelivery(999, At("2026-03-01T12:00:00Z")); });
    EXPECT_EQ(e.kind, ErrorKind::kNotFound);

    MustWrite([&](Tx& tx) { return tx.RetryDelivery(a, At("2026-03-01T12:00:00Z")); });
    got = Get(a);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->state, DeliveryState::kPending);
    EXPECT_EQ(got->attempts, 5);
    EXPECT_EQ(FormatIso8601(got->next_attempt_at), "2026-03-01T12:00:00.000Z");
    EXPECT_EQ(Keys(Due("2026-03-01T12:00:00Z")), (std::vector<std::string>{"k/a"}));
    e = WriteError([&](Tx& tx) { return tx.RetryDelivery(a, At("2026-03-01T12:00:00Z")); });
    EXPECT_EQ(e.kind, ErrorKind::kConflict) << "pending is not dead";

    EXPECT_FALSE(Get(999).has_value());
}

TEST_F(SqliteDeliveryTest, MarkingADeliveryThatWasDeletedMeanwhileIsNoError) {
    MustWrite([](Tx& tx) { return tx.InsertSubscriber(MakeEmail("s1", "alice@example.com")); });
    Insert({MakeDelivery("k/s1", "s1", "2026-03-01T10:00:00Z")});
    const std::int64_t id = IdOf("k/s1");
    MustWrite([](Tx& tx) { return tx.DeleteSubscriber("s1"); });
    MustWrite([&](Tx& tx) { return tx.MarkDeliverySent(id, 1, At("2026-03-01T10:00:01Z")); });
    MustWrite([&](Tx& tx) { return tx.MarkDeliveryFailed(id, 1, At("2026-03-01T10:01:00Z"), "x", false); });
    EXPECT_FALSE(Get(id).has_value());
}

TEST_F(SqliteDeliveryTest, ProgressCountsEachStateAndFailingPendingRowsPerMessage) {
    Delivery sent = MakeDelivery("1/sent", "a", "2026-03-01T10:00:00Z", 1);
    sent.state = DeliveryState::kSent;
    Delivery dead = MakeDelivery("1/dead", "b", "2026-03-01T10:00:00Z", 1);
    dead.state = DeliveryState::kDead;
    dead.attempts = 8;
    Delivery failing = MakeDelivery("1/failing", "c", "2026-03-01T10:00:00Z", 1);
    failing.attempts = 2;
    Insert(
        {sent,
         dead,
         failing,
         MakeDelivery("1/new", "d", "2026-03-01T10:00:00Z", 1),
         MakeDelivery("2/new", "a", "2026-03-01T10:00:00Z", 2)}
    );

    auto p = Progress(1);
    EXPECT_EQ(p.pending, 2);
    EXPECT_EQ(p.sent, 1);
    EXPECT_EQ(p.dead, 1);
    EXPECT_EQ(p.failing, 1);
    p = Progress(2);
    EXPECT_EQ(p.pending, 1);
    EXPECT_EQ(p.sent + p.dead + p.failing, 0);
    p = Progress(0);
    EXPECT_EQ(p.pending, 3);
    EXPECT_EQ(p.sent, 1);
    EXPECT_EQ(p.dead, 1);
    EXPECT_EQ(p.failing, 1);
    p = Progress(42);
    EXPECT_EQ(p.pending + p.sent + p.dead + p.failing, 0);
}

TEST_F(SqliteDeliveryTest, ListFiltersByStateMessageAndSubscriberAndPagesById) {
    Delivery dead = MakeDelivery("1/b", "b", "2026-03-01T10:00:00Z", 1);
    dead.state = DeliveryState::kDead;
    Insert(
        {MakeDelivery("1/a", "a", "2026-03-01T10:00:00Z", 1),
         dead,
         MakeDelivery("2/a", "a", "2026-03-01T10:00:00Z", 2),
         MakeDelivery("2/b", "b", "2026-03-01T10:00:00Z", 2)}
    );
    DeliveryFilter f;
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"1/a", "1/b", "2/a", "2/b"}));
    f.outbox_seq = 2;
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"2/a", "2/b"}));
    f.subscriber_id = "b";
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"2/b"}));
    f = {};
    f.state = DeliveryState::kDead;
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"1/b"}));
    f = {};
    f.subscriber_id = "a";
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"1/a", "2/a"}));

    f = {};
    f.limit = 3;
    auto page = List(f);
    EXPECT_EQ(Keys(page), (std::vector<std::string>{"1/a", "1/b", "2/a"}));
    f.after_id = page.back().id;
    EXPECT_EQ(Keys(List(f)), (std::vector<std::string>{"2/b"}));
}

TEST_F(SqliteDeliveryTest, DeletingASubscriberDeletesItsDeliveriesAndLinksOnly) {
    Subscriber alice = MakeEmail("alice", "alice@example.com");
    alice.component_ids = {"api"};
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertComponent(MakeComponent("api")));
        TOCSIN_TRY(tx.InsertSubscriber(alice));
        return tx.InsertSubscriber(MakeEmail("bob", "bob@example.com"));
    });
    Insert(
        {MakeDelivery("1/alice", "alice", "2026-03-01T10:00:00Z"),
         MakeDelivery("1/bob", "bob", "2026-03-01T10:00:00Z"),
         MakeDelivery("1/mastodon", "", "2026-03-01T10:00:00Z", 1, Channel::kMastodon)}
    );

    MustWrite([](Tx& tx) { return tx.DeleteSubscriber("alice"); });
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetSubscriber("alice"); }).has_value());
    EXPECT_EQ(Keys(List({})), (std::vector<std::string>{"1/bob", "1/mastodon"}));

    // The component links went too: re-adding the address starts with a clean subscription.
    MustWrite([](Tx& tx) { return tx.InsertSubscriber(MakeEmail("alice", "alice@example.com")); });
    auto again = MustRead([](Tx& tx) { return tx.GetSubscriber("alice"); });
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->component_ids.empty());
    auto db = Database::Open(path_);
    ASSERT_TRUE(db) << Why(db);
    auto q = (*db)->Prepare("SELECT COUNT(*) FROM subscriber_components");
    ASSERT_TRUE(q) << Why(q);
    auto row = (*q)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*q)->Int(0), 0);
    (*q)->Reset();

    Error e = WriteError([](Tx& tx) { return tx.DeleteSubscriber("carol"); });
    EXPECT_EQ(e.kind, ErrorKind::kNotFound);
}

// --- outbox reading ----------------------------------------------------------------------

class SqliteOutboxTest : public SqliteStoreTest {
protected:
    void Enqueue(const std::string& key, std::string_view at) {
        MustWrite([&](Tx& tx) {
            return tx.EnqueueOutbox({"incident.updated", key, R"({"k":")" + key + "\"}", At(at)});
        });
    }
    std::vector<OutboxRow> Undispatched(int limit = 100) {
        return MustRead([&](Tx& tx) { return tx.ListUndispatchedOutbox(limit); });
    }
    std::vector<OutboxRow> Recent(std::int64_t before, int limit) {
        return MustRead([&](Tx& tx) { return tx.ListOutbox(before, limit); });
    }
};

std::vector<std::string> Keys(const std::vector<OutboxRow>& list) {
    std::vector<std::string> keys;
    for (const auto& o : list) keys.push_back(o.message.idempotency_key);
    return keys;
}

TEST_F(SqliteOutboxTest, UndispatchedMessagesComeOldestFirstWithTheirFanoutCursor) {
    Enqueue("k1", "2026-03-01T09:00:00Z");
    Enqueue("k2", "2026-03-01T09:01:00Z");
    Enqueue("k3", "2026-03-01T09:02:00Z");
    auto rows = Undispatched();
    ASSERT_EQ(Keys(rows), (std::vector<std::string>{"k1", "k2", "k3"}));
    EXPECT_LT(rows[0].seq, rows[1].seq);
    EXPECT_EQ(rows[0].message.topic, "incident.updated");
    EXPECT_EQ(rows[0].message.payload, R"({"k":"k1"})");
    EXPECT_EQ(FormatIso8601(rows[0].message.created_at), "2026-03-01T09:00:00.000Z");
    EXPECT_EQ(rows[0].fanout_cursor, "");
    EXPECT_FALSE(rows[0].dispatched_at.has_value());
    EXPECT_EQ(Keys(Undispatched(2)), (std::vector<std::string>{"k1", "k2"}));

    const std::int64_t s1 = rows[0].seq;
    const std::int64_t s2 = rows[1].seq;
    MustWrite([&](Tx& tx) { return tx.SaveFanoutCursor(s2, "sub-0042"); });
    MustWrite([&](Tx& tx) { return tx.MarkOutboxDispatched(s1, At("2026-03-01T09:05:00Z")); });
    rows = Undispatched();
    ASSERT_EQ(Keys(rows), (std::vector<std::string>{"k2", "k3"}));
    EXPECT_EQ(rows[0].fanout_cursor, "sub-0042");

    auto one = MustRead([&](Tx& tx) { return tx.GetOutbox(s1); });
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->message.idempotency_key, "k1");
    EXPECT_EQ(Show(one->dispatched_at), "2026-03-01T09:05:00.000Z");
    // A second mark keeps the first time.
    MustWrite([&](Tx& tx) { return tx.MarkOutboxDispatched(s1, At("2026-03-01T09:09:00Z")); });
    one = MustRead([&](Tx& tx) { return tx.GetOutbox(s1); });
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(Show(one->dispatched_at), "2026-03-01T09:05:00.000Z");

    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetOutbox(9999); }).has_value());
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.SaveFanoutCursor(9999, "x"); }).kind, ErrorKind::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.MarkOutboxDispatched(9999, {}); }).kind, ErrorKind::kNotFound);
}

TEST_F(SqliteOutboxTest, ListOutboxPagesNewestFirstBeforeASeq) {
    for (int i = 1; i <= 5; ++i) Enqueue("k" + std::to_string(i), "2026-03-01T09:00:00Z");
    auto first = Recent(0, 2);
    ASSERT_EQ(Keys(first), (std::vector<std::string>{"k5", "k4"}));
    auto second = Recent(first.back().seq, 2);
    ASSERT_EQ(Keys(second), (std::vector<std::string>{"k3", "k2"}));
    EXPECT_EQ(Keys(Recent(second.back().seq, 2)), (std::vector<std::string>{"k1"}));
    EXPECT_EQ(Recent(0, 100).size(), 5u);
}

// --- secrets and Mastodon threads --------------------------------------------------------

TEST_F(SqliteStoreTest, InsertSecretIfAbsentKeepsTheFirstValueEvenWithBinaryBytes) {
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetSecret("link_key"); }).has_value());
    const std::string key("\x00\x01\xff k\x00ey", 8);
    MustWrite([&](Tx& tx) { return tx.InsertSecretIfAbsent("link_key", key); });
    MustWrite([](Tx& tx) { return tx.InsertSecretIfAbsent("link_key", "second"); });
    auto got = MustRead([](Tx& tx) { return tx.GetSecret("link_key"); });
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, key);
    Reopen();
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.GetSecret("link_key"); }), key) << "a secret survives a restart";
}

TEST_F(SqliteStoreTest, ThreadPostIsSavedReplacedAndGoesWithItsIncident) {
    MustWrite([](Tx& tx) { return tx.InsertIncident(MakeIncident("i1", "Outage", "2026-02-01T00:00:00Z")); });
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetThreadPost("i1"); }).has_value());
    MustWrite([](Tx& tx) { return tx.SaveThreadPost("i1", "1100"); });
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.GetThreadPost("i1"); }), std::optional<std::string>("1100"));
    MustWrite([](Tx& tx) { return tx.SaveThreadPost("i1", "1200"); });
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.GetThreadPost("i1"); }), std::optional<std::string>("1200"));

    // A post about an incident deleted meanwhile has nothing to thread onto: no row, no error.
    MustWrite([](Tx& tx) { return tx.SaveThreadPost("gone", "1300"); });
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetThreadPost("gone"); }).has_value());

    MustWrite([](Tx& tx) { return tx.DeleteIncident("i1"); });
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetThreadPost("i1"); }).has_value());
}

// --- migration 0004 on an existing database ----------------------------------------------

TEST_F(SqliteStoreTest, Migration4KeepsExistingOutboxRowsAndLeavesThemToBeFannedOut) {
    const std::string old_path = dir_.File("v3.db");
    {
        auto db = Database::Open(old_path);
        ASSERT_TRUE(db) << Why(db);
        auto names = sqlite_migrations::Names();
        std::sort(names.begin(), names.end());
        ASSERT_TRUE(
            (*db)->ExecScript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                              "NULL, applied_at INTEGER NOT NULL)")
        );
        for (auto name : names) {
            auto base = name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
            int version = std::stoi(std::string(base.substr(0, 4)));
            if (version > 3) continue;
            auto r = (*db)->ExecScript(std::string(sqlite_migrations::Find(name)));
            ASSERT_TRUE(r) << base << ": " << Why(r);
            ASSERT_TRUE((*db)->ExecScript(
                "INSERT INTO schema_migrations VALUES (" + std::to_string(version) + ", '" + std::string(base) + "', 0)"
            ));
        }
        ASSERT_TRUE((*db)->ExecScript(
            "INSERT INTO outbox (topic, idempotency_key, payload, created_at, dispatched_at) VALUES "
            "('incident.created', 'old-sent', '{}', 1, 2), ('incident.created', 'old-waiting', '{}', 3, NULL)"
        ));
    }
    store_.reset();
    auto opened = SqliteStore::Open(old_path, clock_);
    ASSERT_TRUE(opened) << Why(opened);
    store_ = std::move(*opened);
    EXPECT_GE(store_->SchemaVersion(), 4);

    auto rows = MustRead([](Tx& tx) { return tx.ListUndispatchedOutbox(10); });
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].message.idempotency_key, "old-waiting");
    EXPECT_EQ(rows[0].fanout_cursor, "");
    auto all = MustRead([](Tx& tx) { return tx.ListOutbox(0, 10); });
    EXPECT_EQ(all.size(), 2u);
    MustWrite([](Tx& tx) { return tx.InsertSubscriber(MakeEmail("s1", "alice@example.com")); });
}

}  // namespace
}  // namespace tocsin::store::sqlite
