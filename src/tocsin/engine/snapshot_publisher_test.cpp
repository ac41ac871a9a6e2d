#include "tocsin/engine/snapshot_publisher.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;
using test::At;

// Every cross-thread wait in this file is bounded by this.
constexpr auto kWait = 10s;

class SnapshotPublisherTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        publisher_ = std::make_unique<SnapshotPublisher>(*store_, clock_, builder_, metrics_);
    }

    void AddComponent(const std::string& name) {
        domain::Component c;
        c.id = NewId();
        c.name = name;
        c.created_at = c.updated_at = clock_.Now();
        auto r = store_->Write([&](store::Tx& tx) { return tx.InsertComponent(c); });
        ASSERT_TRUE(r) << r.error().message;
    }

    std::string Body(const std::string& path, const std::string& lang = {}) {
        auto snap = publisher_->Current();
        if (!snap) return "<no snapshot>";
        const page::Entry* e = snap->Find(page::Snapshot::Key(path, lang));
        return e ? e->body : "<missing " + path + ">";
    }

    std::uint64_t Rebuilds() { return metrics_.GetCounter("tocsin_snapshot_rebuilds_total", "").Value(); }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    page::SnapshotBuilder builder_;
    MetricsRegistry metrics_;
    std::unique_ptr<SnapshotPublisher> publisher_;
};

TEST_F(SnapshotPublisherTest, HasNoSnapshotBeforeTheFirstRefresh) {
    EXPECT_EQ(publisher_->Current(), nullptr);
    // Re-rendering needs a loaded state; before one exists it publishes nothing.
    publisher_->Rerender();
    EXPECT_EQ(publisher_->Current(), nullptr);
    EXPECT_EQ(Rebuilds(), 0u);
}

TEST_F(SnapshotPublisherTest, RefreshPublishesACommittedChange) {
    ASSERT_TRUE(publisher_->Refresh());
    auto first = publisher_->Current();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->built_at, clock_.Now());
    EXPECT_EQ(Body("/api/v2/components.json").find("Payments"), std::string::npos);

    AddComponent("Payments");
    // Committed, but not yet published: readers keep the old snapshot.
    EXPECT_EQ(publisher_->Current(), first);

    clock_.Advance(1min);
    ASSERT_TRUE(publisher_->Refresh());
    auto second = publisher_->Current();
    ASSERT_NE(second, first);
    EXPECT_GT(second->generation, first->generation);
    EXPECT_EQ(second->built_at, clock_.Now());
    EXPECT_NE(Body("/api/v2/components.json").find("Payments"), std::string::npos);
    EXPECT_NE(Body("/", "en").find("Payments"), std::string::npos);
    EXPECT_EQ(Rebuilds(), 2u);
    // A reader holding the old snapshot still sees it unchanged.
    EXPECT_EQ(first->Find(page::Snapshot::Key("/api/v2/components.json"))->body.find("Payments"), std::string::npos);
}

