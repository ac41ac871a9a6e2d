#include "tocsin/monitor/monitor_json.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/monitor/monitor_state.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <limits>
#include <set>

namespace tocsin::monitor {
namespace {

namespace json = boost::json;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::set<std::string_view> kKnown = {
    "id",
    "name",
    "type",
    "url",
    "method",
    "headers",
    "body",
    "basic_auth",
    "bearer_token",
    "follow_redirects",
    "verify_tls",
    "ca_pem",
    "host",
    "port",
    "server_name",
    "dns_record_type",
    "dns_resolver",
    "timeout_ms",
    "interval_s",
    "retries",
    "degraded_threshold_ms",
    "locations",
    "quorum",
    "recovery_period_s",
    "components",
    "create_incidents",
    "heartbeat_grace_s",
    "conditions",
    "enabled",
    // output-only fields, accepted and ignored so that a GET can be sent back as a PATCH
    "source",
    "created_at",
    "updated_at",
    "secrets_set",
    "state",
    "heartbeat_url",
};
const std::set<std::string_view> kOutputOnly = {
    "id", "source", "created_at", "updated_at", "secrets_set", "state", "heartbeat_url"};

Result<std::string> GetString(const json::value& v, const std::string& field, std::size_t max_len) {
    if (!v.is_string()) return Error::Invalid(field, field + " must be a string");
    const auto& s = v.get_string();
    if (s.size() > max_len)
        return Error::Invalid(field, fmt::format("{} must be at most {} characters", field, max_len));
    return std::string(s);
}

Result<std::int64_t> GetInt(const json::value& v, const std::string& field, std::int64_t min, std::int64_t max) {
    std::int64_t n = 0;
    if (v.is_int64()) {
        n = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        n = static_cast<std::int64_t>(v.get_uint64());
    } else if (v.is_double() && v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double()))) {
        n = static_cast<std::int64_t>(v.get_double());
    } else {
        return Error::Invalid(field, field + " must be an integer");
    }
    if (n < min || n > max) return Error::Invalid(field, fmt::format("{} must be between {} and {}", field, min, max));
    return n;
}

Result<bool> GetBool(const json::value& v, const std::string& field) {
    if (!v.is_bool()) return Error::Invalid(field, field + " must be true or false");
    return v.get_bool();
}

Result<std::vector<std::string>> GetStrings(
    const json::value& v, const std::string& field, std::size_t max_items, std::size_t max_len
) {
    if (!v.is_array()) return Error::Invalid(field, field + " must be an array of strings");
    const auto& a = v.get_array();
    if (a.size() > max_items) return Error::Invalid(field, fmt::format("{} holds at most {} items", field, max_items));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        TOCSIN_ASSIGN(s, GetString(a[i], fmt::format("{}[{}]", field, i), max_len));
        out.push_back(std::move(s));
    }
    return out;
}

