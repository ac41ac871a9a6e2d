/// @file
/// @brief Scheduled maintenance: when a window moves by itself, and what it does to components.
///
/// Pure functions of (maintenance, now); the maintenance_transitions engine applies them.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/domain/incident.hpp"

#include <optional>
#include <string>

namespace tocsin::domain {

/// The next status a maintenance takes by itself at `now`, or nullopt if it stays:
/// scheduled → in_progress once `now >= scheduled_for` (if auto_in_progress);
/// in_progress or verifying → completed once `now >= scheduled_until` (if auto_completed).
/// One step per call; a window that passed entirely while the server was down takes two.
std::optional<IncidentStatus> NextAutomaticStatus(const Incident& maintenance, TimePoint now);

/// True while the maintenance is in progress or verifying (even past its window, when it
/// overruns by hand), or while a scheduled one's window covers `now`.
bool IsMaintenanceActiveAt(const Incident& maintenance, TimePoint now);

/// The status `component_id` returns to when the maintenance ends: its status before the
/// maintenance set it to under_maintenance, as recorded in the timeline; operational if
/// the timeline does not say.
ComponentStatus StatusBeforeMaintenance(const Incident& maintenance, const std::string& component_id);

}  // namespace tocsin::domain
