#include "tocsin/api/alert_api.hpp"

#include "tocsin/alerts/generic.hpp"
#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/service/alert_ops.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;

json::value OptTime(const std::optional<TimePoint>& t) {
    return t ? json::value(FormatIso8601(*t)) : json::value(nullptr);
}

json::value ParseOr(const std::string& text, json::value fallback) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec ? fallback : v;
}

json::object ServiceJson(const alerts::Service& s) {
    json::array comps;
    for (const auto& c : s.component_ids) comps.emplace_back(c);
    json::array labels;
    for (const auto& l : s.grouping.group_labels) labels.emplace_back(l);
    return json::object{
        {"id", s.id},
        {"name", s.name},
        {"description", s.description},
        {"team", s.team},
        {"urgency", s.urgency},
        {"group_window_seconds", s.grouping.window.count()},
        {"group_labels", std::move(labels)},
        {"ack_timeout_seconds", s.ack_timeout.count()},
        {"component_ids", std::move(comps)},
        {"created_at", FormatIso8601(s.created_at)},
        {"updated_at", FormatIso8601(s.updated_at)},
    };
}

json::object KeyJson(const alerts::IntegrationKey& k) {
    return json::object{
        {"id", k.id},
        {"service_id", k.service_id},
        {"name", k.name},
        {"dialect", alerts::ToString(k.dialect)},
        {"prefix", k.prefix},
        // A Grafana key's stored mapping holds only its signing secret, which is never shown again.
        {"mapping",
         k.dialect == alerts::Dialect::kGeneric ? ParseOr(k.mapping_json, json::object{})
                                                : json::value(json::object{})},
        {"signed", k.dialect == alerts::Dialect::kGrafana && !grafana_hmac::SecretOf(k.mapping_json).empty()},
        {"created_at", FormatIso8601(k.created_at)},
        {"rotated_at", OptTime(k.rotated_at)},
        {"revoked_at", OptTime(k.revoked_at)},
        {"last_used_at", OptTime(k.last_used_at)},
    };
}

json::object AlertJson(const alerts::Alert& a) {
    json::object labels;
    for (const auto& [k, v] : a.labels) labels[k] = v;
    json::array tags;
    for (const auto& t : a.tags) tags.emplace_back(t);
    return json::object{
        {"id", a.id},
        {"tiny_id", a.tiny_id},
        {"service_id", a.service_id},
        {"incident_id", a.incident_id},
        {"integration_key_id", a.integration_key_id},
        {"dialect", alerts::ToString(a.dialect)},
        {"dedup_key", a.dedup_key},
        {"group_key", a.group_key},
        {"state", alerts::ToString(a.state)},
        {"count", a.count},
        {"summary", a.summary},
        {"description", a.description},
        {"source", a.source},
        {"entity", a.entity},
        {"severity", a.severity},
        {"priority", "P" + std::to_string(a.priority)},
        {"urgency", alerts::ToString(a.urgency)},
        {"details", ParseOr(a.details_json, json::object{})},
        {"labels", std::move(labels)},
        {"tags", std::move(tags)},
        {"links", ParseOr(a.links_json, json::array{})},
        {"images", ParseOr(a.images_json, json::array{})},
        {"silenced", a.silenced},
        {"snoozed_until", OptTime(a.snoozed_until)},
        {"ack_expires_at", OptTime(a.ack_expires_at)},
        {"acknowledged_by", a.acknowledged_by},
        {"created_at", FormatIso8601(a.created_at)},
        {"updated_at", FormatIso8601(a.updated_at)},
        {"acknowledged_at", OptTime(a.acknowledged_at)},
        {"resolved_at", OptTime(a.resolved_at)},
    };
}

json::object IncidentJson(const alerts::AlertIncident& i) {
    return json::object{
        {"id", i.id},
        {"number", i.number},
        {"service_id", i.service_id},
        {"group_key", i.group_key},
        {"title", i.title},
        {"state", alerts::ToString(i.state)},
        {"urgency", alerts::ToString(i.urgency)},
        {"alert_count", i.alert_count},
        {"open_count", i.open_count},
        {"silenced", i.silenced},
        {"merged_into", i.merged_into},
        {"created_at", FormatIso8601(i.created_at)},
        {"updated_at", FormatIso8601(i.updated_at)},
        {"acknowledged_at", OptTime(i.acknowledged_at)},
        {"resolved_at", OptTime(i.resolved_at)},
    };
}

