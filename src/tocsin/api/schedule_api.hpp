/// @file
/// @brief The on-call schedule API: schedules CRUD, who is on call, shifts, overrides, the
/// per-user view, and the secret iCal feeds.
///
/// Roles: stakeholders read; responders and owners write schedules and overrides. Feed URLs:
/// POST .../ical-token creates or rotates a secret token (shown once; only its hash is kept);
/// GET /ical/schedules/{token}.ics and /ical/users/{token}.ics need no other credential and
/// serve the past week and the next 8 weeks of shifts.
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <string_view>

namespace tocsin::api {

struct ScheduleApiDeps {
    store::Store& store;
    const Clock& clock;
    const auth::Sessions* sessions = nullptr;
    /// Called with "schedules" after every committed change; may be empty.
    std::function<void(std::string_view topic)> on_change = {};
};

void RegisterScheduleRoutes(http::Router& router, ScheduleApiDeps deps);

}  // namespace tocsin::api
