#include "tocsin/store/sqlite/sqlite_db.hpp"

#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

namespace tocsin::store::sqlite {

Error SqliteError(int code, const std::string& message) {
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            return Error::Conflict("constraint violated: " + message);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Error::Unavailable("database busy: " + message);
        case SQLITE_FULL:
        case SQLITE_IOERR:
            return Error::Unavailable("database I/O error: " + message);
        default:
            return Error::Internal("sqlite error " + std::to_string(code) + ": " + message);
    }
}

Statement& Statement::Bind(int index, std::string_view v) {
    sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::Bind(int index, std::int64_t v) {
    sqlite3_bind_int64(stmt_, index, v);
    return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::BindNull(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

Result<bool> Statement::Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error e = SqliteError(rc, sqlite3_errmsg(db_));
    sqlite3_reset(stmt_);
    return e;
}

Result<void> Statement::Exec() {
    auto r = Step();
    if (!r) return r.error();
    return {};
}

std::string Statement::Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t Statement::Int(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

bool Statement::IsNull(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
}

std::optional<std::string> Statement::OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
}

int Statement::Changes() const {
    return sqlite3_changes(db_);
}

void Statement::Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, GatheringWalVfs()
    );
    if (rc != SQLITE_OK) {
        std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
        sqlite3_close(raw);
        return Error::Unavailable("cannot open database " + path + ": " + msg);
    }
    std::unique_ptr<Database> db(new Database(raw));
    sqlite3_busy_timeout(raw, 5000);
    // WAL lets the snapshot builder read while a write commits; synchronous=FULL makes a
    // commit durable against power loss, not only against a crash of the process. A 16 MiB
    // page cache (SQLite's default is 2 MiB) keeps the alert indexes the intake touches in
    // memory instead of reading them back from the OS for every commit; it is a bound, so
    // memory stays flat however large the file grows.
    auto r = db->ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
        "PRAGMA cache_size=-16384;"
    );
    if (!r) return r.error();
    return db;
}

Database::~Database() {
    for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.first);
    sqlite3_close(db_);
}

Result<void> Database::ExecScript(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        return SqliteError(rc, msg);
    }
    return {};
}

Result<Statement*> Database::Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
        it->second.second->Reset();
        return it->second.second.get();
    }
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, sqlite3_errmsg(db_));
    auto wrapper = std::make_unique<Statement>(db_, stmt);
    Statement* p = wrapper.get();
    cache_.emplace(sql, std::make_pair(stmt, std::move(wrapper)));
    return p;
}

std::int64_t Database::LastInsertRowId() const {
    return sqlite3_last_insert_rowid(db_);
}

}  // namespace tocsin::store::sqlite
