/// @file
/// @brief Incidents and scheduled maintenances, with their timeline of updates.
///
/// Statuspage models a maintenance as an incident with other statuses; tocsin does the
/// same (one type, a `kind`), so both share storage, the update timeline and the v2
/// JSON shape. Pure model: no I/O.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/domain/component.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {

enum class IncidentKind { kIncident, kMaintenance };

enum class IncidentStatus {
    // incidents
    kInvestigating,
    kIdentified,
    kMonitoring,
    kResolved,
    kPostmortem,
    // maintenances
    kScheduled,
    kInProgress,
    kVerifying,
    kCompleted,
};

enum class Impact { kNone, kMinor, kMajor, kCritical, kMaintenance };

std::string_view ToString(IncidentKind k);
std::string_view ToString(IncidentStatus s);
std::string_view ToString(Impact i);
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s);
std::optional<Impact> ParseImpact(std::string_view s);

/// True if `s` is one of the statuses a `kind` may take.
bool IsValidStatusFor(IncidentKind kind, IncidentStatus s);

/// Resolved/postmortem incidents and completed maintenances are over.
bool IsClosedStatus(IncidentStatus s);

/// One component's change as recorded on an update (Statuspage `affected_components`).
struct AffectedComponent {
    std::string code;  // component id
    std::string name;
    ComponentStatus old_status = ComponentStatus::kOperational;
    ComponentStatus new_status = ComponentStatus::kOperational;
};

struct IncidentUpdate {
    std::string id;
    std::string incident_id;
    IncidentStatus status = IncidentStatus::kInvestigating;
    std::string body;  // Markdown
    TimePoint created_at{};
    TimePoint updated_at{};
    TimePoint display_at{};  // may predate created_at for back-dated updates
    bool deliver_notifications = true;
    std::vector<AffectedComponent> affected_components;
};

struct Incident {
    std::string id;
    IncidentKind kind = IncidentKind::kIncident;
    std::string name;
    IncidentStatus status = IncidentStatus::kInvestigating;
    Impact impact = Impact::kNone;          // effective impact shown to visitors
    std::optional<Impact> impact_override;  // set by a human; wins over the derived impact
    TimePoint created_at{};
    TimePoint updated_at{};
    TimePoint started_at{};
    std::optional<TimePoint> monitoring_at;
    std::optional<TimePoint> resolved_at;
    // maintenance window (kind == kMaintenance only)
    std::optional<TimePoint> scheduled_for;
    std::optional<TimePoint> scheduled_until;
    bool auto_in_progress = true;
    bool auto_completed = true;
    int remind_prior_minutes = 0;  // 0: no reminder
    // Set when an automation (monitor, alert) opened it; later notification policy reads it.
    bool automated = false;
    std::vector<std::string> component_ids;
    std::vector<IncidentUpdate> updates;  // newest first by display_at

    [[nodiscard]] bool IsClosed() const { return IsClosedStatus(status); }
};

/// Impact derived from the worst affected component status, as Statuspage derives it when
/// no override is given: major outage → critical, partial → major, degraded → minor.
Impact ImpactFromComponentStatus(ComponentStatus worst);

/// Impacts in the order of their severity: none 0, minor 1, major 2, critical 3.
/// "maintenance" is not a severity and ranks with "none".
int ImpactRank(Impact i);

/// Sorts updates newest first (display_at, then created_at, then id) in place.
void SortUpdatesNewestFirst(std::vector<IncidentUpdate>& updates);

}  // namespace tocsin::domain
