/// @file
/// @brief Authentication, CSRF and role check in front of an admin handler.
///
/// A request authenticates with EITHER `Authorization: Bearer <token>` (scripts, probes)
/// OR the admin app's session cookie (auth::kSessionCookie). The header wins when both are
/// sent. With the cookie, POST/PUT/PATCH/DELETE also need `X-CSRF-Token` equal to the
/// session's token, and any request whose Origin header names another host than its Host
/// header is refused; both give 403 with problem type `csrf`.
#pragma once

#include "tocsin/auth/auth.hpp"
#include "tocsin/auth/session.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::api {

using GuardedHandler = std::function<void(const http::Request&, http::Response&, const auth::Principal&)>;

/// Wraps `h`: no credentials → 401 with WWW-Authenticate; unknown or revoked token, or an
/// ended session → 401; cookie without a valid CSRF token or from a foreign Origin → 403
/// `csrf`; a role below `need` → 403 naming both roles. `sessions` may be null: then only
/// tokens are accepted. Runs the store lookups where it is called (the blocking pool).
http::Handler Guard(store::Store& store, const auth::Sessions* sessions, auth::Role need, GuardedHandler h);
/// Tokens only (the same as passing no Sessions).
http::Handler Guard(store::Store& store, auth::Role need, GuardedHandler h);

/// The value of cookie `name` in the request's Cookie header(s), nullopt if absent.
[[nodiscard]] std::optional<std::string> CookieValue(const http::Request& req, std::string_view name);

/// True unless the request has an Origin header that is not `scheme://<its Host header>`
/// (any scheme; "null" is foreign).
[[nodiscard]] bool IsSameOrigin(const http::Request& req);

/// True for POST, PUT, PATCH and DELETE (and unknown methods): the ones that need CSRF proof.
[[nodiscard]] bool IsUnsafeMethod(http::Method m);

/// Registers `fn` of the shared API object `self` behind Guard, on the blocking pool (every
/// admin handler reads or writes the store).
template <class Api>
void AddGuarded(
    http::Router& r,
    store::Store& store,
    const auth::Sessions* sessions,
    const std::shared_ptr<Api>& self,
    http::Method m,
    const std::string& path,
    auth::Role need,
    void (Api::*fn)(const http::Request&, http::Response&, const auth::Principal&)
) {
    r.Add(
        m,
        path,
        Guard(
            store,
            sessions,
            need,
            [self, fn](const http::Request& q, http::Response& s, const auth::Principal& p) { ((*self).*fn)(q, s, p); }
        ),
        http::RouteOptions{.blocking = true}
    );
}

/// Tokens only (see above).
template <class Api>
void AddGuarded(
    http::Router& r,
    store::Store& store,
    const std::shared_ptr<Api>& self,
    http::Method m,
    const std::string& path,
    auth::Role need,
    void (Api::*fn)(const http::Request&, http::Response&, const auth::Principal&)
) {
    AddGuarded(r, store, nullptr, self, m, path, need, fn);
}

}  // namespace tocsin::api
