#include "tocsin/config/config.hpp"

#include "tocsin/domain/subscriber.hpp"
#include "tocsin/monitor/monitor_json.hpp"

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>

namespace tocsin::config {
namespace {

std::string Where(const YAML::Node& n, const std::string& path) {
    auto mark = n.Mark();
    if (mark.line < 0) return path;
    return path + " (line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ")";
}

Result<void> RejectUnknown(const YAML::Node& map, const std::string& prefix, const std::set<std::string>& known) {
    if (!map.IsMap()) return Error::Invalid(prefix, Where(map, prefix) + ": must be a mapping");
    for (const auto& kv : map) {
        auto key = kv.first.as<std::string>();
        if (!known.count(key)) {
            std::string path = prefix.empty() ? key : prefix + "." + key;
            return Error::Invalid(path, Where(kv.first, path) + ": unknown key");
        }
    }
    return {};
}

template <class T>
Result<void> Read(const YAML::Node& parent, const char* key, const std::string& path, T& out) {
    auto n = parent[key];
    if (!n) return {};
    try {
        out = n.as<T>();
    } catch (const YAML::Exception&) {
        return Error::Invalid(path, Where(n, path) + ": has the wrong type");
    }
    return {};
}

// YAML to JSON for the monitor parser, remembering where each path came from so that an
// error from MonitorFromJson ("components[0].down_status") points at a line and column.
using Marks = std::map<std::string, YAML::Mark>;

boost::json::value ToJson(const YAML::Node& n, const std::string& path, Marks& marks) {
    marks[path] = n.Mark();
    if (n.IsMap()) {
        boost::json::object o;
        for (const auto& kv : n) {
            auto key = kv.first.as<std::string>();
            o[key] = ToJson(kv.second, path.empty() ? key : path + "." + key, marks);
        }
        return o;
    }
    if (n.IsSequence()) {
        boost::json::array a;
        for (std::size_t i = 0; i < n.size(); ++i)
            a.push_back(ToJson(n[i], path + "[" + std::to_string(i) + "]", marks));
        return a;
    }
    if (n.IsNull()) return nullptr;
    const auto& text = n.Scalar();
    if (n.Tag() == "!") return boost::json::string(text);  // quoted: always a string
    if (text == "true" || text == "false") return text == "true";
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc() && p == text.data() + text.size()) return i;
    return boost::json::string(text);
}

// The path as given, at the position of its nearest ancestor that the file has (a missing
// key is reported where its mapping starts).
std::string WhereMark(const Marks& marks, const std::string& wanted) {
    std::string path = wanted;
    while (true) {
        auto it = marks.find(path);
        if (it != marks.end() && it->second.line >= 0) {
            return wanted + " (line " + std::to_string(it->second.line + 1) + ", column " +
                   std::to_string(it->second.column + 1) + ")";
        }
        auto cut = path.find_last_of(".[");
        if (cut == std::string::npos) return wanted;
        path = path.substr(0, cut);
    }
}

bool ValidId(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

Result<void> ReadMonitors(const YAML::Node& list, DeclaredMonitors& out) {
    out.present = true;
    out.monitors.clear();
    out.heartbeat_tokens.clear();
    if (list.IsNull()) return {};
    if (!list.IsSequence()) return Error::Invalid("monitors", Where(list, "monitors") + ": must be a list of monitors");
    Marks marks;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::string prefix = "monitors[" + std::to_string(i) + "]";
        auto value = ToJson(list[i], prefix, marks);
        if (!value.is_object()) return Error::Invalid(prefix, Where(list[i], prefix) + ": must be a mapping");
        auto& o = value.as_object();
        auto* id = o.if_contains("id");
        if (!id || !id->is_string() || !ValidId(std::string(id->as_string()))) {
            return Error::Invalid(
                prefix + ".id",
                WhereMark(marks, prefix + ".id") +
                    ": every declared monitor needs an id of 1 to 64 letters, digits, '-' or '_'"
            );
        }
        std::string id_text(id->as_string());
        if (!ids.insert(id_text).second)
            return Error::Invalid(
                prefix + ".id", WhereMark(marks, prefix + ".id") + ": id " + id_text + " is used twice"
            );
        o.erase("id");
        std::string token;
        if (auto* t = o.if_contains("heartbeat_token")) {
            if (!t->is_string() || t->as_string().size() < 16 || t->as_string().size() > 200) {
                return Error::Invalid(
                    prefix + ".heartbeat_token",
                    WhereMark(marks, prefix + ".heartbeat_token") + ": must be a secret of 16 to 200 characters"
                );
            }
            token = std::string(t->as_string());
            o.erase("heartbeat_token");
        }
        auto m = monitor::MonitorFromJson(o, monitor::Monitor{});
        if (!m) {
            auto field = prefix + (m.error().field.empty() ? "" : "." + m.error().field);
            return Error::Invalid(field, WhereMark(marks, field) + ": " + m.error().message);
        }
        m->id = id_text;
        m->source = "config";
        if (m->spec.type == monitor::MonitorType::kHeartbeat) {
            if (token.empty()) {
                return Error::Invalid(
                    prefix + ".heartbeat_token",
                    WhereMark(marks, prefix) +
                        ": a declared heartbeat monitor needs heartbeat_token (the secret in its ping URL)"
                );
            }
            out.heartbeat_tokens[id_text] = token;
        }
        out.monitors.push_back(std::move(*m));
    }
    return {};
}

