#include "tocsin/service/alert_ops.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace tocsin::service {
namespace {

using namespace std::chrono_literals;
using alerts::AlertState;
using alerts::IntakeAction;
using alerts::IntakeEvent;

class AlertOpsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        service_ = AddService("payments", 300s, {});
    }

    std::string AddService(
        std::string name,
        std::chrono::seconds window,
        std::vector<std::string> labels,
        std::chrono::seconds ack_timeout = 0s
    ) {
        alerts::Service s;
        s.id = "svc-" + name;
        s.name = std::move(name);
        s.grouping.window = window;
        s.grouping.group_labels = std::move(labels);
        s.ack_timeout = ack_timeout;
        s.created_at = s.updated_at = clock_.Now();
        auto r = store_->Write([&](store::Tx& tx) { return tx.InsertService(s); });
        EXPECT_TRUE(r) << r.error().message;
        return s.id;
    }

    static IntakeEvent Ev(IntakeAction action, std::string key, std::string service) {
        IntakeEvent e;
        e.dialect = alerts::Dialect::kPagerDuty;
        e.action = action;
        e.identifier = std::move(key);
        e.service_id = std::move(service);
        e.summary = "disk full";
        e.severity = "critical";
        return e;
    }

    std::vector<alerts::IntakeOutcome> Apply(std::vector<IntakeEvent> events) {
        std::vector<alerts::IntakeOutcome> out;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(o, ApplyIntake(tx, clock_.Now(), events));
            out = std::move(o);
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return out;
    }
    alerts::IntakeOutcome Apply1(IntakeEvent e) { return Apply({std::move(e)}).at(0); }

    template <class T>
    T Read(const std::function<Result<T>(store::Tx&)>& fn) {
        T out{};
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(v, fn(tx));
            out = std::move(v);
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return out;
    }

    std::vector<alerts::Alert> Alerts(store::AlertFilter f = {}) {
        f.limit = 10000;
        return Read<std::vector<alerts::Alert>>([&](store::Tx& tx) { return tx.ListAlerts(f); });
    }
    std::vector<alerts::AlertIncident> Incidents() {
        store::AlertIncidentFilter f;
        f.limit = 10000;
        return Read<std::vector<alerts::AlertIncident>>([&](store::Tx& tx) { return tx.ListAlertIncidents(f); });
    }
    std::vector<std::string> Topics() {
        auto rows = Read<std::vector<store::OutboxRow>>([&](store::Tx& tx) { return tx.ListOutbox(1'000'000, 10000); });
        std::vector<std::string> out;
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(it->message.topic);
        return out;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::Store> store_;
    std::string service_;
};

TEST_F(AlertOpsTest, ATriggerOpensAnAlertAndAnIncidentWithLogAndOutbox) {
    auto o = Apply1(Ev(IntakeAction::kTrigger, "disk/db1", service_));
    EXPECT_TRUE(o.applied);
    EXPECT_EQ(o.status, "Created alert");
    EXPECT_EQ(o.dedup_key, "disk/db1");
    EXPECT_EQ(o.count, 1);
    EXPECT_GT(o.tiny_id, 0);
    auto list = Alerts();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].state, AlertState::kTriggered);
    EXPECT_EQ(list[0].severity, "critical");
    EXPECT_EQ(list[0].priority, 1);
    EXPECT_EQ(list[0].urgency, alerts::Urgency::kHigh);
    auto incs = Incidents();
    ASSERT_EQ(incs.size(), 1u);
    EXPECT_EQ(incs[0].id, o.incident_id);
    EXPECT_EQ(incs[0].alert_count, 1);
    // Per-alert events are only in the log; the outbox carries the incident's.
    EXPECT_EQ(Topics(), (std::vector<std::string>{"incident.opened"}));
    auto log =
        Read<std::vector<alerts::AlertLogEntry>>([&](store::Tx& tx) { return tx.ListAlertLog(o.alert_id, "", 100); });
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].action, "trigger");
    EXPECT_EQ(log[0].dialect, "pagerduty");
}

