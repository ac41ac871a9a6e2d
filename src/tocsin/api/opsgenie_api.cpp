#include "tocsin/api/opsgenie_api.hpp"

#include "tocsin/alerts/opsgenie.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/service/alert_ops.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tocsin::api {
namespace {

namespace json = boost::json;
namespace og = alerts::opsgenie;
using alerts::IdentifierType;
using alerts::IntakeEvent;
using alerts::IntakeOutcome;

// One request being answered: its id and the start of its handling (for `took`).
struct Call {
    std::string request_id;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

    [[nodiscard]] double Took() const {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
        return static_cast<double>(us.count()) / 1e6;
    }
};

// Opsgenie request ids are UUIDs; clients store and echo them, none parse them.
std::string NewRequestId() {
    std::string hex = IntakeAuth::NewSecret();  // 32 random lowercase hex digits
    hex[12] = '4';                              // version 4
    hex[16] = "89ab"[hex[16] % 4];              // RFC 4122 variant
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

void Send(http::Response& res, int status, json::object body, const Call& call) {
    body["took"] = call.Took();
    body["requestId"] = call.request_id;
    res.status = status;
    res.content_type = "application/json";
    res.body = json::serialize(body);
    res.SetHeader("X-Request-ID", call.request_id);
}

void SendError(
    http::Response& res, int status, const std::string& message, const Call& call, const std::string& field = {}
) {
    json::object body{{"message", message}};
    if (!field.empty()) body["errors"] = json::object{{field, message}};
    Send(res, status, std::move(body), call);
}

void SendError(http::Response& res, const og::ApiError& e, const Call& call) {
    SendError(res, e.status, e.message, call, e.field);
}

void SendStoreError(http::Response& res, const Error& e, const Call& call) {
    Logger("api")->error("[api.opsgenie] store: {}", e.message);
    SendError(res, 503, "The request could not be processed now; retry later", call);
}

// `Authorization: GenieKey <key>` (scheme case-insensitive); `?apiKey=` as the v1 API had it.
std::string PresentedKey(const http::Request& req) {
    std::string_view h = req.Header("Authorization");
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    constexpr std::string_view kScheme = "geniekey";
    if (h.size() > kScheme.size() && h[kScheme.size()] == ' ') {
        bool match = true;
        for (std::size_t i = 0; i < kScheme.size(); ++i) {
            match = match && std::tolower(static_cast<unsigned char>(h[i])) == kScheme[i];
        }
        if (match) {
            std::string_view k = h.substr(kScheme.size() + 1);
            while (!k.empty() && k.front() == ' ') k.remove_prefix(1);
            while (!k.empty() && k.back() == ' ') k.remove_suffix(1);
            return std::string(k);
        }
    }
    return req.QueryParam("apiKey").value_or("");
}

// The authenticated key, or nullopt with 401/429 already written.
std::optional<IntakeKey> Authenticate(
    IntakeAuth& auth, const http::Request& req, http::Response& res, const Call& call
) {
    std::string presented = PresentedKey(req);
    if (presented.empty()) {
        SendError(res, 401, "Could not authenticate: send 'Authorization: GenieKey <integration key>'", call);
        return std::nullopt;
    }
    auto key = auth.Check(alerts::Dialect::kOpsgenie, presented);
    if (!key) {
        SendError(res, 401, "Could not authenticate: unknown, revoked or non-Opsgenie integration key", call);
        return std::nullopt;
    }
    if (key->rate_limited) {
        SendError(res, 429, "Too many requests for this integration key; retry later", call);
        res.SetHeader("Retry-After", std::to_string(std::max<long long>(1, key->retry_after.count())));
        res.SetHeader("X-RateLimit-State", "THROTTLED");
        return std::nullopt;
    }
    return key;
}

// Applies one request's events and records its outcome for GET /v2/alerts/requests/{id}, in
// one transaction: once the 202 is sent, both are durable.
Result<IntakeOutcome> ApplyAndRecord(
    store::Store& store, TimePoint now, IntakeEvent event, std::string_view action, std::string alias
) {
    IntakeOutcome outcome;
    const std::string key_id = event.integration_key_id;
    const std::string request_id = event.request_id;
    TOCSIN_TRY(store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(outcomes, service::ApplyIntake(tx, now, {event}));
        if (!outcomes.empty()) outcome = outcomes.front();
        alerts::IntakeRequestRecord rec;
        rec.id = request_id;
        rec.integration_key_id = key_id;
        rec.action = std::string(action);
        rec.success = outcome.applied;
        rec.status = outcome.status.empty() ? (outcome.applied ? "Processed" : "Failed") : outcome.status;
        rec.alert_id = outcome.alert_id;
        rec.alias = !outcome.dedup_key.empty() ? outcome.dedup_key : alias;
        rec.processed_at = now;
        return tx.SaveIntakeRequest(rec);
    }));
    return outcome;
}

