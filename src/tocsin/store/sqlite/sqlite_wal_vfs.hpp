/// @file
/// @brief An SQLite VFS that hands a commit's WAL frames to the kernel in few writes.
///
/// SQLite appends a commit to the write-ahead log with two pwrite calls per page (frame
/// header, page). A group commit of the alert intake dirties a hundred pages or more, and on
/// a virtual machine each system call costs more than copying the page: the intake benchmark
/// spent a quarter of its committing thread in those calls. This VFS wraps the platform's
/// default one. Writes to a `-wal` file that continue the previous write are gathered in
/// memory and reach the file in 124 KiB pieces (the unix VFS's largest write) when SQLite
/// syncs the log (it does at every commit with synchronous=FULL), reads, truncates, asks the
/// file's size, writes elsewhere in the file, closes it, or the gathered bytes pass 8 MiB.
/// Nothing changes about durability: SQLite considers a commit done only after the sync
/// returns, and the gathered bytes are written
/// before it.
///
/// Requires synchronous=FULL (Database::Open sets it): with NORMAL, SQLite would publish a
/// commit to other connections without a sync, while its frames could still be gathered here.
///
/// A thread may also ask for its next commit's sync of the log to be left out
/// (DeferNextWalSync) and take the file to sync instead (TakeDeferredWalSync): the group
/// commit of the alert intake then prepares its next batch while a WalSyncer syncs the previous
/// one, and answers a batch only after that sync. Only the first sync after the request is left
/// out; any later one in the same commit (the log's sync before a checkpoint copies pages into
/// the database file) is real and covers the deferred one too. The sync of a restarted log's
/// new header, before the commit's frames overwrite old ones, is never left out (SQLite relies
/// on that order after a power loss).
#pragma once

#include "tocsin/common/result.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tocsin::store::sqlite {

/// Registers the VFS (once per process; thread-safe) and returns its name for sqlite3_open_v2.
const char* GatheringWalVfs();

/// Counts since the process started, for tests and the benchmark: writes SQLite asked for on
/// WAL files, writes that reached the kernel, and syncs.
struct WalWriteCounts {
    std::uint64_t requested = 0;
    std::uint64_t issued = 0;
    std::uint64_t synced = 0;    // syncs of WAL files that reached the kernel
    std::uint64_t deferred = 0;  // syncs left out (DeferNextWalSync)
};
WalWriteCounts GatheringWalCounts();

/// A WAL file to sync later, through a descriptor of its own (it outlives the connection).
class WalFile {
public:
    explicit WalFile(int fd) : fd_(fd) {}
    ~WalFile();
    WalFile(const WalFile&) = delete;
    WalFile& operator=(const WalFile&) = delete;
    /// fdatasync: every byte written to the file before the call is on disk when it returns.
    Result<void> Sync();

private:
    int fd_;
};

/// The calling thread's next sync of a WAL file is left out (see the file comment).
void DeferNextWalSync();
/// Ends the request; returns the file whose sync was left out, or null if none was (nothing
/// written, or a later real sync already covered it).
std::shared_ptr<WalFile> TakeDeferredWalSync();

/// A thread that syncs deferred WAL files and then runs what waited for them, in order. One
/// sync covers everything queued before it started. A failed sync fails its waiters and every
/// later one (the file's state is unknown after a failed fsync). The destructor syncs and runs
/// everything still queued.
class WalSyncer {
public:
    using Done = std::function<void(Result<void>)>;
    WalSyncer();
    ~WalSyncer();
    WalSyncer(const WalSyncer&) = delete;
    WalSyncer& operator=(const WalSyncer&) = delete;

    /// `file` may be null: `done` then runs after the waiters queued before it.
    void Enqueue(std::shared_ptr<WalFile> file, Done done);
    /// fdatasync calls made so far (for tests and the benchmark).
    [[nodiscard]] std::uint64_t Syncs() const;

private:
    struct Waiter {
        std::shared_ptr<WalFile> file;
        Done done;
    };
    void Loop();

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Waiter> queue_;
    bool stopping_ = false;
    std::uint64_t syncs_ = 0;
    std::thread thread_;
};

}  // namespace tocsin::store::sqlite
