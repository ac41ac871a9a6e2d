/// @file
/// @brief Process settings from a YAML file plus TOCSIN_* environment overrides.
///
/// Fills each module's options struct, rejects unknown keys and names the offending key
/// path (and line) in every error. Product data (components, incidents) is not here:
/// it lives in the database.
#pragma once

#include "tocsin/alerts/alert_options.hpp"
#include "tocsin/auth/auth_options.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/http/server.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/notify/options.hpp"
#include "tocsin/oncall/escalation_options.hpp"
#include "tocsin/oncall/oncall_options.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::config {

/// Page settings applied to the database at start-up when present (config as code).
struct PageProvision {
    std::optional<std::string> name;
    std::optional<std::string> url;
    std::optional<std::string> time_zone;
    std::optional<std::string> default_language;
};

struct MonitoringOptions {
    std::string location = "local";  // the server's own location; "" runs no local checks
    int raw_retention_days = 7;      // raw results, then hourly/daily rollups only (>= 2)
    int hourly_retention_days = 90;
    int daily_retention_days = 730;
};

/// Monitors declared under `monitors:` (config as code). Each needs a stable `id`; they are
/// synchronised into the database at start-up and on SIGHUP and are read-only in the API.
struct DeclaredMonitors {
    bool present = false;  // the file has a monitors: key (an empty list removes them all)
    std::vector<monitor::Monitor> monitors;
    std::map<std::string, std::string> heartbeat_tokens;  // monitor id -> secret from the file
};

struct Config {
    http::ServerOptions server;
    std::string data_dir = "data";
    std::string log_level = "info";
    std::chrono::milliseconds maintenance_interval{5000};
    PageProvision page;
    MonitoringOptions monitoring;
    DeclaredMonitors monitors;
    notify::NotificationOptions notifications;
    auth::SessionOptions admin;            // `admin:` sign-in sessions of the admin app
    alerts::AlertOptions alerts;           // `alerts:` intake rate limits, group-commit queue, timers
    oncall::OncallOptions oncall;          // `oncall:` SMS/voice, ntfy, chat and Web Push providers; verification codes
    oncall::EscalationOptions escalation;  // `escalation:` engine interval, policy minute, rate limits, webhook secret
};

/// Parses "127.0.0.1:8080", "[::1]:0" or "0.0.0.0:80" into address and port.
[[nodiscard]] Result<void> ParseListen(const std::string& text, http::ServerOptions& out);

/// Reads the YAML file at `path` into `config` (keys absent from the file keep their value).
[[nodiscard]] Result<void> LoadFile(const std::string& path, Config& config);

}  // namespace tocsin::config
