/// @file
/// @brief The admin API of alert intake: services and their integration keys, alerts and alert
/// incidents (list, get with log, acknowledge, resolve, note, merge, split), silences and the
/// severity map.
///
/// Roles: stakeholders read; responders act on alerts, incidents and silences; owners manage
/// services, keys and the severity map. A key's secret is shown once, in the answer to its
/// creation or rotation; lists never show it.
#pragma once

#include "tocsin/api/intake_auth.hpp"
#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <string_view>

namespace tocsin::api {

struct AlertApiDeps {
    store::Store& store;
    const Clock& clock;
    /// Updated on key create/rotate/revoke so intake sees the change at once.
    IntakeAuth& intake_auth;
    const auth::Sessions* sessions = nullptr;
    /// Called with "alerts" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterAlertRoutes(http::Router& router, AlertApiDeps deps);

}  // namespace tocsin::api
