#include "tocsin/api/intake_routes.hpp"

#include "tocsin/alerts/alertmanager.hpp"
#include "tocsin/alerts/generic.hpp"
#include "tocsin/alerts/grafana.hpp"
#include "tocsin/alerts/pagerduty.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/log.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>

namespace tocsin::api {

namespace json = boost::json;
using alerts::Dialect;
using alerts::IntakeEvent;
using alerts::IntakeOutcome;

namespace {

constexpr const char* kQueueFullRetryAfter = "1";

void Json(http::Response& res, int status, const json::value& v) {
    res.status = status;
    res.content_type = "application/json";
    res.body = json::serialize(v);
}

// ---- PagerDuty -------------------------------------------------------------------------------

json::array ErrorArray(const std::vector<std::string>& errors) {
    json::array a;
    for (const auto& e : errors) a.emplace_back(e);
    return a;
}

void PagerDutyInvalid(http::Response& res, int status, const std::vector<std::string>& errors) {
    Json(
        res,
        status,
        json::object{
            {"status", "invalid event"}, {"message", "Event object is invalid"}, {"errors", ErrorArray(errors)}}
    );
}

void PagerDutyRetryLater(http::Response& res, int status, std::string_view why, std::chrono::seconds after) {
    Json(res, status, json::object{{"status", "throttle event"}, {"message", why}});
    res.SetHeader("Retry-After", std::to_string(std::max<long long>(1, after.count())));
}

/// A dedup key for a trigger sent without one, returned in the 202 body like PagerDuty does.
std::string GeneratedDedupKey() {
    return NewId() + NewId();
}

void HandlePagerDuty(IntakeRouteDeps deps, bool change, const http::Request& req, http::Response& res) {
    if (req.body.size() > alerts::pagerduty::kMaxBodyBytes) {
        PagerDutyInvalid(
            res,
            413,
            {"the event is " + std::to_string(req.body.size()) + " bytes, over the limit of " +
             std::to_string(alerts::pagerduty::kMaxBodyBytes) + " bytes"}
        );
        return;
    }
    alerts::pagerduty::Parsed parsed =
        change ? alerts::pagerduty::ParseChangeEvent(req.body) : alerts::pagerduty::ParseAlertEvent(req.body);
    if (parsed.unrecognized) {
        Json(
            res,
            400,
            json::object{
                {"status", "Unrecognized object"},
                {"message", "Event object format is unrecognized"},
                {"errors", ErrorArray(parsed.errors)}}
        );
        return;
    }
    if (!parsed.Ok()) {
        PagerDutyInvalid(res, 400, parsed.errors);
        return;
    }
    auto key = deps.auth.Check(Dialect::kPagerDuty, parsed.routing_key);
    if (!key) {
        PagerDutyInvalid(res, 400, {"'routing_key' is not an active PagerDuty-dialect integration key of this server"});
        return;
    }
    if (key->rate_limited) {
        PagerDutyRetryLater(
            res, 429, "Requests for this integration key arrive too fast; retry later", key->retry_after
        );
        return;
    }
    IntakeEvent e = std::move(parsed.event);
    e.integration_key_id = key->key_id;
    e.service_id = key->service_id;
    if (!change && e.action == alerts::IntakeAction::kTrigger && e.identifier.empty()) {
        e.identifier = GeneratedDedupKey();
    }
    std::string dedup_key = e.identifier;
    auto deferred = std::make_shared<http::Deferred>();
    std::vector<IntakeEvent> events;
    events.push_back(std::move(e));
    bool queued =
        deps.committer.Submit(std::move(events), [deferred, dedup_key, change](Result<std::vector<IntakeOutcome>> r) {
            http::Response out;
            if (!r) {
                Json(out, 503, json::object{{"status", "error"}, {"message", "The event could not be stored; retry"}});
                out.SetHeader("Retry-After", kQueueFullRetryAfter);
            } else {
                std::string answered_key = dedup_key;
                if (!r->empty() && !r->front().dedup_key.empty()) answered_key = r->front().dedup_key;
                json::object body{
                    {"status", "success"}, {"message", change ? "Change event processed" : "Event processed"}};
                if (!change) body["dedup_key"] = answered_key;
                Json(out, 202, body);
            }
            deferred->Complete(std::move(out));
        });
    if (!queued) {
        PagerDutyRetryLater(res, 429, "The server is receiving too many events; retry later", std::chrono::seconds(1));
        return;
    }
    res.deferred = std::move(deferred);
}

// ---- Alertmanager, Grafana and generic: key in a header, the query or the path ----------------

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::optional<std::string> DecodeBase64(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        int v = value(c);
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buf >> bits) & 0xFF));
        }
    }
    return out;
}

