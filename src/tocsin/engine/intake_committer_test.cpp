#include "tocsin/engine/intake_committer.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 10s;

alerts::IntakeEvent Trigger(std::string key) {
    alerts::IntakeEvent e;
    e.dialect = alerts::Dialect::kPagerDuty;
    e.action = alerts::IntakeAction::kTrigger;
    e.service_id = "svc";
    e.identifier = std::move(key);
    e.summary = "down";
    e.severity = "error";
    return e;
}

// A store whose Write can be held (to fill the queue) or made to fail.
class GatedStore final : public store::Store {
public:
    explicit GatedStore(store::Store& inner) : inner_(inner) {}
    Result<void> Write(const std::function<Result<void>(store::Tx&)>& fn) override {
        {
            std::unique_lock lock(mu_);
            ++writes_waiting_;
            cv_.notify_all();
            cv_.wait_for(lock, kWait, [&] { return !held_; });
            --writes_waiting_;
        }
        ++writes_;
        if (fail_) return Error::Unavailable("disk on fire");
        return inner_.Write(fn);
    }
    Result<void> Read(const std::function<Result<void>(store::Tx&)>& fn) override { return inner_.Read(fn); }

    void Hold() {
        std::lock_guard lock(mu_);
        held_ = true;
    }
    void Release() {
        std::lock_guard lock(mu_);
        held_ = false;
        cv_.notify_all();
    }
    bool WaitForWriter() {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, kWait, [&] { return writes_waiting_ > 0; });
    }
    std::atomic<bool> fail_{false};
    std::atomic<int> writes_{0};

private:
    store::Store& inner_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool held_ = false;
    int writes_waiting_ = 0;
};

class IntakeCommitterTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        alerts::Service s;
        s.id = "svc";
        s.name = "svc";
        ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertService(s); }));
        gated_ = std::make_unique<GatedStore>(*store_);
    }

    std::int64_t AlertCount() {
        std::int64_t n = 0;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            store::AlertFilter f;
            f.limit = 100000;
            TOCSIN_ASSIGN(list, tx.ListAlerts(f));
            n = static_cast<std::int64_t>(list.size());
            return {};
        }));
        return n;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<GatedStore> gated_;
};

// Collects Done calls; every wait is bounded.
struct Answers {
    std::mutex mu;
    std::condition_variable cv;
    int done = 0, failed = 0;
    std::vector<std::vector<alerts::IntakeOutcome>> outcomes;
    IntakeCommitter::Done Callback() {
        return [this](Result<std::vector<alerts::IntakeOutcome>> r) {
            std::lock_guard lock(mu);
            if (r) {
                outcomes.push_back(std::move(*r));
            } else {
                ++failed;
            }
            ++done;
            cv.notify_all();
        };
    }
    bool WaitFor(int n) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, kWait, [&] { return done >= n; });
    }
};

TEST_F(IntakeCommitterTest, EverythingQueuedCommitsInOneTransactionBeforeDone) {
    IntakeCommitter c(*gated_, clock_);
    Answers answers;
    gated_->Hold();
    c.Start();
    // The first request opens a transaction that is held; the next 50 queue behind it.
    ASSERT_TRUE(c.Submit({Trigger("first")}, answers.Callback()));
    ASSERT_TRUE(gated_->WaitForWriter());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(c.Submit({Trigger("k" + std::to_string(i))}, answers.Callback()));
    EXPECT_EQ(c.Queued(), 50u);
    EXPECT_EQ(answers.done, 0);  // nothing answered before COMMIT
    gated_->Release();
    ASSERT_TRUE(answers.WaitFor(51));
    EXPECT_EQ(answers.failed, 0);
    EXPECT_EQ(c.BatchesCommitted(), 2u);  // the held one, then the 50 together
    EXPECT_EQ(gated_->writes_.load(), 2);
    EXPECT_EQ(AlertCount(), 51);
    for (const auto& o : answers.outcomes) {
        ASSERT_EQ(o.size(), 1u);
        EXPECT_TRUE(o[0].applied);
    }
}

TEST_F(IntakeCommitterTest, EventsOfOneRequestApplyInOrderAndBadOnesDoNotFailTheBatch) {
    IntakeCommitter c(*gated_, clock_);
    c.Start();
    Answers answers;
    auto ack_unknown = Trigger("nope");
    ack_unknown.action = alerts::IntakeAction::kAcknowledge;
    auto resolve = Trigger("k");
    resolve.action = alerts::IntakeAction::kResolve;
    ASSERT_TRUE(c.Submit({Trigger("k"), ack_unknown, resolve}, answers.Callback()));
    ASSERT_TRUE(answers.WaitFor(1));
    ASSERT_EQ(answers.outcomes.size(), 1u);
    const auto& o = answers.outcomes[0];
    ASSERT_EQ(o.size(), 3u);
    EXPECT_TRUE(o[0].applied);
    EXPECT_FALSE(o[1].applied);
    EXPECT_TRUE(o[2].applied);
}

