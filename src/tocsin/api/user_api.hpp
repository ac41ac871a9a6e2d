/// @file
/// @brief The people who may sign in to the admin app, under /api/v1 (owner only).
///
///   GET    /api/v1/users        {"data": [user...]}, oldest first
///   POST   /api/v1/users        {"email","name","role","password","language"?} → 201 user
///   PATCH  /api/v1/users/{id}   any of name, role, language, password → 200 user
///   DELETE /api/v1/users/{id}   204
///
/// User: id, email, name, role (owner | responder | stakeholder), language (en | de),
/// created_at, last_login_at (null before the first sign-in). Password hashes never leave
/// the server. There is always at least one owner: deleting or demoting the last one is a
/// 409. A role or password change, or deletion, ends every session of that user (the
/// caller's own current session survives a change it makes to itself).
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string_view>

namespace tocsin::api {

struct UserApiDeps {
    store::Store& store;
    const Clock& clock;
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
    /// Called with "users" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterUserRoutes(http::Router& router, UserApiDeps deps);

/// A user as the API shows it; `full` adds created_at and last_login_at.
[[nodiscard]] boost::json::object UserJson(const store::User& u, bool full);

}  // namespace tocsin::api
