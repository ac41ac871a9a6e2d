#include "tocsin/engine/monitor_automation.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/engine/rollup_engine.hpp"
#include "tocsin/engine/uptime_loader.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/service/monitor_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;
using domain::ComponentStatus;
using domain::IncidentStatus;
using monitor::CheckResult;
using monitor::Outcome;
using test::At;

class MonitorAutomationTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        component_ = AddComponent("API");
        automation_ = std::make_unique<MonitorAutomation>(*store_, nullptr, metrics_);
        automation_->OnPlans([this](std::vector<monitor::CheckPlan> plans) { local_plans_ = std::move(plans); });
    }

    std::string AddComponent(std::string name) { return test::AddComponent(*store_, clock_.Now(), std::move(name)); }

    monitor::Monitor AddMonitor(std::function<void(monitor::Monitor&)> tweak = {}) {
        monitor::Monitor m;
        m.id = NewId();
        m.name = "API health";
        m.spec.url = "http://127.0.0.1:1/";
        m.interval = 30s;
        m.retries = 1;
        m.recovery_period = 120s;
        m.components = {{component_, "major_outage", "degraded_performance"}};
        m.created_at = m.updated_at = clock_.Now();
        if (tweak) tweak(m);
        EXPECT_TRUE(monitor::Validate(m)) << monitor::Validate(m).error().message;
        EXPECT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertMonitor(m); }));
        automation_->MonitorsChanged();
        return m;
    }

    // Submits one result from `location` at the clock's time and runs a round.
    void Check(const monitor::Monitor& m, Outcome o, const std::string& location = "local") {
        CheckResult r;
        r.monitor_id = m.id;
        r.location = location;
        r.at = clock_.Now();
        r.outcome = o;
        r.message = o == Outcome::kDown ? "HTTP 500" : "";
        r.timings.total = 20ms;
        automation_->Submit(r);
        Round();
    }

    void Round() {
        auto r = automation_->RunOnce(clock_.Now());
        ASSERT_TRUE(r) << r.error().message;
    }

    ComponentStatus StatusOf(const std::string& id) {
        ComponentStatus s{};
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, tx.GetComponent(id));
            s = c->status;
            return {};
        }));
        return s;
    }

    std::vector<domain::Incident> Incidents() {
        std::vector<domain::Incident> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            store::IncidentFilter f;
            f.kind = domain::IncidentKind::kIncident;
            TOCSIN_ASSIGN(l, tx.ListIncidents(f));
            out = std::move(l);
            return {};
        }));
        return out;
    }

    monitor::MonitorState StateOf(const std::string& id) {
        monitor::MonitorState s;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(st, tx.GetMonitorState(id));
            if (st) s = *st;
            return {};
        }));
        return s;
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    MetricsRegistry metrics_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::unique_ptr<MonitorAutomation> automation_;
    std::vector<monitor::CheckPlan> local_plans_;
    std::string component_;
};