// "Example Status <status@example.com>" or a bare address.
Result<void> ParseFrom(const std::string& text, notify::DeliveryOptions& out) {
    auto lt = text.find('<');
    std::string address = text;
    std::string name;
    if (lt != std::string::npos) {
        auto gt = text.find('>', lt);
        if (gt == std::string::npos || gt + 1 != text.size()) {
            return Error::Invalid("notifications.from", "must be an address or \"Name <address>\"");
        }
        address = text.substr(lt + 1, gt - lt - 1);
        name = text.substr(0, lt);
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    }
    if (auto r = domain::ValidateEmailAddress(address); !r) {
        return Error::Invalid("notifications.from", "is not a valid address: " + r.error().message);
    }
    if (name.find_first_of("\r\n") != std::string::npos) {
        return Error::Invalid("notifications.from", "the name must be one line");
    }
    out.from_address = address;
    out.from_name = name;
    return {};
}

Result<void> ReadNotifications(const YAML::Node& s, notify::NotificationOptions& n) {
    TOCSIN_TRY(RejectUnknown(
        s,
        "notifications",
        {"enabled",
         "public_url",
         "from",
         "templates_dir",
         "smtp",
         "http",
         "retry",
         "fanout_batch",
         "max_in_flight",
         "policy",
         "mastodon",
         "telegram",
         "subscribe"}
    ));
    TOCSIN_TRY(Read(s, "enabled", "notifications.enabled", n.enabled));
    TOCSIN_TRY(Read(s, "public_url", "notifications.public_url", n.delivery.public_url));
    if (!n.delivery.public_url.empty() && n.delivery.public_url.rfind("http://", 0) != 0 &&
        n.delivery.public_url.rfind("https://", 0) != 0) {
        return Error::Invalid(
            "notifications.public_url",
            Where(s["public_url"], "notifications.public_url") + ": must start with http:// or https://"
        );
    }
    if (s["from"]) {
        std::string from;
        TOCSIN_TRY(Read(s, "from", "notifications.from", from));
        if (auto r = ParseFrom(from, n.delivery); !r) {
            return Error::Invalid(r.error().field, Where(s["from"], "notifications.from") + ": " + r.error().message);
        }
    }
    TOCSIN_TRY(Read(s, "templates_dir", "notifications.templates_dir", n.delivery.templates_dir));
    TOCSIN_TRY(Read(s, "fanout_batch", "notifications.fanout_batch", n.delivery.fanout_batch));
    TOCSIN_TRY(Read(s, "max_in_flight", "notifications.max_in_flight", n.delivery.max_in_flight));
    if (n.delivery.fanout_batch < 1 || n.delivery.fanout_batch > 10000) {
        return Error::Invalid(
            "notifications.fanout_batch",
            Where(s["fanout_batch"], "notifications.fanout_batch") + ": must be 1 to 10000"
        );
    }
    if (n.delivery.max_in_flight < 1 || n.delivery.max_in_flight > 100000) {
        return Error::Invalid(
            "notifications.max_in_flight",
            Where(s["max_in_flight"], "notifications.max_in_flight") + ": must be 1 to 100000"
        );
    }
    if (auto m = s["smtp"]) {
        TOCSIN_TRY(RejectUnknown(
            m, "notifications.smtp", {"url", "tls", "username", "password", "ca_file", "verify", "connections", "helo"}
        ));
        auto& o = n.transport.smtp;
        TOCSIN_TRY(Read(m, "url", "notifications.smtp.url", o.url));
        if (!o.url.empty() && o.url.rfind("smtp://", 0) != 0 && o.url.rfind("smtps://", 0) != 0) {
            return Error::Invalid(
                "notifications.smtp.url",
                Where(m["url"], "notifications.smtp.url") + ": must start with smtp:// or smtps://"
            );
        }
        std::string tls = o.url.rfind("smtps://", 0) == 0 ? "tls" : "starttls";
        TOCSIN_TRY(Read(m, "tls", "notifications.smtp.tls", tls));
        if (tls == "none") {
            o.tls = notify::SmtpOptions::Tls::kNone;
        } else if (tls == "starttls") {
            o.tls = notify::SmtpOptions::Tls::kStartTls;
        } else if (tls == "tls") {
            o.tls = notify::SmtpOptions::Tls::kImplicit;
        } else {
            return Error::Invalid(
                "notifications.smtp.tls", Where(m["tls"], "notifications.smtp.tls") + ": must be none, starttls or tls"
            );
        }
        TOCSIN_TRY(Read(m, "username", "notifications.smtp.username", o.username));
        TOCSIN_TRY(Read(m, "password", "notifications.smtp.password", o.password));
        TOCSIN_TRY(Read(m, "ca_file", "notifications.smtp.ca_file", o.ca_file));
        TOCSIN_TRY(Read(m, "verify", "notifications.smtp.verify", o.verify_peer));
        TOCSIN_TRY(Read(m, "helo", "notifications.smtp.helo", o.helo_domain));
        TOCSIN_TRY(Read(m, "connections", "notifications.smtp.connections", n.transport.smtp_connections));
        if (n.transport.smtp_connections < 1 || n.transport.smtp_connections > 64) {
            return Error::Invalid(
                "notifications.smtp.connections",
                Where(m["connections"], "notifications.smtp.connections") + ": must be 1 to 64"
            );
        }
    }
    if (auto h = s["http"]) {
        TOCSIN_TRY(
            RejectUnknown(h, "notifications.http", {"per_host", "total", "timeout_seconds", "refuse_private_targets"})
        );
        TOCSIN_TRY(Read(h, "per_host", "notifications.http.per_host", n.transport.per_host_requests));
        TOCSIN_TRY(Read(h, "total", "notifications.http.total", n.transport.total_requests));
        TOCSIN_TRY(Read(
            h, "refuse_private_targets", "notifications.http.refuse_private_targets", n.transport.refuse_private_targets
        ));
        int timeout = 0;
        TOCSIN_TRY(Read(h, "timeout_seconds", "notifications.http.timeout_seconds", timeout));
        if (timeout < 0 || timeout > 300) {
            return Error::Invalid(
                "notifications.http.timeout_seconds",
                Where(h["timeout_seconds"], "notifications.http.timeout_seconds") + ": must be 1 to 300"
            );
        }
        if (timeout > 0) n.transport.timeout = std::chrono::seconds(timeout);
        if (n.transport.per_host_requests < 1 || n.transport.total_requests < n.transport.per_host_requests) {
            return Error::Invalid(
                "notifications.http",
                Where(h, "notifications.http") + ": per_host must be at least 1 and total at least per_host"
            );
        }
    }
    if (auto r = s["retry"]) {
        TOCSIN_TRY(RejectUnknown(r, "notifications.retry", {"max_attempts", "base_seconds", "max_seconds"}));
        int base = static_cast<int>(n.delivery.retry_base.count());
        int max = static_cast<int>(n.delivery.retry_max.count());
        TOCSIN_TRY(Read(r, "max_attempts", "notifications.retry.max_attempts", n.delivery.max_attempts));
        TOCSIN_TRY(Read(r, "base_seconds", "notifications.retry.base_seconds", base));
        TOCSIN_TRY(Read(r, "max_seconds", "notifications.retry.max_seconds", max));
        if (n.delivery.max_attempts < 1 || n.delivery.max_attempts > 100 || base < 1 || max < base) {
            return Error::Invalid(
                "notifications.retry",
                Where(r, "notifications.retry") +
                    ": max_attempts 1 to 100, base_seconds at least 1, max_seconds at least base_seconds"
            );
        }
        n.delivery.retry_base = std::chrono::seconds(base);
        n.delivery.retry_max = std::chrono::seconds(max);
    }
    if (auto p = s["policy"]) {
        std::set<std::string> known{"automatic_first_update"};
        for (auto c : {"email", "webhook", "slack", "teams", "discord", "telegram", "mastodon"}) known.insert(c);
        TOCSIN_TRY(RejectUnknown(p, "notifications.policy", known));
        TOCSIN_TRY(Read(
            p, "automatic_first_update", "notifications.policy.automatic_first_update", n.policy.automatic_first_update
        ));
        for (const auto& kv : p) {
            auto name = kv.first.as<std::string>();
            auto channel = domain::ParseChannel(name);
            if (!channel) continue;
            std::string path = "notifications.policy." + name;
            TOCSIN_TRY(RejectUnknown(kv.second, path, {"min_impact", "maintenance"}));
            notify::ChannelPolicy cp;
            std::string impact = "none";
            TOCSIN_TRY(Read(kv.second, "min_impact", path + ".min_impact", impact));
            auto parsed = domain::ParseImpact(impact);
            if (!parsed || *parsed == domain::Impact::kMaintenance) {
                return Error::Invalid(
                    path + ".min_impact",
                    Where(kv.second["min_impact"], path + ".min_impact") + ": must be none, minor, major or critical"
                );
            }
            cp.min_impact = *parsed;
            TOCSIN_TRY(Read(kv.second, "maintenance", path + ".maintenance", cp.maintenance));
            n.policy.channels[*channel] = cp;
        }
    }
    if (auto m = s["mastodon"]) {
        TOCSIN_TRY(RejectUnknown(m, "notifications.mastodon", {"instance", "access_token", "visibility", "language"}));
        TOCSIN_TRY(Read(m, "instance", "notifications.mastodon.instance", n.mastodon.instance_url));
        TOCSIN_TRY(Read(m, "access_token", "notifications.mastodon.access_token", n.mastodon.access_token));
        TOCSIN_TRY(Read(m, "visibility", "notifications.mastodon.visibility", n.mastodon.visibility));
        TOCSIN_TRY(Read(m, "language", "notifications.mastodon.language", n.mastodon.language));
        if (n.mastodon.instance_url.rfind("https://", 0) != 0 && n.mastodon.instance_url.rfind("http://", 0) != 0) {
            return Error::Invalid(
                "notifications.mastodon.instance",
                Where(m, "notifications.mastodon.instance") + ": must be the instance's URL (https://...)"
            );
        }
        if (n.mastodon.access_token.empty()) {
            return Error::Invalid(
                "notifications.mastodon.access_token",
                Where(m, "notifications.mastodon") + ": needs an access token with write:statuses"
            );
        }
        if (n.mastodon.visibility != "public" && n.mastodon.visibility != "unlisted" &&
            n.mastodon.visibility != "private") {
            return Error::Invalid(
                "notifications.mastodon.visibility",
                Where(m["visibility"], "notifications.mastodon.visibility") + ": must be public, unlisted or private"
            );
        }
    }
    if (auto t = s["telegram"]) {
        TOCSIN_TRY(RejectUnknown(t, "notifications.telegram", {"bot_token", "api_url"}));
        TOCSIN_TRY(Read(t, "bot_token", "notifications.telegram.bot_token", n.telegram.bot_token));
        TOCSIN_TRY(Read(t, "api_url", "notifications.telegram.api_url", n.telegram.api_url));
    }
    if (auto r = s["subscribe"]) {
        TOCSIN_TRY(RejectUnknown(
            r, "notifications.subscribe", {"per_client_per_hour", "per_address_per_hour", "client_address_header"}
        ));
        TOCSIN_TRY(Read(
            r,
            "client_address_header",
            "notifications.subscribe.client_address_header",
            n.subscribe_client_address_header
        ));
        TOCSIN_TRY(Read(
            r, "per_client_per_hour", "notifications.subscribe.per_client_per_hour", n.subscribe_per_client_per_hour
        ));
        TOCSIN_TRY(Read(
            r, "per_address_per_hour", "notifications.subscribe.per_address_per_hour", n.subscribe_per_address_per_hour
        ));
        if (n.subscribe_per_client_per_hour < 1 || n.subscribe_per_address_per_hour < 1) {
            return Error::Invalid(
                "notifications.subscribe", Where(r, "notifications.subscribe") + ": limits must be at least 1 per hour"
            );
        }
    }
    return {};
}

