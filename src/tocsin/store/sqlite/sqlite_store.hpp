/// @file
/// @brief The embedded SQLite backend of Store: one file, WAL, one writer at a time.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/store/store.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace tocsin::store::sqlite {

class Database;
class Checkpointer;
class WalSyncer;

/// The SQL of the queries the engines poll several times a second, so that a test can
/// check their plans (EXPLAIN QUERY PLAN) against the schema.
namespace queries {
const std::string& DueDeliveries();       // ?1 now (ms), ?2 limit
const std::string& UndispatchedOutbox();  // ?1 limit
}  // namespace queries

class SqliteStore final : public Store {
public:
    /// Opens the database file, applies pending migrations and creates the settings row.
    /// An error means the file cannot be used (permissions, corruption, newer schema).
    static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const Clock& clock);
    ~SqliteStore() override;

    // store::Store
    Result<void> Write(const std::function<Result<void>(Tx&)>& fn) override;
    Result<void> Read(const std::function<Result<void>(Tx&)>& fn) override;
    Result<void> WriteSyncLater(const std::function<Result<void>(Tx&)>& fn, std::function<void(Result<void>)> durable)
        override;
    /// fdatasync calls of WriteSyncLater's syncer (for tests and the benchmark).
    [[nodiscard]] std::uint64_t DeferredSyncs() const;

    /// Schema version after migrations (for `tocsin migrate`).
    [[nodiscard]] int SchemaVersion() const { return schema_version_; }

private:
    SqliteStore(std::unique_ptr<Database> db, const Clock& clock);
    Result<void> Migrate();
    Result<void> RunTx(const char* begin, const std::function<Result<void>(Tx&)>& fn, bool defer_sync = false);

    std::unique_ptr<Database> db_;
    std::unique_ptr<Checkpointer> checkpointer_;  // destroyed before db_: it hooks db_'s commits
    const Clock& clock_;
    std::mutex mu_;  // SQLite connections are single-threaded; one writer at a time anyway
    int schema_version_ = 0;
    std::unique_ptr<WalSyncer> syncer_;  // declared last: drained before anything else goes
};

}  // namespace tocsin::store::sqlite
