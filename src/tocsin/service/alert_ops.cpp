#include "tocsin/service/alert_ops.hpp"

namespace tocsin::service {

Result<std::vector<alerts::IntakeOutcome>> ApplyIntake(
    store::Tx& /*tx*/, TimePoint /*now*/, const std::vector<alerts::IntakeEvent>& events
) {
    std::vector<alerts::IntakeOutcome> out(events.size());
    for (auto& o : out) o.status = "Not applied: alert intake is not implemented yet";
    return out;
}

}  // namespace tocsin::service
