#include "tocsin/service/incident_ops.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::service {
namespace {

using namespace std::chrono_literals;
using domain::Component;
using domain::ComponentStatus;
using domain::Impact;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;
using test::At;

// An update that sets `status` (unchanged if nullopt), says `body` and sets `components`.
UpdateInput Upd(std::optional<IncidentStatus> status, std::string body, std::vector<ComponentChange> components = {}) {
    UpdateInput u;
    u.status = status;
    u.body = std::move(body);
    u.components = std::move(components);
    return u;
}

template <class E>
std::string S(E e) {
    return std::string(domain::ToString(e));
}

class IncidentOpsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        api_ = AddComponent("API", ComponentStatus::kOperational);
        db_ = AddComponent("Database", ComponentStatus::kOperational);
    }

    std::string AddComponent(std::string name, ComponentStatus status, bool group = false) {
        Component c;
        c.name = std::move(name);
        c.status = status;
        c.is_group = group;
        return test::AddComponent(*store_, clock_.Now(), std::move(c));
    }

    void SetStatus(const std::string& id, ComponentStatus status) {
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, tx.GetComponent(id));
            if (!c) return Error::NotFound(id);
            c->status = status;
            return tx.UpdateComponent(*c);
        });
        ASSERT_TRUE(r) << r.error().message;
    }

    // Runs CreateIncident in its own transaction at the clock's time.
    Result<Incident> Create(const IncidentInput& in) {
        Incident created;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, CreateIncident(tx, in, clock_.Now()));
            created = inc;
            return {};
        });
        if (!r) return r.error();
        return created;
    }

    Incident MustCreate(const IncidentInput& in) {
        auto r = Create(in);
        EXPECT_TRUE(r) << "[" << r.error().field << "] " << r.error().message;
        return r ? *r : Incident{};
    }

    // Loads the incident, posts an update to it and commits, at the clock's time.
    Result<domain::IncidentUpdate> Post(const std::string& id, const UpdateInput& in) {
        domain::IncidentUpdate posted;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, tx.GetIncident(id));
            if (!inc) return Error::NotFound(id);
            TOCSIN_ASSIGN(u, PostUpdate(tx, *inc, in, clock_.Now()));
            posted = u;
            return {};
        });
        if (!r) return r.error();
        return posted;
    }

    domain::IncidentUpdate MustPost(const std::string& id, const UpdateInput& in) {
        auto r = Post(id, in);
        EXPECT_TRUE(r) << "[" << r.error().field << "] " << r.error().message;
        return r ? *r : domain::IncidentUpdate{};
    }

    int Transitions(TimePoint now) {
        int n = -1;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(applied, ApplyMaintenanceTransitions(tx, now));
            n = applied;
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return n;
    }

    template <class T, class F>
    T Read(F&& f) {
        return test::ReadValue<T>(*store_, std::forward<F>(f));
    }

    Component GetComponent(const std::string& id) {
        auto c = Read<std::optional<Component>>([&](store::Tx& tx) { return tx.GetComponent(id); });
        EXPECT_TRUE(c) << id;
        return c.value_or(Component{});
    }
    ComponentStatus StatusOf(const std::string& id) { return GetComponent(id).status; }
    Incident GetIncident(const std::string& id) {
        auto i = Read<std::optional<Incident>>([&](store::Tx& tx) { return tx.GetIncident(id); });
        EXPECT_TRUE(i) << id;
        return i.value_or(Incident{});
    }
    std::int64_t IncidentCount() {
        return Read<std::int64_t>([&](store::Tx& tx) { return tx.CountIncidents(store::IncidentFilter{}); });
    }
    std::int64_t OutboxCount() {
        return Read<std::int64_t>([&](store::Tx& tx) { return tx.CountOutbox(); });
    }

    IncidentInput Outage(std::vector<ComponentChange> components, std::string name = "API errors") {
        IncidentInput in;
        in.name = std::move(name);
        in.first_update.body = "We are investigating.";
        in.first_update.components = std::move(components);
        return in;
    }

    IncidentInput Maintenance(TimePoint from, TimePoint until, std::vector<std::string> component_ids) {
        IncidentInput in;
        in.kind = IncidentKind::kMaintenance;
        in.name = "Database upgrade";
        in.scheduled_for = from;
        in.scheduled_until = until;
        in.component_ids = std::move(component_ids);
        in.first_update.body = "We will upgrade the database.";
        return in;
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::string api_;
    std::string db_;
};

