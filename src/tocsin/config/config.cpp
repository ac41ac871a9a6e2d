#include "tocsin/config/config.hpp"

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
    TOCSIN_TRY(
        prefixed(RejectUnknown(root, "", {"server", "storage", "log", "page", "engines", "monitoring", "monitors"}))
    );
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
    return config.server.Validate();
}

}  // namespace tocsin::config