json::array TagsJson(const std::vector<std::string>& tags) {
    json::array a;
    for (const auto& t : tags) a.emplace_back(t);
    return a;
}

json::value ParsedOr(const std::string& text, json::value fallback) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec ? fallback : v;
}

// An alert in the shape of Opsgenie's Get Alert response.
json::object AlertJson(const alerts::Alert& a, TimePoint now) {
    json::object o{
        {"id", a.id},
        {"tinyId", std::to_string(a.tiny_id)},
        {"alias", a.dedup_key},
        {"message", a.summary},
        {"status", a.IsOpen() ? "open" : "closed"},
        {"acknowledged", a.state == alerts::AlertState::kAcknowledged || a.acknowledged_at.has_value()},
        {"isSeen", a.acknowledged_at.has_value()},
        {"tags", TagsJson(a.tags)},
        {"snoozed", a.IsSnoozedAt(now)},
        {"count", a.count},
        {"lastOccurredAt", FormatIso8601(a.last_event_at)},
        {"createdAt", FormatIso8601(a.created_at)},
        {"updatedAt", FormatIso8601(a.updated_at)},
        {"source", a.source},
        {"owner", a.acknowledged_by},
        {"priority", og::PriorityText(a.priority)},
        {"responders", ParsedOr(a.responders_json, json::array{})},
        {"integration", json::object{{"id", a.integration_key_id}, {"type", alerts::ToString(a.dialect)}}},
        {"entity", a.entity},
        {"description", a.description},
        {"details", ParsedOr(a.details_json, json::object{})},
    };
    if (a.snoozed_until) o["snoozedUntil"] = FormatIso8601(*a.snoozed_until);
    return o;
}

// The alert `identifier` of `type` if it belongs to `service_id`.
Result<std::optional<alerts::Alert>> FindAlert(
    store::Tx& tx, const std::string& service_id, const std::string& identifier, IdentifierType type
) {
    std::optional<alerts::Alert> a;
    if (type == IdentifierType::kDedupKey) {
        TOCSIN_ASSIGN(open, tx.FindOpenAlert(service_id, identifier));
        if (open) return open;
        TOCSIN_ASSIGN(latest, tx.FindLatestAlert(service_id, identifier));
        return latest;
    }
    if (type == IdentifierType::kTinyId) {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(identifier.data(), identifier.data() + identifier.size(), n);
        if (ec != std::errc{} || p != identifier.data() + identifier.size()) return std::optional<alerts::Alert>{};
        TOCSIN_ASSIGN(found, tx.GetAlertByTinyId(n));
        a = found;
    } else {
        TOCSIN_ASSIGN(found, tx.GetAlert(identifier));
        a = found;
    }
    if (a && a->service_id != service_id) a.reset();
    return a;
}

// ---- alerts ---------------------------------------------------------------------------------

void CreateAlert(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    og::RequestContext ctx{deps.clock.Now(), std::string(req.remote_address), call.request_id};
    auto parsed = og::ParseCreate(req.body, ctx);
    if (auto* err = std::get_if<og::ApiError>(&parsed)) return SendError(res, *err, call);
    auto event = std::get<IntakeEvent>(std::move(parsed));
    event.integration_key_id = key->key_id;
    event.service_id = key->service_id;
    std::string alias = event.identifier;
    auto outcome = ApplyAndRecord(deps.store, ctx.now, std::move(event), "Create", alias);
    if (!outcome) return SendStoreError(res, outcome.error(), call);
    if (deps.on_alert_change) deps.on_alert_change();
    Send(res, 202, json::object{{"result", "Request will be processed"}}, call);
}