// ---- creation -------------------------------------------------------------------------------

TEST_F(IncidentOpsTest, CreateIncidentRejectsBadInputNamingTheField) {
    std::string group = AddComponent("Core", ComponentStatus::kOperational, /*group=*/true);
    struct Case {
        std::string_view name;
        std::function<void(IncidentInput&)> mutate;
        std::string field;
    };
    const TimePoint t0 = At("2026-03-02T10:00:00Z");
    const std::vector<Case> cases = {
        {"empty name", [](IncidentInput& in) { in.name.clear(); }, "name"},
        {"name too long", [](IncidentInput& in) { in.name = std::string(256, 'n'); }, "name"},
        {"maintenance status on an incident",
         [](IncidentInput& in) { in.first_update.status = IncidentStatus::kScheduled; },
         "status"},
        {"window on an incident", [&](IncidentInput& in) { in.scheduled_for = t0; }, "scheduled_for"},
        {"maintenance without start",
         [&](IncidentInput& in) {
             in.kind = IncidentKind::kMaintenance;
             in.scheduled_until = t0;
         },
         "scheduled_for"},
        {"maintenance without end",
         [&](IncidentInput& in) {
             in.kind = IncidentKind::kMaintenance;
             in.scheduled_for = t0;
         },
         "scheduled_until"},
        {"maintenance ending before it starts",
         [&](IncidentInput& in) {
             in.kind = IncidentKind::kMaintenance;
             in.scheduled_for = t0;
             in.scheduled_until = t0 - 1h;
         },
         "scheduled_until"},
        {"empty maintenance window",
         [&](IncidentInput& in) {
             in.kind = IncidentKind::kMaintenance;
             in.scheduled_for = t0;
             in.scheduled_until = t0;
         },
         "scheduled_until"},
        {"incident status on a maintenance",
         [&](IncidentInput& in) {
             in.kind = IncidentKind::kMaintenance;
             in.scheduled_for = t0;
             in.scheduled_until = t0 + 1h;
             in.first_update.status = IncidentStatus::kInvestigating;
         },
         "status"},
        {"unknown component",
         [](IncidentInput& in) {
             in.first_update.components = {{"nosuchthing1", ComponentStatus::kMajorOutage}};
         },
         "components.nosuchthing1"},
        {"group instead of a component",
         [&](IncidentInput& in) {
             in.first_update.components = {{group, ComponentStatus::kMajorOutage}};
         },
         "components." + group},
        {"body too long", [](IncidentInput& in) { in.first_update.body = std::string(65537, 'b'); }, "body"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto in = Outage({});
        c.mutate(in);
        auto r = Create(in);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
        EXPECT_FALSE(r.error().message.empty());
    }
    // Nothing of the failed attempts was kept.
    EXPECT_EQ(IncidentCount(), 0);
    EXPECT_EQ(OutboxCount(), 0);
}

TEST_F(IncidentOpsTest, CreateIncidentRejectsUnknownLinkedComponents) {
    auto in = Outage({});
    in.component_ids = {api_, "nosuchthing1"};
    auto r = Create(in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(IncidentCount(), 0);
}

TEST_F(IncidentOpsTest, CreateIncidentStartsInvestigatingWithOneUpdate) {
    clock_.Set(At("2026-03-01T12:00:00Z"));
    auto inc = MustCreate(Outage({}));
    EXPECT_EQ(S(inc.kind), "incident");
    EXPECT_EQ(S(inc.status), "investigating");
    EXPECT_EQ(S(inc.impact), "none");
    EXPECT_EQ(inc.started_at, clock_.Now());
    ASSERT_EQ(inc.updates.size(), 1u);
    EXPECT_EQ(inc.updates[0].body, "We are investigating.");
    EXPECT_TRUE(inc.updates[0].affected_components.empty());

    auto stored = GetIncident(inc.id);
    EXPECT_EQ(stored.name, "API errors");
    ASSERT_EQ(stored.updates.size(), 1u);
    EXPECT_EQ(stored.updates[0].id, inc.updates[0].id);
}

TEST_F(IncidentOpsTest, BackDatedFirstUpdateSetsTheStart) {
    auto in = Outage({});
    in.first_update.display_at = At("2026-03-01T09:15:00Z");
    auto inc = MustCreate(in);
    EXPECT_EQ(inc.started_at, At("2026-03-01T09:15:00Z"));
    EXPECT_EQ(inc.created_at, clock_.Now());
    EXPECT_EQ(GetIncident(inc.id).updates.at(0).display_at, At("2026-03-01T09:15:00Z"));
}

// ---- components and impact ----------------------------------------------------------------

TEST_F(IncidentOpsTest, AppliesComponentStatusesAndRecordsThemOnTheUpdate) {
    SetStatus(db_, ComponentStatus::kDegradedPerformance);
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}, {db_, ComponentStatus::kPartialOutage}}));

    EXPECT_EQ(S(StatusOf(api_)), "major_outage");
    EXPECT_EQ(S(StatusOf(db_)), "partial_outage");
    EXPECT_EQ(GetComponent(api_).updated_at, clock_.Now());
    EXPECT_EQ(inc.component_ids, (std::vector<std::string>{api_, db_}));

    auto stored = GetIncident(inc.id);
    EXPECT_EQ(stored.component_ids, (std::vector<std::string>{api_, db_}));
    ASSERT_EQ(stored.updates.size(), 1u);
    const auto& affected = stored.updates[0].affected_components;
    ASSERT_EQ(affected.size(), 2u);
    EXPECT_EQ(affected[0].code, api_);
    EXPECT_EQ(affected[0].name, "API");
    EXPECT_EQ(S(affected[0].old_status), "operational");
    EXPECT_EQ(S(affected[0].new_status), "major_outage");
    EXPECT_EQ(affected[1].code, db_);
    EXPECT_EQ(S(affected[1].old_status), "degraded_performance");
    EXPECT_EQ(S(affected[1].new_status), "partial_outage");
}

