/// @file
/// @brief Options of signed-in sessions (the `admin:` section of the config file).
#pragma once

#include "tocsin/common/result.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::auth {

/// When the session cookie carries the Secure attribute.
enum class SecureCookie {
    kAuto,    // when the request came over TLS (X-Forwarded-Proto: https from the proxy)
    kAlways,  // always (the server is only reachable through HTTPS)
    kNever,   // never (plain-HTTP test setups)
};

inline std::optional<SecureCookie> ParseSecureCookie(std::string_view s) {
    if (s == "auto") return SecureCookie::kAuto;
    if (s == "always") return SecureCookie::kAlways;
    if (s == "never") return SecureCookie::kNever;
    return std::nullopt;
}

struct SessionOptions {
    /// A session unused this long ends.
    std::chrono::milliseconds idle_timeout = std::chrono::hours(12);
    /// A session ends this long after sign-in, however busy.
    std::chrono::milliseconds lifetime = std::chrono::hours(24 * 7);
    SecureCookie secure_cookie = SecureCookie::kAuto;
    /// last_seen_at is written at most this often per session (not on every request).
    std::chrono::milliseconds touch_interval = std::chrono::minutes(1);

    /// Failed sign-ins per e-mail address and per client address within `failure_window`
    /// before further attempts get 429 until the window ends.
    int failures_per_email = 5;
    int failures_per_client = 20;
    std::chrono::seconds failure_window = std::chrono::minutes(15);
    /// Keys each failure counter remembers (least recently used forgotten first).
    std::size_t max_tracked = 10000;

    /// Behind a reverse proxy: the header naming the client ("X-Forwarded-For": its last
    /// entry). Empty: the connection's peer address.
    std::string client_address_header;

    [[nodiscard]] Result<void> Validate() const {
        using std::chrono::minutes;
        if (idle_timeout < minutes(1)) return Error::Invalid("admin.session_idle", "must be at least 1m");
        if (lifetime < minutes(1) || lifetime > std::chrono::hours(24 * 366)) {
            return Error::Invalid("admin.session_lifetime", "must be between 1m and 366d");
        }
        if (idle_timeout > lifetime) {
            return Error::Invalid("admin.session_idle", "must not be longer than admin.session_lifetime");
        }
        if (failures_per_email < 1 || failures_per_client < 1) {
            return Error::Invalid("admin", "login failure limits must be at least 1");
        }
        return {};
    }
};

}  // namespace tocsin::auth