void AlertAction(const OpsgenieApiDeps& deps, bool is_put, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    auto action = og::ActionFromPath(req.Param("action"), is_put);
    if (!action) {
        return SendError(
            res,
            404,
            "Unknown alert action '" + std::string(req.Param("action")) + "' for " + (is_put ? "PUT" : "POST"),
            call
        );
    }
    auto type = og::ParseIdentifierType(req.QueryParam("identifierType"));
    if (auto* err = std::get_if<og::ApiError>(&type)) return SendError(res, *err, call);
    og::RequestContext ctx{deps.clock.Now(), std::string(req.remote_address), call.request_id};
    std::string identifier(req.Param("identifier"));
    auto parsed = og::ParseAction(*action, identifier, std::get<IdentifierType>(type), req.body, ctx);
    if (auto* err = std::get_if<og::ApiError>(&parsed)) return SendError(res, *err, call);
    auto event = std::get<IntakeEvent>(std::move(parsed));
    event.integration_key_id = key->key_id;
    event.service_id = key->service_id;
    std::string alias = std::get<IdentifierType>(type) == IdentifierType::kDedupKey ? identifier : "";
    auto outcome = ApplyAndRecord(deps.store, ctx.now, std::move(event), og::ActionName(*action), alias);
    if (!outcome) return SendStoreError(res, outcome.error(), call);
    if (outcome->applied && deps.on_alert_change) deps.on_alert_change();
    Send(res, 202, json::object{{"result", "Request will be processed"}}, call);
}

// The log line of an Opsgenie delete. tocsin's logs are append-only, so a delete closes the
// alert (if it is open) and records that it was deleted; the alert and its log stay.
constexpr const char* kDeletedNote = "deleted via Opsgenie API";

// `DELETE /v2/alerts/{identifier}?identifierType=&user=&source=`: 202 like Opsgenie's delete.
void DeleteAlert(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    auto type = og::ParseIdentifierType(req.QueryParam("identifierType"));
    if (auto* err = std::get_if<og::ApiError>(&type)) return SendError(res, *err, call);
    // Opsgenie's delete takes user and source as query parameters (it has no body).
    const std::string user = req.QueryParam("user").value_or("");
    const std::string source = req.QueryParam("source").value_or("");
    if (og::CountChars(user) > og::kMaxUser) {
        return SendError(res, 422, "user can not be longer than 100 characters", call, "user");
    }
    if (og::CountChars(source) > og::kMaxSource) {
        return SendError(res, 422, "source can not be longer than 100 characters", call, "source");
    }
    og::RequestContext ctx{deps.clock.Now(), std::string(req.remote_address), call.request_id};
    const std::string identifier(req.Param("identifier"));
    auto parsed = og::ParseAction(og::AlertAction::kClose, identifier, std::get<IdentifierType>(type), "", ctx);
    if (auto* err = std::get_if<og::ApiError>(&parsed)) return SendError(res, *err, call);
    auto close = std::get<IntakeEvent>(std::move(parsed));
    close.integration_key_id = key->key_id;
    close.service_id = key->service_id;
    close.user = user;
    close.source = source.empty() ? ctx.remote_address : source;
    close.note = kDeletedNote;
    IntakeOutcome outcome;
    auto r = deps.store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(closed, service::ApplyIntake(tx, ctx.now, {close}));
        if (!closed.empty()) outcome = closed.front();
        if (!outcome.applied && !outcome.alert_id.empty()) {
            // Already closed: the deletion is still recorded in the alert's log.
            IntakeEvent note = close;
            note.action = alerts::IntakeAction::kNote;
            note.identifier = outcome.alert_id;
            note.identifier_type = IdentifierType::kId;
            TOCSIN_ASSIGN(noted, service::ApplyIntake(tx, ctx.now, {note}));
            if (!noted.empty()) outcome.applied = noted.front().applied;
        }
        if (outcome.applied) outcome.status = "Deleted alert (closed; tocsin keeps the alert and its log)";
        alerts::IntakeRequestRecord rec;
        rec.id = call.request_id;
        rec.integration_key_id = key->key_id;
        rec.action = "Delete";
        rec.success = outcome.applied;
        rec.status = outcome.status.empty() ? "Alert does not exist" : outcome.status;
        rec.alert_id = outcome.alert_id;
        rec.alias = !outcome.dedup_key.empty()                                    ? outcome.dedup_key
                    : std::get<IdentifierType>(type) == IdentifierType::kDedupKey ? identifier
                                                                                  : "";
        rec.processed_at = ctx.now;
        return tx.SaveIntakeRequest(rec);
    });
    if (!r) return SendStoreError(res, r.error(), call);
    if (outcome.applied && deps.on_alert_change) deps.on_alert_change();
    Send(res, 202, json::object{{"result", "Request will be processed"}}, call);
}

