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
    /// Grafana dialect: the shared secret of Grafana's "HMAC signature" setting; deliveries must
    /// be signed with it. Empty: no signature required.
    std::string signing_secret;
};

/// Grafana's optional HMAC signing of webhook deliveries (contact point "HMAC signature"): the
/// signature header holds lowercase hex HMAC-SHA256 of the body, or of `timestamp + ":" + body`
/// when Grafana is configured with a timestamp header (Unix seconds).
namespace grafana_hmac {
/// The signature header Grafana's documentation names as the default.
inline constexpr std::string_view kSignatureHeader = "X-Grafana-Alerting-Signature";
/// The default in some Grafana versions' code; read when the documented one is absent.
inline constexpr std::string_view kLegacySignatureHeader = "X-Grafana-Alert-Signature";
/// Grafana has no default timestamp header; these two names (the documented example first) are read.
inline constexpr std::string_view kTimestampHeader = "X-Grafana-Alerting-Signature-Timestamp";
inline constexpr std::string_view kAltTimestampHeader = "X-Grafana-Alerting-Timestamp";
/// How far a signed timestamp may be from this server's clock, either way.
inline constexpr std::chrono::seconds kMaxSkew{300};

/// Hex HMAC-SHA256 of `body` (timestamp empty) or of `timestamp:body` under `secret`.
std::string Sign(std::string_view secret, std::string_view timestamp, std::string_view body);
/// Empty when `signature` (hex, any case) signs `body` (with `timestamp` if not empty) under
/// `secret` and the timestamp is within kMaxSkew of `now`; else what is wrong, for a 401.
/// The comparison takes constant time.
std::string Problem(
    std::string_view secret,
    std::string_view body,
    std::string_view timestamp,
    std::string_view signature,
    TimePoint now
);
/// The secret kept in a Grafana key's stored mapping ({"signing_secret": "..."}); empty if none.
std::string SecretOf(std::string_view mapping_json);
}  // namespace grafana_hmac

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

    /// The clock the rate limit reads (signature timestamps are checked against it too).
    [[nodiscard]] TimePoint Now() const { return clock_.Now(); }

    /// The hash stored for a secret (the store never sees secrets).
    static std::string HashSecret(std::string_view secret);
    /// A new secret: 32 lowercase hex characters (PagerDuty clients check the length).
    static std::string NewSecret();

private:
    struct Entry {
        std::string key_id, service_id, mapping_json, signing_secret;
        alerts::Dialect dialect = alerts::Dialect::kGeneric;
    };
    const Clock& clock_;
    IntakeRateOptions options_;
    std::mutex mu_;
    std::unordered_map<std::string, Entry> by_hash_;
    std::unordered_map<std::string, TimePoint> tat_;  // GCRA theoretical arrival time per key id
};

}  // namespace tocsin::api
