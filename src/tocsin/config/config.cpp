#include "tocsin/config/config.hpp"

#include <yaml-cpp/yaml.h>

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
            "config", path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg
        );
    }
    if (!root || root.IsNull()) return {};
    auto prefixed = [&](Result<void> r) -> Result<void> {
        if (!r) return Error::Invalid(r.error().field, path + ": " + r.error().message);
        return {};
    };
    TOCSIN_TRY(prefixed(RejectUnknown(root, "", {"server", "storage", "log", "page", "engines"})));
    if (auto s = root["server"]) {
        TOCSIN_TRY(prefixed(RejectUnknown(s, "server", {"listen", "body_limit", "header_limit", "read_timeout_ms",
                                                       "idle_timeout_ms", "io_threads", "blocking_threads"})));
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
    return config.server.Validate();
}

}  // namespace tocsin::config