// "90s", "30m", "12h", "7d" (a whole number and one unit).
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
    if (text.size() < 2) return std::nullopt;
    long long n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (ec != std::errc() || p != text.data() + text.size() - 1 || n < 0 || n > 100000) return std::nullopt;
    switch (text.back()) {
        case 's':
            return std::chrono::seconds(n);
        case 'm':
            return std::chrono::minutes(n);
        case 'h':
            return std::chrono::hours(n);
        case 'd':
            return std::chrono::hours(24 * n);
        default:
            return std::nullopt;
    }
}

Result<void> ReadAdmin(const YAML::Node& s, auth::SessionOptions& a) {
    TOCSIN_TRY(RejectUnknown(
        s,
        "admin",
        {"session_idle",
         "session_lifetime",
         "secure_cookie",
         "client_address_header",
         "login_failures_per_email",
         "login_failures_per_client"}
    ));
    auto duration = [&](const char* key, std::chrono::milliseconds& out) -> Result<void> {
        if (!s[key]) return {};
        std::string path = std::string("admin.") + key;
        std::string text;
        TOCSIN_TRY(Read(s, key, path, text));
        auto d = ParseDuration(text);
        if (!d) return Error::Invalid(path, Where(s[key], path) + ": must be a duration like 30m, 12h or 7d");
        out = *d;
        return {};
    };
    TOCSIN_TRY(duration("session_idle", a.idle_timeout));
    TOCSIN_TRY(duration("session_lifetime", a.lifetime));
    if (s["secure_cookie"]) {
        std::string mode;
        TOCSIN_TRY(Read(s, "secure_cookie", "admin.secure_cookie", mode));
        auto parsed = auth::ParseSecureCookie(mode);
        if (!parsed) {
            return Error::Invalid(
                "admin.secure_cookie",
                Where(s["secure_cookie"], "admin.secure_cookie") + ": must be auto, always or never"
            );
        }
        a.secure_cookie = *parsed;
    }
    TOCSIN_TRY(Read(s, "client_address_header", "admin.client_address_header", a.client_address_header));
    TOCSIN_TRY(Read(s, "login_failures_per_email", "admin.login_failures_per_email", a.failures_per_email));
    TOCSIN_TRY(Read(s, "login_failures_per_client", "admin.login_failures_per_client", a.failures_per_client));
    if (auto r = a.Validate(); !r) {
        auto key = r.error().field.substr(r.error().field.find('.') + 1);
        auto node = s[key] ? s[key] : s;
        return Error::Invalid(r.error().field, Where(node, r.error().field) + ": " + r.error().message);
    }
    return {};
}

