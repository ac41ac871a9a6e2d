/// @file
/// @brief What a monitor's confirmed state change does: component statuses, one automatic
/// incident per outage, its automatic resolution, and the event for later consumers.
///
/// Rules (docs/architecture.md "Monitor automation"):
/// - down/degraded: linked components take the link's down/degraded status, except those
///   under an active maintenance window. If the monitor may create incidents and at least
///   one linked component is affected, one automatic incident opens (its first update is
///   not delivered to subscribers) or, if the previous automatic incident of this monitor
///   was resolved less than kReopenWindow ago, that incident is reopened (flapping does not
///   open ten incidents). Down after degraded posts one update on the same incident.
/// - up: after the monitor's recovery period of uninterrupted up, the incident is resolved
///   with a closing update; resolving puts components back (incident_ops' rule).
/// - A human who posts an update on the automatic incident takes it over: automation then
///   leaves that incident and its components alone.
/// - Every change is stored as a monitor event and enqueued in the outbox
///   (topic "monitor.state_changed") in the same transaction.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>

namespace tocsin::service {

inline constexpr std::chrono::minutes kReopenWindow{30};

/// Applies a confirmed change (already applied to `state`); saves `state`.
[[nodiscard]] Result<void> ApplyMonitorChange(
    store::Tx& tx,
    const monitor::Monitor& m,
    monitor::MonitorState& state,
    const monitor::StateChange& change,
    TimePoint now
);

/// A monitor that went down while all its linked components were under maintenance is
/// `pending`; once a window ends and it is still down or degraded, this applies its state
/// (components, incident) as if it had just changed. Returns true if it changed anything.
[[nodiscard]] Result<bool> ApplyPending(
    store::Tx& tx, const monitor::Monitor& m, monitor::MonitorState& state, TimePoint now
);

/// Resolves the monitor's automatic incident once it has been up for its recovery period.
/// Returns true if it changed anything (and saved `state`).
[[nodiscard]] Result<bool> CompleteRecovery(
    store::Tx& tx, const monitor::Monitor& m, monitor::MonitorState& state, TimePoint now
);

/// Before a monitor is deleted: resolves its open automatic incident (unless a human took
/// it over) and puts back the component statuses it set without an incident, so that no
/// outage is left on the page with nothing to end it. Returns true if the page changed.
[[nodiscard]] Result<bool> ReleaseMonitor(store::Tx& tx, const monitor::Monitor& m, TimePoint now);

/// Validates a monitor against the store (linked components exist and are not groups).
[[nodiscard]] Result<void> ValidateMonitorLinks(store::Tx& tx, const monitor::Monitor& m);

}  // namespace tocsin::service
