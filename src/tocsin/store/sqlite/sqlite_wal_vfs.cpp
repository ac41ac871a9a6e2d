#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include "tocsin/common/log.hpp"

#include <pthread.h>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::store::sqlite {
namespace {

constexpr std::size_t kMaxGathered = 8u << 20;

std::atomic<std::uint64_t> g_requested{0};
std::atomic<std::uint64_t> g_issued{0};
std::atomic<std::uint64_t> g_synced{0};
std::atomic<std::uint64_t> g_deferred{0};

sqlite3_vfs g_vfs;
sqlite3_vfs* g_base = nullptr;

// DeferNextWalSync: whether the next WAL sync on this thread is left out, and the file it was.
thread_local bool t_defer_next = false;
thread_local std::shared_ptr<WalFile> t_deferred;

// Our file: SQLite's view (`base`), then the real file of the wrapped VFS.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
    bool gather;                      // a -wal file
    std::string* pending;             // gathered bytes (owned; null when not gathering)
    sqlite3_int64 pending_at;         // file offset of pending[0]
    std::shared_ptr<WalFile>* later;  // own descriptor for deferred syncs (owned; may be null)
    bool header_unsynced;             // the log's header (offset 0) was written since the last sync
};

sqlite3_file* Real(sqlite3_file* f) {
    return reinterpret_cast<File*>(f)->real;
}

int Flush(File* f) {
    if (!f->pending || f->pending->empty()) return SQLITE_OK;
    // The unix VFS writes at most 128 KiB - 1 per call (it masks larger counts), so the
    // gathered bytes go out in pieces just below that.
    constexpr std::size_t kPiece = 31 * 4096;
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < f->pending->size() && rc == SQLITE_OK; done += kPiece) {
        const std::size_t n = std::min(kPiece, f->pending->size() - done);
        g_issued.fetch_add(1, std::memory_order_relaxed);
        rc = f->real->pMethods->xWrite(
            f->real, f->pending->data() + done, static_cast<int>(n), f->pending_at + static_cast<sqlite3_int64>(done)
        );
    }
    f->pending->clear();
    return rc;
}

int Close(sqlite3_file* p) {
    auto* f = reinterpret_cast<File*>(p);
    int flushed = Flush(f);
    delete f->pending;
    f->pending = nullptr;
    delete f->later;
    f->later = nullptr;
    int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    return flushed != SQLITE_OK ? flushed : rc;
}

int Read(sqlite3_file* p, void* buf, int n, sqlite3_int64 at) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xRead(f->real, buf, n, at);
}

int Write(sqlite3_file* p, const void* buf, int n, sqlite3_int64 at) {
    auto* f = reinterpret_cast<File*>(p);
    if (!f->gather) return f->real->pMethods->xWrite(f->real, buf, n, at);
    g_requested.fetch_add(1, std::memory_order_relaxed);
    if (at == 0) f->header_unsynced = true;
    const bool continues = !f->pending->empty() && at == f->pending_at + static_cast<sqlite3_int64>(f->pending->size());
    if (!continues) {
        if (int rc = Flush(f); rc != SQLITE_OK) return rc;
        f->pending_at = at;
    }
    f->pending->append(static_cast<const char*>(buf), static_cast<std::size_t>(n));
    if (f->pending->size() >= kMaxGathered) return Flush(f);
    return SQLITE_OK;
}

int Truncate(sqlite3_file* p, sqlite3_int64 size) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* p, int flags) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    // A restart's new header is synced before the frames overwrite old ones (SQLite's order,
    // ticket ff5be73dee): that sync is never left out, only the commit's after it.
    if (f->gather && t_defer_next && f->later && *f->later && !f->header_unsynced) {
        t_defer_next = false;
        t_deferred = *f->later;
        g_deferred.fetch_add(1, std::memory_order_relaxed);
        return SQLITE_OK;
    }
    if (f->gather) g_synced.fetch_add(1, std::memory_order_relaxed);
    int rc = f->real->pMethods->xSync(f->real, flags);
    if (rc == SQLITE_OK) f->header_unsynced = false;
    if (rc == SQLITE_OK && f->gather && t_deferred == (f->later ? *f->later : nullptr)) t_deferred.reset();
    return rc;
}

int FileSize(sqlite3_file* p, sqlite3_int64* size) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* p, int level) {
    return Real(p)->pMethods->xLock(Real(p), level);
}
int Unlock(sqlite3_file* p, int level) {
    return Real(p)->pMethods->xUnlock(Real(p), level);
}
int CheckReservedLock(sqlite3_file* p, int* out) {
    return Real(p)->pMethods->xCheckReservedLock(Real(p), out);
}
int FileControl(sqlite3_file* p, int op, void* arg) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}
int SectorSize(sqlite3_file* p) {
    return Real(p)->pMethods->xSectorSize(Real(p));
}
int DeviceCharacteristics(sqlite3_file* p) {
    return Real(p)->pMethods->xDeviceCharacteristics(Real(p));
}
int ShmMap(sqlite3_file* p, int page, int size, int extend, void volatile** out) {
    return Real(p)->pMethods->xShmMap(Real(p), page, size, extend, out);
}
int ShmLock(sqlite3_file* p, int offset, int n, int flags) {
    return Real(p)->pMethods->xShmLock(Real(p), offset, n, flags);
}
void ShmBarrier(sqlite3_file* p) {
    Real(p)->pMethods->xShmBarrier(Real(p));
}
int ShmUnmap(sqlite3_file* p, int delete_flag) {
    return Real(p)->pMethods->xShmUnmap(Real(p), delete_flag);
}
int Fetch(sqlite3_file* p, sqlite3_int64 at, int n, void** out) {
    auto* f = reinterpret_cast<File*>(p);
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real->pMethods->xFetch(f->real, at, n, out);
}
int Unfetch(sqlite3_file* p, sqlite3_int64 at, void* ptr) {
    return Real(p)->pMethods->xUnfetch(Real(p), at, ptr);
}

