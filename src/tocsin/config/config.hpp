/// @file
/// @brief Process settings from a YAML file plus TOCSIN_* environment overrides.
///
/// Fills each module's options struct, rejects unknown keys and names the offending key
/// path (and line) in every error. Product data (components, incidents) is not here:
/// it lives in the database.
#pragma once

#include "tocsin/common/result.hpp"
#include "tocsin/http/server.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace tocsin::config {

/// Page settings applied to the database at start-up when present (config as code).
struct PageProvision {
    std::optional<std::string> name;
    std::optional<std::string> url;
    std::optional<std::string> time_zone;
    std::optional<std::string> default_language;
};

struct Config {
    http::ServerOptions server;
    std::string data_dir = "data";
    std::string log_level = "info";
    std::chrono::milliseconds maintenance_interval{5000};
    PageProvision page;
};

/// Parses "127.0.0.1:8080", "[::1]:0" or "0.0.0.0:80" into address and port.
[[nodiscard]] Result<void> ParseListen(const std::string& text, http::ServerOptions& out);

/// Reads the YAML file at `path` into `config` (keys absent from the file keep their value).
[[nodiscard]] Result<void> LoadFile(const std::string& path, Config& config);

}  // namespace tocsin::config