// Any other path under /v2/alerts or /v2/heartbeats: Opsgenie's 404 shape naming what is unknown.
void UnknownPath(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    SendError(
        res,
        404,
        "Unknown Opsgenie API path: " + std::string(http::ToString(req.method)) + " " + std::string(req.path) +
            " is not an action tocsin supports (see docs/opsgenie.md)",
        call
    );
}

void GetRequestStatus(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    std::optional<alerts::IntakeRequestRecord> rec;
    auto r = deps.store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(found, tx.GetIntakeRequest(std::string(req.Param("requestId"))));
        rec = found;
        return {};
    });
    if (!r) return SendStoreError(res, r.error(), call);
    if (!rec || rec->integration_key_id != key->key_id) {
        return SendError(
            res, 404, "Request with id '" + std::string(req.Param("requestId")) + "' does not exist", call
        );
    }
    json::object data{
        {"success", rec->success},
        {"action", rec->action},
        {"processedAt", FormatIso8601(rec->processed_at)},
        {"integrationId", rec->integration_key_id},
        {"isSuccess", rec->success},
        {"status", rec->status},
        {"alertId", rec->alert_id},
        {"alias", rec->alias},
    };
    Send(res, 200, json::object{{"data", std::move(data)}}, call);
}

void GetAlert(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    auto type = og::ParseIdentifierType(req.QueryParam("identifierType"));
    if (auto* err = std::get_if<og::ApiError>(&type)) return SendError(res, *err, call);
    std::string identifier(req.Param("identifier"));
    std::optional<alerts::Alert> alert;
    auto r = deps.store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(found, FindAlert(tx, key->service_id, identifier, std::get<IdentifierType>(type)));
        alert = found;
        return {};
    });
    if (!r) return SendStoreError(res, r.error(), call);
    if (!alert) return SendError(res, 404, "Alert with identifier '" + identifier + "' does not exist", call);
    Send(res, 200, json::object{{"data", AlertJson(*alert, deps.clock.Now())}}, call);
}

void ListAlerts(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    store::AlertFilter f;
    f.service_id = key->service_id;
    f.limit = 20;
    if (auto limit = req.QueryParam("limit")) {
        int n = 0;
        auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
        if (ec != std::errc{} || p != limit->data() + limit->size() || n < 1 || n > 100) {
            return SendError(res, 422, "limit must be an integer from 1 to 100", call, "limit");
        }
        f.limit = n;
    }
    // The minimal part of Opsgenie's query language that scripts use: status:open|closed.
    if (auto q = req.QueryParam("query")) {
        if (*q == "status:open" || *q == "status=open")
            f.open_only = true;
        else if (*q == "status:closed" || *q == "status=closed")
            f.state = alerts::AlertState::kResolved;
        else if (!q->empty())
            return SendError(res, 422, "query supports only status:open and status:closed", call, "query");
    }
    std::vector<alerts::Alert> found;
    auto r = deps.store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(list, tx.ListAlerts(f));
        found = std::move(list);
        return {};
    });
    if (!r) return SendStoreError(res, r.error(), call);
    json::array data;
    const TimePoint now = deps.clock.Now();
    for (const auto& a : found) data.emplace_back(AlertJson(a, now));
    Send(res, 200, json::object{{"data", std::move(data)}, {"paging", json::object{}}}, call);
}

// ---- heartbeats -----------------------------------------------------------------------------

json::object HeartbeatJson(const alerts::Heartbeat& h) {
    auto spec = og::SpecOf(h);
    json::object o{
        {"name", h.name},
        {"description", h.description},
        {"interval", h.interval},
        {"enabled", h.enabled},
        {"intervalUnit", h.interval_unit},
        {"expired", h.expired},
        {"alertMessage", spec.ExpiryMessage()},
        {"alertTags", TagsJson(spec.alert_tags)},
        {"alertPriority", og::PriorityText(spec.alert_priority)},
    };
    if (h.last_ping_at) o["lastPingTime"] = FormatIso8601(*h.last_ping_at);
    if (!spec.owner_team.empty()) o["ownerTeam"] = json::object{{"name", spec.owner_team}};
    return o;
}

json::object HeartbeatMeta(const alerts::Heartbeat& h) {
    return json::object{{"name", h.name}, {"enabled", h.enabled}, {"expired", h.expired}};
}

