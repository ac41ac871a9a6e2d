/// @file
/// @brief The page's overall status: one indicator and one sentence for the banner.
///
/// Statuspage's rule, as its support describes it: the worst of the components'
/// states and the impact of unresolved incidents; maintenance shows only when
/// nothing is broken. Pure function of values; no I/O, no clock.
#pragma once

#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"

#include <string_view>
#include <vector>

namespace tocsin::domain {

enum class PageCondition {
    kAllOperational,       // none
    kPartiallyDegraded,    // minor: some component degraded
    kMinorOutage,          // minor: partial outage, or a minor incident
    kPartialSystemOutage,  // major: some component down, or a major incident
    kMajorServiceOutage,   // critical: the only component is down
    kMajorSystemOutage,    // critical: every component down, or a critical incident
    kUnderMaintenance,     // maintenance: work in progress and nothing broken
};

struct PageStatus {
    Impact indicator = Impact::kNone;  // none | minor | major | critical | maintenance
    PageCondition condition = PageCondition::kAllOperational;
};

/// The English sentence Statuspage's v2 JSON uses ("All Systems Operational", ...).
std::string_view Description(PageCondition c);
/// Stable key for translation ("status.all_operational", ...).
std::string_view I18nKey(PageCondition c);

/// Computes the page status from all components (groups are ignored; their children
/// count) and all incidents (only unresolved incidents and maintenances in progress
/// or verifying count).
PageStatus ComputePageStatus(const std::vector<Component>& components, const std::vector<Incident>& incidents);

/// The status a group shows: the worst of its children's.
ComponentStatus GroupStatus(const Component& group, const std::vector<Component>& all);

}  // namespace tocsin::domain
