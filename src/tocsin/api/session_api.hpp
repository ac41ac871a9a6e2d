/// @file
/// @brief Signing in to the admin app: first-run setup, sign-in, the current session,
/// sign-out and password change under /api/v1.
///
///   GET    /api/v1/setup             no auth: {"needs_owner": bool}
///   POST   /api/v1/setup             no auth, only while there is no user: creates the owner,
///                                    signs in (201 session object + Set-Cookie), else 409
///   POST   /api/v1/session           {"email","password"} → 200 session object + Set-Cookie;
///                                    401 invalid-credentials (the same for an unknown e-mail);
///                                    429 + Retry-After after too many failures
///   GET    /api/v1/session           the session object (signed-in users only)
///   DELETE /api/v1/session           signs out: 204, the cookie is cleared
///   POST   /api/v1/session/password  {"current_password","new_password"} → 204; the user's
///                                    other sessions end
///
/// Session object: {"user": {"id","email","name","role","language"}, "csrf_token",
/// "expires_at"}. The routes behind Guard accept a cookie or a token; an API token has no
/// user, so they answer 403 `session-required` to one. Setup and sign-in refuse a foreign
/// Origin (403 `csrf`), so another site cannot sign a visitor in to an account of its own.
/// Every handler runs on the blocking pool (store, argon2id).
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <string_view>

namespace tocsin::api {

struct SessionApiDeps {
    store::Store& store;
    const Clock& clock;
    const auth::Sessions& sessions;
    /// Called with the topic ("users") after a committed change others may be showing
    /// (the owner created at setup, a password change); may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterSessionRoutes(http::Router& router, SessionApiDeps deps);

/// Whether a Set-Cookie for this request gets the Secure attribute: always, never, or (auto)
/// when X-Forwarded-Proto says the client used https.
[[nodiscard]] bool WantsSecureCookie(const http::Request& req, auth::SecureCookie mode);

/// The client's address: the last entry of `header` when configured and present (the one
/// the proxy added), else the connection's peer.
[[nodiscard]] std::string ClientAddress(const http::Request& req, const std::string& header);

}  // namespace tocsin::api