TEST_F(MonitorAutomationTest, ConfirmedFailureOpensOneQuietIncidentAndRecoveryResolvesIt) {
    auto m = AddMonitor();
    Round();
    ASSERT_EQ(local_plans_.size(), 1u);
    EXPECT_EQ(local_plans_[0].monitor_id, m.id);

    Check(m, Outcome::kDown);  // first failure: retries 1, not confirmed
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kOperational);
    EXPECT_TRUE(Incidents().empty());

    clock_.Advance(30s);
    Check(m, Outcome::kDown);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kMajorOutage);
    auto list = Incidents();
    ASSERT_EQ(list.size(), 1u);
    const auto& inc = list[0];
    EXPECT_TRUE(inc.automated);
    EXPECT_EQ(inc.name, "Outage: API");
    ASSERT_EQ(inc.updates.size(), 1u);
    EXPECT_FALSE(inc.updates[0].deliver_notifications);  // the first automatic message stays on the page
    EXPECT_NE(inc.updates[0].body.find("not available"), std::string::npos);
    EXPECT_NE(inc.updates[0].body.find("nicht erreichbar"), std::string::npos);

    // More failures do not open more incidents or post more updates.
    for (int i = 0; i < 5; ++i) {
        clock_.Advance(30s);
        Check(m, Outcome::kDown);
    }
    ASSERT_EQ(Incidents().size(), 1u);
    EXPECT_EQ(Incidents()[0].updates.size(), 1u);

    clock_.Advance(30s);
    Check(m, Outcome::kUp);
    EXPECT_EQ(Incidents()[0].status, IncidentStatus::kInvestigating);  // recovery period not over
    clock_.Advance(60s);
    Check(m, Outcome::kUp);
    EXPECT_EQ(Incidents()[0].status, IncidentStatus::kInvestigating);
    clock_.Advance(61s);
    Check(m, Outcome::kUp);
    auto resolved = Incidents();
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_EQ(resolved[0].status, IncidentStatus::kResolved);
    EXPECT_TRUE(resolved[0].updates[0].deliver_notifications);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kOperational);

    // Every state change is an event and an outbox message.
    std::int64_t outbox = 0;
    std::vector<store::MonitorEvent> events;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(n, tx.CountOutbox());
        TOCSIN_ASSIGN(e, tx.ListMonitorEvents(m.id, TimePoint{}, clock_.Now() + 1s));
        outbox = n;
        events = std::move(e);
        return {};
    }));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].change.to, Outcome::kDown);
    EXPECT_EQ(events[1].change.to, Outcome::kUp);
    EXPECT_GE(outbox, 4);  // two events, two incident updates
}

TEST_F(MonitorAutomationTest, FlappingReopensTheSameIncident) {
    auto m = AddMonitor([](auto& def) {
        def.retries = 0;
        def.recovery_period = 0s;
    });
    Check(m, Outcome::kDown);
    clock_.Advance(30s);
    Check(m, Outcome::kUp);
    ASSERT_EQ(Incidents().at(0).status, IncidentStatus::kResolved);
    for (int i = 0; i < 4; ++i) {
        clock_.Advance(30s);
        Check(m, Outcome::kDown);
        clock_.Advance(30s);
        Check(m, Outcome::kUp);
    }
    auto list = Incidents();
    ASSERT_EQ(list.size(), 1u) << "flapping opened more than one incident";
    EXPECT_EQ(list[0].status, IncidentStatus::kResolved);
    EXPECT_EQ(list[0].updates.size(), 10u);  // open, resolve, then 4 x (reopen, resolve)

    // After the reopen window, a new outage is a new incident.
    clock_.Advance(31min);
    Check(m, Outcome::kDown);
    EXPECT_EQ(Incidents().size(), 2u);
}

TEST_F(MonitorAutomationTest, AHumanUpdateTakesTheIncidentOver) {
    auto m = AddMonitor([](auto& def) {
        def.retries = 0;
        def.recovery_period = 0s;
    });
    Check(m, Outcome::kDown);
    auto inc = Incidents().at(0);
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        service::UpdateInput in;
        in.status = IncidentStatus::kIdentified;
        in.body = "We found a broken deploy.";
        TOCSIN_TRY(service::PostUpdate(tx, inc, in, clock_.Now()));
        return {};
    }));
    clock_.Advance(30s);
    Check(m, Outcome::kUp);
    auto after = Incidents().at(0);
    EXPECT_EQ(after.status, IncidentStatus::kIdentified) << "automation resolved an incident a human took over";
    EXPECT_EQ(after.updates.size(), 2u);
}

