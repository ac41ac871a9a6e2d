/// @file
/// @brief Signed-in browser sessions of the admin app and the password sign-in behind them.
///
/// A session is a 256-bit random secret in an HttpOnly cookie; the store keeps only its
/// BLAKE2b hash, plus a CSRF token the app echoes in X-CSRF-Token. A session ends when
/// unused for the idle timeout, at its absolute lifetime, on sign-out, or when its user is
/// deleted or has their role or password changed. Every call here is blocking (store,
/// argon2id): run it on the blocking pool. Nothing here knows HTTP.
#pragma once

#include "tocsin/auth/auth.hpp"
#include "tocsin/auth/auth_options.hpp"
#include "tocsin/auth/login_limiter.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::auth {

/// The name of the session cookie.
inline constexpr std::string_view kSessionCookie = "tocsin_session";

/// A session together with its user, as resolved from a cookie.
struct SignedIn {
    store::Session session;
    store::User user;
};

/// A new session; `secret` goes into the cookie and is not kept anywhere.
struct NewSession {
    std::string secret;
    store::Session session;
};

class Sessions {
public:
    /// `options` must have passed Validate(). Keeps references to `store` and `clock`.
    Sessions(store::Store& store, const Clock& clock, SessionOptions options);

    [[nodiscard]] const SessionOptions& Options() const { return options_; }

    /// Starts a session for `user` and records the sign-in time (users.last_login_at).
    /// Also deletes sessions that have expired, so the table does not grow.
    [[nodiscard]] Result<NewSession> Create(
        const store::User& user, std::string_view user_agent, std::string_view client_address
    ) const;

    /// The session of a cookie value, or nullopt if it is malformed, unknown, past its
    /// lifetime or idle too long (such a session is deleted), or its user is gone.
    /// last_seen_at is written only when it is older than the touch interval.
    [[nodiscard]] Result<std::optional<SignedIn>> Resolve(std::string_view secret) const;

    /// Ends the session of a cookie value; false if there was none.
    [[nodiscard]] Result<bool> End(std::string_view secret) const;

    /// The Set-Cookie value that stores `secret` (Max-Age: the lifetime) and the one that
    /// clears the cookie. Both HttpOnly, SameSite=Strict, Path=/, and Secure when `secure`.
    [[nodiscard]] std::string Cookie(std::string_view secret, bool secure) const;
    [[nodiscard]] static std::string ClearingCookie(bool secure);

    /// The hash under which a secret is stored (HashToken); "" for a malformed secret.
    [[nodiscard]] static std::string HashSecret(std::string_view secret);

private:
    store::Store& store_;
    const Clock& clock_;
    SessionOptions options_;
};

/// Checks e-mail and password with the failure limits in front and the same work for an
/// unknown e-mail as for a wrong password (a dummy argon2id hash is verified), so neither
/// the answer nor its timing tells which e-mails have accounts.
class PasswordLogin {
public:
    PasswordLogin(store::Store& store, const Clock& clock, const SessionOptions& options);

    struct Outcome {
        std::optional<store::User> user;      // set when e-mail and password match
        std::chrono::seconds retry_after{0};  // > 0: refused by the limiter, nothing checked
    };

    /// `client_key` is the caller's client identity (e.g. api::ClientKey of its address).
    [[nodiscard]] Result<Outcome> Attempt(
        const std::string& email, std::string_view password, const std::string& client_key
    );

    /// Checks `password` against `user` (a password change's current password). No limiter.
    [[nodiscard]] static bool Verify(const store::User& user, std::string_view password);

private:
    const std::string& DummyHash();

    store::Store& store_;
    const Clock& clock_;
    LoginLimiter limiter_;
    std::once_flag dummy_once_;
    std::string dummy_hash_;
};

}  // namespace tocsin::auth
