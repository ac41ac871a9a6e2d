/// @file
/// @brief Applies intake events and admin actions to alerts and alert incidents inside one Tx.
///
/// Every change writes alert_log rows and an outbox message ("alert.triggered",
/// "alert.acknowledged", "alert.resolved", "incident.opened", "incident.acknowledged",
/// "incident.resolved", ...) in the same transaction: the paging issue reads them from there.
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <vector>

namespace tocsin::service {

/// Applies `events` in order as of `now`. One outcome per event. A validation problem of one
/// event (unknown alias, missing summary) is an outcome with applied=false; only store errors
/// fail the call (the caller's transaction then rolls back).
[[nodiscard]] Result<std::vector<alerts::IntakeOutcome>> ApplyIntake(
    store::Tx& tx, TimePoint now, const std::vector<alerts::IntakeEvent>& events
);

}  // namespace tocsin::service
