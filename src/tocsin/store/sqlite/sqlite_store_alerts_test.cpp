#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_alert_tables.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/sqlite/sqlite_escalation_tables.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tocsin::store::sqlite {
namespace {

using namespace std::chrono_literals;

class SqliteAlertTablesTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        alerts::Service s;
        s.id = "svc";
        s.name = "Payments";
        s.grouping.group_labels = {"dc"};
        s.created_at = s.updated_at = clock_.Now();
        ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertService(s); }));
    }

    alerts::Alert MakeAlert(std::string id, std::int64_t tiny, std::string dedup) {
        alerts::Alert a;
        a.id = std::move(id);
        a.tiny_id = tiny;
        a.service_id = "svc";
        a.dedup_key = std::move(dedup);
        a.labels = {{"dc", "fra1"}, {"host", "db1"}};
        a.tags = {"prod"};
        a.snoozed_until = clock_.Now() + 1h;
        a.created_at = a.updated_at = a.last_event_at = clock_.Now();
        return a;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteAlertTablesTest, OneOpenAlertPerDedupKeyAndNewOnesAfterResolution) {
    auto a = MakeAlert("a1", 1, "k");
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertAlert(a); }));
    auto dup = store_->Write([&](Tx& tx) { return tx.InsertAlert(MakeAlert("a2", 2, "k")); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
    a.state = alerts::AlertState::kResolved;
    a.resolved_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.UpdateAlert(a); }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertAlert(MakeAlert("a2", 2, "k")); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(open, tx.FindOpenAlert("svc", "k"));
        EXPECT_EQ(open->id, "a2");
        TOCSIN_ASSIGN(latest, tx.FindLatestAlert("svc", "k"));
        EXPECT_EQ(latest->id, "a2");
        TOCSIN_ASSIGN(by_tiny, tx.GetAlertByTinyId(1));
        EXPECT_EQ(by_tiny->state, alerts::AlertState::kResolved);
        EXPECT_EQ(by_tiny->labels, a.labels);
        EXPECT_EQ(by_tiny->tags, a.tags);
        TOCSIN_ASSIGN(next, tx.NextAlertTinyId());
        EXPECT_EQ(next, 3);
        AlertFilter f;
        f.open_only = true;
        TOCSIN_ASSIGN(open_list, tx.ListAlerts(f));
        EXPECT_EQ(open_list.size(), 1u);
        TOCSIN_ASSIGN(due, tx.ListDueAlertTimers(clock_.Now() + 2h, 10));
        EXPECT_EQ(due.size(), 1u);  // the resolved one's snooze no longer counts
        return {};
    }));
}

TEST_F(SqliteAlertTablesTest, TheOpenAlertOfAKeyIsOneSeekHoweverLongItsHistory) {
    // Twenty resolved alerts of the key, then an open one.
    for (std::int64_t tiny = 1; tiny <= 20; ++tiny) {
        auto a = MakeAlert("r" + std::to_string(tiny), tiny, "k");
        a.state = alerts::AlertState::kResolved;
        a.resolved_at = clock_.Now();
        ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertAlert(a); }));
    }
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertAlert(MakeAlert("open", 21, "k")); }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(open, tx.FindOpenAlert("svc", "k"));
        EXPECT_TRUE(open && open->id == "open");
        TOCSIN_ASSIGN(repeat, tx.RepeatOpenAlert("svc", "k", clock_.Now()));
        EXPECT_TRUE(repeat && repeat->id == "open" && repeat->count == 2);
        TOCSIN_ASSIGN(latest, tx.FindLatestAlert("svc", "k"));
        EXPECT_TRUE(latest && latest->id == "open");
        TOCSIN_ASSIGN(none, tx.FindOpenAlert("svc", "other"));
        EXPECT_FALSE(none);
        return {};
    }));

    // One index serves deduplication, and the open lookup seeks all three of its columns
    // instead of reading the key's resolved alerts.
    auto db = Database::Open(dir_.File("tocsin.db"));
    ASSERT_TRUE(db);
    auto indexes = (*db)->Prepare(
        "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index' "
        "AND tbl_name = 'alerts' AND name LIKE 'alerts_%dedup%' ORDER BY name)"
    );
    ASSERT_TRUE(indexes);
    auto row = (*indexes)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*indexes)->Text(0), "alerts_dedup_slot");
    (*indexes)->Reset();
    auto plan =
        (*db)->Prepare(std::string("EXPLAIN QUERY PLAN SELECT rowid FROM alerts WHERE ") + kOpenAlertByDedupKey);
    ASSERT_TRUE(plan);
    row = (*plan)->Step();
    ASSERT_TRUE(row && *row);
    const std::string detail = (*plan)->Text(3);
    (*plan)->Reset();
    EXPECT_NE(detail.find("USING INDEX alerts_dedup_slot"), std::string::npos) << detail;
    EXPECT_NE(detail.find("<expr>=?"), std::string::npos) << detail;
}

TEST_F(SqliteAlertTablesTest, HeldBackEscalationsAreFoundWithoutReadingEveryAlertOfAnIncident) {
    auto db = Database::Open(dir_.File("tocsin.db"));
    ASSERT_TRUE(db);
    auto plan = (*db)->Prepare(std::string("EXPLAIN QUERY PLAN ") + kHeldBackIncidentsSql);
    ASSERT_TRUE(plan);
    int alert_searches = 0;
    for (;;) {
        auto row = (*plan)->Step();
        ASSERT_TRUE(row);
        if (!*row) break;
        const std::string detail = (*plan)->Text(3);
        if (detail.find("SEARCH a ") == std::string::npos && detail.find("SCAN a") == std::string::npos) continue;
        ++alert_searches;
        // Either all three columns of alerts_incident_state, or the snoozed alerts alone.
        const bool seek =
            detail.find("alerts_incident_state (incident_id=? AND state=? AND silenced=?)") != std::string::npos;
        const bool snoozed = detail.find("USING INDEX alerts_snoozed") != std::string::npos;
        EXPECT_TRUE(seek || snoozed) << detail;
    }
    (*plan)->Reset();
    EXPECT_EQ(alert_searches, 2);
}

