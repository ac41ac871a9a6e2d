#include "tocsin/common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

namespace tocsin {

std::shared_ptr<spdlog::logger> Logger(const std::string& module) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    if (auto existing = spdlog::get(module)) return existing;
    auto logger = spdlog::stderr_logger_mt(module);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::get_level());
    return logger;
}

void SetLogLevel(const std::string& level) {
    spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace tocsin