TEST_F(MonitorAutomationTest, NothingOpensDuringAMaintenanceWindow) {
    auto m = AddMonitor([](auto& def) { def.retries = 0; });
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        service::IncidentInput in;
        in.kind = domain::IncidentKind::kMaintenance;
        in.name = "Database upgrade";
        in.component_ids = {component_};
        in.scheduled_for = clock_.Now() - 1min;
        in.scheduled_until = clock_.Now() + 1h;
        in.first_update.status = IncidentStatus::kInProgress;
        in.first_update.body = "Upgrading.";
        TOCSIN_TRY(service::CreateIncident(tx, in, clock_.Now()));
        return {};
    }));
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kUnderMaintenance);
    Check(m, Outcome::kDown);
    EXPECT_TRUE(Incidents().empty());
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kUnderMaintenance);
    EXPECT_EQ(StateOf(m.id).state, Outcome::kDown);  // the monitor itself still knows
    EXPECT_TRUE(StateOf(m.id).pending);

    // The window ends while the monitor is still down: the outage shows now.
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        store::IncidentFilter f;
        f.kind = domain::IncidentKind::kMaintenance;
        TOCSIN_ASSIGN(list, tx.ListIncidents(f));
        service::UpdateInput in;
        in.status = IncidentStatus::kCompleted;
        in.body = "Done.";
        TOCSIN_TRY(service::PostUpdate(tx, list.at(0), in, clock_.Now()));
        return {};
    }));
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kOperational);
    clock_.Advance(30s);
    Check(m, Outcome::kDown);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kMajorOutage);
    EXPECT_EQ(Incidents().size(), 1u);
    EXPECT_FALSE(StateOf(m.id).pending);
}

TEST_F(MonitorAutomationTest, DegradedThenDownIsOneIncidentWithAnUpdate) {
    auto m = AddMonitor([](auto& def) { def.retries = 0; });
    Check(m, Outcome::kDegraded);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kDegradedPerformance);
    ASSERT_EQ(Incidents().size(), 1u);
    EXPECT_EQ(Incidents()[0].name, "Degraded performance: API");
    clock_.Advance(30s);
    Check(m, Outcome::kDown);
    ASSERT_EQ(Incidents().size(), 1u);
    EXPECT_EQ(Incidents()[0].updates.size(), 2u);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kMajorOutage);
    EXPECT_EQ(Incidents()[0].impact, domain::Impact::kCritical);
}

TEST_F(MonitorAutomationTest, WithoutIncidentsOnlyTheComponentsMove) {
    auto m = AddMonitor([](auto& def) {
        def.retries = 0;
        def.recovery_period = 0s;
        def.create_incidents = false;
        def.components[0].down_status = "partial_outage";
    });
    Check(m, Outcome::kDown);
    EXPECT_TRUE(Incidents().empty());
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kPartialOutage);
    clock_.Advance(30s);
    Check(m, Outcome::kUp);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kOperational);
}

TEST_F(MonitorAutomationTest, GermanPagesNameIncidentsInGerman) {
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetPageSettings());
        s.default_language = "de";
        return tx.SavePageSettings(s);
    }));
    auto m = AddMonitor([](auto& def) { def.retries = 0; });
    Check(m, Outcome::kDown);
    auto inc = Incidents().at(0);
    EXPECT_EQ(inc.name, "Störung: API");
    EXPECT_LT(inc.updates[0].body.find("nicht erreichbar"), inc.updates[0].body.find("not available"));
}

TEST_F(MonitorAutomationTest, MissedHeartbeatGoesDownAndAPingBringsItBack) {
    auto m = AddMonitor([](auto& def) {
        def.spec = {};
        def.spec.type = monitor::MonitorType::kHeartbeat;
        def.interval = 60s;
        def.heartbeat_grace = 30s;
        def.retries = 0;
        def.recovery_period = 0s;
    });
    Round();
    clock_.Advance(89s);
    Round();
    EXPECT_EQ(StateOf(m.id).state, Outcome::kUp);
    clock_.Advance(2s);
    Round();
    auto st = StateOf(m.id);
    EXPECT_EQ(st.state, Outcome::kDown);
    EXPECT_EQ(st.message, "no heartbeat received yet");
    EXPECT_EQ(Incidents().size(), 1u);
    clock_.Advance(10s);
    Check(m, Outcome::kUp);  // the ping
    st = StateOf(m.id);
    EXPECT_EQ(st.state, Outcome::kUp);
    ASSERT_TRUE(st.last_ping_at);
    EXPECT_EQ(Incidents().at(0).status, IncidentStatus::kResolved);
    EXPECT_TRUE(local_plans_.empty()) << "heartbeats are passive: nothing to schedule";
}