TEST_F(AlertOpsTest, ARepeatWhileOpenCountsAndAfterResolutionOpensANewAlert) {
    auto first = Apply1(Ev(IntakeAction::kTrigger, "k", service_));
    clock_.Advance(1s);
    auto again = Apply1(Ev(IntakeAction::kTrigger, "k", service_));
    EXPECT_EQ(again.status, "Deduplicated");
    EXPECT_EQ(again.alert_id, first.alert_id);
    EXPECT_EQ(again.count, 2);
    EXPECT_EQ(Alerts().size(), 1u);
    auto log = Read<std::vector<alerts::AlertLogEntry>>([&](store::Tx& tx) {
        return tx.ListAlertLog(first.alert_id, "", 100);
    });
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].action, "deduplicated");

    auto resolved = Apply1(Ev(IntakeAction::kResolve, "k", service_));
    EXPECT_TRUE(resolved.applied);
    EXPECT_EQ(Incidents().at(0).state, AlertState::kResolved);
    // Resolving again, or acknowledging, is dropped.
    EXPECT_FALSE(Apply1(Ev(IntakeAction::kResolve, "k", service_)).applied);
    EXPECT_FALSE(Apply1(Ev(IntakeAction::kAcknowledge, "k", service_)).applied);

    auto reopened = Apply1(Ev(IntakeAction::kTrigger, "k", service_));
    EXPECT_EQ(reopened.status, "Created alert");
    EXPECT_NE(reopened.alert_id, first.alert_id);
    EXPECT_EQ(Alerts().size(), 2u);
}

TEST_F(AlertOpsTest, ActionsOnUnknownKeysAreDroppedWithoutFailingTheBatch) {
    auto outcomes = Apply({
        Ev(IntakeAction::kAcknowledge, "nope", service_),
        Ev(IntakeAction::kTrigger, "real", service_),
        Ev(IntakeAction::kResolve, "", service_),
        Ev(IntakeAction::kTrigger, "x", "no-such-service"),
    });
    ASSERT_EQ(outcomes.size(), 4u);
    EXPECT_FALSE(outcomes[0].applied);
    EXPECT_EQ(outcomes[0].status, "Alert does not exist");
    EXPECT_TRUE(outcomes[1].applied);
    EXPECT_FALSE(outcomes[2].applied);
    EXPECT_FALSE(outcomes[3].applied);
    EXPECT_EQ(Alerts().size(), 1u);
}

TEST_F(AlertOpsTest, AFloodOf200AlertsIsOneIncidentWith200Alerts) {
    std::vector<IntakeEvent> events;
    for (int i = 0; i < 200; ++i) {
        auto e = Ev(IntakeAction::kTrigger, "host-" + std::to_string(i) + "/unreachable", service_);
        e.labels = {{"datacenter", "fra1"}};
        events.push_back(std::move(e));
    }
    // Arrives over a minute, in a few requests, well within the 300 s window.
    for (int part = 0; part < 4; ++part) {
        Apply(std::vector<IntakeEvent>(events.begin() + part * 50, events.begin() + (part + 1) * 50));
        clock_.Advance(15s);
    }
    auto incs = Incidents();
    ASSERT_EQ(incs.size(), 1u);
    EXPECT_EQ(incs[0].alert_count, 200);
    EXPECT_EQ(incs[0].open_count, 200);
    EXPECT_EQ(Alerts().size(), 200u);
    int opened = 0;
    for (const auto& t : Topics()) opened += t == "incident.opened";
    EXPECT_EQ(opened, 1);

    // Acknowledging the incident acknowledges its 200 alerts; resolving resolves them.
    auto acked = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, AcknowledgeIncident(tx, clock_.Now(), incs[0].id, Actor{"ann", "api"}));
        EXPECT_EQ(i.state, AlertState::kAcknowledged);
        return {};
    });
    ASSERT_TRUE(acked) << acked.error().message;
    auto resolved = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, ResolveIncident(tx, clock_.Now(), incs[0].id, Actor{"ann", "api"}));
        EXPECT_EQ(i.state, AlertState::kResolved);
        EXPECT_EQ(i.open_count, 0);
        return {};
    });
    ASSERT_TRUE(resolved) << resolved.error().message;
}

TEST_F(AlertOpsTest, OutsideTheWindowANewIncidentOpens) {
    Apply1(Ev(IntakeAction::kTrigger, "a", service_));
    clock_.Advance(301s);
    Apply1(Ev(IntakeAction::kTrigger, "b", service_));
    EXPECT_EQ(Incidents().size(), 2u);
}

