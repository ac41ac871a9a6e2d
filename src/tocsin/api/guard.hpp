/// @file
/// @brief Authentication and role check in front of an admin handler.
#pragma once

#include "tocsin/auth/auth.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>

namespace tocsin::api {

using GuardedHandler = std::function<void(const http::Request&, http::Response&, const auth::Principal&)>;

/// Wraps `h`: no Authorization header → 401 with WWW-Authenticate; unknown or revoked
/// token → 401; a role below `need` → 403 naming both roles.
http::Handler Guard(store::Store& store, auth::Role need, GuardedHandler h);

}  // namespace tocsin::api
