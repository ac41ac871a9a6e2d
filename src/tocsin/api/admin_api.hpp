/// @file
/// @brief The authenticated admin REST API under /api/v1.
///
/// Field names follow Statuspage's management API v1 where the concept is the same, so
/// scripts port with little change. Every route requires a Bearer token; reads need the
/// stakeholder role, incident and component writes responder, settings and tokens owner.
/// Handlers run on the blocking pool (they use the store). After each committed write,
/// `on_change` runs before the response is sent, so the public page already shows it.
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>

namespace tocsin::api {

struct AdminApiDeps {
    store::Store& store;
    const Clock& clock;
    std::function<void()> on_change;
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
};

void RegisterAdminRoutes(http::Router& router, AdminApiDeps deps);

}  // namespace tocsin::api