Result<void> Apply(const json::object& o, Monitor& m) {
    for (const auto& kv : o) {
        if (!kKnown.contains(kv.key()))
            return Error::Invalid(std::string(kv.key()), "unknown field " + std::string(kv.key()));
    }
    auto field = [&](std::string_view key) -> const json::value* {
        if (kOutputOnly.contains(key)) return nullptr;
        auto it = o.find(key);
        return it == o.end() ? nullptr : &it->value();
    };
    if (auto* v = field("name")) {
        TOCSIN_ASSIGN(s, GetString(*v, "name", 200));
        m.name = std::move(s);
    }
    if (auto* v = field("type")) {
        TOCSIN_ASSIGN(s, GetString(*v, "type", 32));
        auto t = ParseMonitorType(s);
        if (!t) return Error::Invalid("type", "type must be one of http, tcp, dns, tls, icmp, heartbeat");
        if (!m.id.empty() && *t != m.spec.type)
            return Error::Invalid("type", "the type of a monitor cannot change; create a new monitor");
        m.spec.type = *t;
    }
    auto& s = m.spec;
    if (auto* v = field("url")) {
        TOCSIN_ASSIGN(x, GetString(*v, "url", 2048));
        s.url = std::move(x);
    }
    if (auto* v = field("method")) {
        TOCSIN_ASSIGN(x, GetString(*v, "method", 16));
        s.method = std::move(x);
    }
    if (auto* v = field("headers")) {
        if (!v->is_object()) return Error::Invalid("headers", "headers must be an object of header name to value");
        if (v->get_object().size() > 50) return Error::Invalid("headers", "at most 50 headers");
        s.headers.clear();
        for (const auto& kv : v->get_object()) {
            auto name = "headers." + std::string(kv.key());
            TOCSIN_ASSIGN(x, GetString(kv.value(), name, 8192));
            s.headers.emplace_back(std::string(kv.key()), std::move(x));
        }
    }
    if (auto* v = field("body")) {
        TOCSIN_ASSIGN(x, GetString(*v, "body", 64 * 1024));
        s.body = std::move(x);
    }
    if (auto* v = field("basic_auth")) {
        if (v->is_null()) {
            s.basic_user.clear();
            s.basic_password.clear();
        } else {
            if (!v->is_object())
                return Error::Invalid(
                    "basic_auth", "basic_auth must be {\"username\": ..., \"password\": ...} or null"
                );
            for (const auto& kv : v->get_object()) {
                if (kv.key() != "username" && kv.key() != "password") {
                    return Error::Invalid(
                        "basic_auth." + std::string(kv.key()), "unknown field basic_auth." + std::string(kv.key())
                    );
                }
            }
            if (auto it = v->get_object().find("username"); it != v->get_object().end()) {
                TOCSIN_ASSIGN(x, GetString(it->value(), "basic_auth.username", 256));
                s.basic_user = std::move(x);
            }
            if (auto it = v->get_object().find("password"); it != v->get_object().end()) {
                TOCSIN_ASSIGN(x, GetString(it->value(), "basic_auth.password", 1024));
                s.basic_password = std::move(x);
            }
        }
    }
    if (auto* v = field("bearer_token")) {
        if (v->is_null()) {
            s.bearer_token.clear();
        } else {
            TOCSIN_ASSIGN(x, GetString(*v, "bearer_token", 4096));
            s.bearer_token = std::move(x);
        }
    }
    if (auto* v = field("follow_redirects")) {
        TOCSIN_ASSIGN(x, GetBool(*v, "follow_redirects"));
        s.follow_redirects = x;
    }
    if (auto* v = field("verify_tls")) {
        TOCSIN_ASSIGN(x, GetBool(*v, "verify_tls"));
        s.verify_tls = x;
    }
    if (auto* v = field("ca_pem")) {
        TOCSIN_ASSIGN(x, GetString(*v, "ca_pem", 256 * 1024));
        s.ca_pem = std::move(x);
    }
    if (auto* v = field("host")) {
        TOCSIN_ASSIGN(x, GetString(*v, "host", 253));
        s.host = std::move(x);
    }
    if (auto* v = field("port")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "port", 0, 65535));
        s.port = static_cast<int>(x);
    }
    if (auto* v = field("server_name")) {
        TOCSIN_ASSIGN(x, GetString(*v, "server_name", 253));
        s.server_name = std::move(x);
    }
    if (auto* v = field("dns_record_type")) {
        TOCSIN_ASSIGN(x, GetString(*v, "dns_record_type", 8));
        s.dns_record_type = std::move(x);
    }
    if (auto* v = field("dns_resolver")) {
        TOCSIN_ASSIGN(x, GetString(*v, "dns_resolver", 64));
        s.dns_resolver = std::move(x);
    }
    if (auto* v = field("timeout_ms")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "timeout_ms", 100, 60'000));
        s.timeout = milliseconds(x);
    }
    if (auto* v = field("interval_s")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "interval_s", 10, 86'400));
        m.interval = seconds(x);
    }
    if (auto* v = field("retries")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "retries", 0, 10));
        m.retries = static_cast<int>(x);
    }
    if (auto* v = field("degraded_threshold_ms")) {
        if (v->is_null()) {
            m.degraded_threshold.reset();
        } else {
            TOCSIN_ASSIGN(x, GetInt(*v, "degraded_threshold_ms", 1, 60'000));
            m.degraded_threshold = milliseconds(x);
        }
    }
    if (auto* v = field("locations")) {
        TOCSIN_ASSIGN(x, GetStrings(*v, "locations", 32, 64));
        m.locations = std::move(x);
    }
    if (auto* v = field("quorum")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "quorum", 1, 32));
        m.quorum = static_cast<int>(x);
    }
    if (auto* v = field("recovery_period_s")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "recovery_period_s", 0, 86'400));
        m.recovery_period = seconds(x);
    }
    if (auto* v = field("components")) {
        if (!v->is_array())
            return Error::Invalid("components", "components must be an array of {\"component_id\": ...}");
        if (v->get_array().size() > 100) return Error::Invalid("components", "at most 100 components");
        m.components.clear();
        for (std::size_t i = 0; i < v->get_array().size(); ++i) {
            const auto& item = v->get_array()[i];
            auto prefix = fmt::format("components[{}]", i);
            ComponentLink link;
            if (item.is_string()) {
                link.component_id = std::string(item.get_string());
            } else if (item.is_object()) {
                for (const auto& kv : item.get_object()) {
                    auto name = prefix + "." + std::string(kv.key());
                    if (kv.key() == "component_id") {
                        TOCSIN_ASSIGN(x, GetString(kv.value(), name, 64));
                        link.component_id = std::move(x);
                    } else if (kv.key() == "down_status") {
                        TOCSIN_ASSIGN(x, GetString(kv.value(), name, 64));
                        link.down_status = std::move(x);
                    } else if (kv.key() == "degraded_status") {
                        TOCSIN_ASSIGN(x, GetString(kv.value(), name, 64));
                        link.degraded_status = std::move(x);
                    } else {
                        return Error::Invalid(name, "unknown field " + name);
                    }
                }
            } else {
                return Error::Invalid(prefix, prefix + " must be a component id or an object with component_id");
            }
            m.components.push_back(std::move(link));
        }
    }
    if (auto* v = field("create_incidents")) {
        TOCSIN_ASSIGN(x, GetBool(*v, "create_incidents"));
        m.create_incidents = x;
    }
    if (auto* v = field("heartbeat_grace_s")) {
        TOCSIN_ASSIGN(x, GetInt(*v, "heartbeat_grace_s", 0, 86'400));
        m.heartbeat_grace = seconds(x);
    }
    if (auto* v = field("conditions")) {
        TOCSIN_ASSIGN(x, GetStrings(*v, "conditions", 32, 4096));
        m.conditions = std::move(x);
    }
    if (auto* v = field("enabled")) {
        TOCSIN_ASSIGN(x, GetBool(*v, "enabled"));
        m.enabled = x;
    }
    // Defaults that depend on the type, when the caller did not say.
    if (s.type == MonitorType::kTls && s.port == 0) s.port = 443;
    return {};
}

json::value OptMicros(const std::optional<microseconds>& d) {
    if (!d) return nullptr;
    return d->count();
}

}  // namespace

