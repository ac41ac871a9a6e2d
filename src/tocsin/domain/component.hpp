/// @file
/// @brief Components: the parts of a product a status page reports on.
///
/// Pure model: no I/O. The five statuses and their spelling are Statuspage's, so the
/// v2 JSON and the v1 API carry them unchanged.
#pragma once

#include "tocsin/common/clock.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::domain {

enum class ComponentStatus {
    kOperational,
    kDegradedPerformance,
    kPartialOutage,
    kMajorOutage,
    kUnderMaintenance,
};

std::string_view ToString(ComponentStatus s);
std::optional<ComponentStatus> ParseComponentStatus(std::string_view s);

/// Severity for "worst of" comparisons: operational < maintenance < degraded < partial < major.
int Severity(ComponentStatus s);

struct Component {
    std::string id;
    std::string name;
    std::string description;
    ComponentStatus status = ComponentStatus::kOperational;
    bool is_group = false;
    std::optional<std::string> group_id;  // parent group; groups nest one level only
    int position = 0;                     // display order, 1-based after normalisation
    bool showcase = true;
    bool only_show_if_degraded = false;
    TimePoint created_at{};
    TimePoint updated_at{};
};

}  // namespace tocsin::domain
