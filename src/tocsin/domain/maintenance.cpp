#include "tocsin/domain/maintenance.hpp"

namespace tocsin::domain {

std::optional<IncidentStatus> NextAutomaticStatus(const Incident& m, TimePoint now) {
    if (m.kind != IncidentKind::kMaintenance || !m.scheduled_for || !m.scheduled_until) return std::nullopt;
    switch (m.status) {
        case IncidentStatus::kScheduled:
            if (m.auto_in_progress && now >= *m.scheduled_for) return IncidentStatus::kInProgress;
            // Without auto start, a window that ended unstarted is still closed on time.
            if (!m.auto_in_progress && m.auto_completed && now >= *m.scheduled_until) return IncidentStatus::kCompleted;
            return std::nullopt;
        case IncidentStatus::kInProgress:
        case IncidentStatus::kVerifying:
            if (m.auto_completed && now >= *m.scheduled_until) return IncidentStatus::kCompleted;
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

bool IsMaintenanceActiveAt(const Incident& m, TimePoint now) {
    if (m.kind != IncidentKind::kMaintenance || m.IsClosed()) return false;
    if (m.status == IncidentStatus::kInProgress || m.status == IncidentStatus::kVerifying) return true;
    return m.scheduled_for && m.scheduled_until && now >= *m.scheduled_for && now < *m.scheduled_until;
}

ComponentStatus StatusBeforeMaintenance(const Incident& m, const std::string& component_id) {
    // Updates are newest first; the oldest change into maintenance holds the status before it.
    std::optional<ComponentStatus> before;
    for (const auto& u : m.updates) {
        for (const auto& a : u.affected_components) {
            if (a.code == component_id && a.new_status == ComponentStatus::kUnderMaintenance &&
                a.old_status != ComponentStatus::kUnderMaintenance) {
                before = a.old_status;
            }
        }
    }
    return before.value_or(ComponentStatus::kOperational);
}

}  // namespace tocsin::domain