json::array LogJson(const std::vector<alerts::AlertLogEntry>& log) {
    json::array out;
    for (const auto& e : log) {
        out.push_back(json::object{
            {"seq", e.seq},
            {"alert_id", e.alert_id},
            {"incident_id", e.incident_id},
            {"at", FormatIso8601(e.at)},
            {"actor", e.actor},
            {"via", e.dialect},
            {"action", e.action},
            {"text", e.text},
            {"data", ParseOr(e.data_json, json::object{})},
        });
    }
    return out;
}

json::object SilenceJson(const alerts::Silence& s) {
    json::array matchers;
    for (const auto& m : s.matchers) {
        matchers.push_back(json::object{{"name", m.name}, {"value", m.value}, {"equal", m.equal}});
    }
    json::array days(s.weekly_days.begin(), s.weekly_days.end());
    return json::object{
        {"id", s.id},
        {"service_id", s.service_id},
        {"matchers", std::move(matchers)},
        {"comment", s.comment},
        {"created_by", s.created_by},
        {"maintenance_id", s.maintenance_id},
        {"starts_at", FormatIso8601(s.starts_at)},
        {"ends_at", OptTime(s.ends_at)},
        {"weekly_days", std::move(days)},
        {"start_minute", s.start_minute},
        {"end_minute", s.end_minute},
        {"created_at", FormatIso8601(s.created_at)},
    };
}

int Limit(const Request& req) {
    auto v = req.QueryParam("limit");
    if (!v) return 100;
    try {
        int n = std::stoi(*v);
        if (n >= 1 && n <= 1000) return n;
    } catch (const std::exception&) {
    }
    throw HttpError(400, "invalid-field", "limit must be 1 to 1000", "limit");
}

std::optional<alerts::AlertState> StateParam(const Request& req) {
    auto v = req.QueryParam("state");
    if (!v || v->empty() || *v == "open") return std::nullopt;
    auto s = alerts::ParseAlertState(*v);
    if (!s) throw HttpError(400, "invalid-field", "state must be open, triggered, acknowledged or resolved", "state");
    return s;
}

std::optional<TimePoint> SinceParam(const Request& req) {
    auto v = req.QueryParam("since");
    if (!v || v->empty()) return std::nullopt;
    auto t = ParseIso8601(*v);
    if (!t) throw HttpError(400, "invalid-field", "since must be an ISO 8601 time", "since");
    return t;
}

std::int64_t CursorParam(const Request& req, const char* name) {
    auto v = req.QueryParam(name);
    if (!v || v->empty()) return 0;
    try {
        auto n = std::stoll(*v);
        if (n > 0) return n;
    } catch (const std::exception&) {
    }
    throw HttpError(400, "invalid-field", std::string(name) + " must be a positive number", name);
}

std::string Who(const auth::Principal& p) {
    return p.name.empty() ? p.token_id : p.name;
}

