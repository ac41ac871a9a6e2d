/// @file
/// @brief Integration-key authentication and per-key rate limiting for the intake routes.
///
/// Every active (not revoked) key's hash is held in memory: Load() reads them at startup and
/// the admin API calls Put()/Forget() when it creates, rotates or revokes one, so Check() never
/// touches the store and may run on an I/O thread. The rate limit is GCRA per key: `per_minute`
/// sustained with bursts of `burst`.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tocsin::api {

struct IntakeRateOptions {
    int per_minute = 120;  // sustained events per minute per key
    int burst = 60;        // requests allowed at once above the sustained rate
};

/// Resolves a presented integration key of `dialect` (hashed lookup, revoked → nullopt) and checks
/// its rate limit (GCRA per key). Throws nothing; the route shapes the dialect's error body.
struct IntakeKey {
    std::string key_id, service_id;
    bool rate_limited = false;
    std::chrono::seconds retry_after{};
    std::string mapping_json;  // generic dialect: the key's field mapping (JSON object text); else empty
};

class IntakeAuth {
public:
    IntakeAuth(const Clock& clock, IntakeRateOptions options = {});

    /// Replaces the cache with the store's active keys. Blocking (reads the store).
    [[nodiscard]] Result<void> Load(store::Store& store);

    /// The key for `secret` if it is active and of `dialect`; rate_limited set (and the request
    /// not counted) when over its limit. Thread-safe, never blocks on I/O.
    std::optional<IntakeKey> Check(alerts::Dialect dialect, std::string_view secret);

    /// Adds or replaces an active key (after create or rotate). Thread-safe.
    void Put(
        const std::string& secret_hash,
        const std::string& key_id,
        const std::string& service_id,
        alerts::Dialect dialect,
        const std::string& mapping_json
    );
    /// Drops every cached hash of `key_id` (after rotate or revoke). Thread-safe.
    void Forget(const std::string& key_id);

    /// The hash stored for a secret (the store never sees secrets).
    static std::string HashSecret(std::string_view secret);
    /// A new secret: 32 lowercase hex characters (PagerDuty clients check the length).
    static std::string NewSecret();

private:
    struct Entry {
        std::string key_id, service_id, mapping_json;
        alerts::Dialect dialect = alerts::Dialect::kGeneric;
    };
    const Clock& clock_;
    IntakeRateOptions options_;
    std::mutex mu_;
    std::unordered_map<std::string, Entry> by_hash_;
    std::unordered_map<std::string, TimePoint> tat_;  // GCRA theoretical arrival time per key id
};

}  // namespace tocsin::api
