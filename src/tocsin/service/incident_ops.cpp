#include "tocsin/service/incident_ops.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/maintenance.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace tocsin::service {
namespace {

using domain::ComponentStatus;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;

bool Contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string JsonEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
            out += c;
        }
    }
    return out;
}

// Sets one component and records the change on the update being built.
Result<void> SetComponent(
    store::Tx& tx,
    const std::string& id,
    ComponentStatus status,
    TimePoint now,
    domain::IncidentUpdate& update,
    const std::string& field
) {
    TOCSIN_ASSIGN(found, tx.GetComponent(id));
    if (!found) return Error::Invalid(field, "names a component that does not exist");
    if (found->is_group) return Error::Invalid(field, "is a group; set the status of its components instead");
    domain::AffectedComponent change{found->id, found->name, found->status, status};
    if (found->status != status) {
        found->status = status;
        found->updated_at = now;
        TOCSIN_TRY(tx.UpdateComponent(*found));
    }
    update.affected_components.push_back(std::move(change));
    return {};
}

// True if another open incident or active maintenance still holds this component.
Result<bool> HeldElsewhere(store::Tx& tx, const std::string& component_id, const std::string& except_incident) {
    store::IncidentFilter open;
    open.statuses = {
        IncidentStatus::kInvestigating,
        IncidentStatus::kIdentified,
        IncidentStatus::kMonitoring,
        IncidentStatus::kInProgress,
        IncidentStatus::kVerifying};
    open.limit = 1000;
    TOCSIN_ASSIGN(list, tx.ListIncidents(open));
    for (const auto& i : list) {
        if (i.id != except_incident && Contains(i.component_ids, component_id)) return true;
    }
    return false;
}

}  // namespace

Result<domain::IncidentUpdate> PostUpdate(store::Tx& tx, Incident& inc, const UpdateInput& in, TimePoint now) {
    IncidentStatus previous = inc.status;
    IncidentStatus next = in.status.value_or(inc.status);
    if (!domain::IsValidStatusFor(inc.kind, next)) {
        return Error::Invalid(
            "status",
            inc.kind == IncidentKind::kIncident
                ? "must be one of investigating, identified, monitoring, resolved, postmortem"
                : "must be one of scheduled, in_progress, verifying, completed"
        );
    }
    if (in.body.size() > 65536) return Error::Invalid("body", "must be at most 65536 bytes");

    domain::IncidentUpdate u;
    u.id = NewId();
    u.incident_id = inc.id;
    u.status = next;
    u.body = in.body;
    u.created_at = now;
    u.updated_at = now;
    u.display_at = in.display_at.value_or(now);
    u.deliver_notifications = in.deliver_notifications;

    for (const auto& c : in.components) {
        TOCSIN_TRY(SetComponent(tx, c.component_id, c.status, now, u, "components." + c.component_id));
        if (!Contains(inc.component_ids, c.component_id)) inc.component_ids.push_back(c.component_id);
    }

    // Implied component changes, only when the caller did not set components explicitly.
    if (in.components.empty() && next != previous) {
        for (const auto& id : inc.component_ids) {
            TOCSIN_ASSIGN(comp, tx.GetComponent(id));
            if (!comp || comp->is_group) continue;
            std::optional<ComponentStatus> target;
            if (inc.kind == IncidentKind::kMaintenance && next == IncidentStatus::kInProgress &&
                previous == IncidentStatus::kScheduled) {
                target = ComponentStatus::kUnderMaintenance;
            } else if (inc.kind == IncidentKind::kMaintenance && next == IncidentStatus::kCompleted && comp->status == ComponentStatus::kUnderMaintenance) {
                target = domain::StatusBeforeMaintenance(inc, id);
            } else if (inc.kind == IncidentKind::kIncident && domain::IsClosedStatus(next) && !domain::IsClosedStatus(previous) && comp->status != ComponentStatus::kOperational && comp->status != ComponentStatus::kUnderMaintenance) {
                TOCSIN_ASSIGN(held, HeldElsewhere(tx, id, inc.id));
                if (!held) target = ComponentStatus::kOperational;
            }
            if (target) TOCSIN_TRY(SetComponent(tx, id, *target, now, u, "components." + id));
        }
    }

    if (next == IncidentStatus::kMonitoring && !inc.monitoring_at) inc.monitoring_at = u.display_at;
    if (domain::IsClosedStatus(next) && !domain::IsClosedStatus(previous)) inc.resolved_at = u.display_at;
    if (!domain::IsClosedStatus(next)) inc.resolved_at.reset();

    if (inc.kind == IncidentKind::kMaintenance) {
        inc.impact = domain::Impact::kMaintenance;
    } else if (inc.impact_override) {
        inc.impact = *inc.impact_override;
    } else {
        // The derived impact only rises: resolving puts components back, not the impact.
        for (const auto& a : u.affected_components) {
            auto derived = domain::ImpactFromComponentStatus(a.new_status);
            if (domain::ImpactRank(derived) > domain::ImpactRank(inc.impact)) inc.impact = derived;
        }
    }
    inc.status = next;
    inc.updated_at = now;
    TOCSIN_TRY(tx.InsertUpdate(u));
    TOCSIN_TRY(tx.UpdateIncident(inc));
    inc.updates.insert(inc.updates.begin(), u);
    domain::SortUpdatesNewestFirst(inc.updates);

    store::OutboxMessage msg;
    msg.topic = "incident.update";
    msg.idempotency_key = "incident.update:" + u.id;
    msg.created_at = now;
    msg.payload = fmt::format(
        R"({{"incident_id":"{}","update_id":"{}","kind":"{}","status":"{}","first":{},"automated":{},"deliver_notifications":{},"display_at":"{}"}})",
        inc.id,
        u.id,
        domain::ToString(inc.kind),
        domain::ToString(next),
        inc.updates.size() == 1 ? "true" : "false",
        inc.automated ? "true" : "false",
        u.deliver_notifications ? "true" : "false",
        JsonEscape(FormatIso8601(u.display_at))
    );
    TOCSIN_TRY(tx.EnqueueOutbox(msg));
    return u;
}