TEST_F(IncidentOpsTest, DerivesImpactFromTheWorstComponentStatus) {
    struct Case {
        std::string_view name;
        ComponentStatus status;
        std::string_view impact;
    };
    const Case cases[] = {
        {"degraded", ComponentStatus::kDegradedPerformance, "minor"},
        {"partial outage", ComponentStatus::kPartialOutage, "major"},
        {"major outage", ComponentStatus::kMajorOutage, "critical"},
        {"operational", ComponentStatus::kOperational, "none"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto inc = MustCreate(Outage({{api_, c.status}}));
        EXPECT_EQ(S(inc.impact), c.impact);
        EXPECT_EQ(S(GetIncident(inc.id).impact), c.impact);
        SetStatus(api_, ComponentStatus::kOperational);
    }
}

TEST_F(IncidentOpsTest, DerivedImpactOnlyRises) {
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kDegradedPerformance}}));
    EXPECT_EQ(S(inc.impact), "minor");
    struct Step {
        std::string_view name;
        UpdateInput update;
        std::string_view impact;
    };
    const Step steps[] = {
        {"worse", Upd(IncidentStatus::kIdentified, "worse", {{api_, ComponentStatus::kPartialOutage}}), "major"},
        {"better again", Upd(std::nullopt, "better", {{api_, ComponentStatus::kDegradedPerformance}}), "major"},
        {"another component degrades",
         Upd(std::nullopt, "db", {{db_, ComponentStatus::kDegradedPerformance}}),
         "major"},
        {"resolved", Upd(IncidentStatus::kResolved, "fixed", {}), "major"},
    };
    for (const auto& s : steps) {
        SCOPED_TRACE(s.name);
        clock_.Advance(5min);
        MustPost(inc.id, s.update);
        EXPECT_EQ(S(GetIncident(inc.id).impact), s.impact);
    }
}