TEST_F(SnapshotPublisherTest, ConcurrentRefreshesCoalesceAndEachSeesItsCommit) {
    ASSERT_TRUE(publisher_->Refresh());
    const auto rebuilds_before = Rebuilds();
    constexpr int kThreads = 8;

    std::atomic<int> committed{0};
    std::atomic<bool> go{false};
    std::atomic<int> calling{0};
    // Spins until `done()` or the bounded wait runs out; returns done().
    auto wait_until = [](const std::function<bool()>& done) {
        auto deadline = std::chrono::steady_clock::now() + kWait;
        while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        return done();
    };
    std::vector<std::future<std::string>> workers;
    for (int i = 0; i < kThreads; ++i) {
        workers.push_back(std::async(std::launch::async, [&, i]() -> std::string {
            std::string name = "Service-" + std::to_string(i);
            AddComponent(name);
            ++committed;
            if (!wait_until([&] { return go.load(); })) return "never released";
            ++calling;
            auto r = publisher_->Refresh();
            if (!r) return "refresh failed: " + r.error().message;
            // The snapshot this caller sees includes its own commit (read-your-writes).
            auto snap = publisher_->Current();
            const auto* e = snap->Find(page::Snapshot::Key("/api/v2/components.json"));
            return e && e->body.find("\"" + name + "\"") != std::string::npos ? "" : name + " not visible";
        }));
    }
    ASSERT_TRUE(wait_until([&] { return committed.load() == kThreads; }));

    // Hold the store so that the first rebuild blocks inside its read while the other callers
    // queue up behind it; they must then share one rebuild instead of doing one each.
    std::mutex mu;
    std::condition_variable cv;
    bool held = false, release = false;
    auto holder = std::async(std::launch::async, [&] {
        return store_->Write([&](store::Tx&) -> Result<void> {
            std::unique_lock lock(mu);
            held = true;
            cv.notify_all();
            cv.wait_for(lock, kWait, [&] { return release; });
            return {};
        });
    });
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return held; }));
    }
    go = true;
    EXPECT_TRUE(wait_until([&] { return calling.load() == kThreads; }));
    {
        std::lock_guard lock(mu);
        release = true;
    }
    cv.notify_all();

    ASSERT_EQ(holder.wait_for(kWait), std::future_status::ready);
    EXPECT_TRUE(holder.get());
    for (auto& w : workers) {
        ASSERT_EQ(w.wait_for(kWait), std::future_status::ready);
        EXPECT_EQ(w.get(), "");
    }
    auto rebuilds = Rebuilds() - rebuilds_before;
    EXPECT_GE(rebuilds, 1u);
    EXPECT_LT(rebuilds, static_cast<std::uint64_t>(kThreads)) << "concurrent refreshes did not coalesce";
}

TEST_F(SnapshotPublisherTest, RerenderUpdatesRelativeTimesWithoutReadingTheStore) {
    service::IncidentInput in;
    in.kind = domain::IncidentKind::kMaintenance;
    in.name = "Database upgrade";
    in.scheduled_for = clock_.Now() + 3h;
    in.scheduled_until = clock_.Now() + 5h;
    auto created = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(service::CreateIncident(tx, in, clock_.Now()));
        return {};
    });
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_TRUE(publisher_->Refresh());
    EXPECT_NE(Body("/", "en").find("Starts in 3 hours"), std::string::npos);
    EXPECT_NE(Body("/", "de").find("Beginnt in 3 Stunden"), std::string::npos);
    auto generation = publisher_->Current()->generation;

    AddComponent("Added after the refresh");
    clock_.Advance(90min);
    publisher_->Rerender();
    EXPECT_NE(Body("/", "en").find("Starts in 90 minutes"), std::string::npos);
    EXPECT_EQ(Body("/", "en").find("Starts in 3 hours"), std::string::npos);
    EXPECT_NE(Body("/", "de").find("Beginnt in 90 Minuten"), std::string::npos);
    EXPECT_GT(publisher_->Current()->generation, generation);
    EXPECT_EQ(publisher_->Current()->built_at, clock_.Now());
    // The re-render used the state loaded by the last Refresh, not the store.
    EXPECT_EQ(Body("/", "en").find("Added after the refresh"), std::string::npos);
}

TEST_F(SnapshotPublisherTest, PageClockEngineRerendersOnEachRound) {
    PageClockEngine engine(*publisher_);
    EXPECT_EQ(engine.Name(), "page_clock");
    EXPECT_EQ(engine.Interval(), std::chrono::milliseconds(60000));
    ASSERT_TRUE(publisher_->Refresh());
    auto before = publisher_->Current();
    clock_.Advance(1min);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    auto after = publisher_->Current();
    EXPECT_NE(after, before);
    EXPECT_EQ(after->built_at, clock_.Now());
    EXPECT_NE(after->Find(page::Snapshot::Key("/", "en"))->etag, before->Find(page::Snapshot::Key("/", "en"))->etag);
}

}  // namespace
}  // namespace tocsin::engine
