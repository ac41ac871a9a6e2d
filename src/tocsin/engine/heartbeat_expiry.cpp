#include "tocsin/engine/heartbeat_expiry.hpp"

#include "tocsin/alerts/opsgenie.hpp"
#include "tocsin/service/alert_ops.hpp"

#include <string>
#include <vector>

namespace tocsin::engine {
namespace {

namespace og = alerts::opsgenie;

bool IsDue(const alerts::Heartbeat& h, TimePoint now) {
    if (!h.enabled || h.expired) return false;
    // Never pinged: the interval counts from when it was last enabled or changed.
    const TimePoint since = h.last_ping_at ? std::max(*h.last_ping_at, h.updated_at) : h.updated_at;
    return now - since >= og::SpecOf(h).Period();
}

}  // namespace

Result<void> HeartbeatExpiry::RunOnce(TimePoint now) {
    // Most rounds find nothing due: decide on a read transaction, write only when needed.
    bool any_due = false;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(all, tx.ListHeartbeats(""));
        for (const auto& h : all) any_due = any_due || IsDue(h, now);
        return {};
    }));
    if (!any_due) return {};
    std::size_t raised = 0;
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        raised = 0;
        TOCSIN_ASSIGN(all, tx.ListHeartbeats(""));
        for (auto h : all) {
            if (!IsDue(h, now)) continue;
            TOCSIN_ASSIGN(key, tx.GetIntegrationKey(h.integration_key_id));
            if (!key || key->revoked_at) continue;
            h.expired = true;
            TOCSIN_TRY(tx.UpdateHeartbeat(h));
            alerts::IntakeEvent e = og::HeartbeatExpiredEvent(og::SpecOf(h), now);
            e.integration_key_id = key->id;
            e.service_id = key->service_id;
            TOCSIN_TRY(service::ApplyIntake(tx, now, {e}));
            ++raised;
        }
        return {};
    }));
    expired_ += raised;
    if (raised > 0 && on_alert_) on_alert_();
    return {};
}

}  // namespace tocsin::engine