void CreateHeartbeat(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    auto parsed = og::ParseHeartbeatCreate(req.body);
    if (auto* err = std::get_if<og::ApiError>(&parsed)) return SendError(res, *err, call);
    const auto& spec = std::get<og::HeartbeatSpec>(parsed);
    const TimePoint now = deps.clock.Now();
    alerts::Heartbeat h;
    h.id = NewRequestId();
    h.integration_key_id = key->key_id;
    og::StoreSpec(spec, h);
    h.created_at = h.updated_at = now;
    bool exists = false;
    auto r = deps.store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(old, tx.GetHeartbeat(key->key_id, h.name));
        if (old) {
            exists = true;
            return {};
        }
        return tx.InsertHeartbeat(h);
    });
    if (!r) return SendStoreError(res, r.error(), call);
    if (exists) return SendError(res, 409, "Heartbeat with name '" + h.name + "' already exists", call, "name");
    Send(res, 201, json::object{{"data", HeartbeatMeta(h)}}, call);
}

void ListHeartbeats(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    std::vector<alerts::Heartbeat> list;
    auto r = deps.store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(found, tx.ListHeartbeats(key->key_id));
        list = std::move(found);
        return {};
    });
    if (!r) return SendStoreError(res, r.error(), call);
    json::array a;
    for (const auto& h : list) a.emplace_back(HeartbeatJson(h));
    Send(res, 200, json::object{{"data", json::object{{"heartbeats", std::move(a)}}}}, call);
}

// The change a request makes to one existing heartbeat, inside its transaction. Returns the
// events to apply with it (an expiry alert to resolve) through `events`.
enum class HeartbeatOp { kGet, kUpdate, kDelete, kEnable, kDisable, kPing };

void OnHeartbeat(const OpsgenieApiDeps& deps, HeartbeatOp op, const http::Request& req, http::Response& res) {
    Call call{NewRequestId()};
    auto key = Authenticate(deps.auth, req, res, call);
    if (!key) return;
    const std::string name(req.Param("name"));
    const TimePoint now = deps.clock.Now();
    std::optional<alerts::Heartbeat> hb;
    std::optional<og::ApiError> invalid;
    bool resolved = false;
    auto r = deps.store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(found, tx.GetHeartbeat(key->key_id, name));
        hb = found;
        if (!hb) return {};
        bool resolve_expiry = false;
        switch (op) {
            case HeartbeatOp::kGet:
                return {};
            case HeartbeatOp::kDelete:
                resolve_expiry = hb->expired;
                TOCSIN_TRY(tx.DeleteHeartbeat(hb->id));
                break;
            case HeartbeatOp::kUpdate: {
                auto parsed = og::ParseHeartbeatUpdate(req.body, og::SpecOf(*hb));
                if (auto* err = std::get_if<og::ApiError>(&parsed)) {
                    invalid = *err;
                    return {};
                }
                og::StoreSpec(std::get<og::HeartbeatSpec>(parsed), *hb);
                if (!hb->enabled && hb->expired) {
                    resolve_expiry = true;
                    hb->expired = false;
                }
                hb->updated_at = now;
                TOCSIN_TRY(tx.UpdateHeartbeat(*hb));
                break;
            }
            case HeartbeatOp::kEnable:
                // The interval counts from enabling, not from a ping long ago.
                if (!hb->enabled) hb->updated_at = now;
                hb->enabled = true;
                TOCSIN_TRY(tx.UpdateHeartbeat(*hb));
                break;
            case HeartbeatOp::kDisable:
                resolve_expiry = hb->expired;
                hb->enabled = false;
                hb->expired = false;
                hb->updated_at = now;
                TOCSIN_TRY(tx.UpdateHeartbeat(*hb));
                break;
            case HeartbeatOp::kPing:
                resolve_expiry = hb->expired;
                hb->expired = false;
                hb->last_ping_at = now;
                TOCSIN_TRY(tx.UpdateHeartbeat(*hb));
                break;
        }
        if (resolve_expiry) {
            IntakeEvent e = og::HeartbeatRecoveredEvent(og::SpecOf(*hb), now);
            if (op != HeartbeatOp::kPing) e.note = "Heartbeat " + hb->name + " was disabled or deleted.";
            e.integration_key_id = key->key_id;
            e.service_id = key->service_id;
            TOCSIN_TRY(service::ApplyIntake(tx, now, {e}));
            resolved = true;
        }
        return {};
    });
    if (!r) return SendStoreError(res, r.error(), call);
    if (invalid) return SendError(res, *invalid, call);
    if (!hb) return SendError(res, 404, "Heartbeat with name '" + name + "' does not exist", call);
    if (resolved && deps.on_alert_change) deps.on_alert_change();
    switch (op) {
        case HeartbeatOp::kGet:
            return Send(res, 200, json::object{{"data", HeartbeatJson(*hb)}}, call);
        case HeartbeatOp::kDelete:
            return Send(res, 200, json::object{{"result", "Deleted"}}, call);
        case HeartbeatOp::kPing:
            return Send(res, 202, json::object{{"result", "PONG - Heartbeat received"}}, call);
        case HeartbeatOp::kUpdate:
        case HeartbeatOp::kEnable:
        case HeartbeatOp::kDisable:
            return Send(res, 200, json::object{{"data", HeartbeatMeta(*hb)}}, call);
    }
}