TEST_F(AlertOpsTest, LabelGroupingJoinsAlertsSharingTheConfiguredLabels) {
    auto svc = AddService("storage", 0s, {"datacenter"});
    auto ev = [&](std::string key, std::string dc) {
        auto e = Ev(IntakeAction::kTrigger, std::move(key), svc);
        e.labels = {{"datacenter", std::move(dc)}, {"host", "h"}};
        return e;
    };
    auto a = Apply1(ev("1", "fra1"));
    clock_.Advance(1h);  // no window: only labels group
    auto b = Apply1(ev("2", "fra1"));
    auto c = Apply1(ev("3", "ams1"));
    EXPECT_EQ(a.incident_id, b.incident_id);
    EXPECT_NE(a.incident_id, c.incident_id);
}

TEST_F(AlertOpsTest, AnAlertmanagerGroupKeyIsItsOwnIncident) {
    auto ev = [&](std::string key, std::string group) {
        auto e = Ev(IntakeAction::kTrigger, std::move(key), service_);
        e.dialect = alerts::Dialect::kAlertmanager;
        e.group_key = std::move(group);
        return e;
    };
    auto a = Apply1(ev("fp1", "{}:{alertname=\"A\"}"));
    auto b = Apply1(ev("fp2", "{}:{alertname=\"A\"}"));
    auto c = Apply1(ev("fp3", "{}:{alertname=\"B\"}"));
    EXPECT_EQ(a.incident_id, b.incident_id);
    EXPECT_NE(a.incident_id, c.incident_id);
    // One child resolves on its own; the incident stays open until the other does.
    Apply1(Ev(IntakeAction::kResolve, "fp1", service_));
    auto inc =
        Read<std::optional<alerts::AlertIncident>>([&](store::Tx& tx) { return tx.GetAlertIncident(a.incident_id); });
    ASSERT_TRUE(inc);
    EXPECT_EQ(inc->state, AlertState::kTriggered);
    EXPECT_EQ(inc->open_count, 1);
}

TEST_F(AlertOpsTest, SilencedAlertsAreRecordedButFlagged) {
    alerts::Silence s;
    s.id = "sil";
    s.service_id = service_;
    s.matchers = {{"env", "staging", true}};
    s.starts_at = clock_.Now() - 1min;
    s.ends_at = clock_.Now() + 1h;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSilence(s); }));
    auto quiet = Ev(IntakeAction::kTrigger, "q", service_);
    quiet.labels = {{"env", "staging"}};
    auto o = Apply1(quiet);
    EXPECT_TRUE(o.applied);
    auto a = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o.alert_id); });
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->silenced);
    EXPECT_TRUE(Incidents().at(0).silenced);
    // Another environment is not silenced; the incident it joins is no longer all-silenced.
    auto loud = Ev(IntakeAction::kTrigger, "l", service_);
    loud.labels = {{"env", "prod"}};
    auto o2 = Apply1(loud);
    auto a2 = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o2.alert_id); });
    EXPECT_FALSE(a2->silenced);
    EXPECT_FALSE(Incidents().at(0).silenced);
}

TEST_F(AlertOpsTest, AnExpiredAcknowledgementReTriggers) {
    auto svc = AddService("db", 300s, {}, 600s);
    auto o = Apply1(Ev(IntakeAction::kTrigger, "k", svc));
    auto ack = Ev(IntakeAction::kAcknowledge, "k", svc);
    EXPECT_TRUE(Apply1(ack).applied);
    auto run = [&] {
        int n = -1;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, RunAlertTimers(tx, clock_.Now(), 100));
            n = c;
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return n;
    };
    clock_.Advance(599s);
    EXPECT_EQ(run(), 0);
    clock_.Advance(2s);
    EXPECT_EQ(run(), 1);
    auto a = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o.alert_id); });
    EXPECT_EQ(a->state, AlertState::kTriggered);
    EXPECT_FALSE(a->ack_expires_at);
    EXPECT_EQ(Incidents().at(0).state, AlertState::kTriggered);
    EXPECT_EQ(Topics().back(), "incident.triggered");
}