Result<void> ReadAlerts(const YAML::Node& s, alerts::AlertOptions& a) {
    TOCSIN_TRY(RejectUnknown(s, "alerts", {"rate_per_minute", "rate_burst", "max_queued_events", "timer_interval"}));
    TOCSIN_TRY(Read(s, "rate_per_minute", "alerts.rate_per_minute", a.rate_per_minute));
    TOCSIN_TRY(Read(s, "rate_burst", "alerts.rate_burst", a.rate_burst));
    TOCSIN_TRY(Read(s, "max_queued_events", "alerts.max_queued_events", a.max_queued_events));
    if (s["timer_interval"]) {
        std::string text;
        TOCSIN_TRY(Read(s, "timer_interval", "alerts.timer_interval", text));
        auto d = ParseDuration(text);
        if (!d) {
            return Error::Invalid(
                "alerts.timer_interval",
                Where(s["timer_interval"], "alerts.timer_interval") + ": must be a duration like 5s or 1m"
            );
        }
        a.timer_interval = *d;
    }
    if (auto r = a.Validate(); !r) {
        auto key = r.error().field.substr(r.error().field.find('.') + 1);
        auto node = s[key] ? s[key] : s;
        return Error::Invalid(r.error().field, Where(node, r.error().field) + ": " + r.error().message);
    }
    return {};
}