TEST_F(IncidentOpsTest, ImpactOverrideWinsOverTheDerivedImpact) {
    struct Case {
        std::string_view name;
        Impact override_impact;
        ComponentStatus status;
    };
    const Case cases[] = {
        {"lower than derived", Impact::kMinor, ComponentStatus::kMajorOutage},
        {"higher than derived", Impact::kCritical, ComponentStatus::kDegradedPerformance},
        {"none", Impact::kNone, ComponentStatus::kMajorOutage},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto in = Outage({{api_, c.status}});
        in.impact_override = c.override_impact;
        auto inc = MustCreate(in);
        EXPECT_EQ(S(inc.impact), S(c.override_impact));
        clock_.Advance(1min);
        MustPost(inc.id, Upd(std::nullopt, "worse", {{db_, ComponentStatus::kMajorOutage}}));
        auto stored = GetIncident(inc.id);
        EXPECT_EQ(S(stored.impact), S(c.override_impact));
        ASSERT_TRUE(stored.impact_override);
        EXPECT_EQ(S(*stored.impact_override), S(c.override_impact));
        MustPost(inc.id, Upd(IncidentStatus::kResolved, "fixed"));
    }
}

// ---- resolution ----------------------------------------------------------------------------------

TEST_F(IncidentOpsTest, ResolvingRestoresTheComponentsItBroke) {
    auto inc =
        MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}, {db_, ComponentStatus::kDegradedPerformance}}));
    clock_.Advance(30min);
    auto u = MustPost(inc.id, Upd(IncidentStatus::kResolved, "All good again."));

    EXPECT_EQ(S(StatusOf(api_)), "operational");
    EXPECT_EQ(S(StatusOf(db_)), "operational");
    ASSERT_EQ(u.affected_components.size(), 2u);
    EXPECT_EQ(S(u.affected_components[0].old_status), "major_outage");
    EXPECT_EQ(S(u.affected_components[0].new_status), "operational");

    auto stored = GetIncident(inc.id);
    EXPECT_EQ(S(stored.status), "resolved");
    ASSERT_TRUE(stored.resolved_at);
    EXPECT_EQ(*stored.resolved_at, clock_.Now());
    EXPECT_EQ(stored.updates.size(), 2u);
    EXPECT_EQ(stored.updates.front().id, u.id);  // newest first
}

TEST_F(IncidentOpsTest, ResolvingLeavesComponentsHeldByAnotherOpenIncident) {
    auto first = MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}}, "First"));
    clock_.Advance(1min);
    auto second =
        MustCreate(Outage({{api_, ComponentStatus::kPartialOutage}, {db_, ComponentStatus::kPartialOutage}}, "Second"));
    clock_.Advance(1min);

    auto u = MustPost(first.id, Upd(IncidentStatus::kResolved, "First fixed."));
    EXPECT_EQ(S(StatusOf(api_)), "partial_outage") << "the second incident still holds the API";
    EXPECT_TRUE(u.affected_components.empty());

    clock_.Advance(1min);
    MustPost(second.id, Upd(IncidentStatus::kResolved, "Second fixed."));
    EXPECT_EQ(S(StatusOf(api_)), "operational");
    EXPECT_EQ(S(StatusOf(db_)), "operational");
}

TEST_F(IncidentOpsTest, ResolvingLeavesAComponentUnderMaintenanceAlone) {
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kDegradedPerformance}}));
    SetStatus(api_, ComponentStatus::kUnderMaintenance);
    MustPost(inc.id, Upd(IncidentStatus::kResolved, "fixed"));
    EXPECT_EQ(S(StatusOf(api_)), "under_maintenance");
}

