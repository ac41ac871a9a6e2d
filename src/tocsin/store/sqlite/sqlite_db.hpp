/// @file
/// @brief A small RAII wrapper over the SQLite C API: a connection and its statements.
///
/// Not thread-safe: SqliteStore serialises access. Errors are Result values carrying
/// sqlite3_errmsg(); constraint violations map to kConflict, busy/locked to kUnavailable.
#pragma once

#include "tocsin/common/result.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace tocsin::store::sqlite {

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

    Statement& Bind(int index, std::string_view v);
    Statement& Bind(int index, std::int64_t v);
    Statement& Bind(int index, int v) { return Bind(index, static_cast<std::int64_t>(v)); }
    Statement& Bind(int index, bool v) { return Bind(index, static_cast<std::int64_t>(v ? 1 : 0)); }
    Statement& BindBlob(int index, std::string_view bytes);
    Statement& BindNull(int index);
    Statement& BindOpt(int index, const std::optional<std::int64_t>& v) {
        return v ? Bind(index, *v) : BindNull(index);
    }
    Statement& BindOpt(int index, const std::optional<std::string>& v) { return v ? Bind(index, *v) : BindNull(index); }

    /// Advances; true while a row is available, false when done.
    [[nodiscard]] Result<bool> Step();
    /// Runs a statement that returns no rows.
    [[nodiscard]] Result<void> Exec();
    /// Steps through every row, turning each into a T with `read(*this)`, then resets.
    template <typename T, typename Read>
    [[nodiscard]] Result<std::vector<T>> All(Read read) {
        std::vector<T> out;
        for (;;) {
            auto row = Step();
            if (!row) {
                Reset();
                return row.error();
            }
            if (!*row) break;
            out.push_back(read(*this));
        }
        Reset();
        return out;
    }

    [[nodiscard]] std::string Text(int col) const;
    [[nodiscard]] std::int64_t Int(int col) const;
    [[nodiscard]] bool IsNull(int col) const;
    [[nodiscard]] std::optional<std::int64_t> OptInt(int col) const;
    [[nodiscard]] std::optional<std::string> OptText(int col) const;

    /// Changed rows of the last Exec() on this connection.
    [[nodiscard]] int Changes() const;

    /// Resets and clears bindings so a cached statement can be reused.
    void Reset();

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

class Database {
public:
    /// Opens (creating if needed) the file at `path` in WAL mode with foreign keys on.
    static Result<std::unique_ptr<Database>> Open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Runs one or more SQL statements without parameters.
    [[nodiscard]] Result<void> ExecScript(const std::string& sql);

    /// Returns a prepared statement, cached by its SQL text and reset for reuse.
    /// The reference stays valid until the Database is destroyed.
    [[nodiscard]] Result<Statement*> Prepare(const std::string& sql);

    sqlite3* Raw() { return db_; }

    /// Row id of the last successful INSERT on this connection.
    [[nodiscard]] std::int64_t LastInsertRowId() const;

private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::map<std::string, std::pair<sqlite3_stmt*, std::unique_ptr<Statement>>, std::less<>> cache_;
};

/// Maps an SQLite result code and message to a tocsin Error.
Error SqliteError(int code, const std::string& message);

}  // namespace tocsin::store::sqlite
