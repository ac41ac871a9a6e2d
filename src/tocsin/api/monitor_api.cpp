#include "tocsin/api/monitor_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/monitor/monitor_json.hpp"
#include "tocsin/monitor/rollup.hpp"
#include "tocsin/service/monitor_ops.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>
#include <map>
#include <memory>
#include <set>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;
using monitor::Monitor;

constexpr std::chrono::seconds kMaxClockSkew{60};
constexpr std::size_t kMaxProbeBatch = 2000;  // about 500 KB of JSON: under the 1 MiB default body limit

std::optional<TimePoint> TimeParam(const Request& req, const char* key) {
    auto v = req.QueryParam(key);
    if (!v) return std::nullopt;
    auto t = ParseIso8601(*v);
    if (!t) throw HttpError(400, "invalid-query", std::string(key) + " must be an ISO-8601 time or date", key);
    return t;
}

int IntParam(const Request& req, const char* key, int def, int min, int max) {
    auto v = req.QueryParam(key);
    if (!v) return def;
    int n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
        throw HttpError(400, "invalid-query", fmt::format("{} must be an integer from {} to {}", key, min, max), key);
    }
    return n;
}

json::value Micros(std::chrono::microseconds us) {
    return static_cast<double>(us.count()) / 1000.0;
}

json::object RollupJson(const monitor::Rollup& r) {
    return json::object{
        {"period", monitor::RollupPeriodName(r.period)},
        {"start", FormatIso8601(r.start)},
        {"checks", r.checks},
        {"failures", r.failures},
        {"degraded", r.degraded},
        {"uptime_percent", r.UptimePercent()},
        {"p50_ms", Micros(r.p50)},
        {"p95_ms", Micros(r.p95)},
        {"p99_ms", Micros(r.p99)},
        {"mean_ms", Micros(r.mean)},
    };
}