TEST_F(IncidentOpsTest, ExplicitComponentsOnResolutionWin) {
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}}));
    MustPost(
        inc.id, Upd(IncidentStatus::kResolved, "Degraded for a while.", {{api_, ComponentStatus::kDegradedPerformance}})
    );
    EXPECT_EQ(S(StatusOf(api_)), "degraded_performance");
}

TEST_F(IncidentOpsTest, TracksMonitoringAndReopening) {
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}}));
    clock_.Advance(10min);
    MustPost(inc.id, Upd(IncidentStatus::kMonitoring, "A fix is out."));
    auto monitoring_at = clock_.Now();
    EXPECT_EQ(GetIncident(inc.id).monitoring_at, monitoring_at);

    clock_.Advance(10min);
    MustPost(inc.id, Upd(IncidentStatus::kResolved, "Fixed."));
    EXPECT_TRUE(GetIncident(inc.id).resolved_at);

    clock_.Advance(10min);
    MustPost(inc.id, Upd(IncidentStatus::kInvestigating, "It is back.", {{api_, ComponentStatus::kPartialOutage}}));
    auto reopened = GetIncident(inc.id);
    EXPECT_FALSE(reopened.resolved_at);
    EXPECT_EQ(reopened.monitoring_at, monitoring_at) << "the first monitoring time is kept";
    EXPECT_EQ(S(StatusOf(api_)), "partial_outage");
}

