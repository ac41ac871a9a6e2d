/// @file
/// @brief The intake routes of the PagerDuty, Alertmanager, Grafana and generic dialects.
///
/// Each route runs on the I/O thread and never blocks: it parses the body with the dialect's
/// pure parser, authenticates the integration key with IntakeAuth (in memory), submits the
/// events to the IntakeCommitter and answers through a deferred response once the commit is
/// durable. Nothing is answered 2xx before COMMIT.
///
/// | route                                              | key                          | ok  | errors          |
/// |----------------------------------------------------|------------------------------|-----|-----------------|
/// | POST /v2/enqueue, /integrations/pagerduty/v2/enqueue | body `routing_key`         | 202 | 400, 413, 429   |
/// | POST /v2/change/enqueue (+ /integrations/pagerduty/…) | body `routing_key`        | 202 | 400, 413, 429   |
/// | POST /integrations/alertmanager                    | Bearer, Basic password, ?key | 200 | 400, 401, 413, 503 |
/// | POST /integrations/grafana                         | Bearer, Basic password, ?key | 200 | 400, 401, 413, 503 |
/// | POST /integrations/generic/{key}                   | path, Bearer or ?key         | 202 | 400, 401, 413, 429, 503
/// |
///
/// Alertmanager retries only 5xx, so its routes answer rate limits and a full queue with 503
/// (with Retry-After), never 429. A Grafana key with a signing secret also needs Grafana's HMAC
/// signature (grafana_hmac in intake_auth.hpp; missing or wrong → 401). The generic route takes
/// a JSON array of up to alerts::generic::kMaxEvents events (more → 413) as one request; the
/// webhook answers list each event's outcome in order.
#pragma once

#include "tocsin/api/intake_auth.hpp"
#include "tocsin/engine/intake_committer.hpp"
#include "tocsin/http/router.hpp"

namespace tocsin::api {

struct IntakeRouteDeps {
    IntakeAuth& auth;
    engine::IntakeCommitter& committer;
};

/// Registers the routes above; `deps` must outlive the server.
void RegisterIntakeRoutes(http::Router& router, IntakeRouteDeps deps);

}  // namespace tocsin::api
