/// @file
/// @brief One spdlog logger per module, created on first use, all writing to stderr.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace tocsin {

/// Returns the logger named `module` ("http", "store", ...). Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& module);

/// Sets the level of every logger, present and future ("trace".."off").
void SetLogLevel(const std::string& level);

}  // namespace tocsin