Result<Monitor> MonitorFromJson(const json::object& o, Monitor base) {
    TOCSIN_TRY(Apply(o, base));
    TOCSIN_TRY(Validate(base));
    return base;
}

json::object MonitorToJson(const Monitor& m, Secrets secrets) {
    const auto& s = m.spec;
    json::object o;
    o["id"] = m.id;
    o["name"] = m.name;
    o["type"] = MonitorTypeName(s.type);
    o["enabled"] = m.enabled;
    o["source"] = m.source;
    if (s.type == MonitorType::kHttp) {
        o["url"] = s.url;
        o["method"] = s.method;
        json::object headers;
        for (const auto& [k, v] : s.headers) headers[k] = v;
        o["headers"] = std::move(headers);
        o["body"] = s.body;
        o["follow_redirects"] = s.follow_redirects;
    }
    if (s.type == MonitorType::kHttp || s.type == MonitorType::kTls) {
        o["verify_tls"] = s.verify_tls;
        o["ca_pem"] = s.ca_pem;
    }
    if (s.type == MonitorType::kTcp || s.type == MonitorType::kTls || s.type == MonitorType::kIcmp ||
        s.type == MonitorType::kDns) {
        o["host"] = s.host;
    }
    if (s.type == MonitorType::kTcp || s.type == MonitorType::kTls) o["port"] = s.port;
    if (s.type == MonitorType::kTls) o["server_name"] = s.server_name;
    if (s.type == MonitorType::kDns) {
        o["dns_record_type"] = s.dns_record_type;
        o["dns_resolver"] = s.dns_resolver;
    }
    json::array secrets_set;
    if (secrets == Secrets::kInclude) {
        if (!s.basic_user.empty() || !s.basic_password.empty()) {
            o["basic_auth"] = json::object{{"username", s.basic_user}, {"password", s.basic_password}};
        }
        if (!s.bearer_token.empty()) o["bearer_token"] = s.bearer_token;
    } else {
        if (!s.basic_user.empty()) o["basic_auth"] = json::object{{"username", s.basic_user}};
        if (!s.basic_password.empty()) secrets_set.emplace_back("basic_auth.password");
        if (!s.bearer_token.empty()) secrets_set.emplace_back("bearer_token");
        o["secrets_set"] = std::move(secrets_set);
    }
    o["timeout_ms"] = s.timeout.count();
    o["interval_s"] = m.interval.count();
    o["retries"] = m.retries;
    o["degraded_threshold_ms"] =
        m.degraded_threshold ? json::value(m.degraded_threshold->count()) : json::value(nullptr);
    json::array locations;
    for (const auto& l : m.locations) locations.emplace_back(l);
    o["locations"] = std::move(locations);
    o["quorum"] = m.quorum;
    o["recovery_period_s"] = m.recovery_period.count();
    json::array components;
    for (const auto& c : m.components) {
        components.push_back(json::object{
            {"component_id", c.component_id}, {"down_status", c.down_status}, {"degraded_status", c.degraded_status}});
    }
    o["components"] = std::move(components);
    o["create_incidents"] = m.create_incidents;
    if (s.type == MonitorType::kHeartbeat) o["heartbeat_grace_s"] = m.heartbeat_grace.count();
    json::array conditions;
    for (const auto& c : m.conditions) conditions.emplace_back(c);
    o["conditions"] = std::move(conditions);
    o["created_at"] = FormatIso8601(m.created_at);
    o["updated_at"] = FormatIso8601(m.updated_at);
    return o;
}