TEST_F(IncidentOpsTest, RejectsAStatusOfTheOtherKindOnUpdate) {
    auto inc = MustCreate(Outage({}));
    auto r = Post(inc.id, Upd(IncidentStatus::kInProgress, "x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "status");
}

// ---- maintenance -------------------------------------------------------------------------------------

TEST_F(IncidentOpsTest, MaintenanceIsScheduledWithoutTouchingComponents) {
    auto from = At("2026-03-02T22:00:00Z");
    auto m = MustCreate(Maintenance(from, from + 2h, {api_}));
    EXPECT_EQ(S(m.kind), "maintenance");
    EXPECT_EQ(S(m.status), "scheduled");
    EXPECT_EQ(S(m.impact), "maintenance");
    EXPECT_EQ(m.component_ids, (std::vector<std::string>{api_}));
    EXPECT_EQ(S(StatusOf(api_)), "operational");
}

TEST_F(IncidentOpsTest, MaintenanceMovesAtTheWindowEdges) {
    SetStatus(api_, ComponentStatus::kDegradedPerformance);
    auto from = At("2026-03-02T22:00:00Z");
    auto until = At("2026-03-03T00:00:00Z");
    auto m = MustCreate(Maintenance(from, until, {api_}));
    const auto outbox_after_create = OutboxCount();

    struct Step {
        std::string_view name;
        TimePoint now;
        int applied;
        std::string_view status;
        std::string_view component;
    };
    const Step steps[] = {
        {"long before", from - 24h, 0, "scheduled", "degraded_performance"},
        {"a millisecond before the start", from - 1ms, 0, "scheduled", "degraded_performance"},
        {"at the start", from, 1, "in_progress", "under_maintenance"},
        {"during", from + 1h, 0, "in_progress", "under_maintenance"},
        {"a millisecond before the end", until - 1ms, 0, "in_progress", "under_maintenance"},
        {"at the end: back to the status before", until, 1, "completed", "degraded_performance"},
        {"after", until + 1h, 0, "completed", "degraded_performance"},
    };
    for (const auto& s : steps) {
        SCOPED_TRACE(s.name);
        EXPECT_EQ(Transitions(s.now), s.applied);
        EXPECT_EQ(S(GetIncident(m.id).status), s.status);
        EXPECT_EQ(S(StatusOf(api_)), s.component);
    }
    auto done = GetIncident(m.id);
    ASSERT_EQ(done.updates.size(), 3u);
    EXPECT_EQ(S(done.updates[0].status), "completed");
    EXPECT_EQ(done.updates[0].display_at, until);
    EXPECT_EQ(S(done.updates[1].status), "in_progress");
    EXPECT_EQ(done.updates[1].display_at, from);
    ASSERT_EQ(done.updates[1].affected_components.size(), 1u);
    EXPECT_EQ(S(done.updates[1].affected_components[0].old_status), "degraded_performance");
    EXPECT_EQ(S(done.updates[1].affected_components[0].new_status), "under_maintenance");
    EXPECT_EQ(done.resolved_at, until);
    EXPECT_EQ(OutboxCount(), outbox_after_create + 2);
}

TEST_F(IncidentOpsTest, AWindowThatPassedWhileDownTakesBothSteps) {
    SetStatus(db_, ComponentStatus::kPartialOutage);
    auto from = At("2026-03-02T22:00:00Z");
    auto until = At("2026-03-03T00:00:00Z");
    auto m = MustCreate(Maintenance(from, until, {api_, db_}));

    EXPECT_EQ(Transitions(until + 3h), 2);
    auto done = GetIncident(m.id);
    EXPECT_EQ(S(done.status), "completed");
    ASSERT_EQ(done.updates.size(), 3u);
    EXPECT_EQ(S(done.updates[1].status), "in_progress");
    EXPECT_EQ(done.updates[1].display_at, from);
    EXPECT_EQ(S(done.updates[0].status), "completed");
    EXPECT_EQ(done.updates[0].display_at, until);
    // Each component is back where it was, not merely operational.
    EXPECT_EQ(S(StatusOf(api_)), "operational");
    EXPECT_EQ(S(StatusOf(db_)), "partial_outage");
    EXPECT_EQ(Transitions(until + 4h), 0);
}

// Disabled: fails today. When the first of two overlapping maintenances completes, PostUpdate
// restores the component although the second is still in progress, and the second, which saw the
// component already under maintenance, cannot know its earlier status. Reported; enable with the fix.
TEST_F(IncidentOpsTest, DISABLED_OverlappingMaintenancesKeepTheComponentUntilTheLastEnds) {
    SetStatus(api_, ComponentStatus::kDegradedPerformance);
    auto t0 = At("2026-03-02T22:00:00Z");
    auto first = MustCreate(Maintenance(t0, t0 + 2h, {api_}));
    auto second = MustCreate(Maintenance(t0 + 1h, t0 + 3h, {api_}));

    struct Step {
        std::string_view name;
        TimePoint now;
        std::string_view first_status;
        std::string_view second_status;
        std::string_view component;
    };
    const Step steps[] = {
        {"first starts", t0, "in_progress", "scheduled", "under_maintenance"},
        {"second starts", t0 + 1h, "in_progress", "in_progress", "under_maintenance"},
        {"first ends while the second runs", t0 + 2h, "completed", "in_progress", "under_maintenance"},
        {"second ends", t0 + 3h, "completed", "completed", "degraded_performance"},
    };
    for (const auto& s : steps) {
        SCOPED_TRACE(s.name);
        EXPECT_EQ(Transitions(s.now), 1);
        EXPECT_EQ(S(GetIncident(first.id).status), s.first_status);
        EXPECT_EQ(S(GetIncident(second.id).status), s.second_status);
        EXPECT_EQ(S(StatusOf(api_)), s.component);
    }
}

TEST_F(IncidentOpsTest, ManualWindowsStayPutAtTheirEdges) {
    auto from = At("2026-03-02T22:00:00Z");
    auto until = At("2026-03-03T00:00:00Z");

    auto no_start_in = Maintenance(from, until, {api_});
    no_start_in.auto_in_progress = false;
    auto no_start = MustCreate(no_start_in);
    EXPECT_EQ(Transitions(from + 1h), 0);
    EXPECT_EQ(S(GetIncident(no_start.id).status), "scheduled");
    EXPECT_EQ(S(StatusOf(api_)), "operational");
    // Without auto start, a window that ended unstarted is still closed on time.
    EXPECT_EQ(Transitions(until), 1);
    EXPECT_EQ(S(GetIncident(no_start.id).status), "completed");
    EXPECT_EQ(S(StatusOf(api_)), "operational");

    auto no_end_in = Maintenance(until + 24h, until + 26h, {db_});
    no_end_in.auto_completed = false;
    auto no_end = MustCreate(no_end_in);
    EXPECT_EQ(Transitions(until + 24h), 1);
    EXPECT_EQ(S(GetIncident(no_end.id).status), "in_progress");
    EXPECT_EQ(Transitions(until + 48h), 0);
    EXPECT_EQ(S(GetIncident(no_end.id).status), "in_progress");
    EXPECT_EQ(S(StatusOf(db_)), "under_maintenance");
}

TEST_F(IncidentOpsTest, MaintenanceCreatedInProgressTakesItsComponents) {
    auto in = Maintenance(clock_.Now() - 10min, clock_.Now() + 1h, {api_});
    in.first_update.status = IncidentStatus::kInProgress;
    auto m = MustCreate(in);
    EXPECT_EQ(S(m.status), "in_progress");
    EXPECT_EQ(S(StatusOf(api_)), "under_maintenance");
    // Completing by hand gives the component back.
    MustPost(m.id, Upd(IncidentStatus::kCompleted, "Done early."));
    EXPECT_EQ(S(StatusOf(api_)), "operational");
}

// ---- outbox and transactions -------------------------------------------------------------------------

TEST_F(IncidentOpsTest, EnqueuesOneOutboxMessagePerUpdate) {
    EXPECT_EQ(OutboxCount(), 0);
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kMajorOutage}}));
    EXPECT_EQ(OutboxCount(), 1);
    auto u2 = MustPost(inc.id, Upd(IncidentStatus::kIdentified, "Found it."));
    EXPECT_EQ(OutboxCount(), 2);
    MustPost(inc.id, Upd(IncidentStatus::kResolved, "Fixed."));
    EXPECT_EQ(OutboxCount(), 3);

    // The same event enqueued again (a retried write) is a no-op thanks to its key.
    auto again = store_->Write([&](store::Tx& tx) {
        store::OutboxMessage m;
        m.topic = "incident.update";
        m.idempotency_key = "incident.update:" + u2.id;
        m.payload = "{}";
        m.created_at = clock_.Now();
        return tx.EnqueueOutbox(m);
    });
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(OutboxCount(), 3);
}

