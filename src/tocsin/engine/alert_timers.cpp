#include "tocsin/engine/alert_timers.hpp"

#include "tocsin/service/alert_ops.hpp"

namespace tocsin::engine {

Result<void> AlertTimers::RunOnce(TimePoint now) {
    int changed = 0;
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(timers, service::RunAlertTimers(tx, now, 500));
        TOCSIN_ASSIGN(silences, service::SyncMaintenanceSilences(tx, now));
        // Opsgenie clients poll a request's status within seconds; a week is plenty.
        TOCSIN_ASSIGN(requests, tx.DeleteIntakeRequestsBefore(now - std::chrono::hours(24 * 7)));
        (void)requests;
        changed = timers + silences;
        return {};
    }));
    last_changed_ = changed;
    return {};
}

}  // namespace tocsin::engine
