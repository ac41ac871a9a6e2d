/// @file
/// @brief Monitoring under /api/v1: monitors (CRUD), their results, rollups, uptime and
/// events, heartbeat pings, and the two endpoints remote probe agents use.
///
///   GET/POST        /api/v1/monitors                    stakeholder / responder
///   GET/PATCH/DELETE /api/v1/monitors/{id}              stakeholder / responder
///   POST            /api/v1/monitors/{id}/heartbeat-token  responder (new ping URL)
///   POST            /api/v1/monitors/{id}/check         responder (run it now, answer the result)
///   GET             /api/v1/monitors/{id}/results|rollups|uptime|events   stakeholder
///   GET             /api/v1/components/{id}/uptime      stakeholder
///   GET|POST|HEAD   /api/v1/heartbeats/{token}          the token is the credential
///   GET             /api/v1/probe/assignments?location= probe
///   POST            /api/v1/probe/results               probe (acknowledged after commit)
///
/// Monitors declared in the YAML config are read-only here (409 on PATCH/DELETE).
#pragma once

#include "tocsin/auth/session.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/monitor/judge.hpp"
#include "tocsin/store/store.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::api {

struct MonitorApiDeps {
    store::Store& store;
    const Clock& clock;
    std::function<void()> on_monitors_change;  // definitions changed: reload and reschedule
    std::function<void(monitor::CheckResult, bool stored)> submit_result;
    /// Runs one check now on the local engine; nullopt if it did not finish in time.
    std::function<std::optional<monitor::CheckResult>(monitor::CheckPlan)> check_now;
    /// A committed change shows on the public page (refresh the snapshot).
    std::function<void()> on_page_change;
    /// Signed-in sessions of the admin app; null: API tokens only.
    const auth::Sessions* sessions = nullptr;
};

void RegisterMonitorRoutes(http::Router& router, MonitorApiDeps deps);

}  // namespace tocsin::api