std::string MonitorToStoredJson(const Monitor& m) {
    auto o = MonitorToJson(m, Secrets::kInclude);
    o["heartbeat_token_hash"] = m.heartbeat_token_hash;
    o["source"] = m.source;
    return json::serialize(o);
}

Result<Monitor> MonitorFromStoredJson(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return Error::Internal("stored monitor is not a JSON object");
    auto o = v.get_object();
    Monitor m;
    if (auto* id = o.if_contains("id"); id && id->is_string()) m.id = std::string(id->get_string());
    if (auto* h = o.if_contains("heartbeat_token_hash"); h && h->is_string())
        m.heartbeat_token_hash = std::string(h->get_string());
    if (auto* src = o.if_contains("source"); src && src->is_string()) m.source = std::string(src->get_string());
    if (auto* t = o.if_contains("created_at"); t && t->is_string()) {
        if (auto p = ParseIso8601(t->get_string())) m.created_at = *p;
    }
    if (auto* t = o.if_contains("updated_at"); t && t->is_string()) {
        if (auto p = ParseIso8601(t->get_string())) m.updated_at = *p;
    }
    o.erase("heartbeat_token_hash");
    std::string id = std::move(m.id);
    m.id.clear();  // so that Apply accepts the type
    auto applied = Apply(o, m);
    if (!applied) return Error::Internal("stored monitor " + id + " is unreadable: " + applied.error().message);
    m.id = std::move(id);
    return m;
}

