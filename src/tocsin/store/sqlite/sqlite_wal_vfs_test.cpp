#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace tocsin::store::sqlite {
namespace {

std::int64_t CountRows(Database& db) {
    auto q = db.Prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(q);
    if (!q) return -1;
    auto row = (*q)->Step();
    EXPECT_TRUE(row && *row);
    std::int64_t n = (*q)->Int(0);
    (*q)->Reset();
    return n;
}

TEST(GatheringWalVfs, ACommitReachesTheWalInAFewWritesAndIsVisibleToOthersAtOnce) {
    test::TempDir dir;
    const std::string path = dir.File("w.db");
    auto writer = Database::Open(path);
    ASSERT_TRUE(writer);
    auto reader = Database::Open(path);
    ASSERT_TRUE(reader);
    ASSERT_TRUE((*writer)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));

    for (int round = 1; round <= 5; ++round) {
        const auto before = GatheringWalCounts();
        ASSERT_TRUE((*writer)->ExecScript("BEGIN IMMEDIATE"));
        for (int i = 0; i < 100; ++i) {
            auto s = (*writer)->Prepare("INSERT INTO t (v) VALUES (?1)");
            ASSERT_TRUE(s);
            (*s)->Bind(1, std::string(3000, static_cast<char>('a' + (i + round) % 26)));
            ASSERT_TRUE((*s)->Exec());
        }
        auto committed = (*writer)->ExecScript("COMMIT");
        ASSERT_TRUE(committed) << committed.error().message;
        const auto after = GatheringWalCounts();
        // About 100 pages, two writes each asked for by SQLite; a handful reach the kernel.
        const auto requested = after.requested - before.requested;
        const auto issued = after.issued - before.issued;
        EXPECT_GE(requested, 150u) << "round " << round;
        EXPECT_LE(issued * 20, requested) << "round " << round << ": " << issued << " of " << requested;
        // Another connection sees the commit as soon as COMMIT returned.
        EXPECT_EQ(CountRows(**reader), round * 100);
    }
}

TEST(GatheringWalVfs, DataWrittenThroughItSurvivesReopeningAndIsIntact) {
    test::TempDir dir;
    const std::string path = dir.File("w.db");
    {
        auto db = Database::Open(path);
        ASSERT_TRUE(db);
        ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
        for (int i = 0; i < 3000; ++i) {
            auto s = (*db)->Prepare("INSERT INTO t (v) VALUES (?1)");
            ASSERT_TRUE(s);
            (*s)->Bind(1, std::string(1500, static_cast<char>('a' + i % 26)));
            ASSERT_TRUE((*s)->Exec());
        }
        auto deleted = (*db)->ExecScript("DELETE FROM t WHERE id % 3 = 0");
        ASSERT_TRUE(deleted) << deleted.error().message;
    }
    auto db = Database::Open(path);
    ASSERT_TRUE(db);
    EXPECT_EQ(CountRows(**db), 2000);
    auto q = (*db)->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(q);
    auto row = (*q)->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*q)->Text(0), "ok");
    (*q)->Reset();
}

void InsertRows(Database& db, int n) {
    for (int i = 0; i < n; ++i) {
        auto s = db.Prepare("INSERT INTO t (v) VALUES (?1)");
        ASSERT_TRUE(s);
        (*s)->Bind(1, std::string(2000, static_cast<char>('a' + i % 26)));
        ASSERT_TRUE((*s)->Exec());
    }
}

TEST(DeferredWalSync, TheCommitsSyncIsLeftOutAndHandedToTheCaller) {
    test::TempDir dir;
    auto db = Database::Open(dir.File("w.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    sqlite3_wal_autocheckpoint((*db)->Raw(), 0);

    // A normal commit syncs the log itself.
    auto before = GatheringWalCounts();
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 10);
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    auto after = GatheringWalCounts();
    EXPECT_GE(after.synced - before.synced, 1u);
    EXPECT_EQ(after.deferred, before.deferred);
    EXPECT_EQ(TakeDeferredWalSync(), nullptr);

    // Deferred: no sync reaches the kernel, the caller gets the file and can sync it.
    before = GatheringWalCounts();
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 10);
    DeferNextWalSync();
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    after = GatheringWalCounts();
    auto file = TakeDeferredWalSync();
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(after.deferred - before.deferred, 1u);
    EXPECT_EQ(after.synced, before.synced);
    EXPECT_TRUE(file->Sync());
    // The request ended with the take: the next commit syncs again.
    before = GatheringWalCounts();
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 1);
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    EXPECT_GE(GatheringWalCounts().synced - before.synced, 1u);
    EXPECT_EQ(TakeDeferredWalSync(), nullptr);
}

