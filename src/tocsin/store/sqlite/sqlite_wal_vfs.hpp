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
#pragma once

#include <cstdint>

namespace tocsin::store::sqlite {

/// Registers the VFS (once per process; thread-safe) and returns its name for sqlite3_open_v2.
const char* GatheringWalVfs();

/// Counts since the process started, for tests and the benchmark: writes SQLite asked for on
/// WAL files, and writes that reached the kernel.
struct WalWriteCounts {
    std::uint64_t requested = 0;
    std::uint64_t issued = 0;
};
WalWriteCounts GatheringWalCounts();

}  // namespace tocsin::store::sqlite
