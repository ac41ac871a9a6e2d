#include "tocsin/store/sqlite/sqlite_checkpointer.hpp"

#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace tocsin::store::sqlite {
namespace {

// Commits `n` transactions of one 3 KB row each (about one WAL page per commit).
void CommitRows(Database& db, int n) {
    for (int i = 0; i < n; ++i) {
        auto s = db.Prepare("INSERT INTO t (v) VALUES (?1)");
        ASSERT_TRUE(s);
        (*s)->Bind(1, std::string(3000, static_cast<char>('a' + i % 26)));
        ASSERT_TRUE((*s)->Exec());
    }
}

// A database with the table t, or null (the failure is reported).
std::unique_ptr<Database> OpenWithTable(const std::string& path) {
    auto db = Database::Open(path);
    EXPECT_TRUE(db);
    if (!db) return nullptr;
    EXPECT_TRUE((*db)->ExecScript("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"));
    return std::move(*db);
}

// Rows in t, or -1 when the query fails.
std::int64_t CountRows(Database& db) {
    auto q = db.Prepare("SELECT COUNT(*) FROM t");
    if (!q) return -1;
    auto row = (*q)->Step();
    std::int64_t n = (row && *row) ? (*q)->Int(0) : -1;
    (*q)->Reset();
    return n;
}

std::uintmax_t WalSize(const std::string& path) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + "-wal", ec);
    return ec ? 0 : n;
}

TEST(Checkpointer, ABackgroundThreadCheckpointsAndTheWalStaysBounded) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    auto c = Checkpointer::Start(path, db->Raw(), Checkpointer::Options{.background_frames = 50, .inline_frames = 400});
    ASSERT_TRUE(c) << c.error().message;

    CommitRows(*db, 2000);
    // The writer never paused: whatever the thread managed, the inline checkpoint bounds the
    // WAL near inline_frames pages (plus the pages of the commits since the last reset).
    const std::uintmax_t page = 4096 + 24;
    EXPECT_LT(WalSize(path), 3 * 400 * page) << "WAL grew past its bound";
    // Give the thread a bounded time to run at least once.
    for (int i = 0; i < 200 && (*c)->BackgroundRuns() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT((*c)->BackgroundRuns(), 0);

    // Every row is there, read through a fresh connection.
    c->reset();
    auto other = Database::Open(path);
    ASSERT_TRUE(other);
    EXPECT_EQ(CountRows(**other), 2000);
}

TEST(Checkpointer, TheBackgroundCheckpointCopiesFramesWithoutHelpFromTheWriter) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    // The writer never checkpoints itself here: only the thread can.
    auto c =
        Checkpointer::Start(path, db->Raw(), Checkpointer::Options{.background_frames = 20, .inline_frames = 1000000});
    ASSERT_TRUE(c) << c.error().message;
    CommitRows(*db, 100);
    for (int i = 0; i < 300 && (*c)->BackgroundEffective() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT((*c)->BackgroundEffective(), 0) << (*c)->BackgroundRuns() << " runs copied nothing";
    EXPECT_EQ((*c)->InlineRuns(), 0);
    // Every row is still there.
    c->reset();
    EXPECT_EQ(CountRows(*db), 100);
}

TEST(Checkpointer, UnderAWriterThatKeepsCommittingTheLogStillStartsOver) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    // The writer never checkpoints itself: without the restart, passive checkpoints alone
    // would let the log grow by every commit (the writer always finds uncopied frames). It
    // pauses a millisecond after every 20 commits, as the intake's group commit does between
    // batches (a writer that never lets go of the lock starves the restart; the inline bound
    // is for that one).
    auto c = Checkpointer::Start(
        path, db->Raw(), Checkpointer::Options{.background_frames = 20, .restart_frames = 100, .inline_frames = 1000000}
    );
    ASSERT_TRUE(c) << c.error().message;
    for (int round = 0; round < 300 && (*c)->Restarts() < 2; ++round) {
        CommitRows(*db, 20);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_GE((*c)->Restarts(), 2);
    EXPECT_EQ((*c)->InlineRuns(), 0);
    // Without the restart (the thread's passive runs alone) this writer reaches 300 rounds
    // with no restart and a log of some 75 MB.
}

TEST(Checkpointer, TheThreadRunsOncePerBackgroundFramesNotOncePerCommit) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    auto c = Checkpointer::Start(
        path,
        db->Raw(),
        Checkpointer::Options{.background_frames = 50, .restart_frames = 1000000, .inline_frames = 1000000}
    );
    ASSERT_TRUE(c) << c.error().message;
    // 600 commits of a few frames each, no RESTART by the thread: one run per 50 new frames.
    // Counting from the log's start instead woke the thread again for every commit past the
    // 50th frame (a run per commit or two).
    const auto before = GatheringWalCounts().requested;
    CommitRows(*db, 600);
    for (int i = 0; i < 300 && (*c)->BackgroundRuns() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // SQLite writes a frame as two pieces (header, page); the log may start over in between
    // (the writer restarts it when everything was copied), so its file size would undercount.
    const auto frames = static_cast<int>((GatheringWalCounts().requested - before) / 2);
    EXPECT_GT((*c)->BackgroundEffective(), 0);
    EXPECT_LE((*c)->BackgroundRuns(), frames / 50 + 5) << frames << " frames";
    c->reset();
    EXPECT_EQ(CountRows(*db), 600);
}

TEST(Checkpointer, TheRestartWaitsForTheWriterGate) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    std::mutex gate;
    auto c = Checkpointer::Start(
        path,
        db->Raw(),
        Checkpointer::Options{
            .background_frames = 20, .restart_frames = 100, .inline_frames = 1000000, .writer_gate = &gate}
    );
    ASSERT_TRUE(c) << c.error().message;
    {
        // The store's writer holds its mutex: the log may be copied, never restarted.
        std::lock_guard held(gate);
        CommitRows(*db, 300);
        for (int i = 0; i < 50; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_EQ((*c)->Restarts(), 0) << "the RESTART ran while the writer held its mutex";
    }
    // Released: the RESTART the thread was waiting for runs now.
    for (int i = 0; i < 300 && (*c)->Restarts() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE((*c)->Restarts(), 1);
    c->reset();
    EXPECT_EQ(CountRows(*db), 300);
}

TEST(Checkpointer, WithoutItSqlitesOwnCheckpointComesBack) {
    test::TempDir dir;
    const std::string path = dir.File("c.db");
    auto db = OpenWithTable(path);
    ASSERT_TRUE(db);
    {
        auto c = Checkpointer::Start(path, db->Raw());
        ASSERT_TRUE(c);
    }
    // SQLite's automatic checkpoint (1,000 pages) keeps the WAL from growing past ~1,000
    // pages, as before the Checkpointer existed.
    CommitRows(*db, 3000);
    EXPECT_LT(WalSize(path), 2 * 1000 * (4096 + 24));
}

}  // namespace
}  // namespace tocsin::store::sqlite