class AlertApi : public std::enable_shared_from_this<AlertApi> {
public:
    explicit AlertApi(AlertApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (AlertApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/services", Role::kStakeholder, &AlertApi::ListServices);
        add(Method::kPost, "/api/v1/services", Role::kOwner, &AlertApi::CreateService);
        add(Method::kGet, "/api/v1/services/{id}", Role::kStakeholder, &AlertApi::GetService);
        add(Method::kPatch, "/api/v1/services/{id}", Role::kOwner, &AlertApi::PatchService);
        add(Method::kDelete, "/api/v1/services/{id}", Role::kOwner, &AlertApi::DeleteService);
        add(Method::kGet, "/api/v1/services/{id}/keys", Role::kOwner, &AlertApi::ListKeys);
        add(Method::kPost, "/api/v1/services/{id}/keys", Role::kOwner, &AlertApi::CreateKey);
        add(Method::kPost, "/api/v1/services/{id}/keys/{key_id}/rotate", Role::kOwner, &AlertApi::RotateKey);
        add(Method::kDelete, "/api/v1/services/{id}/keys/{key_id}", Role::kOwner, &AlertApi::RevokeKey);
        add(Method::kGet, "/api/v1/services/{id}/change-events", Role::kStakeholder, &AlertApi::ListChanges);
        add(Method::kGet, "/api/v1/alerts", Role::kStakeholder, &AlertApi::ListAlerts);
        add(Method::kGet, "/api/v1/alerts/{id}", Role::kStakeholder, &AlertApi::GetAlert);
        add(Method::kPost, "/api/v1/alerts/{id}/acknowledge", Role::kResponder, &AlertApi::AckAlert);
        add(Method::kPost, "/api/v1/alerts/{id}/resolve", Role::kResponder, &AlertApi::ResolveAlert);
        add(Method::kPost, "/api/v1/alerts/{id}/notes", Role::kResponder, &AlertApi::NoteAlert);
        add(Method::kPost, "/api/v1/alerts/{id}/split", Role::kResponder, &AlertApi::SplitAlert);
        add(Method::kGet, "/api/v1/alert-incidents", Role::kStakeholder, &AlertApi::ListIncidents);
        add(Method::kGet, "/api/v1/alert-incidents/{id}", Role::kStakeholder, &AlertApi::GetIncident);
        add(Method::kPost, "/api/v1/alert-incidents/{id}/acknowledge", Role::kResponder, &AlertApi::AckIncident);
        add(Method::kPost, "/api/v1/alert-incidents/{id}/resolve", Role::kResponder, &AlertApi::ResolveIncident);
        add(Method::kPost, "/api/v1/alert-incidents/{id}/notes", Role::kResponder, &AlertApi::NoteIncident);
        add(Method::kPost, "/api/v1/alert-incidents/{id}/merge", Role::kResponder, &AlertApi::MergeIncidents);
        add(Method::kGet, "/api/v1/silences", Role::kStakeholder, &AlertApi::ListSilences);
        add(Method::kPost, "/api/v1/silences", Role::kResponder, &AlertApi::CreateSilence);
        add(Method::kGet, "/api/v1/silences/{id}", Role::kStakeholder, &AlertApi::GetSilence);
        add(Method::kPut, "/api/v1/silences/{id}", Role::kResponder, &AlertApi::PutSilence);
        add(Method::kDelete, "/api/v1/silences/{id}", Role::kResponder, &AlertApi::DeleteSilence);
        add(Method::kGet, "/api/v1/severity-map", Role::kStakeholder, &AlertApi::GetSeverityMap);
        add(Method::kPut, "/api/v1/severity-map", Role::kOwner, &AlertApi::PutSeverityMap);
    }

private:
    void Changed() {
        if (d_.on_change) d_.on_change("alerts");
    }

    template <class F>
    void Read(F&& f) {
        ValueOrThrow(d_.store.Read(std::forward<F>(f)));
    }
    template <class F>
    void Write(F&& f) {
        ValueOrThrow(d_.store.Write(std::forward<F>(f)));
        Changed();
    }

    // ---- services ----

    alerts::Service LoadService(store::Tx& tx, const std::string& id) {
        auto s = ValueOrThrow(tx.GetService(id));
        if (!s) throw HttpError(404, "not-found", "service " + id + " does not exist");
        return *s;
    }

    // Reads the writable fields of a service from `body` into `s` (all optional on PATCH).
    static void ReadService(const json::object& body, alerts::Service& s, bool create) {
        Fields f(body);
        f.RejectUnknown(
            {"name",
             "description",
             "team",
             "urgency",
             "group_window_seconds",
             "group_labels",
             "ack_timeout_seconds",
             "component_ids"}
        );
        if (create && !f.Has("name")) throw HttpError(400, "invalid-field", "name is required", "name");
        if (auto v = f.String("name", 100, false)) s.name = *v;
        if (auto v = f.String("description", 2000)) s.description = *v;
        if (auto v = f.String("team", 100)) s.team = *v;
        if (auto v = f.String("urgency", 20, false)) {
            if (*v != "high" && *v != "low" && *v != "severity") {
                throw HttpError(400, "invalid-field", "urgency must be high, low or severity", "urgency");
            }
            s.urgency = *v;
        }
        if (auto v = f.Int("group_window_seconds", 0, 7 * 24 * 3600)) s.grouping.window = std::chrono::seconds(*v);
        if (auto v = f.StringArray("group_labels", 20)) s.grouping.group_labels = *v;
        if (auto v = f.Int("ack_timeout_seconds", 0, 7 * 24 * 3600)) s.ack_timeout = std::chrono::seconds(*v);
        if (auto v = f.StringArray("component_ids", 500)) s.component_ids = *v;
    }

    Result<void> CheckComponents(store::Tx& tx, const alerts::Service& s) {
        for (std::size_t i = 0; i < s.component_ids.size(); ++i) {
            TOCSIN_ASSIGN(c, tx.GetComponent(s.component_ids[i]));
            if (!c) {
                return Error::Invalid(
                    "component_ids[" + std::to_string(i) + "]", "component " + s.component_ids[i] + " does not exist"
                );
            }
        }
        return {};
    }

    void ListServices(const Request&, Response& res, const auth::Principal&) {
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListServices());
            for (const auto& s : list) data.push_back(ServiceJson(s));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateService(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "service");
        alerts::Service s;
        ReadService(body, s, true);
        s.id = NewId();
        s.created_at = s.updated_at = d_.clock.Now();
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(CheckComponents(tx, s));
            auto r = tx.InsertService(s);
            if (!r && r.error().kind == ErrorKind::kConflict)
                return Error::Conflict("a service named " + s.name + " exists");
            return r;
        });
        WriteJson(res, ServiceJson(s), 201);
    }

    void GetService(const Request& req, Response& res, const auth::Principal&) {
        alerts::Service s;
        Read([&](store::Tx& tx) -> Result<void> {
            s = LoadService(tx, std::string(req.Param("id")));
            return {};
        });
        WriteJson(res, ServiceJson(s));
    }

    void PatchService(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "service");
        alerts::Service s;
        Write([&](store::Tx& tx) -> Result<void> {
            s = LoadService(tx, std::string(req.Param("id")));
            ReadService(body, s, false);
            s.updated_at = d_.clock.Now();
            TOCSIN_TRY(CheckComponents(tx, s));
            auto r = tx.UpdateService(s);
            if (!r && r.error().kind == ErrorKind::kConflict)
                return Error::Conflict("a service named " + s.name + " exists");
            return r;
        });
        WriteJson(res, ServiceJson(s));
    }

    void DeleteService(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        std::vector<alerts::IntegrationKey> keys;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(k, tx.ListIntegrationKeys(id));
            keys = std::move(k);
            return tx.DeleteService(id);
        });
        for (const auto& k : keys) d_.intake_auth.Forget(k.id);
        res.status = 204;
        res.body.clear();
    }

    // ---- integration keys ----

    void ListKeys(const Request& req, Response& res, const auth::Principal&) {
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            LoadService(tx, std::string(req.Param("id")));
            TOCSIN_ASSIGN(list, tx.ListIntegrationKeys(std::string(req.Param("id"))));
            for (const auto& k : list) data.push_back(KeyJson(k));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateKey(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "key");
        Fields f(body);
        f.RejectUnknown({"name", "dialect", "mapping", "signing_secret"});
        if (!f.Has("dialect")) throw HttpError(400, "invalid-field", "dialect is required", "dialect");
        auto dialect_text = f.String("dialect", 20, false).value_or("");
        auto dialect = alerts::ParseDialect(dialect_text);
        if (!dialect || *dialect == alerts::Dialect::kMonitor) {
            throw HttpError(
                400, "invalid-field", "dialect must be pagerduty, opsgenie, alertmanager, grafana or generic", "dialect"
            );
        }
        alerts::IntegrationKey k;
        k.id = NewId();
        k.service_id = std::string(req.Param("id"));
        k.name = f.String("name", 100).value_or("");
        k.dialect = *dialect;
        if (const auto* m = f.Object("mapping")) {
            if (*dialect != alerts::Dialect::kGeneric) {
                throw HttpError(400, "invalid-field", "mapping is only for the generic dialect", "mapping");
            }
            k.mapping_json = json::serialize(*m);
            // Refused now rather than at the first webhook: pointers must start with '/', no
            // unknown fields, no value in two action lists (errors name "mapping.<field>").
            if (auto checked = alerts::generic::ParseMapping(k.mapping_json); !checked) {
                throw HttpError(400, "invalid-field", checked.error().message, checked.error().field);
            }
        } else if (f.Has("mapping") && !f.IsNull("mapping")) {
            throw HttpError(400, "invalid-field", "mapping must be an object", "mapping");
        }
        // Grafana's "HMAC signature" secret: given (16 to 256 printable characters) or `true`
        // for a generated one. Kept in the key's mapping column (Grafana keys have no field
        // mapping) and shown only in this answer.
        std::string signing_secret;
        if (f.Has("signing_secret") && !f.IsNull("signing_secret")) {
            if (*dialect != alerts::Dialect::kGrafana) {
                throw HttpError(
                    400, "invalid-field", "signing_secret is only for the grafana dialect", "signing_secret"
                );
            }
            const json::value& v = body.at("signing_secret");
            if (v.is_bool() && v.as_bool()) {
                signing_secret = IntakeAuth::NewSecret() + IntakeAuth::NewSecret();
            } else if (v.is_string()) {
                signing_secret = std::string(v.as_string());
                bool printable = std::all_of(signing_secret.begin(), signing_secret.end(), [](unsigned char c) {
                    return c > 0x20 && c < 0x7f;
                });
                if (signing_secret.size() < 16 || signing_secret.size() > 256 || !printable) {
                    throw HttpError(
                        400,
                        "invalid-field",
                        "signing_secret must be 16 to 256 printable ASCII characters without spaces, or true "
                        "for a generated one",
                        "signing_secret"
                    );
                }
            } else {
                throw HttpError(
                    400,
                    "invalid-field",
                    "signing_secret must be a string or true (a generated secret)",
                    "signing_secret"
                );
            }
            k.mapping_json = json::serialize(json::object{{"signing_secret", signing_secret}});
        }
        k.created_at = d_.clock.Now();
        const std::string secret = IntakeAuth::NewSecret();
        k.prefix = secret.substr(0, 6);
        const std::string hash = IntakeAuth::HashSecret(secret);
        Write([&](store::Tx& tx) -> Result<void> {
            LoadService(tx, k.service_id);
            return tx.InsertIntegrationKey(k, hash);
        });
        d_.intake_auth.Put(hash, k.id, k.service_id, k.dialect, k.mapping_json);
        auto out = KeyJson(k);
        out["secret"] = secret;
        if (!signing_secret.empty()) out["signing_secret"] = signing_secret;
        WriteJson(res, out, 201);
    }

    void RotateKey(const Request& req, Response& res, const auth::Principal&) {
        const std::string sid(req.Param("id"));
        const std::string kid(req.Param("key_id"));
        const std::string secret = IntakeAuth::NewSecret();
        const std::string hash = IntakeAuth::HashSecret(secret);
        alerts::IntegrationKey k;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetIntegrationKey(kid));
            if (!found || found->service_id != sid)
                return Error::NotFound("integration key " + kid + " does not exist");
            if (found->revoked_at) return Error::Conflict("integration key " + kid + " is revoked");
            TOCSIN_TRY(tx.RotateIntegrationKey(kid, hash, secret.substr(0, 6), d_.clock.Now()));
            TOCSIN_ASSIGN(again, tx.GetIntegrationKey(kid));
            k = *again;
            return {};
        });
        d_.intake_auth.Forget(kid);
        d_.intake_auth.Put(hash, k.id, k.service_id, k.dialect, k.mapping_json);
        auto out = KeyJson(k);
        out["secret"] = secret;
        WriteJson(res, out);
    }

    void RevokeKey(const Request& req, Response& res, const auth::Principal&) {
        const std::string sid(req.Param("id"));
        const std::string kid(req.Param("key_id"));
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetIntegrationKey(kid));
            if (!found || found->service_id != sid)
                return Error::NotFound("integration key " + kid + " does not exist");
            return tx.RevokeIntegrationKey(kid, d_.clock.Now());
        });
        d_.intake_auth.Forget(kid);
        res.status = 204;
        res.body.clear();
    }

    void ListChanges(const Request& req, Response& res, const auth::Principal&) {
        json::array data;
        const int limit = Limit(req);
        Read([&](store::Tx& tx) -> Result<void> {
            LoadService(tx, std::string(req.Param("id")));
            TOCSIN_ASSIGN(list, tx.ListChangeEvents(std::string(req.Param("id")), limit));
            for (const auto& c : list) {
                data.push_back(json::object{
                    {"id", c.id},
                    {"summary", c.summary},
                    {"source", c.source},
                    {"details", ParseOr(c.details_json, json::object{})},
                    {"links", ParseOr(c.links_json, json::array{})},
                    {"occurred_at", FormatIso8601(c.occurred_at)},
                });
            }
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    // ---- alerts ----

    void ListAlerts(const Request& req, Response& res, const auth::Principal&) {
        store::AlertFilter f;
        f.service_id = req.QueryParam("service_id").value_or("");
        f.incident_id = req.QueryParam("incident_id").value_or("");
        f.dedup_key = req.QueryParam("dedup_key").value_or("");
        f.state = StateParam(req);
        f.open_only = req.QueryParam("state").value_or("") == "open";
        f.since = SinceParam(req);
        f.before_tiny_id = CursorParam(req, "before");
        f.limit = Limit(req);
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListAlerts(f));
            for (const auto& a : list) data.push_back(AlertJson(a));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void GetAlert(const Request& req, Response& res, const auth::Principal&) {
        json::object out;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(a, tx.GetAlert(std::string(req.Param("id"))));
            if (!a) return Error::NotFound("alert " + std::string(req.Param("id")) + " does not exist");
            TOCSIN_ASSIGN(log, tx.ListAlertLog(a->id, "", 1000));
            out = AlertJson(*a);
            out["log"] = LogJson(log);
            return {};
        });
        WriteJson(res, out);
    }

    void AlertAction(const Request& req, Response& res, const auth::Principal& p, bool ack) {
        alerts::Alert a;
        Write([&](store::Tx& tx) -> Result<void> {
            const service::Actor by{Who(p), "api"};
            const std::string id(req.Param("id"));
            TOCSIN_ASSIGN(
                r,
                ack ? service::AcknowledgeAlert(tx, d_.clock.Now(), id, by)
                    : service::ResolveAlert(tx, d_.clock.Now(), id, by)
            );
            a = std::move(r);
            return {};
        });
        WriteJson(res, AlertJson(a));
    }
    void AckAlert(const Request& q, Response& s, const auth::Principal& p) { AlertAction(q, s, p, true); }
    void ResolveAlert(const Request& q, Response& s, const auth::Principal& p) { AlertAction(q, s, p, false); }

    static std::string NoteText(const Request& req) {
        auto body = ParseBody(req, "note");
        Fields f(body);
        f.RejectUnknown({"note"});
        if (!f.Has("note")) throw HttpError(400, "invalid-field", "note is required", "note");
        return f.String("note", 25000, false).value_or("");
    }

    void NoteAlert(const Request& req, Response& res, const auth::Principal& p) {
        const std::string text = NoteText(req);
        Write([&](store::Tx& tx) {
            return service::AddAlertNote(tx, d_.clock.Now(), std::string(req.Param("id")), {Who(p), "api"}, text);
        });
        WriteJson(res, json::object{{"note", text}}, 201);
    }

    void SplitAlert(const Request& req, Response& res, const auth::Principal& p) {
        alerts::AlertIncident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(i, service::SplitAlert(tx, d_.clock.Now(), std::string(req.Param("id")), {Who(p), "api"}));
            inc = std::move(i);
            return {};
        });
        WriteJson(res, IncidentJson(inc), 201);
    }

    // ---- incidents ----

    void ListIncidents(const Request& req, Response& res, const auth::Principal&) {
        store::AlertIncidentFilter f;
        f.service_id = req.QueryParam("service_id").value_or("");
        f.state = StateParam(req);
        f.open_only = req.QueryParam("state").value_or("") == "open";
        f.since = SinceParam(req);
        f.before_number = CursorParam(req, "before");
        f.limit = Limit(req);
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListAlertIncidents(f));
            for (const auto& i : list) data.push_back(IncidentJson(i));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void GetIncident(const Request& req, Response& res, const auth::Principal&) {
        json::object out;
        Read([&](store::Tx& tx) -> Result<void> {
            const std::string id(req.Param("id"));
            TOCSIN_ASSIGN(i, tx.GetAlertIncident(id));
            if (!i) return Error::NotFound("alert incident " + id + " does not exist");
            store::AlertFilter f;
            f.incident_id = id;
            f.limit = 1000;
            TOCSIN_ASSIGN(list, tx.ListAlerts(f));
            TOCSIN_ASSIGN(log, tx.ListAlertLog("", id, 1000));
            out = IncidentJson(*i);
            json::array alerts;
            for (const auto& a : list) alerts.push_back(AlertJson(a));
            out["alerts"] = std::move(alerts);
            out["log"] = LogJson(log);
            return {};
        });
        WriteJson(res, out);
    }

    void IncidentAction(const Request& req, Response& res, const auth::Principal& p, bool ack) {
        alerts::AlertIncident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            const service::Actor by{Who(p), "api"};
            const std::string id(req.Param("id"));
            TOCSIN_ASSIGN(
                r,
                ack ? service::AcknowledgeIncident(tx, d_.clock.Now(), id, by)
                    : service::ResolveIncident(tx, d_.clock.Now(), id, by)
            );
            inc = std::move(r);
            return {};
        });
        WriteJson(res, IncidentJson(inc));
    }
    void AckIncident(const Request& q, Response& s, const auth::Principal& p) { IncidentAction(q, s, p, true); }
    void ResolveIncident(const Request& q, Response& s, const auth::Principal& p) { IncidentAction(q, s, p, false); }

    void NoteIncident(const Request& req, Response& res, const auth::Principal& p) {
        const std::string text = NoteText(req);
        Write([&](store::Tx& tx) {
            return service::AddIncidentNote(tx, d_.clock.Now(), std::string(req.Param("id")), {Who(p), "api"}, text);
        });
        WriteJson(res, json::object{{"note", text}}, 201);
    }

    void MergeIncidents(const Request& req, Response& res, const auth::Principal& p) {
        auto body = ParseBody(req, "merge");
        Fields f(body);
        f.RejectUnknown({"sources"});
        if (!f.Has("sources")) throw HttpError(400, "invalid-field", "sources is required", "sources");
        auto sources = f.StringArray("sources", 100).value_or(std::vector<std::string>{});
        alerts::AlertIncident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(
                i, service::MergeIncidents(tx, d_.clock.Now(), std::string(req.Param("id")), sources, {Who(p), "api"})
            );
            inc = std::move(i);
            return {};
        });
        WriteJson(res, IncidentJson(inc));
    }

    // ---- silences ----

    static alerts::Silence ReadSilence(const json::object& body, alerts::Silence s, TimePoint now) {
        Fields f(body);
        f.RejectUnknown(
            {"service_id", "matchers", "comment", "starts_at", "ends_at", "weekly_days", "start_minute", "end_minute"}
        );
        if (auto v = f.String("service_id", 100)) s.service_id = *v;
        if (f.Has("matchers")) {
            const auto* arr = body.if_contains("matchers");
            if (!arr->is_array()) throw HttpError(400, "invalid-field", "matchers must be an array", "matchers");
            s.matchers.clear();
            std::size_t i = 0;
            for (const auto& m : arr->as_array()) {
                const std::string field = "matchers[" + std::to_string(i++) + "]";
                if (!m.is_object()) throw HttpError(400, "invalid-field", "a matcher is an object", field);
                Fields mf(m.as_object(), field + ".");
                mf.RejectUnknown({"name", "value", "equal"});
                alerts::LabelMatcher lm;
                lm.name = mf.String("name", 200, false).value_or("");
                lm.value = mf.String("value", 1000).value_or("");
                lm.equal = mf.Bool("equal").value_or(true);
                s.matchers.push_back(std::move(lm));
            }
        }
        if (auto v = f.String("comment", 2000)) s.comment = *v;
        if (auto v = f.Time("starts_at")) s.starts_at = *v;
        if (f.Has("starts_at") == false && s.starts_at == TimePoint{}) s.starts_at = now;
        if (f.IsNull("ends_at")) {
            s.ends_at.reset();
        } else if (auto v = f.Time("ends_at")) {
            s.ends_at = *v;
        }
        if (f.Has("weekly_days")) {
            const auto* arr = body.if_contains("weekly_days");
            if (!arr->is_array()) throw HttpError(400, "invalid-field", "weekly_days must be an array", "weekly_days");
            s.weekly_days.clear();
            for (const auto& d : arr->as_array()) {
                if (!d.is_int64())
                    throw HttpError(400, "invalid-field", "weekly_days are 0 (Sunday) to 6", "weekly_days");
                s.weekly_days.push_back(static_cast<int>(d.as_int64()));
            }
        }
        if (auto v = f.Int("start_minute", -100000, 100000)) s.start_minute = static_cast<int>(*v);
        if (auto v = f.Int("end_minute", -100000, 100000)) s.end_minute = static_cast<int>(*v);
        ValueOrThrow(alerts::Validate(s));
        return s;
    }

    void ListSilences(const Request&, Response& res, const auth::Principal&) {
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListSilences());
            for (const auto& s : list) data.push_back(SilenceJson(s));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateSilence(const Request& req, Response& res, const auth::Principal& p) {
        auto body = ParseBody(req, "silence");
        const TimePoint now = d_.clock.Now();
        alerts::Silence s = ReadSilence(body, alerts::Silence{}, now);
        s.id = NewId();
        s.created_by = Who(p);
        s.created_at = now;
        Write([&](store::Tx& tx) -> Result<void> {
            if (!s.service_id.empty()) LoadService(tx, s.service_id);
            return tx.InsertSilence(s);
        });
        WriteJson(res, SilenceJson(s), 201);
    }

    void GetSilence(const Request& req, Response& res, const auth::Principal&) {
        alerts::Silence s;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetSilence(std::string(req.Param("id"))));
            if (!found) return Error::NotFound("silence " + std::string(req.Param("id")) + " does not exist");
            s = *found;
            return {};
        });
        WriteJson(res, SilenceJson(s));
    }

    void PutSilence(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "silence");
        alerts::Silence s;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetSilence(std::string(req.Param("id"))));
            if (!found) return Error::NotFound("silence " + std::string(req.Param("id")) + " does not exist");
            s = ReadSilence(body, *found, d_.clock.Now());
            if (!s.service_id.empty()) LoadService(tx, s.service_id);
            return tx.UpdateSilence(s);
        });
        WriteJson(res, SilenceJson(s));
    }

    void DeleteSilence(const Request& req, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) { return tx.DeleteSilence(std::string(req.Param("id"))); });
        res.status = 204;
        res.body.clear();
    }

    // ---- severity map ----

    void GetSeverityMap(const Request&, Response& res, const auth::Principal&) {
        std::string text;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(t, tx.GetSeverityMap());
            text = t.ToJson();
            return {};
        });
        res.body = std::move(text);
        res.content_type = "application/json";
    }

    void PutSeverityMap(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "severity_map");
        auto table = ValueOrThrow(alerts::SeverityTable::FromJson(json::serialize(body)));
        Write([&](store::Tx& tx) { return tx.SaveSeverityMap(table); });
        res.body = table.ToJson();
        res.content_type = "application/json";
    }

    AlertApiDeps d_;
};

}  // namespace

void RegisterAlertRoutes(http::Router& router, AlertApiDeps deps) {
    std::make_shared<AlertApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
