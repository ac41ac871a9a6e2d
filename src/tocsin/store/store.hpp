/// @file
/// @brief Persistence of every aggregate behind one transactional interface.
///
/// A backend (SQLite today, PostgreSQL for HA) implements Store and Tx. Every method
/// is blocking: call it on the blocking thread pool, never on an I/O thread. A state
/// change and the outbox messages it causes are written through one Tx, so they commit
/// together or not at all (transactional outbox).
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/page_settings.hpp"
#include "tocsin/domain/page_state.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::store {

struct IncidentFilter {
    std::optional<domain::IncidentKind> kind;
    std::vector<domain::IncidentStatus> statuses;  // empty: any
    std::optional<TimePoint> since;                // started_at >= since
    std::optional<TimePoint> until;                // started_at < until
    std::string query;                             // substring of the name, case-insensitive
    int limit = 50;
    int offset = 0;
};

struct ApiToken {
    std::string id;
    std::string name;
    std::string role;  // owner | responder | stakeholder (auth owns the meaning)
    TimePoint created_at{};
    std::optional<TimePoint> revoked_at;
};

struct User {
    std::string id;
    std::string email;
    std::string name;
    std::string role;
    std::string password_hash;  // argon2id encoded string
    TimePoint created_at{};
};

/// A message for a later sender (notifications, webhooks). The idempotency key makes a
/// second enqueue of the same event a no-op and travels with the delivery.
struct OutboxMessage {
    std::string topic;
    std::string idempotency_key;
    std::string payload;  // JSON
    TimePoint created_at{};
};

/// One open transaction. Obtained only inside Store::Write / Store::Read; not thread-safe;
/// every error is a value, and an error returned from the callback rolls everything back.
class Tx {
public:
    virtual ~Tx() = default;

    // Page settings: exactly one row, created by the first migration.
    [[nodiscard]] virtual Result<domain::PageSettings> GetPageSettings() = 0;
    [[nodiscard]] virtual Result<void> SavePageSettings(const domain::PageSettings& s) = 0;

    // Components, ordered by position then name.
    [[nodiscard]] virtual Result<std::vector<domain::Component>> ListComponents() = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Component>> GetComponent(const std::string& id) = 0;
    [[nodiscard]] virtual Result<void> InsertComponent(const domain::Component& c) = 0;
    /// Replaces every field of the row with the same id; NotFound if there is none.
    [[nodiscard]] virtual Result<void> UpdateComponent(const domain::Component& c) = 0;
    /// Deletes the component; its children lose their group; incidents lose the link.
    [[nodiscard]] virtual Result<void> DeleteComponent(const std::string& id) = 0;

    // Incidents and maintenances, newest first (started_at, then created_at), each with its
    // component ids and its updates (newest first).
    [[nodiscard]] virtual Result<std::vector<domain::Incident>> ListIncidents(const IncidentFilter& f) = 0;
    [[nodiscard]] virtual Result<std::int64_t> CountIncidents(const IncidentFilter& f) = 0;
    [[nodiscard]] virtual Result<std::optional<domain::Incident>> GetIncident(const std::string& id) = 0;
    /// Inserts the incident, its component links and all of its updates.
    [[nodiscard]] virtual Result<void> InsertIncident(const domain::Incident& i) = 0;
    /// Replaces the incident row and its component links; updates are left alone.
    [[nodiscard]] virtual Result<void> UpdateIncident(const domain::Incident& i) = 0;
    [[nodiscard]] virtual Result<void> DeleteIncident(const std::string& id) = 0;
    [[nodiscard]] virtual Result<void> InsertUpdate(const domain::IncidentUpdate& u) = 0;
    /// Replaces body, status, display_at, updated_at and deliver_notifications of an update.
    [[nodiscard]] virtual Result<void> UpdateUpdate(const domain::IncidentUpdate& u) = 0;
    [[nodiscard]] virtual Result<void> DeleteUpdate(const std::string& incident_id, const std::string& update_id) = 0;

    /// Adds a message unless one with the same idempotency key exists.
    [[nodiscard]] virtual Result<void> EnqueueOutbox(const OutboxMessage& m) = 0;
    [[nodiscard]] virtual Result<std::int64_t> CountOutbox() = 0;

    // API tokens: only the hash of a secret is stored.
    [[nodiscard]] virtual Result<void> InsertToken(const ApiToken& t, const std::string& secret_hash) = 0;
    [[nodiscard]] virtual Result<std::optional<ApiToken>> FindTokenByHash(const std::string& secret_hash) = 0;
    [[nodiscard]] virtual Result<std::vector<ApiToken>> ListTokens() = 0;
    [[nodiscard]] virtual Result<void> RevokeToken(const std::string& id, TimePoint at) = 0;

    // Users (the admin UI signs them in; the CLI creates them).
    [[nodiscard]] virtual Result<void> InsertUser(const User& u) = 0;
    [[nodiscard]] virtual Result<std::optional<User>> FindUserByEmail(const std::string& email) = 0;
};

class Store {
public:
    virtual ~Store() = default;

    /// Runs `fn` in one write transaction and commits if it returns success. Durable on
    /// return: a crash after Write() returned keeps the change. Blocking; thread-safe.
    [[nodiscard]] virtual Result<void> Write(const std::function<Result<void>(Tx&)>& fn) = 0;

    /// Runs `fn` in a read transaction (a consistent view). Blocking; thread-safe.
    [[nodiscard]] virtual Result<void> Read(const std::function<Result<void>(Tx&)>& fn) = 0;
};

/// Reads everything the public page shows, in one consistent view.
[[nodiscard]] Result<domain::PageState> LoadPageState(Store& store);

}  // namespace tocsin::store