/// The presented key: `Authorization: Bearer <key>` (Alertmanager's http_config
/// authorization), `Authorization: Basic` with the key as password, else `?key=`.
std::string PresentedKey(const http::Request& req) {
    std::string_view auth = req.Header("Authorization");
    if (!auth.empty()) {
        auto space = auth.find(' ');
        std::string scheme = Lower(auth.substr(0, space));
        std::string_view rest = space == std::string_view::npos ? std::string_view() : auth.substr(space + 1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (scheme == "bearer" || scheme == "token") return std::string(rest);
        if (scheme == "basic") {
            if (auto decoded = DecodeBase64(rest)) {
                auto colon = decoded->find(':');
                return colon == std::string::npos ? *decoded : decoded->substr(colon + 1);
            }
            return {};
        }
    }
    return req.QueryParam("key").value_or("");
}

void Unauthorized(http::Response& res, std::string_view detail) {
    http::WriteProblem(res, 401, "unauthorized", detail);
    res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin intake\"");
}

void TooLarge(http::Response& res, std::size_t limit) {
    http::WriteProblem(res, 413, "body-too-large", "the body exceeds the limit of " + std::to_string(limit) + " bytes");
}

void Unavailable(http::Response& res, std::string_view detail, std::chrono::seconds after) {
    http::WriteProblem(res, 503, "unavailable", detail);
    res.SetHeader("Retry-After", std::to_string(std::max<long long>(1, after.count())));
}

/// Submits `events` and answers `ok_status` after COMMIT, 503 on a store failure or a full queue.
void SubmitAndAnswer(IntakeRouteDeps deps, std::vector<IntakeEvent> events, int ok_status, http::Response& res) {
    const std::size_t n = events.size();
    if (n == 0) {
        Json(
            res,
            ok_status,
            json::object{
                {"status", "success"},
                {"events", 0},
                {"applied", 0},
                {"dedup_keys", json::array{}},
                {"outcomes", json::array{}}}
        );
        return;
    }
    auto deferred = std::make_shared<http::Deferred>();
    bool queued = deps.committer.Submit(std::move(events), [deferred, ok_status](Result<std::vector<IntakeOutcome>> r) {
        http::Response out;
        if (!r) {
            Unavailable(
                out, "the events could not be stored: " + r.error().message + "; retry", std::chrono::seconds(1)
            );
        } else {
            json::array keys, outcomes;
            std::size_t applied = 0;
            for (const auto& o : *r) {
                keys.emplace_back(o.dedup_key);
                if (o.applied) ++applied;
                // What became of each event, in the order sent (a dropped resolve says why).
                json::object one{{"applied", o.applied}, {"status", o.status}, {"dedup_key", o.dedup_key}};
                if (!o.alert_id.empty()) one["alert_id"] = o.alert_id;
                outcomes.emplace_back(std::move(one));
            }
            Json(
                out,
                ok_status,
                json::object{
                    {"status", "success"},
                    {"events", r->size()},
                    {"applied", applied},
                    {"dedup_keys", keys},
                    {"outcomes", outcomes}}
            );
        }
        deferred->Complete(std::move(out));
    });
    if (!queued) {
        Unavailable(res, "the server is receiving too many events; retry", std::chrono::seconds(1));
        return;
    }
    res.deferred = std::move(deferred);
}

void Fill(std::vector<IntakeEvent>& events, const IntakeKey& key) {
    for (auto& e : events) {
        e.integration_key_id = key.key_id;
        e.service_id = key.service_id;
    }
}

