/// @file
/// @brief The write rules of incidents, maintenances and components, in one place for
/// every caller (admin API today; monitor automation and alert intake later).
///
/// Each function runs inside a caller's store transaction and writes the change and its
/// outbox message together. Nothing here does I/O of its own or reads a clock: `now` is
/// a parameter.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tocsin::service {

struct ComponentChange {
    std::string component_id;
    domain::ComponentStatus status = domain::ComponentStatus::kOperational;
};

/// One new entry of an incident's timeline, with what it changes.
struct UpdateInput {
    std::optional<domain::IncidentStatus> status;  // unchanged if absent
    std::string body;
    std::vector<ComponentChange> components;  // explicit component statuses
    std::optional<TimePoint> display_at;      // back-dating; default now
    bool deliver_notifications = true;
};

struct IncidentInput {
    domain::IncidentKind kind = domain::IncidentKind::kIncident;
    std::string name;
    std::optional<domain::Impact> impact_override;
    std::vector<std::string> component_ids;  // affected without a status change
    std::optional<TimePoint> scheduled_for;
    std::optional<TimePoint> scheduled_until;
    bool auto_in_progress = true;
    bool auto_completed = true;
    int remind_prior_minutes = 0;
    bool automated = false;
    UpdateInput first_update;
};

/// Creates an incident or maintenance with its first update. Validation errors name the
/// field ("name", "status", "components.<id>", "scheduled_until").
[[nodiscard]] Result<domain::Incident> CreateIncident(store::Tx& tx, const IncidentInput& input, TimePoint now);

/// Appends an update: sets status, component statuses (explicit, or implied: maintenance
/// start/end, incident resolution restores what it broke), timestamps and impact.
[[nodiscard]] Result<domain::IncidentUpdate> PostUpdate(
    store::Tx& tx, domain::Incident& incident, const UpdateInput& input, TimePoint now
);

/// Moves maintenances whose window edge has passed (see domain::NextAutomaticStatus);
/// returns how many transitions were applied.
[[nodiscard]] Result<int> ApplyMaintenanceTransitions(store::Tx& tx, TimePoint now);

/// Checks a component's placement: a group cannot sit in a group, group_id must name a group.
[[nodiscard]] Result<void> ValidateComponentPlacement(store::Tx& tx, const domain::Component& c);

}  // namespace tocsin::service