class MonitorApi : public std::enable_shared_from_this<MonitorApi> {
public:
    explicit MonitorApi(MonitorApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (MonitorApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/monitors", Role::kStakeholder, &MonitorApi::List);
        add(Method::kPost, "/api/v1/monitors", Role::kResponder, &MonitorApi::Create);
        add(Method::kGet, "/api/v1/monitors/{id}", Role::kStakeholder, &MonitorApi::Get);
        add(Method::kPatch, "/api/v1/monitors/{id}", Role::kResponder, &MonitorApi::Patch);
        add(Method::kDelete, "/api/v1/monitors/{id}", Role::kResponder, &MonitorApi::Delete);
        add(Method::kPost, "/api/v1/monitors/{id}/heartbeat-token", Role::kResponder, &MonitorApi::RotateHeartbeat);
        add(Method::kPost, "/api/v1/monitors/{id}/check", Role::kResponder, &MonitorApi::CheckNow);
        add(Method::kGet, "/api/v1/monitors/{id}/results", Role::kStakeholder, &MonitorApi::Results);
        add(Method::kGet, "/api/v1/monitors/{id}/rollups", Role::kStakeholder, &MonitorApi::Rollups);
        add(Method::kGet, "/api/v1/monitors/{id}/uptime", Role::kStakeholder, &MonitorApi::MonitorUptime);
        add(Method::kGet, "/api/v1/monitors/{id}/events", Role::kStakeholder, &MonitorApi::Events);
        add(Method::kGet, "/api/v1/components/{id}/uptime", Role::kStakeholder, &MonitorApi::ComponentUptime);
        add(Method::kGet, "/api/v1/probe/assignments", Role::kProbe, &MonitorApi::Assignments);
        add(Method::kPost, "/api/v1/probe/results", Role::kProbe, &MonitorApi::ProbeResults);
        for (auto m : {Method::kGet, Method::kPost, Method::kHead}) {
            r.Add(
                m,
                "/api/v1/heartbeats/{token}",
                [self](const Request& q, Response& s) { self->Heartbeat(q, s); },
                http::RouteOptions{.blocking = true}
            );
        }
    }

private:
    void Changed() {
        if (d_.on_monitors_change) d_.on_monitors_change();
    }

    Monitor Load(store::Tx& tx, const Request& req) {
        auto found = ValueOrThrow(tx.GetMonitor(std::string(req.Param("id"))));
        if (!found) throw HttpError(404, "not-found", "monitor " + std::string(req.Param("id")) + " does not exist");
        return std::move(*found);
    }

    json::object Render(const Monitor& m, const std::optional<monitor::MonitorState>& st) {
        auto o = monitor::MonitorToJson(m, monitor::Secrets::kRedact);
        json::object state;
        state["status"] = st ? monitor::OutcomeName(st->state) : "up";
        state["since"] = st ? json::value(FormatIso8601(st->since)) : json::value(nullptr);
        state["message"] = st ? st->message : "";
        state["incident_id"] = st && !st->incident_id.empty() ? json::value(st->incident_id) : json::value(nullptr);
        json::object locations;
        if (st) {
            for (const auto& [name, l] : st->locations) {
                locations[name] = json::object{
                    {"status", monitor::OutcomeName(l.confirmed)},
                    {"last_outcome", monitor::OutcomeName(l.last_outcome)},
                    {"last_at", FormatIso8601(l.last_at)},
                    {"failures_in_row", l.failures_in_row},
                    {"message", l.last_message}};
            }
        }
        state["locations"] = std::move(locations);
        if (m.spec.type == monitor::MonitorType::kHeartbeat) {
            state["last_ping_at"] =
                st && st->last_ping_at ? json::value(FormatIso8601(*st->last_ping_at)) : json::value(nullptr);
        }
        o["state"] = std::move(state);
        return o;
    }

    void List(const Request& req, Response& res, const auth::Principal&) {
        json::array arr;
        auto type = req.QueryParam("type");
        if (type && !monitor::ParseMonitorType(*type)) {
            throw HttpError(400, "invalid-query", "type must be one of http, tcp, dns, tls, icmp, heartbeat", "type");
        }
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListMonitors());
            TOCSIN_ASSIGN(states, tx.ListMonitorStates());
            std::map<std::string, monitor::MonitorState> by_id;
            for (auto& s : states) by_id.emplace(s.monitor_id, std::move(s));
            for (const auto& m : list) {
                if (type && monitor::MonitorTypeName(m.spec.type) != *type) continue;
                auto it = by_id.find(m.id);
                arr.push_back(Render(m, it == by_id.end() ? std::nullopt : std::optional(it->second)));
            }
            return {};
        }));
        WriteJson(res, arr);
    }

    void Get(const Request& req, Response& res, const auth::Principal&) {
        json::object out;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            auto m = Load(tx, req);
            TOCSIN_ASSIGN(st, tx.GetMonitorState(m.id));
            out = Render(m, st);
            return {};
        }));
        WriteJson(res, out);
    }

    // A heartbeat monitor gets a new secret; the URL with it is shown only in this reply.
    std::string NewHeartbeat(Monitor& m) {
        auto secret = auth::NewSecret("hb_");
        m.heartbeat_token_hash = auth::HashToken(secret);
        return secret;
    }

    static std::string PingPath(const std::string& secret) { return "/api/v1/heartbeats/" + secret; }

    void Create(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "monitor");
        auto m = ValueOrThrow(monitor::MonitorFromJson(body, Monitor{}));
        m.id = NewId();
        m.source = "api";
        m.created_at = m.updated_at = d_.clock.Now();
        std::string secret;
        if (m.spec.type == monitor::MonitorType::kHeartbeat) secret = NewHeartbeat(m);
        json::object out;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(service::ValidateMonitorLinks(tx, m));
            TOCSIN_TRY(tx.InsertMonitor(m));
            out = Render(m, std::nullopt);
            return {};
        }));
        if (!secret.empty()) out["heartbeat_url"] = PingPath(secret);
        Changed();
        res.SetHeader("Location", "/api/v1/monitors/" + m.id);
        WriteJson(res, out, 201);
    }

    void Patch(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "monitor");
        json::object out;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto base = Load(tx, req);
            if (base.source == "config") {
                return Error::Conflict(
                    "monitor " + base.id + " is declared in the configuration file; change it there"
                );
            }
            TOCSIN_ASSIGN(m, monitor::MonitorFromJson(body, base));
            TOCSIN_TRY(service::ValidateMonitorLinks(tx, m));
            m.updated_at = d_.clock.Now();
            TOCSIN_TRY(tx.UpdateMonitor(m));
            TOCSIN_ASSIGN(st, tx.GetMonitorState(m.id));
            out = Render(m, st);
            return {};
        }));
        Changed();
        WriteJson(res, out);
    }

    void Delete(const Request& req, Response& res, const auth::Principal&) {
        bool page_changed = false;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto m = Load(tx, req);
            if (m.source == "config") {
                return Error::Conflict("monitor " + m.id + " is declared in the configuration file; remove it there");
            }
            TOCSIN_ASSIGN(released, service::ReleaseMonitor(tx, m, d_.clock.Now()));
            page_changed = released;
            return tx.DeleteMonitor(m.id);
        }));
        Changed();
        if (page_changed && d_.on_page_change) d_.on_page_change();
        res.status = 204;
    }

    void RotateHeartbeat(const Request& req, Response& res, const auth::Principal&) {
        std::string secret;
        std::string id;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto m = Load(tx, req);
            if (m.spec.type != monitor::MonitorType::kHeartbeat) {
                return Error::Conflict("monitor " + m.id + " is not a heartbeat monitor");
            }
            if (m.source == "config") {
                return Error::Conflict(
                    "monitor " + m.id + " is declared in the configuration file; its heartbeat_token is set there"
                );
            }
            secret = NewHeartbeat(m);
            m.updated_at = d_.clock.Now();
            id = m.id;
            return tx.UpdateMonitor(m);
        }));
        Changed();
        WriteJson(res, json::object{{"monitor_id", id}, {"heartbeat_url", PingPath(secret)}}, 201);
    }

    void CheckNow(const Request& req, Response& res, const auth::Principal&) {
        Monitor m;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            m = Load(tx, req);
            return {};
        }));
        if (m.spec.type == monitor::MonitorType::kHeartbeat) {
            throw HttpError(
                409, "conflict", "a heartbeat monitor is passive: it waits for pings and cannot be checked now"
            );
        }
        auto plan = ValueOrThrow(monitor::MakePlan(m));
        std::optional<monitor::CheckResult> r;
        if (d_.check_now) r = d_.check_now(std::move(plan));
        if (!r)
            throw HttpError(
                503, "unavailable", "the check did not finish in time; the local check engine may be off or overloaded"
            );
        WriteJson(res, monitor::CheckResultToJson(*r));
    }

    void Results(const Request& req, Response& res, const auth::Principal&) {
        store::ResultFilter f;
        f.since = TimeParam(req, "since");
        f.until = TimeParam(req, "until");
        f.limit = IntParam(req, "limit", 100, 1, 10'000);
        if (auto l = req.QueryParam("location")) f.location = l->substr(0, 64);
        json::array arr;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            f.monitor_id = Load(tx, req).id;
            TOCSIN_ASSIGN(list, tx.ListCheckResults(f));
            for (const auto& r : list) arr.push_back(monitor::CheckResultToJson(r));
            return {};
        }));
        WriteJson(res, arr);
    }

    static monitor::RollupPeriod PeriodParam(const Request& req) {
        auto p = req.QueryParam("period").value_or("hour");
        if (p == "hour") return monitor::RollupPeriod::kHour;
        if (p == "day") return monitor::RollupPeriod::kDay;
        throw HttpError(400, "invalid-query", "period must be hour or day", "period");
    }

    void Rollups(const Request& req, Response& res, const auth::Principal&) {
        auto period = PeriodParam(req);
        auto now = d_.clock.Now();
        auto until = TimeParam(req, "until").value_or(now);
        auto since = TimeParam(req, "since")
                         .value_or(until - std::chrono::hours(period == monitor::RollupPeriod::kHour ? 24 : 24 * 90));
        json::array arr;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            auto id = Load(tx, req).id;
            TOCSIN_ASSIGN(list, tx.ListRollups(id, period, since, until));
            for (const auto& r : list) arr.push_back(RollupJson(r));
            return {};
        }));
        WriteJson(res, arr);
    }

    // Uptime of one monitor over [since, until): stored hourly rollups for whole hours, raw
    // results for the partial hours at both ends (raw results older than the retention
    // period are gone; their hours count through the rollups).
    static Result<monitor::Rollup> UptimeOf(store::Tx& tx, const std::string& id, TimePoint since, TimePoint until) {
        using monitor::RollupPeriod;
        auto first_full = monitor::RollupStart(RollupPeriod::kHour, since);
        if (first_full < since) first_full += monitor::RollupLength(RollupPeriod::kHour);
        auto last_full = monitor::RollupStart(RollupPeriod::kHour, until);
        std::vector<monitor::Rollup> parts;
        if (first_full < last_full) {
            TOCSIN_ASSIGN(hours, tx.ListRollups(id, RollupPeriod::kHour, first_full, last_full));
            TimePoint covered_until = first_full;
            for (auto& h : hours) {
                covered_until = h.start + monitor::RollupLength(RollupPeriod::kHour);
                parts.push_back(std::move(h));
            }
            // Hours not rolled up yet (the rollup engine runs each minute) come from raw results.
            if (covered_until < last_full) {
                TOCSIN_ASSIGN(raw, tx.ListResultSamples(id, covered_until, last_full));
                parts.push_back(monitor::Summarize(id, RollupPeriod::kHour, covered_until, std::move(raw)));
            }
            TOCSIN_ASSIGN(head, tx.ListResultSamples(id, since, first_full));
            parts.push_back(monitor::Summarize(id, RollupPeriod::kHour, since, std::move(head)));
            TOCSIN_ASSIGN(tail, tx.ListResultSamples(id, last_full, until));
            parts.push_back(monitor::Summarize(id, RollupPeriod::kHour, last_full, std::move(tail)));
        } else {
            TOCSIN_ASSIGN(raw, tx.ListResultSamples(id, since, until));
            parts.push_back(monitor::Summarize(id, RollupPeriod::kHour, since, std::move(raw)));
        }
        return monitor::Combine(id, RollupPeriod::kHour, since, parts);
    }

    std::pair<TimePoint, TimePoint> Range(const Request& req) {
        auto now = d_.clock.Now();
        auto until = TimeParam(req, "until").value_or(now);
        auto since = TimeParam(req, "since").value_or(until - std::chrono::hours(24 * 30));
        if (since >= until) throw HttpError(400, "invalid-query", "since must be before until", "since");
        return {since, until};
    }

    static json::object UptimeJson(const monitor::Rollup& r, TimePoint since, TimePoint until) {
        json::object o{
            {"since", FormatIso8601(since)},
            {"until", FormatIso8601(until)},
            {"checks", r.checks},
            {"failures", r.failures},
            {"degraded", r.degraded}};
        o["uptime_percent"] = r.checks == 0 ? json::value(nullptr) : json::value(r.UptimePercent());
        o["p50_ms"] = Micros(r.p50);
        o["p95_ms"] = Micros(r.p95);
        o["p99_ms"] = Micros(r.p99);
        return o;
    }

    void MonitorUptime(const Request& req, Response& res, const auth::Principal&) {
        auto [since, until] = Range(req);
        json::object out;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            auto m = Load(tx, req);
            TOCSIN_ASSIGN(r, UptimeOf(tx, m.id, since, until));
            out = UptimeJson(r, since, until);
            out["monitor_id"] = m.id;
            return {};
        }));
        WriteJson(res, out);
    }

    // A component's uptime is that of its worst monitor (the lowest percentage).
    void ComponentUptime(const Request& req, Response& res, const auth::Principal&) {
        auto [since, until] = Range(req);
        std::string id(req.Param("id"));
        json::object out;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(c, tx.GetComponent(id));
            if (!c) return Error::NotFound("component " + id + " does not exist");
            TOCSIN_ASSIGN(list, tx.ListMonitors());
            json::array monitors;
            std::optional<double> worst;
            for (const auto& m : list) {
                bool linked = std::any_of(m.components.begin(), m.components.end(), [&](const auto& l) {
                    return l.component_id == id;
                });
                if (!linked) continue;
                TOCSIN_ASSIGN(r, UptimeOf(tx, m.id, since, until));
                auto o = UptimeJson(r, since, until);
                o["monitor_id"] = m.id;
                o["name"] = m.name;
                if (r.checks > 0 && (!worst || r.UptimePercent() < *worst)) worst = r.UptimePercent();
                monitors.push_back(std::move(o));
            }
            out = json::object{{"component_id", id}, {"since", FormatIso8601(since)}, {"until", FormatIso8601(until)}};
            out["uptime_percent"] = worst ? json::value(*worst) : json::value(nullptr);
            out["monitors"] = std::move(monitors);
            return {};
        }));
        WriteJson(res, out);
    }

    void Events(const Request& req, Response& res, const auth::Principal&) {
        auto [since, until] = Range(req);
        json::array arr;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            auto m = Load(tx, req);
            TOCSIN_ASSIGN(list, tx.ListMonitorEvents(m.id, since, until));
            for (const auto& e : list) {
                json::array locations;
                for (const auto& l : e.change.locations_down) locations.emplace_back(l);
                arr.push_back(json::object{
                    {"id", e.id},
                    {"monitor_id", e.change.monitor_id},
                    {"at", FormatIso8601(e.change.at)},
                    {"from", monitor::OutcomeName(e.change.from)},
                    {"to", monitor::OutcomeName(e.change.to)},
                    {"message", e.change.message},
                    {"locations", std::move(locations)}});
            }
            return {};
        }));
        WriteJson(res, arr);
    }

    // ---- heartbeats and probes -----------------------------------------------------------

    void Heartbeat(const Request& req, Response& res) {
        std::string secret(req.Param("token"));
        std::optional<Monitor> m;
        if (secret.size() <= 200) {
            ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
                TOCSIN_ASSIGN(found, tx.FindMonitorByHeartbeatHash(auth::HashToken(secret)));
                m = std::move(found);
                return {};
            }));
        }
        if (!m) throw HttpError(404, "not-found", "no heartbeat monitor has this token");
        if (!m->enabled) throw HttpError(409, "disabled", "monitor " + m->id + " is disabled");
        monitor::CheckResult r;
        r.monitor_id = m->id;
        r.location = "local";
        r.at = d_.clock.Now();
        r.outcome = monitor::Outcome::kUp;
        // A ping may report a failure of the job itself: ?status=down (or fail) and ?msg=.
        auto status = req.QueryParam("status");
        if (status && (*status == "down" || *status == "fail")) {
            r.outcome = monitor::Outcome::kDown;
            r.error = monitor::ErrorClass::kCondition;
            r.message = req.QueryParam("msg").value_or("the job reported a failure").substr(0, 500);
        }
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.InsertCheckResults({r}); }));
        if (d_.submit_result) d_.submit_result(r, true);
        WriteJson(res, json::object{{"ok", true}, {"monitor_id", m->id}, {"received_at", FormatIso8601(r.at)}});
    }

    static std::string LocationParam(const Request& req) {
        auto l = req.QueryParam("location");
        if (!l || l->empty() || l->size() > 64) {
            throw HttpError(
                400, "invalid-query", "location must name the probe's location (1 to 64 characters)", "location"
            );
        }
        return *l;
    }

    void Assignments(const Request& req, Response& res, const auth::Principal&) {
        auto location = LocationParam(req);
        json::array arr;
        std::map<std::string, Monitor> by_id;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListMonitors());
            for (auto& m : list) by_id.emplace(m.id, std::move(m));
            return {};
        }));
        for (const auto& [id, m] : by_id) {
            if (!m.enabled || m.spec.type == monitor::MonitorType::kHeartbeat) continue;
            if (std::find(m.locations.begin(), m.locations.end(), location) == m.locations.end()) continue;
            auto o = monitor::MonitorToJson(m, monitor::Secrets::kInclude);  // the probe needs the credentials
            o.erase("components");
            arr.push_back(std::move(o));
        }
        WriteJson(res, json::object{{"location", location}, {"monitors", std::move(arr)}});
    }

    void ProbeResults(const Request& req, Response& res, const auth::Principal&) {
        auto location = LocationParam(req);
        auto body = ParseBody(req, "", 4 * 1024 * 1024);
        auto* results = body.if_contains("results");
        if (!results || !results->is_array())
            throw HttpError(400, "invalid-field", "results must be an array", "results");
        if (results->get_array().size() > kMaxProbeBatch) {
            throw HttpError(413, "too-many", fmt::format("at most {} results per request", kMaxProbeBatch), "results");
        }
        std::vector<monitor::CheckResult> batch;
        for (std::size_t i = 0; i < results->get_array().size(); ++i) {
            auto r = monitor::CheckResultFromJson(results->get_array()[i]);
            if (!r) {
                auto field = fmt::format("results[{}]{}{}", i, r.error().field.empty() ? "" : ".", r.error().field);
                throw HttpError(400, "invalid-field", field + ": " + r.error().message, field);
            }
            r->location = location;  // a probe speaks only for its own location
            // A result from the future would pin the location (older results are ignored
            // after it): a probe whose clock runs ahead is told, not believed.
            if (r->at > d_.clock.Now() + kMaxClockSkew) {
                auto field = fmt::format("results[{}].at", i);
                throw HttpError(
                    400,
                    "invalid-field",
                    field + " is more than a minute in the future: is the probe's clock right?",
                    field
                );
            }
            batch.push_back(std::move(*r));
        }
        // Only results for monitors that exist and list this location count; the rest
        // (a monitor deleted or reassigned meanwhile) are dropped, and the reply says so.
        std::vector<monitor::CheckResult> accepted;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListMonitors());
            std::set<std::string> assigned;
            for (const auto& m : list) {
                if (std::find(m.locations.begin(), m.locations.end(), location) != m.locations.end())
                    assigned.insert(m.id);
            }
            for (auto& r : batch) {
                if (assigned.contains(r.monitor_id)) accepted.push_back(std::move(r));
            }
            return tx.InsertCheckResults(accepted);
        }));
        auto ignored = batch.size() - accepted.size();
        auto count = accepted.size();
        for (auto& r : accepted) {
            if (d_.submit_result) d_.submit_result(std::move(r), true);
        }
        WriteJson(res, json::object{{"accepted", count}, {"ignored", ignored}}, 202);
    }

    MonitorApiDeps d_;
};

}  // namespace

void RegisterMonitorRoutes(http::Router& router, MonitorApiDeps deps) {
    std::make_shared<MonitorApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