void HandleGroupWebhook(IntakeRouteDeps deps, Dialect dialect, const http::Request& req, http::Response& res) {
    const std::size_t limit = alerts::alertmanager::kMaxBodyBytes;
    std::string secret = PresentedKey(req);
    if (secret.empty()) {
        Unauthorized(res, "send the integration key as 'Authorization: Bearer <key>' or ?key=<key>");
        return;
    }
    auto key = deps.auth.Check(dialect, secret);
    if (!key) {
        Unauthorized(
            res,
            std::string("the key is not an active ") + std::string(alerts::ToString(dialect)) +
                " integration key of this server"
        );
        return;
    }
    if (req.body.size() > limit) {
        TooLarge(res, limit);
        return;
    }
    if (dialect == Dialect::kGrafana && !key->signing_secret.empty()) {
        namespace gh = grafana_hmac;
        std::string_view signature = req.Header(gh::kSignatureHeader);
        if (signature.empty()) signature = req.Header(gh::kLegacySignatureHeader);
        std::string_view timestamp = req.Header(gh::kTimestampHeader);
        if (timestamp.empty()) timestamp = req.Header(gh::kAltTimestampHeader);
        std::string problem = gh::Problem(key->signing_secret, req.body, timestamp, signature, deps.auth.Now());
        if (!problem.empty()) {
            Unauthorized(res, problem);
            return;
        }
    }
    if (key->rate_limited) {
        // Alertmanager and Grafana retry only 5xx: a 429 would lose the notification.
        Unavailable(res, "too many requests for this integration key; retry", key->retry_after);
        return;
    }
    auto parsed = dialect == Dialect::kGrafana ? alerts::grafana::ParseWebhook(req.body)
                                               : alerts::alertmanager::ParseWebhook(req.body, dialect);
    if (!parsed) throw http::HttpError(400, "invalid-field", parsed.error().message, parsed.error().field);
    Fill(*parsed, *key);
    SubmitAndAnswer(deps, std::move(*parsed), 200, res);
}

void HandleGeneric(IntakeRouteDeps deps, const http::Request& req, http::Response& res) {
    std::string secret(req.Param("key"));
    if (secret.empty()) secret = PresentedKey(req);
    auto key = deps.auth.Check(Dialect::kGeneric, secret);
    if (!key) {
        Unauthorized(res, "the key is not an active generic-webhook integration key of this server");
        return;
    }
    if (req.body.size() > alerts::generic::kMaxBodyBytes) {
        TooLarge(res, alerts::generic::kMaxBodyBytes);
        return;
    }
    if (key->rate_limited) {
        http::WriteProblem(res, 429, "rate-limited", "too many requests for this integration key; retry later");
        res.SetHeader("Retry-After", std::to_string(std::max<long long>(1, key->retry_after.count())));
        return;
    }
    auto mapping = alerts::generic::ParseMapping(key->mapping_json);
    if (!mapping) {
        // Stored mappings are validated when saved; one that no longer parses is our problem.
        throw http::HttpError(
            500, "internal", "the integration key's field mapping is invalid: " + mapping.error().message
        );
    }
    auto parsed = alerts::generic::Parse(req.body, *mapping);
    if (!parsed && alerts::generic::IsTooManyEvents(parsed.error())) {
        http::WriteProblem(res, 413, "too-many-events", parsed.error().message, "events");
        return;
    }
    if (!parsed) throw http::HttpError(400, "invalid-field", parsed.error().message, parsed.error().field);
    Fill(*parsed, *key);
    for (auto& e : *parsed) {
        if (e.action == alerts::IntakeAction::kTrigger && e.identifier.empty()) e.identifier = GeneratedDedupKey();
    }
    SubmitAndAnswer(deps, std::move(*parsed), 202, res);
}

}  // namespace

void RegisterIntakeRoutes(http::Router& router, IntakeRouteDeps deps) {
    for (std::string prefix : {"", "/integrations/pagerduty"}) {
        router.Add(http::Method::kPost, prefix + "/v2/enqueue", [deps](const http::Request& req, http::Response& res) {
            HandlePagerDuty(deps, false, req, res);
        });
        router.Add(
            http::Method::kPost,
            prefix + "/v2/change/enqueue",
            [deps](const http::Request& req, http::Response& res) { HandlePagerDuty(deps, true, req, res); }
        );
    }
    router
        .Add(http::Method::kPost, "/integrations/alertmanager", [deps](const http::Request& req, http::Response& res) {
            HandleGroupWebhook(deps, Dialect::kAlertmanager, req, res);
        });
    router.Add(http::Method::kPost, "/integrations/grafana", [deps](const http::Request& req, http::Response& res) {
        HandleGroupWebhook(deps, Dialect::kGrafana, req, res);
    });
    router.Add(http::Method::kPost, "/integrations/generic", [deps](const http::Request& req, http::Response& res) {
        HandleGeneric(deps, req, res);
    });
    router.Add(
        http::Method::kPost,
        "/integrations/generic/{key}",
        [deps](const http::Request& req, http::Response& res) { HandleGeneric(deps, req, res); }
    );
}

}  // namespace tocsin::api
