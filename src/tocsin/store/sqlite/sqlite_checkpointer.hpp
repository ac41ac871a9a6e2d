/// @file
/// @brief Moves WAL checkpoints off the writing thread.
///
/// SQLite's automatic checkpoint runs inside the COMMIT of whichever transaction pushed the
/// WAL past 1,000 pages: under intake load that is the group-commit thread, which then copies
/// pages into the database file instead of committing the next batch (8% of its time in the
/// alert intake benchmark). The Checkpointer takes over SQLite's WAL hook on the writing
/// connection: once the log holds `background_frames` frames more than the thread last
/// copied, it wakes a thread of its own that checkpoints (PASSIVE: it never blocks the
/// writer) through a second connection. Past `restart_frames` the thread follows that with
/// a RESTART checkpoint, which holds writers back while it copies the few frames left, so
/// that the next writer starts the log over (a writer that keeps committing always leaves
/// new frames behind a passive run, and the log would only grow). With `writer_gate` the
/// RESTART runs while holding the writer's own mutex (see Options).
/// Past `inline_frames` the writer checkpoints itself as SQLite would, so the WAL stays
/// bounded even when the thread never gets the writer lock.
///
/// Defaults (2026-12-05, intake benchmark, release build, two 10 s runs each): checkpoints
/// every 8,000 frames (32 MiB of log) from a thread at nice 10 gave 8,941 and 8,317 events/s
/// at 119 and 131 us of CPU per event, against 7,717 and 7,270 at 143 and 145 us with every
/// 1,000 frames at nice 0: fewer checkpoints copy each hot page once instead of many times,
/// and the thread no longer takes a core from the ones answering requests. Doubled on
/// 2026-12-06 (16,000 / 32,000 / 80,000 frames, a log of up to 128 MiB before it restarts):
/// 18,656 and 18,314 events/s against 17,340 and 17,217 in alternating 8 s runs; four times
/// the old bounds measured no better than twice. Later that day the thread went back to
/// nice 0: it holds the writer's mutex during the RESTART, and at nice 10 on two busy cores
/// it got so little CPU there that a RESTART of a few hundred frames held intake for 22 ms
/// (median; 5.9 ms at nice 0). Once the thread ran only per 16,000 new frames (6% of a core
/// instead of 14%), nice 10 no longer measured faster: 20,497 / 22,422 events/s against
/// 20,476 / 22,043 at nice 0 in alternating 15 s runs.
#pragma once

#include "tocsin/common/result.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace tocsin::store::sqlite {

class Checkpointer {
public:
    struct Options {
        int background_frames = 16000;
        int restart_frames = 32000;  // past this, the thread also makes the next writer restart the log
        int inline_frames = 80000;
        // Before the RESTART, passive runs repeat until at most this many frames are left to
        // copy behind the gate (bounded; see Loop).
        int restart_left_frames = 500;
        int nice = 0;  // the thread's nice value (raised only: a lowered one needs privilege)
        // Held around the RESTART checkpoint when set: the mutex behind which the process's
        // writing connection runs its transactions. The writer then waits on it for exactly as
        // long as the RESTART takes, instead of polling SQLite's lock with growing sleeps (its
        // busy handler sleeps 1, 2, 5, 10, 15 ms...), and the RESTART needs no such sleeps to
        // find the writer between two transactions either.
        std::mutex* writer_gate = nullptr;
    };

    /// Opens a second connection to `path` and installs the hook on `writer`, which must
    /// outlive the Checkpointer.
    static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, sqlite3* writer, Options options);
    static Result<std::unique_ptr<Checkpointer>> Start(const std::string& path, sqlite3* writer) {
        return Start(path, writer, Options{});
    }
    /// Removes the hook (SQLite's own default comes back) and stops the thread.
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    /// Checkpoints run by the thread and by the writer itself (for tests and the benchmark).
    [[nodiscard]] int BackgroundRuns() const;
    [[nodiscard]] int InlineRuns() const;
    /// Background runs that found the log open and left frames of it copied into the
    /// database file (a checkpoint through a connection that does not see the log is a no-op).
    [[nodiscard]] int BackgroundEffective() const;
    /// Background runs that left the log for the next writer to restart.
    [[nodiscard]] int Restarts() const;

private:
    Checkpointer(sqlite3* writer, sqlite3* own, Options options);
    static int OnCommit(void* self, sqlite3* db, const char* name, int frames);
    void Loop();
    [[nodiscard]] int LogFrames() const;

    sqlite3* writer_;
    sqlite3* own_;
    Options options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool wanted_ = false;
    bool stopping_ = false;
    int background_runs_ = 0;
    int background_effective_ = 0;
    int restarts_ = 0;
    int inline_runs_ = 0;
    int log_frames_ = 0;  // frames in the log after the writer's latest commit
    int copied_ = 0;      // frames of the current log the thread has copied (as of its last run)
    std::thread thread_;
};

}  // namespace tocsin::store::sqlite