TEST_F(IncidentOpsTest, AFailingUpdateRollsBackTheWholeWrite) {
    auto before_outbox = OutboxCount();
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(inc, CreateIncident(tx, Outage({{api_, ComponentStatus::kMajorOutage}}), clock_.Now()));
        // The first component is valid and is changed inside the transaction; the second fails.
        UpdateInput bad =
            Upd(IncidentStatus::kIdentified,
                "more",
                {{db_, ComponentStatus::kMajorOutage}, {"missing00000", ComponentStatus::kMajorOutage}});
        TOCSIN_TRY(PostUpdate(tx, inc, bad, clock_.Now()));
        return {};
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "components.missing00000");
    EXPECT_EQ(IncidentCount(), 0);
    EXPECT_EQ(OutboxCount(), before_outbox);
    EXPECT_EQ(S(StatusOf(api_)), "operational");
    EXPECT_EQ(S(StatusOf(db_)), "operational");
}

TEST_F(IncidentOpsTest, AFailedUpdateLeavesTheIncidentAsItWas) {
    auto inc = MustCreate(Outage({{api_, ComponentStatus::kDegradedPerformance}}));
    auto outbox = OutboxCount();
    auto r = Post(
        inc.id,
        Upd(IncidentStatus::kResolved,
            "x",
            {{api_, ComponentStatus::kOperational}, {"missing00000", ComponentStatus::kOperational}})
    );
    ASSERT_FALSE(r);
    auto stored = GetIncident(inc.id);
    EXPECT_EQ(S(stored.status), "investigating");
    EXPECT_EQ(stored.updates.size(), 1u);
    EXPECT_FALSE(stored.resolved_at);
    EXPECT_EQ(S(StatusOf(api_)), "degraded_performance");
    EXPECT_EQ(OutboxCount(), outbox);
}