TEST_F(IntakeCommitterTest, AStoreErrorFailsEveryRequestOfTheBatch) {
    IntakeCommitter c(*gated_, clock_);
    gated_->fail_ = true;
    c.Start();
    Answers answers;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.Submit({Trigger("k" + std::to_string(i))}, answers.Callback()));
    ASSERT_TRUE(answers.WaitFor(5));
    EXPECT_EQ(answers.failed, 5);
    EXPECT_EQ(AlertCount(), 0);
}

TEST_F(IntakeCommitterTest, AFullQueueRefusesAndStopFailsWhatIsLeft) {
    IntakeCommitterOptions o;
    o.max_queued_events = 10;
    IntakeCommitter c(*gated_, clock_, o);
    Answers answers;
    gated_->Hold();
    c.Start();
    ASSERT_TRUE(c.Submit({Trigger("held")}, answers.Callback()));
    ASSERT_TRUE(gated_->WaitForWriter());
    int accepted = 0;
    for (int i = 0; i < 20; ++i) accepted += c.Submit({Trigger("q" + std::to_string(i))}, answers.Callback()) ? 1 : 0;
    EXPECT_EQ(accepted, 10);
    // Stop lets the held transaction finish, commits what was accepted, refuses new ones.
    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        gated_->Release();
    });
    c.Stop();
    releaser.join();
    ASSERT_TRUE(answers.WaitFor(11));
    EXPECT_EQ(answers.failed, 0);
    EXPECT_EQ(AlertCount(), 11);
    EXPECT_FALSE(c.Submit({Trigger("late")}, answers.Callback()));
}

TEST_F(IntakeCommitterTest, ManyThreadsSubmittingAreAllAnswered) {
    IntakeCommitter c(*store_, clock_);
    c.Start();
    Answers answers;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                while (!c.Submit({Trigger("t" + std::to_string(t) + "-" + std::to_string(i % 10))}, answers.Callback())
                ) {
                    std::this_thread::yield();
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_TRUE(answers.WaitFor(200));
    EXPECT_EQ(answers.failed, 0);
    EXPECT_EQ(AlertCount(), 40);  // 4 threads x 10 distinct keys; the rest deduplicated
    EXPECT_LE(c.BatchesCommitted(), 200u);
}

TEST_F(IntakeCommitterTest, StopReturnsOnlyWhenEveryCommittedBatchIsAnsweredAfterItsSync) {
    // On the real store, batches are answered by its syncer thread after the fdatasync; Stop()
    // must not return while some of them still wait for it.
    std::atomic<int> durable_batches{0};
    IntakeCommitterOptions o;
    o.on_durable = [&] { ++durable_batches; };
    IntakeCommitter c(*store_, clock_, o);
    Answers answers;
    constexpr int kRequests = 300;
    for (int i = 0; i < kRequests; ++i) ASSERT_TRUE(c.Submit({Trigger("s" + std::to_string(i))}, answers.Callback()));
    c.Start();
    c.Stop();
    {
        std::lock_guard lock(answers.mu);
        EXPECT_EQ(answers.done, kRequests);
        EXPECT_EQ(answers.failed, 0);
    }
    EXPECT_EQ(AlertCount(), kRequests);
    EXPECT_GE(durable_batches.load(), 1);
    EXPECT_EQ(static_cast<std::size_t>(durable_batches.load()), c.BatchesCommitted());
}

TEST_F(IntakeCommitterTest, AThrowingOnDurableNeitherAnswersTwiceNorStallsLaterBatches) {
    // on_durable runs after the answers; if it throws, each request is still answered once
    // and the batch still leaves the in-flight count (else the committer stalls after a few).
    std::atomic<int> calls{0};
    IntakeCommitterOptions o;
    o.on_durable = [&] {
        ++calls;
        throw std::runtime_error("live hub broken");
    };
    IntakeCommitter c(*gated_, clock_, o);
    c.Start();
    Answers answers;
    constexpr int kRequests = 8;  // one at a time: more batches than may wait for their sync
    for (int i = 0; i < kRequests; ++i) {
        ASSERT_TRUE(c.Submit({Trigger("d" + std::to_string(i))}, answers.Callback()));
        ASSERT_TRUE(answers.WaitFor(i + 1)) << "request " << i << " never answered";
    }
    c.Stop();
    std::lock_guard lock(answers.mu);
    EXPECT_EQ(answers.done, kRequests);
    EXPECT_EQ(answers.failed, 0);
    EXPECT_EQ(calls.load(), kRequests);
}

}  // namespace
}  // namespace tocsin::engine