TEST_F(MonitorAutomationTest, QuorumAcrossProbeLocations) {
    auto m = AddMonitor([](auto& def) {
        def.retries = 0;
        def.locations = {"berlin", "frankfurt"};
        def.quorum = 2;
    });
    Round();
    EXPECT_TRUE(local_plans_.empty());
    EXPECT_EQ(automation_->PlansFor("berlin").size(), 1u);
    EXPECT_TRUE(automation_->PlansFor("tokyo").empty());
    Check(m, Outcome::kUp, "frankfurt");
    Check(m, Outcome::kDown, "berlin");
    EXPECT_TRUE(Incidents().empty());
    Check(m, Outcome::kDown, "frankfurt");
    EXPECT_EQ(Incidents().size(), 1u);
}

TEST_F(MonitorAutomationTest, ResultsOfDeletedMonitorsAreDroppedNotFatal) {
    auto m = AddMonitor();
    Round();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.DeleteMonitor(m.id); }));
    // The engine has not reloaded yet: the round may fail, but it reloads and the next one
    // gets through with nothing left behind.
    CheckResult r;
    r.monitor_id = m.id;
    r.location = "local";
    r.at = clock_.Now();
    r.outcome = Outcome::kDown;
    automation_->Submit(r);
    (void)automation_->RunOnce(clock_.Now());
    Round();
    EXPECT_EQ(automation_->QueueLength(), 0u);
    EXPECT_TRUE(Incidents().empty());
}

TEST_F(MonitorAutomationTest, DeletingAMonitorEndsItsAutomaticIncident) {
    auto m = AddMonitor([](auto& def) { def.retries = 0; });
    Check(m, Outcome::kDown);
    ASSERT_EQ(StatusOf(component_), ComponentStatus::kMajorOutage);
    clock_.Advance(1min);
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(released, service::ReleaseMonitor(tx, m, clock_.Now()));
        EXPECT_TRUE(released);
        return tx.DeleteMonitor(m.id);
    }));
    auto list = Incidents();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].status, IncidentStatus::kResolved);
    EXPECT_NE(list[0].updates[0].body.find("was removed"), std::string::npos);
    EXPECT_EQ(StatusOf(component_), ComponentStatus::kOperational);
}

TEST_F(MonitorAutomationTest, QueueIsBounded) {
    MonitorAutomation small(*store_, nullptr, metrics_, {.max_queue = 10});
    CheckResult r;
    r.monitor_id = "x";
    for (int i = 0; i < 100; ++i) small.Submit(r);
    EXPECT_EQ(small.QueueLength(), 10u);
}