sqlite3_io_methods MethodsFor(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = Close;
    m.xRead = Read;
    m.xWrite = Write;
    m.xTruncate = Truncate;
    m.xSync = Sync;
    m.xFileSize = FileSize;
    m.xLock = Lock;
    m.xUnlock = Unlock;
    m.xCheckReservedLock = CheckReservedLock;
    m.xFileControl = FileControl;
    m.xSectorSize = SectorSize;
    m.xDeviceCharacteristics = DeviceCharacteristics;
    if (version >= 2) {
        m.xShmMap = ShmMap;
        m.xShmLock = ShmLock;
        m.xShmBarrier = ShmBarrier;
        m.xShmUnmap = ShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = Fetch;
        m.xUnfetch = Unfetch;
    }
    return m;
}

// One method table per io_methods version of the wrapped VFS's files.
sqlite3_io_methods g_methods[4];

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* p, int flags, int* out_flags) {
    auto* f = reinterpret_cast<File*>(p);
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(p) + sizeof(File));
    f->gather = (flags & SQLITE_OPEN_WAL) != 0;
    f->pending = nullptr;
    f->pending_at = 0;
    f->later = nullptr;
    f->header_unsynced = false;
    int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || !f->real->pMethods) return rc;
    if (f->gather) {
        f->pending = new std::string();
        // A descriptor of our own for syncs on another thread; without one, nothing is deferred.
        const int fd = name ? ::open(name, O_RDWR | O_CLOEXEC) : -1;
        if (fd >= 0) f->later = new std::shared_ptr<WalFile>(std::make_shared<WalFile>(fd));
    }
    int version = f->real->pMethods->iVersion;
    if (version < 1) version = 1;
    if (version > 3) version = 3;
    f->base.pMethods = &g_methods[version];
    return SQLITE_OK;
}

}  // namespace

const char* GatheringWalVfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Before SQLite initializes (sqlite3_vfs_find does): no global memory statistics, which
        // take a process-wide mutex on every sqlite3_malloc and free (8% of the intake
        // committer's time was SQLite's mutexes). Nothing here reads the statistics. Too late
        // (SQLITE_MISUSE) when something used SQLite first; then nothing changes.
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        g_base = sqlite3_vfs_find(nullptr);
        for (int v = 1; v <= 3; ++v) g_methods[v] = MethodsFor(v);
        g_vfs = *g_base;  // everything but opening files is the platform's
        g_vfs.pNext = nullptr;
        g_vfs.zName = "tocsin-gathering-wal";
        g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_base->szOsFile;
        g_vfs.xOpen = Open;
        sqlite3_vfs_register(&g_vfs, 0);
    });
    return g_vfs.zName;
}

WalWriteCounts GatheringWalCounts() {
    return WalWriteCounts{g_requested.load(), g_issued.load(), g_synced.load(), g_deferred.load()};
}

WalFile::~WalFile() {
    if (fd_ >= 0) ::close(fd_);
}

Result<void> WalFile::Sync() {
    if (::fdatasync(fd_) != 0) {
        return Error::Unavailable(std::string("cannot sync the write-ahead log: ") + std::strerror(errno));
    }
    return {};
}

void DeferNextWalSync() {
    t_defer_next = true;
    t_deferred.reset();
}

std::shared_ptr<WalFile> TakeDeferredWalSync() {
    t_defer_next = false;
    return std::exchange(t_deferred, nullptr);
}

WalSyncer::WalSyncer() : thread_([this] { Loop(); }) {}

WalSyncer::~WalSyncer() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void WalSyncer::Enqueue(std::shared_ptr<WalFile> file, Done done) {
    {
        std::lock_guard lock(mu_);
        queue_.push_back(Waiter{std::move(file), std::move(done)});
    }
    cv_.notify_one();
}

std::uint64_t WalSyncer::Syncs() const {
    std::lock_guard lock(mu_);
    return syncs_;
}

void WalSyncer::Loop() {
    pthread_setname_np(pthread_self(), "wal-sync");
    Result<void> broken;  // a failed sync fails everything after it
    std::deque<Waiter> batch;
    for (;;) {
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            batch.swap(queue_);
        }
        // One sync per distinct file (almost always one: the log is replaced only when the
        // last connection closes).
        std::vector<WalFile*> synced;
        std::uint64_t syncs = 0;
        for (const auto& w : batch) {
            if (!w.file || !broken) continue;
            if (std::find(synced.begin(), synced.end(), w.file.get()) != synced.end()) continue;
            synced.push_back(w.file.get());
            ++syncs;
            if (auto r = w.file->Sync(); !r) {
                broken = r.error();
                Logger("store")->error("[store.WalSyncer] {}; every later intake batch fails", r.error().message);
            }
        }
        {
            std::lock_guard lock(mu_);
            syncs_ += syncs;
        }
        for (auto& w : batch) {
            try {
                w.done(broken);
            } catch (const std::exception& e) {
                Logger("store")->error("[store.WalSyncer] a waiter threw: {}", e.what());
            }
        }
        batch.clear();
    }
}

}  // namespace tocsin::store::sqlite