json::object CheckResultToJson(const CheckResult& r) {
    json::object o;
    o["monitor_id"] = r.monitor_id;
    o["location"] = r.location;
    o["at"] = FormatIso8601(r.at);
    o["outcome"] = OutcomeName(r.outcome);
    o["error"] = ErrorClassName(r.error);
    o["message"] = r.message;
    o["status_code"] = r.status_code;
    o["dns_us"] = OptMicros(r.timings.dns);
    o["connect_us"] = OptMicros(r.timings.connect);
    o["tls_us"] = OptMicros(r.timings.tls);
    o["first_byte_us"] = OptMicros(r.timings.first_byte);
    o["total_us"] = r.timings.total.count();
    o["certificate_days_left"] = r.certificate_days_left ? json::value(*r.certificate_days_left) : json::value(nullptr);
    return o;
}

Result<CheckResult> CheckResultFromJson(const json::value& v) {
    if (!v.is_object()) return Error::Invalid("", "a result must be an object");
    const auto& o = v.get_object();
    CheckResult r;
    auto req = [&](std::string_view key) -> Result<const json::value*> {
        auto* x = o.if_contains(key);
        if (!x) return Error::Invalid(std::string(key), std::string(key) + " is required");
        return x;
    };
    TOCSIN_ASSIGN(id, req("monitor_id"));
    TOCSIN_ASSIGN(id_s, GetString(*id, "monitor_id", 64));
    r.monitor_id = std::move(id_s);
    TOCSIN_ASSIGN(at, req("at"));
    TOCSIN_ASSIGN(at_s, GetString(*at, "at", 64));
    auto t = ParseIso8601(at_s);
    if (!t) return Error::Invalid("at", "at must be an ISO-8601 time");
    r.at = *t;
    TOCSIN_ASSIGN(outcome, req("outcome"));
    TOCSIN_ASSIGN(outcome_s, GetString(*outcome, "outcome", 16));
    auto oc = ParseOutcome(outcome_s);
    if (!oc) return Error::Invalid("outcome", "outcome must be up, degraded or down");
    r.outcome = *oc;
    if (auto* e = o.if_contains("error")) {
        TOCSIN_ASSIGN(e_s, GetString(*e, "error", 16));
        auto ec = ParseErrorClass(e_s);
        if (!ec) return Error::Invalid("error", "error is not a known error class");
        r.error = *ec;
    }
    if (auto* m = o.if_contains("message")) {
        TOCSIN_ASSIGN(m_s, GetString(*m, "message", 1024));
        r.message = std::move(m_s);
    }
    if (auto* c = o.if_contains("status_code")) {
        TOCSIN_ASSIGN(c_i, GetInt(*c, "status_code", 0, 999));
        r.status_code = static_cast<int>(c_i);
    }
    auto micros = [&](std::string_view key, std::optional<microseconds>& out) -> Result<void> {
        auto* x = o.if_contains(key);
        if (!x || x->is_null()) return {};
        TOCSIN_ASSIGN(n, GetInt(*x, std::string(key), 0, 3'600'000'000LL));
        out = microseconds(n);
        return {};
    };
    TOCSIN_TRY(micros("dns_us", r.timings.dns));
    TOCSIN_TRY(micros("connect_us", r.timings.connect));
    TOCSIN_TRY(micros("tls_us", r.timings.tls));
    TOCSIN_TRY(micros("first_byte_us", r.timings.first_byte));
    std::optional<microseconds> total;
    TOCSIN_TRY(micros("total_us", total));
    r.timings.total = total.value_or(microseconds(0));
    if (auto* d = o.if_contains("certificate_days_left"); d && !d->is_null()) {
        TOCSIN_ASSIGN(d_i, GetInt(*d, "certificate_days_left", -100'000, 100'000));
        r.certificate_days_left = static_cast<int>(d_i);
    }
    return r;
}

std::string MonitorStateToStoredJson(const MonitorState& s) {
    json::object o;
    json::object locations;
    for (const auto& [name, l] : s.locations) {
        locations[name] = json::object{
            {"confirmed", OutcomeName(l.confirmed)},
            {"failures_in_row", l.failures_in_row},
            {"degraded_in_row", l.degraded_in_row},
            {"last_outcome", OutcomeName(l.last_outcome)},
            {"last_at", ToMillis(l.last_at)},
            {"last_message", l.last_message}};
    }
    o["locations"] = std::move(locations);
    o["incident_id"] = s.incident_id;
    json::array auto_updates;
    for (const auto& id : s.auto_update_ids) auto_updates.emplace_back(id);
    o["auto_update_ids"] = std::move(auto_updates);
    o["resolved_at"] = s.resolved_at ? json::value(ToMillis(*s.resolved_at)) : json::value(nullptr);
    o["resolved_incident_id"] = s.resolved_incident_id;
    o["last_ping_at"] = s.last_ping_at ? json::value(ToMillis(*s.last_ping_at)) : json::value(nullptr);
    o["owns_components"] = s.owns_components;
    o["pending"] = s.pending;
    return json::serialize(o);
}

Result<void> MonitorStateFromStoredJson(const std::string& text, MonitorState& s) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return Error::Internal("stored monitor state is not a JSON object");
    const auto& o = v.get_object();
    auto str = [&](const json::object& from, std::string_view key) {
        auto* x = from.if_contains(key);
        return x && x->is_string() ? std::string(x->get_string()) : std::string();
    };
    auto num = [&](const json::object& from, std::string_view key) -> std::optional<std::int64_t> {
        auto* x = from.if_contains(key);
        if (x && x->is_int64()) return x->get_int64();
        return std::nullopt;
    };
    s.locations.clear();
    if (auto* l = o.if_contains("locations"); l && l->is_object()) {
        for (const auto& kv : l->get_object()) {
            if (!kv.value().is_object()) continue;
            const auto& lo = kv.value().get_object();
            LocationState st;
            st.confirmed = ParseOutcome(str(lo, "confirmed")).value_or(Outcome::kUp);
            st.failures_in_row = static_cast<int>(num(lo, "failures_in_row").value_or(0));
            st.degraded_in_row = static_cast<int>(num(lo, "degraded_in_row").value_or(0));
            st.last_outcome = ParseOutcome(str(lo, "last_outcome")).value_or(Outcome::kUp);
            st.last_at = FromMillis(num(lo, "last_at").value_or(0));
            st.last_message = str(lo, "last_message");
            s.locations.emplace(std::string(kv.key()), std::move(st));
        }
    }
    s.incident_id = str(o, "incident_id");
    s.auto_update_ids.clear();
    if (auto* ids = o.if_contains("auto_update_ids"); ids && ids->is_array()) {
        for (const auto& id : ids->get_array()) {
            if (id.is_string()) s.auto_update_ids.emplace_back(id.get_string());
        }
    }
    if (auto t = num(o, "resolved_at"))
        s.resolved_at = FromMillis(*t);
    else
        s.resolved_at.reset();
    s.resolved_incident_id = str(o, "resolved_incident_id");
    if (auto t = num(o, "last_ping_at"))
        s.last_ping_at = FromMillis(*t);
    else
        s.last_ping_at.reset();
    auto* owns = o.if_contains("owns_components");
    s.owns_components = owns && owns->is_bool() && owns->get_bool();
    auto* pending = o.if_contains("pending");
    s.pending = pending && pending->is_bool() && pending->get_bool();
    return {};
}

}  // namespace tocsin::monitor