TEST(DeferredWalSync, ACheckpointInTheSameCommitSyncsTheLogBeforeCopyingPages) {
    // Copying unsynced frames into the database file could mix old and new pages after a
    // power loss: only the commit's own sync may be left out, the checkpoint's is real.
    test::TempDir dir;
    auto db = Database::Open(dir.File("w.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    sqlite3_wal_autocheckpoint((*db)->Raw(), 1);  // every commit checkpoints inline
    const auto before = GatheringWalCounts();
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 20);
    DeferNextWalSync();
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    const auto after = GatheringWalCounts();
    EXPECT_EQ(after.deferred - before.deferred, 1u);
    EXPECT_GE(after.synced - before.synced, 1u);
    // The real sync covered the deferred one: nothing is left to sync.
    EXPECT_EQ(TakeDeferredWalSync(), nullptr);
}

TEST(DeferredWalSync, AfterALogRestartTheNewHeaderIsSyncedBeforeTheFramesOverwriteOldOnes) {
    // A commit that restarts the log writes a new header (new salts) and syncs it before its
    // frames overwrite the old, already checkpointed ones: otherwise, after a power loss, old
    // frames could stay valid under the old header and be replayed over newer pages (SQLite
    // ticket ff5be73dee). That header sync is the commit's first one; it must stay real and
    // only the commit's own sync, after the frames, may be left out.
    test::TempDir dir;
    auto db = Database::Open(dir.File("w.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    sqlite3_wal_autocheckpoint((*db)->Raw(), 0);
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 20);
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    int log = 0, done = 0;
    ASSERT_EQ(sqlite3_wal_checkpoint_v2((*db)->Raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done), SQLITE_OK);
    ASSERT_GT(log, 0);
    ASSERT_EQ(done, log);  // all checkpointed: the next commit starts the log over

    const auto before = GatheringWalCounts();
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 1);
    DeferNextWalSync();
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    const auto after = GatheringWalCounts();
    auto file = TakeDeferredWalSync();
    EXPECT_EQ(after.synced - before.synced, 1u);      // the header's
    EXPECT_EQ(after.deferred - before.deferred, 1u);  // the commit's
    // Had the header's sync been the one left out, the commit's real sync would have covered
    // it and nothing would be left to take.
    ASSERT_NE(file, nullptr);
    EXPECT_TRUE(file->Sync());
    int restarted_log = 0;
    ASSERT_EQ(
        sqlite3_wal_checkpoint_v2((*db)->Raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &restarted_log, &done), SQLITE_OK
    );
    EXPECT_LT(restarted_log, log);  // the log did start over
    EXPECT_EQ(CountRows(**db), 21);
}

TEST(WalSyncer, RunsWaitersInOrderAndAFailedSyncFailsEveryLaterOne) {
    test::TempDir dir;
    auto db = Database::Open(dir.File("w.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    ASSERT_TRUE((*db)->ExecScript("BEGIN IMMEDIATE"));
    InsertRows(**db, 1);
    DeferNextWalSync();
    ASSERT_TRUE((*db)->ExecScript("COMMIT"));
    auto good = TakeDeferredWalSync();
    ASSERT_NE(good, nullptr);
    auto bad = std::make_shared<WalFile>(-1);  // fdatasync fails (EBADF)

    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<int, bool>> seen;
    auto waiter = [&](int n) {
        return [&, n](Result<void> r) {
            std::lock_guard lock(mu);
            seen.emplace_back(n, r.has_value());
            cv.notify_all();
        };
    };
    {
        WalSyncer syncer;
        syncer.Enqueue(good, waiter(1));
        {
            std::unique_lock lock(mu);
            ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.size() == 1; }));
        }
        syncer.Enqueue(nullptr, waiter(2));
        {
            std::unique_lock lock(mu);
            ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.size() == 2; }));
        }
        syncer.Enqueue(bad, waiter(3));
        {
            std::unique_lock lock(mu);
            ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen.size() == 3; }));
        }
        syncer.Enqueue(good, waiter(4));
        syncer.Enqueue(nullptr, waiter(5));
        EXPECT_GE(syncer.Syncs(), 2u);
    }  // the destructor runs what is still queued
    std::lock_guard lock(mu);
    const std::vector<std::pair<int, bool>> want{{1, true}, {2, true}, {3, false}, {4, false}, {5, false}};
    EXPECT_EQ(seen, want);
}

TEST(SqliteStoreWriteSyncLater, ChangesAreVisibleAtOnceAndDurableCallsComeInOrderWithFewerSyncs) {
    test::TempDir dir;
    test::FakeClock clock;
    auto store = SqliteStore::Open(dir.File("tocsin.db"), clock);
    ASSERT_TRUE(store) << store.error().message;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> durable;
    constexpr int kWrites = 200;
    for (int i = 0; i < kWrites; ++i) {
        auto r = (*store)->WriteSyncLater(
            [&](Tx& tx) -> Result<void> {
                auto s = tx.GetPageSettings();
                if (!s) return s.error();
                s->name = "title " + std::to_string(i);
                return tx.SavePageSettings(*s);
            },
            [&, i](Result<void> synced) {
                ASSERT_TRUE(synced);
                std::lock_guard lock(mu);
                durable.push_back(i);
                cv.notify_all();
            }
        );
        ASSERT_TRUE(r) << r.error().message;
        // The next transaction (and any reader) sees it before it is on disk.
        std::string title;
        ASSERT_TRUE((*store)->Read([&](Tx& tx) -> Result<void> {
            auto s = tx.GetPageSettings();
            if (!s) return s.error();
            title = s->name;
            return {};
        }));
        EXPECT_EQ(title, "title " + std::to_string(i));
    }
    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return durable.size() == kWrites; }));
    }
    for (int i = 0; i < kWrites; ++i) EXPECT_EQ(durable[static_cast<std::size_t>(i)], i);
    const auto syncs = (*store)->DeferredSyncs();
    EXPECT_GE(syncs, 1u);
    EXPECT_LE(syncs, static_cast<std::uint64_t>(kWrites));

    // A failing transaction returns its error and never calls `durable`.
    bool called = false;
    auto failed = (*store)->WriteSyncLater(
        [](Tx&) -> Result<void> { return Error::Invalid("name", "no"); }, [&](Result<void>) { called = true; }
    );
    EXPECT_FALSE(failed);
    EXPECT_FALSE(called);
}

}  // namespace
}  // namespace tocsin::store::sqlite
