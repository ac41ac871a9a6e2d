#include "tocsin/domain/component.hpp"

#include <array>
#include <utility>

namespace tocsin::domain {
namespace {

constexpr std::array<std::pair<ComponentStatus, std::string_view>, 5> kNames = {{
    {ComponentStatus::kOperational, "operational"},
    {ComponentStatus::kDegradedPerformance, "degraded_performance"},
    {ComponentStatus::kPartialOutage, "partial_outage"},
    {ComponentStatus::kMajorOutage, "major_outage"},
    {ComponentStatus::kUnderMaintenance, "under_maintenance"},
}};

}  // namespace

std::string_view ToString(ComponentStatus s) {
    for (const auto& [value, name] : kNames) {
        if (value == s) return name;
    }
    return "operational";
}

std::optional<ComponentStatus> ParseComponentStatus(std::string_view s) {
    for (const auto& [value, name] : kNames) {
        if (name == s) return value;
    }
    return std::nullopt;
}

int Severity(ComponentStatus s) {
    switch (s) {
        case ComponentStatus::kOperational:
            return 0;
        case ComponentStatus::kUnderMaintenance:
            return 1;
        case ComponentStatus::kDegradedPerformance:
            return 2;
        case ComponentStatus::kPartialOutage:
            return 3;
        case ComponentStatus::kMajorOutage:
            return 4;
    }
    return 0;
}

}  // namespace tocsin::domain