// `escalation:` (docs/oncall.md, "Escalation").
Result<void> ReadEscalation(const YAML::Node& s, oncall::EscalationOptions& o) {
    TOCSIN_TRY(RejectUnknown(
        s,
        "escalation",
        {"interval",
         "minute",
         "max_per_window",
         "window_minutes",
         "min_gap_minutes",
         "inbound_secret",
         "max_retries",
         "handoff_lead_minutes",
         "handoff_end_notice"}
    ));
    for (auto [key, target] : {std::pair{"interval", &o.interval}, std::pair{"minute", &o.minute}}) {
        if (!s[key]) continue;
        const std::string path = std::string("escalation.") + key;
        std::string text;
        TOCSIN_TRY(Read(s, key, path, text));
        // ParseDuration knows s, m, h and d; sub-second intervals are written in ms.
        std::optional<std::chrono::milliseconds> d;
        if (text.size() > 2 && text.ends_with("ms")) {
            long long n = -1;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 2, n);
            if (ec == std::errc() && end == text.data() + text.size() - 2 && n >= 0) d = std::chrono::milliseconds(n);
        } else {
            d = ParseDuration(text);
        }
        if (!d) return Error::Invalid(path, Where(s[key], path) + ": must be a duration like 500ms or 1m");
        *target = *d;
    }
    TOCSIN_TRY(Read(s, "max_per_window", "escalation.max_per_window", o.max_per_window));
    TOCSIN_TRY(Read(s, "window_minutes", "escalation.window_minutes", o.window_minutes));
    TOCSIN_TRY(Read(s, "min_gap_minutes", "escalation.min_gap_minutes", o.min_gap_minutes));
    TOCSIN_TRY(Read(s, "inbound_secret", "escalation.inbound_secret", o.inbound_secret));
    TOCSIN_TRY(Read(s, "max_retries", "escalation.max_retries", o.max_retries));
    TOCSIN_TRY(Read(s, "handoff_lead_minutes", "escalation.handoff_lead_minutes", o.handoff_lead_minutes));
    TOCSIN_TRY(Read(s, "handoff_end_notice", "escalation.handoff_end_notice", o.handoff_end_notice));
    if (auto r = o.Validate(); !r) {
        auto key = r.error().field.substr(r.error().field.find('.') + 1);
        auto node = s[key] ? s[key] : s;
        return Error::Invalid(r.error().field, Where(node, r.error().field) + ": " + r.error().message);
    }
    return {};
}