TEST_F(IncidentOpsTest, OutboxMessagesDescribeEachUpdate) {
    auto in = Outage({});
    in.name = "Quote \" and backslash \\ in the name";
    auto inc = MustCreate(in);
    clock_.Advance(1min);
    auto quiet = Upd(IncidentStatus::kIdentified, "x");
    quiet.deliver_notifications = false;
    auto u2 = MustPost(inc.id, quiet);

    // The outbox is not readable through Tx (a dispatcher will own that); read the table directly.
    auto db = store::sqlite::Database::Open(dir_.File("tocsin.db"));
    ASSERT_TRUE(db) << db.error().message;
    auto stmt = (*db)->Prepare("SELECT topic, idempotency_key, payload FROM outbox ORDER BY seq");
    ASSERT_TRUE(stmt) << stmt.error().message;
    std::vector<boost::json::object> payloads;
    std::vector<std::string> keys;
    for (;;) {
        auto row = (*stmt)->Step();
        ASSERT_TRUE(row) << row.error().message;
        if (!*row) break;
        EXPECT_EQ((*stmt)->Text(0), "incident.update");
        keys.push_back((*stmt)->Text(1));
        boost::system::error_code ec;
        auto v = boost::json::parse((*stmt)->Text(2), ec);
        ASSERT_FALSE(ec) << (*stmt)->Text(2);
        payloads.push_back(v.as_object());
    }
    ASSERT_EQ(payloads.size(), 2u);
    EXPECT_EQ(keys[0], "incident.update:" + inc.updates.at(0).id);
    EXPECT_EQ(keys[1], "incident.update:" + u2.id);
    EXPECT_EQ(payloads[0].at("incident_id").as_string(), inc.id);
    EXPECT_EQ(payloads[0].at("first").as_bool(), true);
    EXPECT_EQ(payloads[0].at("status").as_string(), "investigating");
    EXPECT_EQ(payloads[0].at("kind").as_string(), "incident");
    EXPECT_EQ(payloads[1].at("update_id").as_string(), u2.id);
    EXPECT_EQ(payloads[1].at("first").as_bool(), false);
    EXPECT_EQ(payloads[1].at("status").as_string(), "identified");
    EXPECT_EQ(payloads[1].at("deliver_notifications").as_bool(), false);
    EXPECT_EQ(payloads[1].at("display_at").as_string(), FormatIso8601(clock_.Now()));
}

// ---- component placement ----------------------------------------------------------------------------

TEST_F(IncidentOpsTest, ValidatesComponentPlacement) {
    std::string group = AddComponent("Core", ComponentStatus::kOperational, /*group=*/true);
    struct Case {
        std::string_view name;
        bool is_group;
        std::optional<std::string> group_id;
        std::string id;
        bool ok;
    };
    const Case cases[] = {
        {"top level", false, std::nullopt, "new000000001", true},
        {"in a group", false, group, "new000000001", true},
        {"group at top level", true, std::nullopt, "new000000001", true},
        {"group in a group", true, group, "new000000001", false},
        {"in a component that is not a group", false, api_, "new000000001", false},
        {"in a missing group", false, std::string("missing00000"), "new000000001", false},
        {"in itself", false, group, group, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Component comp;
        comp.id = c.id;
        comp.is_group = c.is_group;
        comp.group_id = c.group_id;
        auto r = store_->Read([&](store::Tx& tx) { return ValidateComponentPlacement(tx, comp); });
        EXPECT_EQ(static_cast<bool>(r), c.ok);
        if (!r) {
            EXPECT_EQ(r.error().field, "group_id");
        }
    }
}

}  // namespace
}  // namespace tocsin::service