TEST_F(AlertOpsTest, TheIncidentFollowsItsAlertsOneTransitionAtATime) {
    // Acknowledge and resolve adjust the incident from index probes, not a recount: check every
    // step against what the alerts say.
    auto a = Apply1(Ev(IntakeAction::kTrigger, "a", service_));
    auto b = Apply1(Ev(IntakeAction::kTrigger, "b", service_));
    auto c = Apply1(Ev(IntakeAction::kTrigger, "c", service_));
    ASSERT_EQ(b.incident_id, a.incident_id);
    ASSERT_EQ(c.incident_id, a.incident_id);
    auto incident = [&] { return Incidents().at(0); };
    EXPECT_EQ(incident().open_count, 3);
    auto act = [&](IntakeAction action, const std::string& key) {
        EXPECT_TRUE(Apply1(Ev(action, key, service_)).applied);
    };

    act(IntakeAction::kAcknowledge, "a");
    EXPECT_EQ(incident().state, AlertState::kTriggered);
    act(IntakeAction::kAcknowledge, "b");
    act(IntakeAction::kAcknowledge, "c");
    EXPECT_EQ(incident().state, AlertState::kAcknowledged);
    EXPECT_TRUE(incident().acknowledged_at);
    act(IntakeAction::kResolve, "a");
    EXPECT_EQ(incident().state, AlertState::kAcknowledged);
    EXPECT_EQ(incident().open_count, 2);
    act(IntakeAction::kUnacknowledge, "b");
    EXPECT_EQ(incident().state, AlertState::kTriggered);
    EXPECT_EQ(incident().open_count, 2);
    act(IntakeAction::kResolve, "b");
    EXPECT_EQ(incident().state, AlertState::kAcknowledged);
    act(IntakeAction::kResolve, "c");
    EXPECT_EQ(incident().state, AlertState::kResolved);
    EXPECT_EQ(incident().open_count, 0);
    EXPECT_EQ(incident().alert_count, 3);
    EXPECT_TRUE(incident().resolved_at);
    EXPECT_FALSE(incident().silenced);
    const auto topics = Topics();
    EXPECT_EQ(
        topics,
        (std::vector<std::string>{
            "incident.opened",
            "incident.acknowledged",
            "incident.triggered",
            "incident.acknowledged",
            "incident.resolved",
        })
    );
}

TEST_F(AlertOpsTest, ASnoozeEndsOnTheClock) {
    auto o = Apply1(Ev(IntakeAction::kTrigger, "k", service_));
    auto snooze = Ev(IntakeAction::kSnooze, "k", service_);
    snooze.snooze_until = clock_.Now() + 10min;
    EXPECT_TRUE(Apply1(snooze).applied);
    clock_.Advance(11min);
    auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
        return RunAlertTimers(tx, clock_.Now(), 100).has_value() ? Result<void>{} : Error::Internal("timers");
    });
    ASSERT_TRUE(r);
    auto a = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o.alert_id); });
    EXPECT_FALSE(a->snoozed_until);
    EXPECT_EQ(Topics().back(), "alert.retriggered");
}

TEST_F(AlertOpsTest, MergeAndSplit) {
    auto a = Apply1(Ev(IntakeAction::kTrigger, "a", service_));
    clock_.Advance(400s);
    auto b = Apply1(Ev(IntakeAction::kTrigger, "b", service_));
    ASSERT_NE(a.incident_id, b.incident_id);
    auto merged = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, MergeIncidents(tx, clock_.Now(), a.incident_id, {b.incident_id}, Actor{"ann", "cli"}));
        EXPECT_EQ(i.alert_count, 2);
        return {};
    });
    ASSERT_TRUE(merged) << merged.error().message;
    auto src =
        Read<std::optional<alerts::AlertIncident>>([&](store::Tx& tx) { return tx.GetAlertIncident(b.incident_id); });
    EXPECT_EQ(src->state, AlertState::kResolved);
    EXPECT_EQ(src->merged_into, a.incident_id);
    // Merging into itself is refused, naming the field.
    auto self = store_->Write([&](store::Tx& tx) -> Result<void> {
        return MergeIncidents(tx, clock_.Now(), a.incident_id, {a.incident_id}, Actor{}).has_value()
                   ? Result<void>{}
                   : Error::Invalid("sources[0]", "self");
    });
    ASSERT_FALSE(self);
    EXPECT_EQ(self.error().field, "sources[0]");

    std::string split_id;
    auto split = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(i, SplitAlert(tx, clock_.Now(), b.alert_id, Actor{"ann", "api"}));
        split_id = i.id;
        EXPECT_EQ(i.alert_count, 1);
        return {};
    });
    ASSERT_TRUE(split) << split.error().message;
    auto target =
        Read<std::optional<alerts::AlertIncident>>([&](store::Tx& tx) { return tx.GetAlertIncident(a.incident_id); });
    EXPECT_EQ(target->alert_count, 1);
    auto log = Read<std::vector<alerts::AlertLogEntry>>([&](store::Tx& tx) {
        return tx.ListAlertLog("", a.incident_id, 100);
    });
    bool saw_merge = false;
    for (const auto& e : log) saw_merge = saw_merge || e.action == "merge";
    EXPECT_TRUE(saw_merge);
}

