#include "tocsin/store/sqlite/sqlite_checkpointer.hpp"

#include "tocsin/common/log.hpp"
#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

namespace tocsin::store::sqlite {
namespace {

// Passive runs after the first before a RESTART, at most (see Loop).
constexpr int kMaxCatchUpRuns = 8;

}  // namespace

Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path, sqlite3* writer, Options options) {
    sqlite3* own = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, GatheringWalVfs());
    if (rc != SQLITE_OK) {
        std::string msg = own ? sqlite3_errmsg(own) : "out of memory";
        sqlite3_close(own);
        return Error::Unavailable("cannot open database " + path + " for checkpoints: " + msg);
    }
    sqlite3_busy_timeout(own, 1000);
    // A connection that has never read the database does not know it is in WAL mode, and
    // sqlite3_wal_checkpoint_v2 on it returns SQLITE_OK having done nothing (SQLite 3.40):
    // every checkpoint then fell to the writer's inline one. Reading the schema once opens
    // the WAL for good.
    rc = sqlite3_exec(own, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(own);
        sqlite3_close(own);
        return Error::Unavailable("cannot read database " + path + " for checkpoints: " + msg);
    }
    std::unique_ptr<Checkpointer> c(new Checkpointer(writer, own, options));
    sqlite3_wal_hook(writer, &Checkpointer::OnCommit, c.get());
    c->thread_ = std::thread([p = c.get()] { p->Loop(); });
    return c;
}

Checkpointer::Checkpointer(sqlite3* writer, sqlite3* own, Options options)
    : writer_(writer), own_(own), options_(options) {}

Checkpointer::~Checkpointer() {
    // Back to SQLite's automatic checkpoint for whatever the writer still commits.
    sqlite3_wal_autocheckpoint(writer_, 1000);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    sqlite3_close(own_);
}

int Checkpointer::OnCommit(void* self, sqlite3* db, const char* name, int frames) {
    auto* c = static_cast<Checkpointer*>(self);
    if (frames >= c->options_.inline_frames) {
        // The background has fallen behind a writer that never pauses: catch up here, as
        // SQLite's own hook would (the write lock is already released).
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        std::lock_guard lock(c->mu_);
        ++c->inline_runs_;
        return SQLITE_OK;
    }
    bool wake = false;
    {
        // Counted from what the thread has copied, not from the log's start: the log only
        // starts over after a RESTART, and until then every commit found it past the bound
        // and woke the thread again, for a passive run (and two syncs) over a handful of new
        // frames: 78 checkpoint syncs a second in the intake benchmark.
        std::lock_guard lock(c->mu_);
        c->log_frames_ = frames;
        if (frames < c->copied_) c->copied_ = 0;  // the log started over
        if (frames - c->copied_ >= c->options_.background_frames) {
            c->wanted_ = true;
            wake = true;
        }
    }
    if (wake) c->cv_.notify_one();
    return SQLITE_OK;
}

void Checkpointer::Loop() {
    pthread_setname_np(pthread_self(), "wal-checkpoint");
    // Options::nice (0 by default: the thread holds the writer's mutex during a RESTART, and
    // a low priority then delays every writer). Raising one's own nice value needs no
    // privilege; a failure changes nothing else.
    if (options_.nice != 0) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice);
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || wanted_; });
            if (stopping_) return;
            wanted_ = false;
        }
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        bool restarted = false;
        if (rc == SQLITE_OK && log >= options_.restart_frames) {
            // A writer that never pauses always finds frames the passive run did not copy, so
            // it never starts the log over: the file grows (new blocks for every sync to
            // record) until the inline bound. Copy the few frames left while holding writers
            // back, then the next writer restarts the log from its start. "Few": a passive run
            // over 16,000 frames takes some 25 ms, the writer meanwhile adds 1,000 or more, and
            // copying and syncing those behind the gate held intake for 22-30 ms (6-14 ms after
            // this). Passive runs repeat (at most kMaxCatchUpRuns) until the log holds at most
            // restart_left_frames uncopied frames, each shorter than the one before.
            for (int i = 0; i < kMaxCatchUpRuns && rc == SQLITE_OK && LogFrames() - done > options_.restart_left_frames;
                 ++i) {
                rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            }
            std::unique_lock<std::mutex> gate;
            if (options_.writer_gate) gate = std::unique_lock(*options_.writer_gate);
            rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_RESTART, &log, &done);
            restarted = rc == SQLITE_OK;
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            Logger("store")->warn("[store.Checkpointer] checkpoint failed: {}", sqlite3_errmsg(own_));
        }
        std::lock_guard lock(mu_);
        if (restarted) {
            copied_ = 0;
        } else if (rc == SQLITE_OK && done >= 0) {
            copied_ = done;
        }
        // Commits during the run asked for another one, counting from before it: ask again
        // only if enough is left now (else every run was followed by one over a few frames).
        if (rc == SQLITE_OK) wanted_ = wanted_ && log_frames_ - copied_ >= options_.background_frames;
        ++background_runs_;
        if (restarted) ++restarts_;
        if (rc == SQLITE_OK && done > 0) ++background_effective_;
    }
}

int Checkpointer::LogFrames() const {
    std::lock_guard lock(mu_);
    return log_frames_;
}

int Checkpointer::Restarts() const {
    std::lock_guard lock(mu_);
    return restarts_;
}

int Checkpointer::BackgroundRuns() const {
    std::lock_guard lock(mu_);
    return background_runs_;
}

int Checkpointer::BackgroundEffective() const {
    std::lock_guard lock(mu_);
    return background_effective_;
}

int Checkpointer::InlineRuns() const {
    std::lock_guard lock(mu_);
    return inline_runs_;
}

}  // namespace tocsin::store::sqlite
