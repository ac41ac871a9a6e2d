/// @file
/// @brief The Opsgenie-compatible API: Alert API v2 and Heartbeat API under /v2, behind
/// `Authorization: GenieKey <integration key>` of an opsgenie-dialect key.
///
///   POST            /v2/alerts                             create → 202 after COMMIT
///   GET             /v2/alerts                             list (the key's service, newest first)
///   GET             /v2/alerts/{identifier}                one alert (?identifierType=id|alias|tiny)
///   DELETE          /v2/alerts/{identifier}                "delete" → 202: closes the alert and logs
///                                                          "deleted via Opsgenie API" (logs are
///                                                          append-only; the alert stays)
///   POST            /v2/alerts/{identifier}/{action}       acknowledge, unacknowledge, close, notes,
///                                                          snooze, escalate, assign, tags → 202
///   PUT             /v2/alerts/{identifier}/{action}       priority, message, description → 202
///   GET             /v2/alerts/requests/{requestId}        what became of a request (truthful)
///   POST|GET        /v2/heartbeats                         create (201) | list
///   GET|PATCH|DELETE /v2/heartbeats/{name}                 one heartbeat
///   POST            /v2/heartbeats/{name}/enable|disable
///   GET|HEAD|POST|PUT /v2/heartbeats/{name}/ping           202 "PONG - Heartbeat received"
///   any other method or path under /v2/alerts/{identifier}/… and /v2/heartbeats/{name}/…
///                                                          404 {message naming the path}
///
/// Every answer carries Opsgenie's envelope: success `{result|data, took, requestId}`, errors
/// `{message, took, requestId}` with 400 (not JSON), 401 (bad key), 404, 422 (semantic, with
/// `errors` naming the field), 429 (rate limit, Retry-After), 503 (store failure). Alert writes
/// and their request record are committed in ONE transaction before the 202, so a request id
/// that was answered can always be looked up. Alerts and heartbeats are scoped to the key's
/// service (alerts) or the key itself (heartbeats, as Opsgenie names them per integration).
#pragma once

#include "tocsin/api/intake_auth.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <functional>

namespace tocsin::api {

struct OpsgenieApiDeps {
    store::Store& store;
    const Clock& clock;
    IntakeAuth& auth;
    /// Called after a committed alert change (e.g. to wake the paging engine); may be empty.
    std::function<void()> on_alert_change;
};

/// Registers the routes above. Every handler runs on the blocking pool (store access).
void RegisterOpsgenieRoutes(http::Router& router, OpsgenieApiDeps deps);

}  // namespace tocsin::api
