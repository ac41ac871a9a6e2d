#include "tocsin/engine/maintenance_transitions.hpp"

#include "tocsin/service/incident_ops.hpp"

namespace tocsin::engine {

Result<void> MaintenanceTransitions::RunOnce(TimePoint now) {
    int applied = 0;
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(n, service::ApplyMaintenanceTransitions(tx, now));
        applied = n;
        return {};
    }));
    last_applied_ = applied;
    if (applied > 0 && publisher_) return publisher_->Refresh();
    return {};
}

}  // namespace tocsin::engine
