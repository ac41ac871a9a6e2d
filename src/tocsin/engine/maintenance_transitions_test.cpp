#include "tocsin/engine/maintenance_transitions.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;
using domain::ComponentStatus;
using test::At;

class MaintenanceTransitionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        publisher_ = std::make_unique<SnapshotPublisher>(*store_, clock_, builder_, metrics_);
        search_ = AddComponent("Search", ComponentStatus::kDegradedPerformance);
    }

    std::string AddComponent(const std::string& name, ComponentStatus status) {
        domain::Component c;
        c.id = NewId();
        c.name = name;
        c.status = status;
        c.created_at = c.updated_at = clock_.Now();
        auto r = store_->Write([&](store::Tx& tx) { return tx.InsertComponent(c); });
        EXPECT_TRUE(r) << r.error().message;
        return c.id;
    }

    std::string AddMaintenance(TimePoint from, TimePoint until) {
        service::IncidentInput in;
        in.kind = domain::IncidentKind::kMaintenance;
        in.name = "Index rebuild";
        in.scheduled_for = from;
        in.scheduled_until = until;
        in.component_ids = {search_};
        std::string id;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, service::CreateIncident(tx, in, clock_.Now()));
            id = inc.id;
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return id;
    }

    std::string StatusOf(const std::string& incident_id) {
        std::string status;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, tx.GetIncident(incident_id));
            if (inc) status = domain::ToString(inc->status);
            return {};
        });
        EXPECT_TRUE(r);
        return status;
    }

    std::string ComponentStatusOf(const std::string& id) {
        std::string status;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, tx.GetComponent(id));
            if (c) status = domain::ToString(c->status);
            return {};
        });
        EXPECT_TRUE(r);
        return status;
    }

    // Ids of the maintenances in a published v2 document.
    std::vector<std::string> Published(const std::string& path) {
        std::vector<std::string> ids;
        auto snap = publisher_->Current();
        if (!snap) return {"<no snapshot>"};
        const auto* e = snap->Find(page::Snapshot::Key(path));
        if (!e) return {"<missing>"};
        auto doc = boost::json::parse(e->body).as_object();
        for (const auto& m : doc.at("scheduled_maintenances").as_array()) ids.emplace_back(m.at("id").as_string());
        return ids;
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    page::SnapshotBuilder builder_;
    MetricsRegistry metrics_;
    std::unique_ptr<SnapshotPublisher> publisher_;
    std::string search_;
};

TEST_F(MaintenanceTransitionsTest, NamesItselfAndItsInterval) {
    MaintenanceTransitions engine(*store_, nullptr, 5s);
    EXPECT_EQ(engine.Name(), "maintenance_transitions");
    EXPECT_EQ(engine.Interval(), std::chrono::milliseconds(5000));
}

TEST_F(MaintenanceTransitionsTest, MovesTheWindowAsTheClockCrossesItsEdges) {
    const auto from = clock_.Now() + 2h;
    const auto until = from + 1h;
    auto id = AddMaintenance(from, until);
    ASSERT_TRUE(publisher_->Refresh());
    MaintenanceTransitions engine(*store_, publisher_.get(), 5s);

    struct Step {
        std::string_view name;
        std::chrono::milliseconds advance;
        int applied;
        std::string_view status;
        std::string_view component;
        std::vector<std::string> active;  // published in active.json afterwards
    };
    const Step steps[] = {
        {"an hour before", 1h, 0, "scheduled", "degraded_performance", {}},
        {"a second before", 1h - 1s, 0, "scheduled", "degraded_performance", {}},
        {"at the start", 1s, 1, "in_progress", "under_maintenance", {id}},
        {"half way", 30min, 0, "in_progress", "under_maintenance", {id}},
        {"at the end", 30min, 1, "completed", "degraded_performance", {}},
        {"a day later", 24h, 0, "completed", "degraded_performance", {}},
    };
    for (const auto& s : steps) {
        SCOPED_TRACE(s.name);
        clock_.Advance(s.advance);
        auto generation = publisher_->Current()->generation;
        auto r = engine.RunOnce(clock_.Now());
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(engine.LastApplied(), s.applied);
        EXPECT_EQ(StatusOf(id), s.status);
        EXPECT_EQ(ComponentStatusOf(search_), s.component);
        // A round that moved something publishes; a quiet round does not rebuild.
        if (s.applied > 0) {
            EXPECT_GT(publisher_->Current()->generation, generation);
        } else {
            EXPECT_EQ(publisher_->Current()->generation, generation);
        }
        EXPECT_EQ(Published("/api/v2/scheduled-maintenances/active.json"), s.active);
    }
    EXPECT_EQ(Published("/api/v2/scheduled-maintenances/upcoming.json"), std::vector<std::string>{});
}

TEST_F(MaintenanceTransitionsTest, CatchesUpOnAWindowThatPassedWhileStopped) {
    const auto from = clock_.Now() + 1h;
    auto id = AddMaintenance(from, from + 1h);
    MaintenanceTransitions engine(*store_, publisher_.get(), 5s);
    clock_.Advance(6h);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_EQ(engine.LastApplied(), 2);
    EXPECT_EQ(StatusOf(id), "completed");
    EXPECT_EQ(ComponentStatusOf(search_), "degraded_performance");
    // The first snapshot came from this round: it shows the completed maintenance.
    ASSERT_NE(publisher_->Current(), nullptr);
    EXPECT_EQ(Published("/api/v2/scheduled-maintenances.json"), std::vector<std::string>{id});
    EXPECT_EQ(Published("/api/v2/scheduled-maintenances/active.json"), std::vector<std::string>{});
}

TEST_F(MaintenanceTransitionsTest, RunsWithoutAPublisher) {
    const auto from = clock_.Now() + 1h;
    auto id = AddMaintenance(from, from + 1h);
    MaintenanceTransitions engine(*store_, nullptr, 5s);
    clock_.Advance(1h);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_EQ(engine.LastApplied(), 1);
    EXPECT_EQ(StatusOf(id), "in_progress");
    EXPECT_EQ(publisher_->Current(), nullptr);
}

TEST_F(MaintenanceTransitionsTest, UsesTheTimeItIsGivenNotTheClock) {
    const auto from = clock_.Now() + 1h;
    auto id = AddMaintenance(from, from + 1h);
    MaintenanceTransitions engine(*store_, nullptr, 5s);
    // The runner passes clock.Now(); the engine itself never reads a clock.
    ASSERT_TRUE(engine.RunOnce(from));
    EXPECT_EQ(StatusOf(id), "in_progress");
    EXPECT_EQ(clock_.Now(), from - 1h);
}

}  // namespace
}  // namespace tocsin::engine