TEST_F(AlertOpsTest, OpsgenieRequestsAreRecordedWithTheirOutcome) {
    auto create = Ev(IntakeAction::kTrigger, "alias-1", service_);
    create.dialect = alerts::Dialect::kOpsgenie;
    create.request_id = "req-1";
    auto close = Ev(IntakeAction::kResolve, "unknown", service_);
    close.request_id = "req-2";
    Apply({create, close});
    auto r1 =
        Read<std::optional<alerts::IntakeRequestRecord>>([&](store::Tx& tx) { return tx.GetIntakeRequest("req-1"); });
    ASSERT_TRUE(r1);
    EXPECT_TRUE(r1->success);
    EXPECT_EQ(r1->action, "Create");
    EXPECT_EQ(r1->status, "Created alert");
    EXPECT_EQ(r1->alias, "alias-1");
    auto r2 =
        Read<std::optional<alerts::IntakeRequestRecord>>([&](store::Tx& tx) { return tx.GetIntakeRequest("req-2"); });
    ASSERT_TRUE(r2);
    EXPECT_FALSE(r2->success);
    EXPECT_EQ(r2->status, "Alert does not exist");
}

TEST_F(AlertOpsTest, AMaintenanceInProgressSilencesTheServicesOfItsComponents) {
    const auto comp = test::AddComponent(*store_, clock_.Now(), "Database");
    alerts::Service svc;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetService(service_));
        svc = *s;
        svc.component_ids = {comp};
        return tx.UpdateService(svc);
    }));
    domain::Incident m;
    m.id = "maint";
    m.kind = domain::IncidentKind::kMaintenance;
    m.name = "DB upgrade";
    m.status = domain::IncidentStatus::kInProgress;
    m.component_ids = {comp};
    m.created_at = m.updated_at = m.started_at = clock_.Now();
    m.scheduled_for = clock_.Now();
    m.scheduled_until = clock_.Now() + 1h;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertIncident(m); }));
    auto sync = [&] {
        int n = -1;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, SyncMaintenanceSilences(tx, clock_.Now()));
            n = c;
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return n;
    };
    EXPECT_EQ(sync(), 1);
    EXPECT_EQ(sync(), 0);  // idempotent
    auto o = Apply1(Ev(IntakeAction::kTrigger, "during", service_));
    auto a = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o.alert_id); });
    EXPECT_TRUE(a->silenced);
    // Completed: the silence goes, new alerts page again.
    m.status = domain::IncidentStatus::kCompleted;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.UpdateIncident(m); }));
    EXPECT_EQ(sync(), 1);
    auto o2 = Apply1(Ev(IntakeAction::kTrigger, "after", service_));
    auto a2 = Read<std::optional<alerts::Alert>>([&](store::Tx& tx) { return tx.GetAlert(o2.alert_id); });
    EXPECT_FALSE(a2->silenced);
}

TEST_F(AlertOpsTest, AMonitorGoingDownRaisesAndComingUpResolvesAnAlertOnLinkedServices) {
    const auto comp = test::AddComponent(*store_, clock_.Now(), "API");
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetService(service_));
        s->component_ids = {comp};
        return tx.UpdateService(*s);
    }));
    monitor::Monitor m;
    m.id = "mon1";
    m.name = "api.example.com";
    m.components = {monitor::ComponentLink{comp}};
    monitor::StateChange down{"mon1", monitor::Outcome::kUp, monitor::Outcome::kDown, clock_.Now(), "timeout", {}};
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return RaiseMonitorAlerts(tx, m, down, clock_.Now()); }));
    auto list = Alerts();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].dialect, alerts::Dialect::kMonitor);
    EXPECT_EQ(list[0].dedup_key, "monitor:mon1");
    EXPECT_EQ(list[0].severity, "critical");
    EXPECT_EQ(list[0].summary, "api.example.com is down: timeout");
    monitor::StateChange up{"mon1", monitor::Outcome::kDown, monitor::Outcome::kUp, clock_.Now(), "", {}};
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return RaiseMonitorAlerts(tx, m, up, clock_.Now()); }));
    EXPECT_EQ(Alerts().at(0).state, AlertState::kResolved);
}

}  // namespace
}  // namespace tocsin::service