void HeartbeatVerb(const OpsgenieApiDeps& deps, const http::Request& req, http::Response& res) {
    std::string_view verb = req.Param("verb");
    if (verb == "enable") return OnHeartbeat(deps, HeartbeatOp::kEnable, req, res);
    if (verb == "disable") return OnHeartbeat(deps, HeartbeatOp::kDisable, req, res);
    if (verb == "ping") return OnHeartbeat(deps, HeartbeatOp::kPing, req, res);
    Call call{NewRequestId()};
    SendError(res, 404, "Unknown heartbeat action '" + std::string(verb) + "'", call);
}

}  // namespace

void RegisterOpsgenieRoutes(http::Router& router, OpsgenieApiDeps deps) {
    auto d = std::make_shared<const OpsgenieApiDeps>(std::move(deps));
    const http::RouteOptions blocking{.blocking = true};
    using M = http::Method;
    auto add = [&](M m, const char* path, void (*fn)(const OpsgenieApiDeps&, const http::Request&, http::Response&)) {
        router.Add(
            m, path, [d, fn](const http::Request& q, http::Response& s) { fn(*d, q, s); }, blocking
        );
    };
    add(M::kPost, "/v2/alerts", CreateAlert);
    add(M::kGet, "/v2/alerts", ListAlerts);
    add(M::kGet, "/v2/alerts/requests/{requestId}", GetRequestStatus);
    add(M::kGet, "/v2/alerts/{identifier}", GetAlert);
    add(M::kDelete, "/v2/alerts/{identifier}", DeleteAlert);
    router.Add(
        M::kPost,
        "/v2/alerts/{identifier}/{action}",
        [d](const http::Request& q, http::Response& s) { AlertAction(*d, false, q, s); },
        blocking
    );
    router.Add(
        M::kPut,
        "/v2/alerts/{identifier}/{action}",
        [d](const http::Request& q, http::Response& s) { AlertAction(*d, true, q, s); },
        blocking
    );
    add(M::kPost, "/v2/heartbeats", CreateHeartbeat);
    add(M::kGet, "/v2/heartbeats", ListHeartbeats);
    auto op = [&](M m, const char* path, HeartbeatOp o) {
        router.Add(
            m, path, [d, o](const http::Request& q, http::Response& s) { OnHeartbeat(*d, o, q, s); }, blocking
        );
    };
    op(M::kGet, "/v2/heartbeats/{name}", HeartbeatOp::kGet);
    op(M::kPatch, "/v2/heartbeats/{name}", HeartbeatOp::kUpdate);
    op(M::kDelete, "/v2/heartbeats/{name}", HeartbeatOp::kDelete);
    op(M::kGet, "/v2/heartbeats/{name}/ping", HeartbeatOp::kPing);
    op(M::kPut, "/v2/heartbeats/{name}/ping", HeartbeatOp::kPing);
    add(M::kPost, "/v2/heartbeats/{name}/{verb}", HeartbeatVerb);
    // Everything else under the Opsgenie prefixes answers Opsgenie's 404 (after the key check),
    // not the server's 405 or the public site's page.
    for (M m : {M::kGet, M::kPatch, M::kDelete}) add(m, "/v2/alerts/{identifier}/{action}", UnknownPath);
    for (M m : {M::kGet, M::kPost, M::kPut, M::kPatch, M::kDelete}) {
        add(m, "/v2/alerts/{identifier}/{action}/{detail}", UnknownPath);
    }
    for (M m : {M::kGet, M::kPut, M::kPatch, M::kDelete}) add(m, "/v2/heartbeats/{name}/{verb}", UnknownPath);
}

}  // namespace tocsin::api