TEST_F(SqliteAlertTablesTest, TheAlertLogIsAppendOnly) {
    alerts::AlertLogEntry e;
    e.alert_id = "a1";
    e.at = clock_.Now();
    e.action = "trigger";
    ASSERT_TRUE(store_->Write([&](Tx& tx) {
        return tx.InsertAlertLog(e).has_value() ? Result<void>{} : Error::Internal("x");
    }));
    auto db = Database::Open(dir_.File("tocsin.db"));
    ASSERT_TRUE(db);
    EXPECT_FALSE((*db)->ExecScript("UPDATE alert_log SET text = 'rewritten'"));
    EXPECT_FALSE((*db)->ExecScript("DELETE FROM alert_log"));
}

TEST_F(SqliteAlertTablesTest, KeysAreFoundByHashUntilRevoked) {
    alerts::IntegrationKey k{
        "k1", "svc", "prod", alerts::Dialect::kGeneric, "abcdef", R"({"summary":"/title"})", clock_.Now(), {}, {}, {}};
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertIntegrationKey(k, "hash1"); }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.RotateIntegrationKey("k1", "hash2", "zzzzzz", clock_.Now()); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(active, tx.ListActiveIntegrationKeys());
        EXPECT_EQ(active.size(), 1u);
        EXPECT_EQ(active.at(0).secret_hash, "hash2");
        EXPECT_EQ(active.at(0).key.mapping_json, R"({"summary":"/title"})");
        EXPECT_EQ(active.at(0).key.prefix, "zzzzzz");
        return {};
    }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.RevokeIntegrationKey("k1", clock_.Now()); }));
    auto rotate_revoked =
        store_->Write([&](Tx& tx) { return tx.RotateIntegrationKey("k1", "hash3", "yyyyyy", clock_.Now()); });
    EXPECT_FALSE(rotate_revoked);
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(active, tx.ListActiveIntegrationKeys());
        EXPECT_TRUE(active.empty());
        TOCSIN_ASSIGN(all, tx.ListIntegrationKeys("svc"));
        EXPECT_EQ(all.size(), 1u);
        EXPECT_TRUE(all.at(0).revoked_at);
        return {};
    }));
}

TEST_F(SqliteAlertTablesTest, SeverityMapIsSeededAndReplaceable) {
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(t, tx.GetSeverityMap());
        EXPECT_EQ(t.ToJson(), alerts::SeverityTable::Default().ToJson());
        return {};
    }));
    auto rows = alerts::SeverityTable::Default().Rows();
    rows[3].urgency = alerts::Urgency::kHigh;
    auto table = alerts::SeverityTable::FromRows(rows);
    ASSERT_TRUE(table);
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.SaveSeverityMap(*table); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(t, tx.GetSeverityMap());
        EXPECT_EQ(t.BySeverity("info")->urgency, alerts::Urgency::kHigh);
        return {};
    }));
}

TEST_F(SqliteAlertTablesTest, ServicesSilencesHeartbeatsAndRequests) {
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(s, tx.GetService("svc"));
        EXPECT_EQ(s->grouping.group_labels, std::vector<std::string>{"dc"});
        return {};
    }));
    alerts::Service same_name;
    same_name.id = "svc2";
    same_name.name = "PAYMENTS";
    auto dup = store_->Write([&](Tx& tx) { return tx.InsertService(same_name); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);

    alerts::Silence sil;
    sil.id = "s1";
    sil.matchers = {{"env", "prod", false}};
    sil.weekly_days = {1, 2};
    sil.start_minute = 60;
    sil.starts_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertSilence(sil); }));
    sil.comment = "changed";
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.UpdateSilence(sil); }));

    alerts::Heartbeat hb;
    hb.id = "h1";
    hb.integration_key_id = "k1";
    hb.name = "backup";
    alerts::IntegrationKey k{"k1", "svc", "", alerts::Dialect::kOpsgenie, "p", "{}", clock_.Now(), {}, {}, {}};
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertIntegrationKey(k, "h"));
        return tx.InsertHeartbeat(hb);
    }));
    alerts::IntakeRequestRecord req{"r1", "k1", "Create", true, "Created alert", "a1", "alias", clock_.Now()};
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.SaveIntakeRequest(req); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(got, tx.GetSilence("s1"));
        EXPECT_EQ(got->comment, "changed");
        EXPECT_EQ(got->weekly_days, (std::vector<int>{1, 2}));
        EXPECT_FALSE(got->matchers.at(0).equal);
        TOCSIN_ASSIGN(h, tx.GetHeartbeat("k1", "backup"));
        EXPECT_TRUE(h);
        TOCSIN_ASSIGN(r, tx.GetIntakeRequest("r1"));
        EXPECT_EQ(r->status, "Created alert");
        return {};
    }));
    clock_.Advance(1h);
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(n, tx.DeleteIntakeRequestsBefore(clock_.Now()));
        EXPECT_EQ(n, 1);
        return tx.DeleteService("svc");
    }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(h, tx.GetHeartbeat("k1", "backup"));
        EXPECT_FALSE(h);  // keys and their heartbeats go with the service
        return {};
    }));
}

}  // namespace
}  // namespace tocsin::store::sqlite