TEST_F(MonitorAutomationTest, RollupsSummariseAndRetentionDeletesRawResults) {
    auto m = AddMonitor([](auto& def) { def.retries = 5; });
    // Two hours of checks every 30 s: the first hour all up at 20 ms, the second 1 in 4 down.
    auto start = At("2026-03-01T08:00:00Z");
    std::vector<CheckResult> results;
    for (int i = 0; i < 240; ++i) {
        CheckResult r;
        r.monitor_id = m.id;
        r.location = "local";
        r.at = start + std::chrono::seconds(30 * i);
        r.outcome = i >= 120 && i % 4 == 0 ? Outcome::kDown : Outcome::kUp;
        r.timings.total = std::chrono::microseconds(20'000 + (i % 10) * 1000);
        results.push_back(r);
    }
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertCheckResults(results); }));
    RollupEngine rollups(*store_, RetentionOptions{48h, 24h * 90, 24h * 730});
    ASSERT_TRUE(rollups.RunOnce(clock_.Now()));
    std::vector<monitor::Rollup> hours;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(h, tx.ListRollups(m.id, monitor::RollupPeriod::kHour, start, clock_.Now()));
        hours = std::move(h);
        return {};
    }));
    ASSERT_EQ(hours.size(), 2u);
    EXPECT_EQ(hours[0].checks, 120);
    EXPECT_EQ(hours[0].failures, 0);
    EXPECT_EQ(hours[1].failures, 30);
    EXPECT_DOUBLE_EQ(hours[1].UptimePercent(), 75.0);
    EXPECT_EQ(hours[0].p50.count(), 24'000);
    EXPECT_EQ(hours[0].p99.count(), 29'000);
    // Running again changes nothing (idempotent).
    ASSERT_TRUE(rollups.RunOnce(clock_.Now()));

    // Three days later the raw rows are gone but the hours stay, and the uptime API's sources
    // agree with what was stored.
    clock_.Advance(72h);
    ASSERT_TRUE(rollups.RunOnce(clock_.Now()));
    std::vector<monitor::CheckResult> left;
    std::vector<monitor::Rollup> days;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        store::ResultFilter f;
        f.monitor_id = m.id;
        TOCSIN_ASSIGN(l, tx.ListCheckResults(f));
        TOCSIN_ASSIGN(d, tx.ListRollups(m.id, monitor::RollupPeriod::kDay, start - 24h, clock_.Now()));
        left = std::move(l);
        days = std::move(d);
        return {};
    }));
    EXPECT_TRUE(left.empty());
    ASSERT_FALSE(days.empty());
    EXPECT_EQ(days[0].checks, 240);
    EXPECT_EQ(days[0].failures, 30);
}

TEST_F(MonitorAutomationTest, UptimeForThePageCountsConfirmedOutageTime) {
    auto m = AddMonitor([](auto& def) {
        def.retries = 0;
        def.recovery_period = 0s;
    });
    Check(m, Outcome::kDown);
    clock_.Advance(30min);
    Check(m, Outcome::kUp);
    auto uptime = LoadUptime(*store_, clock_.Now());
    ASSERT_TRUE(uptime) << uptime.error().message;
    ASSERT_EQ(uptime->monitors.size(), 1u);
    const auto& u = uptime->monitors[0];
    ASSERT_EQ(u.days.size(), 90u);
    EXPECT_EQ(u.days.back().health, domain::DayHealth::kOutage);
    EXPECT_EQ(u.days.back().outage_seconds, 1800);
    EXPECT_EQ(u.days.back().checks, 2);
    EXPECT_EQ(u.days.front().health, domain::DayHealth::kNoData);
    ASSERT_TRUE(u.uptime_24h);
    EXPECT_DOUBLE_EQ(*u.uptime_24h, 50.0);
    EXPECT_EQ(u.hours_24.size(), 24u);
    EXPECT_EQ(u.hours_168.size(), 168u);
    EXPECT_EQ(u.days_30.size(), 30u);
    EXPECT_EQ(u.state, "up");
}

TEST(AccumulateHealth, SplitsAnOutageAcrossMidnight) {
    std::vector<domain::DayUptime> days(2);
    days[0].day_start = At("2026-03-01T00:00:00Z");
    days[1].day_start = At("2026-03-02T00:00:00Z");
    std::vector<store::MonitorEvent> events(2);
    events[0].change = {"m", Outcome::kUp, Outcome::kDown, At("2026-03-01T23:00:00Z"), "", {}};
    events[1].change = {"m", Outcome::kDown, Outcome::kDegraded, At("2026-03-02T01:00:00Z"), "", {}};
    AccumulateHealth(events, Outcome::kUp, At("2026-03-02T02:00:00Z"), days);
    EXPECT_EQ(days[0].outage_seconds, 3600);
    EXPECT_EQ(days[1].outage_seconds, 3600);
    EXPECT_EQ(days[1].degraded_seconds, 3600);
    EXPECT_EQ(days[0].degraded_seconds, 0);
}

}  // namespace
}  // namespace tocsin::engine