Result<Incident> CreateIncident(store::Tx& tx, const IncidentInput& in, TimePoint now) {
    if (in.name.empty() || in.name.size() > 255) return Error::Invalid("name", "must be 1 to 255 characters");
    Incident inc;
    inc.id = NewId();
    inc.kind = in.kind;
    inc.name = in.name;
    inc.impact_override = in.impact_override;
    inc.created_at = now;
    inc.updated_at = now;
    inc.started_at = in.first_update.display_at.value_or(now);
    inc.automated = in.automated;
    inc.remind_prior_minutes = in.remind_prior_minutes;
    if (in.kind == IncidentKind::kMaintenance) {
        if (!in.scheduled_for) return Error::Invalid("scheduled_for", "is required for a maintenance");
        if (!in.scheduled_until) return Error::Invalid("scheduled_until", "is required for a maintenance");
        if (*in.scheduled_until <= *in.scheduled_for)
            return Error::Invalid("scheduled_until", "must be after scheduled_for");
        inc.scheduled_for = in.scheduled_for;
        inc.scheduled_until = in.scheduled_until;
        inc.auto_in_progress = in.auto_in_progress;
        inc.auto_completed = in.auto_completed;
        inc.status = IncidentStatus::kScheduled;
        inc.impact = domain::Impact::kMaintenance;
    } else {
        if (in.scheduled_for || in.scheduled_until) {
            return Error::Invalid("scheduled_for", "belongs to maintenances; create it under /api/v1/maintenances");
        }
        inc.status = IncidentStatus::kInvestigating;
        inc.impact = in.impact_override.value_or(domain::Impact::kNone);
    }
    for (const auto& id : in.component_ids) {
        if (!Contains(inc.component_ids, id)) inc.component_ids.push_back(id);
    }
    TOCSIN_TRY(tx.InsertIncident(inc));
    // The first update starts from the kind's initial status so that implied component
    // changes (a maintenance created in_progress) apply.
    UpdateInput first = in.first_update;
    if (!first.status) first.status = inc.status;
    if (!domain::IsValidStatusFor(inc.kind, *first.status)) {
        return Error::Invalid("status", "is not a status of a " + std::string(domain::ToString(inc.kind)));
    }
    TOCSIN_TRY(PostUpdate(tx, inc, first, now));
    return inc;
}

Result<int> ApplyMaintenanceTransitions(store::Tx& tx, TimePoint now) {
    store::IncidentFilter f;
    f.kind = IncidentKind::kMaintenance;
    f.statuses = {IncidentStatus::kScheduled, IncidentStatus::kInProgress, IncidentStatus::kVerifying};
    f.limit = 1000;
    TOCSIN_ASSIGN(list, tx.ListIncidents(f));
    int applied = 0;
    for (auto& m : list) {
        // A window that passed while the server was down takes both steps now.
        for (int step = 0; step < 2; ++step) {
            auto next = domain::NextAutomaticStatus(m, now);
            if (!next) break;
            UpdateInput in;
            in.status = *next;
            in.body = *next == IncidentStatus::kInProgress ? "Scheduled maintenance is currently in progress."
                                                           : "The scheduled maintenance has been completed.";
            in.display_at = *next == IncidentStatus::kInProgress ? *m.scheduled_for : *m.scheduled_until;
            if (*in.display_at > now) in.display_at = now;
            TOCSIN_TRY(PostUpdate(tx, m, in, now));
            ++applied;
        }
    }
    return applied;
}

Result<void> ValidateComponentPlacement(store::Tx& tx, const domain::Component& c) {
    if (!c.group_id) return {};
    if (c.is_group) return Error::Invalid("group_id", "a group cannot be placed inside another group");
    if (*c.group_id == c.id) return Error::Invalid("group_id", "a component cannot be its own group");
    TOCSIN_ASSIGN(group, tx.GetComponent(*c.group_id));
    if (!group) return Error::Invalid("group_id", "names a group that does not exist");
    if (!group->is_group) return Error::Invalid("group_id", "names a component that is not a group");
    return {};
}

}  // namespace tocsin::service
