/// @file
/// @brief Authentication and role check in front of an admin handler.
#pragma once

#include "tocsin/auth/auth.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <memory>
#include <string>

namespace tocsin::api {

using GuardedHandler = std::function<void(const http::Request&, http::Response&, const auth::Principal&)>;

/// Wraps `h`: no Authorization header → 401 with WWW-Authenticate; unknown or revoked
/// token → 401; a role below `need` → 403 naming both roles.
http::Handler Guard(store::Store& store, auth::Role need, GuardedHandler h);

/// Registers `fn` of the shared API object `self` behind Guard, on the blocking pool (every
/// admin handler reads or writes the store).
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
    r.Add(
        m,
        path,
        Guard(
            store,
            need,
            [self, fn](const http::Request& q, http::Response& s, const auth::Principal& p) { ((*self).*fn)(q, s, p); }
        ),
        http::RouteOptions{.blocking = true}
    );
}

}  // namespace tocsin::api
