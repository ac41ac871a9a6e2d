#include "tocsin/domain/incident.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace tocsin::domain {
namespace {

constexpr std::array<std::pair<IncidentStatus, std::string_view>, 9> kStatusNames = {{
    {IncidentStatus::kInvestigating, "investigating"},
    {IncidentStatus::kIdentified, "identified"},
    {IncidentStatus::kMonitoring, "monitoring"},
    {IncidentStatus::kResolved, "resolved"},
    {IncidentStatus::kPostmortem, "postmortem"},
    {IncidentStatus::kScheduled, "scheduled"},
    {IncidentStatus::kInProgress, "in_progress"},
    {IncidentStatus::kVerifying, "verifying"},
    {IncidentStatus::kCompleted, "completed"},
}};

constexpr std::array<std::pair<Impact, std::string_view>, 5> kImpactNames = {{
    {Impact::kNone, "none"},
    {Impact::kMinor, "minor"},
    {Impact::kMajor, "major"},
    {Impact::kCritical, "critical"},
    {Impact::kMaintenance, "maintenance"},
}};

}  // namespace

std::string_view ToString(IncidentKind k) {
    return k == IncidentKind::kIncident ? "incident" : "maintenance";
}

std::string_view ToString(IncidentStatus s) {
    for (const auto& [v, n] : kStatusNames) {
        if (v == s) return n;
    }
    return "investigating";
}

std::string_view ToString(Impact i) {
    for (const auto& [v, n] : kImpactNames) {
        if (v == i) return n;
    }
    return "none";
}

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s) {
    for (const auto& [v, n] : kStatusNames) {
        if (n == s) return v;
    }
    return std::nullopt;
}

std::optional<Impact> ParseImpact(std::string_view s) {
    for (const auto& [v, n] : kImpactNames) {
        if (n == s) return v;
    }
    return std::nullopt;
}

bool IsValidStatusFor(IncidentKind kind, IncidentStatus s) {
    bool maintenance_status = s == IncidentStatus::kScheduled || s == IncidentStatus::kInProgress ||
                              s == IncidentStatus::kVerifying || s == IncidentStatus::kCompleted;
    return kind == IncidentKind::kMaintenance ? maintenance_status : !maintenance_status;
}

bool IsClosedStatus(IncidentStatus s) {
    return s == IncidentStatus::kResolved || s == IncidentStatus::kPostmortem || s == IncidentStatus::kCompleted;
}

Impact ImpactFromComponentStatus(ComponentStatus worst) {
    switch (worst) {
        case ComponentStatus::kMajorOutage:
            return Impact::kCritical;
        case ComponentStatus::kPartialOutage:
            return Impact::kMajor;
        case ComponentStatus::kDegradedPerformance:
            return Impact::kMinor;
        default:
            return Impact::kNone;
    }
}

int ImpactRank(Impact i) {
    switch (i) {
        case Impact::kMinor:
            return 1;
        case Impact::kMajor:
            return 2;
        case Impact::kCritical:
            return 3;
        case Impact::kNone:
        case Impact::kMaintenance:
            break;
    }
    return 0;
}

void SortUpdatesNewestFirst(std::vector<IncidentUpdate>& updates) {
    std::stable_sort(updates.begin(), updates.end(), [](const IncidentUpdate& a, const IncidentUpdate& b) {
        if (a.display_at != b.display_at) return a.display_at > b.display_at;
        if (a.created_at != b.created_at) return a.created_at > b.created_at;
        return a.id > b.id;
    });
}

}  // namespace tocsin::domain
