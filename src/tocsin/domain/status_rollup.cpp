#include "tocsin/domain/status_rollup.hpp"

namespace tocsin::domain {
namespace {

PageStatus FromIncidentImpact(Impact i) {
    switch (i) {
        case Impact::kMinor:
            return {Impact::kMinor, PageCondition::kMinorOutage};
        case Impact::kMajor:
            return {Impact::kMajor, PageCondition::kPartialSystemOutage};
        case Impact::kCritical:
            return {Impact::kCritical, PageCondition::kMajorSystemOutage};
        default:
            return {};
    }
}

}  // namespace

std::string_view Description(PageCondition c) {
    switch (c) {
        case PageCondition::kAllOperational:
            return "All Systems Operational";
        case PageCondition::kPartiallyDegraded:
            return "Partially Degraded Service";
        case PageCondition::kMinorOutage:
            return "Minor Service Outage";
        case PageCondition::kPartialSystemOutage:
            return "Partial System Outage";
        case PageCondition::kMajorServiceOutage:
            return "Major Service Outage";
        case PageCondition::kMajorSystemOutage:
            return "Major System Outage";
        case PageCondition::kUnderMaintenance:
            return "Service Under Maintenance";
    }
    return "All Systems Operational";
}

std::string_view I18nKey(PageCondition c) {
    switch (c) {
        case PageCondition::kAllOperational:
            return "status.all_operational";
        case PageCondition::kPartiallyDegraded:
            return "status.partially_degraded";
        case PageCondition::kMinorOutage:
            return "status.minor_outage";
        case PageCondition::kPartialSystemOutage:
            return "status.partial_system_outage";
        case PageCondition::kMajorServiceOutage:
            return "status.major_service_outage";
        case PageCondition::kMajorSystemOutage:
            return "status.major_system_outage";
        case PageCondition::kUnderMaintenance:
            return "status.under_maintenance";
    }
    return "status.all_operational";
}

PageStatus ComputePageStatus(const std::vector<Component>& components, const std::vector<Incident>& incidents) {
    int leaves = 0, major = 0, partial = 0, degraded = 0, maintenance = 0;
    for (const auto& c : components) {
        if (c.is_group) continue;
        ++leaves;
        switch (c.status) {
            case ComponentStatus::kMajorOutage:
                ++major;
                break;
            case ComponentStatus::kPartialOutage:
                ++partial;
                break;
            case ComponentStatus::kDegradedPerformance:
                ++degraded;
                break;
            case ComponentStatus::kUnderMaintenance:
                ++maintenance;
                break;
            case ComponentStatus::kOperational:
                break;
        }
    }

    PageStatus from_components;
    if (major > 0 && major == leaves) {
        from_components = {
            Impact::kCritical, leaves == 1 ? PageCondition::kMajorServiceOutage : PageCondition::kMajorSystemOutage};
    } else if (major > 0) {
        from_components = {Impact::kMajor, PageCondition::kPartialSystemOutage};
    } else if (partial > 0) {
        from_components = {Impact::kMinor, PageCondition::kMinorOutage};
    } else if (degraded > 0) {
        from_components = {Impact::kMinor, PageCondition::kPartiallyDegraded};
    }

    PageStatus result = from_components;
    bool maintenance_active = maintenance > 0;
    for (const auto& inc : incidents) {
        if (inc.IsClosed()) continue;
        if (inc.kind == IncidentKind::kMaintenance) {
            if (inc.status == IncidentStatus::kInProgress || inc.status == IncidentStatus::kVerifying) {
                maintenance_active = true;
            }
            continue;
        }
        PageStatus from_incident = FromIncidentImpact(inc.impact);
        // A tie keeps the component-derived sentence: it says more about what is broken.
        if (ImpactRank(from_incident.indicator) > ImpactRank(result.indicator)) result = from_incident;
    }

    if (ImpactRank(result.indicator) == 0) {
        result = maintenance_active ? PageStatus{Impact::kMaintenance, PageCondition::kUnderMaintenance} : PageStatus{};
    }
    return result;
}

ComponentStatus GroupStatus(const Component& group, const std::vector<Component>& all) {
    ComponentStatus worst = ComponentStatus::kOperational;
    for (const auto& c : all) {
        if (c.group_id && *c.group_id == group.id && Severity(c.status) > Severity(worst)) worst = c.status;
    }
    return worst;
}

}  // namespace tocsin::domain