// `oncall:` (docs/oncall.md, "People, contact methods and providers").
Result<void> ReadOncall(const YAML::Node& s, oncall::OncallOptions& o) {
    TOCSIN_TRY(RejectUnknown(
        s, "oncall", {"phone", "ntfy", "slack", "telegram", "web_push", "verification", "allow_http_urls"}
    ));
    auto& c = o.senders;
    TOCSIN_TRY(Read(s, "allow_http_urls", "oncall.allow_http_urls", c.allow_http_urls));
    if (auto p = s["phone"]) {
        TOCSIN_TRY(
            RejectUnknown(p, "oncall.phone", {"base_url", "account_sid", "auth_token", "from", "voice_action_url"})
        );
        TOCSIN_TRY(Read(p, "base_url", "oncall.phone.base_url", c.phone.base_url));
        TOCSIN_TRY(Read(p, "account_sid", "oncall.phone.account_sid", c.phone.account_sid));
        TOCSIN_TRY(Read(p, "auth_token", "oncall.phone.auth_token", c.phone.auth_token));
        TOCSIN_TRY(Read(p, "from", "oncall.phone.from", c.phone.from_number));
        TOCSIN_TRY(Read(p, "voice_action_url", "oncall.phone.voice_action_url", c.phone.voice_action_url));
    }
    if (auto n = s["ntfy"]) {
        TOCSIN_TRY(RejectUnknown(n, "oncall.ntfy", {"token"}));
        TOCSIN_TRY(Read(n, "token", "oncall.ntfy.token", c.ntfy_token));
    }
    if (auto n = s["slack"]) {
        TOCSIN_TRY(RejectUnknown(n, "oncall.slack", {"api_url", "bot_token"}));
        TOCSIN_TRY(Read(n, "api_url", "oncall.slack.api_url", c.slack_api_url));
        TOCSIN_TRY(Read(n, "bot_token", "oncall.slack.bot_token", c.slack_bot_token));
    }
    if (auto n = s["telegram"]) {
        TOCSIN_TRY(RejectUnknown(n, "oncall.telegram", {"api_url", "bot_token"}));
        TOCSIN_TRY(Read(n, "api_url", "oncall.telegram.api_url", c.telegram_api_url));
        TOCSIN_TRY(Read(n, "bot_token", "oncall.telegram.bot_token", c.telegram_bot_token));
    }
    if (auto n = s["web_push"]) {
        TOCSIN_TRY(RejectUnknown(n, "oncall.web_push", {"subject", "ttl_seconds"}));
        TOCSIN_TRY(Read(n, "subject", "oncall.web_push.subject", c.vapid_subject));
        long long ttl = c.push_ttl.count();
        TOCSIN_TRY(Read(n, "ttl_seconds", "oncall.web_push.ttl_seconds", ttl));
        c.push_ttl = std::chrono::seconds(ttl);
    }
    if (auto n = s["verification"]) {
        TOCSIN_TRY(RejectUnknown(n, "oncall.verification", {"lifetime_minutes", "max_attempts", "resend_seconds"}));
        long long minutes = o.verification_lifetime.count();
        long long resend = o.verification_resend.count();
        TOCSIN_TRY(Read(n, "lifetime_minutes", "oncall.verification.lifetime_minutes", minutes));
        TOCSIN_TRY(Read(n, "max_attempts", "oncall.verification.max_attempts", o.verification_attempts));
        TOCSIN_TRY(Read(n, "resend_seconds", "oncall.verification.resend_seconds", resend));
        o.verification_lifetime = std::chrono::minutes(minutes);
        o.verification_resend = std::chrono::seconds(resend);
    }
    if (auto r = o.Validate(); !r) {
        // Point at the offending key when the file has it, else at its section.
        const std::string& field = r.error().field;
        YAML::Node node = s;
        std::string rest = field.substr(field.find('.') + 1);
        for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
            if (!node[rest.substr(0, dot)]) break;
            node = node[rest.substr(0, dot)];
            rest = rest.substr(dot + 1);
        }
        // Names in the file that differ from the options' own (from, ttl_seconds) are the keys above.
        if (node[rest]) node = node[rest];
        return Error::Invalid(field, Where(node, field) + ": " + r.error().message);
    }
    return {};
}

}  // namespace

