/// @file
/// @brief From single check results to a confirmed monitor state: retries per location,
/// then a quorum across locations. Pure: the caller persists MonitorState.
///
/// A location is down after `retries + 1` failed checks in a row (degraded likewise), and
/// up again after one good check. The monitor is down when at least `quorum` of its
/// locations are confirmed down, degraded when at least `quorum` are down or degraded,
/// else up. Locations that have not reported for three intervals do not count (a dead
/// probe is neither a vote for down nor for up). Every change of the confirmed state is
/// returned as a StateChange, the event that automation, notifications and alerting consume.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/observation.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::monitor {

struct LocationState {
    Outcome confirmed = Outcome::kUp;
    int failures_in_row = 0;  // down results in a row
    int degraded_in_row = 0;  // degraded (or down) results in a row
    Outcome last_outcome = Outcome::kUp;
    TimePoint last_at{};
    std::string last_message;
};

/// Persisted per monitor (store table monitor_states).
struct MonitorState {
    std::string monitor_id;
    Outcome state = Outcome::kUp;
    TimePoint since{};    // when `state` began
    std::string message;  // the message of the result that confirmed the state
    std::map<std::string, LocationState> locations;

    // automation bookkeeping (service/monitor_ops)
    std::string incident_id;                   // the open automatic incident, if any
    std::vector<std::string> auto_update_ids;  // the updates automation wrote on it (any other: a human took over)
    std::optional<TimePoint> resolved_at;      // when automation last resolved an incident
    std::string resolved_incident_id;
    std::optional<TimePoint> last_ping_at;  // heartbeat monitors
    bool owns_components = false;           // automation set component statuses without an incident
    bool pending = false;                   // down/degraded while every linked component was under maintenance
};

struct StateChange {
    std::string monitor_id;
    Outcome from = Outcome::kUp;
    Outcome to = Outcome::kUp;
    TimePoint at{};
    std::string message;
    std::vector<std::string> locations_down;  // the locations that voted for `to` (down/degraded)
};

/// Applies one result to the monitor's state; returns the change if the confirmed state moved.
/// Results from locations the monitor does not list are ignored. Results older than the
/// location's last one are ignored (probes may deliver late batches).
[[nodiscard]] std::optional<StateChange> ApplyResult(const Monitor& m, MonitorState& state, const CheckResult& r);

/// Re-evaluates the quorum as of `now` (a location may have gone stale); returns the change,
/// if any. Called periodically by the automation engine.
[[nodiscard]] std::optional<StateChange> Reevaluate(const Monitor& m, MonitorState& state, TimePoint now);

}  // namespace tocsin::monitor