Result<void> ParseListen(const std::string& text, http::ServerOptions& out) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return Error::Invalid("listen", "must look like 127.0.0.1:8080 or [::1]:8080");
    std::string host = text.substr(0, colon);
    std::string port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "0.0.0.0";
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value > 65535) {
        return Error::Invalid("listen", "port must be a number from 0 to 65535");
    }
    out.address = host;
    out.port = static_cast<std::uint16_t>(value);
    return {};
}

Result<void> LoadFile(const std::string& path, Config& config) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        return Error::Invalid("config", "cannot read " + path);
    } catch (const YAML::ParserException& e) {
        return Error::Invalid(
            "config",
            path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg
        );
    }
    if (!root || root.IsNull()) return {};
    auto prefixed = [&](Result<void> r) -> Result<void> {
        if (!r) return Error::Invalid(r.error().field, path + ": " + r.error().message);
        return {};
    };
    TOCSIN_TRY(prefixed(RejectUnknown(
        root,
        "",
        {"server",
         "storage",
         "log",
         "page",
         "engines",
         "monitoring",
         "monitors",
         "notifications",
         "admin",
         "alerts",
         "oncall",
         "escalation"}
    )));
    if (auto s = root["server"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(
            s,
            "server",
            {"listen",
             "body_limit",
             "header_limit",
             "read_timeout_ms",
             "idle_timeout_ms",
             "io_threads",
             "blocking_threads"}
        )));
        std::string listen;
        TOCSIN_TRY(prefixed(Read(s, "listen", "server.listen", listen)));
        if (!listen.empty()) TOCSIN_TRY(prefixed(ParseListen(listen, config.server)));
        TOCSIN_TRY(prefixed(Read(s, "body_limit", "server.body_limit", config.server.body_limit)));
        TOCSIN_TRY(prefixed(Read(s, "header_limit", "server.header_limit", config.server.header_limit)));
        long long ms = 0;
        TOCSIN_TRY(prefixed(Read(s, "read_timeout_ms", "server.read_timeout_ms", ms)));
        if (ms > 0) config.server.read_timeout = std::chrono::milliseconds(ms);
        ms = 0;
        TOCSIN_TRY(prefixed(Read(s, "idle_timeout_ms", "server.idle_timeout_ms", ms)));
        if (ms > 0) config.server.idle_timeout = std::chrono::milliseconds(ms);
        TOCSIN_TRY(prefixed(Read(s, "io_threads", "server.io_threads", config.server.io_threads)));
        TOCSIN_TRY(prefixed(Read(s, "blocking_threads", "server.blocking_threads", config.server.blocking_threads)));
    }
    if (auto s = root["storage"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(s, "storage", {"data_dir"})));
        TOCSIN_TRY(prefixed(Read(s, "data_dir", "storage.data_dir", config.data_dir)));
    }
    if (auto s = root["log"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(s, "log", {"level"})));
        TOCSIN_TRY(prefixed(Read(s, "level", "log.level", config.log_level)));
    }
    if (auto s = root["engines"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(s, "engines", {"maintenance_interval_ms"})));
        long long ms = 0;
        TOCSIN_TRY(prefixed(Read(s, "maintenance_interval_ms", "engines.maintenance_interval_ms", ms)));
        if (ms > 0) config.maintenance_interval = std::chrono::milliseconds(ms);
    }
    if (auto s = root["page"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(s, "page", {"name", "url", "time_zone", "default_language"})));
        auto opt = [&](const char* key, std::optional<std::string>& out) -> Result<void> {
            if (!s[key]) return {};
            std::string v;
            TOCSIN_TRY(prefixed(Read(s, key, std::string("page.") + key, v)));
            out = v;
            return {};
        };
        TOCSIN_TRY(opt("name", config.page.name));
        TOCSIN_TRY(opt("url", config.page.url));
        TOCSIN_TRY(opt("time_zone", config.page.time_zone));
        TOCSIN_TRY(opt("default_language", config.page.default_language));
    }
    if (auto s = root["monitoring"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(
            s, "monitoring", {"location", "raw_retention_days", "hourly_retention_days", "daily_retention_days"}
        )));
        auto& m = config.monitoring;
        TOCSIN_TRY(prefixed(Read(s, "location", "monitoring.location", m.location)));
        TOCSIN_TRY(prefixed(Read(s, "raw_retention_days", "monitoring.raw_retention_days", m.raw_retention_days)));
        TOCSIN_TRY(
            prefixed(Read(s, "hourly_retention_days", "monitoring.hourly_retention_days", m.hourly_retention_days))
        );
        TOCSIN_TRY(prefixed(Read(s, "daily_retention_days", "monitoring.daily_retention_days", m.daily_retention_days))
        );
        if (m.raw_retention_days < 2 || m.raw_retention_days > 3650) {
            return prefixed(Error::Invalid(
                "monitoring.raw_retention_days",
                Where(s["raw_retention_days"], "monitoring.raw_retention_days") + ": must be 2 to 3650"
            ));
        }
        if (m.hourly_retention_days < 7 || m.daily_retention_days < 90) {
            return prefixed(Error::Invalid(
                "monitoring",
                Where(s, "monitoring") + ": keep hourly rollups at least 7 days and daily ones at least 90"
            ));
        }
    }
    if (root["monitors"]) TOCSIN_TRY(prefixed(ReadMonitors(root["monitors"], config.monitors)));
    if (root["notifications"]) TOCSIN_TRY(prefixed(ReadNotifications(root["notifications"], config.notifications)));
    if (root["admin"]) TOCSIN_TRY(prefixed(ReadAdmin(root["admin"], config.admin)));
    if (root["alerts"]) TOCSIN_TRY(prefixed(ReadAlerts(root["alerts"], config.alerts)));
    if (root["oncall"]) TOCSIN_TRY(prefixed(ReadOncall(root["oncall"], config.oncall)));
    if (root["escalation"]) TOCSIN_TRY(prefixed(ReadEscalation(root["escalation"], config.escalation)));
    return config.server.Validate();
}

}  // namespace tocsin::config
