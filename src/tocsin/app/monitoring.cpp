#include "tocsin/app/monitoring.hpp"

#include "tocsin/auth/auth.hpp"
#include "tocsin/monitor/monitor_json.hpp"
#include "tocsin/service/monitor_ops.hpp"

#include <set>

namespace tocsin::app {

Result<bool> SyncDeclaredMonitors(store::Store& store, const config::DeclaredMonitors& declared, TimePoint now) {
    if (!declared.present) return false;
    bool changed = false;
    TOCSIN_TRY(store.Write([&](store::Tx& tx) -> Result<void> {
        std::set<std::string> wanted;
        for (std::size_t i = 0; i < declared.monitors.size(); ++i) {
            auto m = declared.monitors[i];
            wanted.insert(m.id);
            if (auto it = declared.heartbeat_tokens.find(m.id); it != declared.heartbeat_tokens.end()) {
                m.heartbeat_token_hash = auth::HashToken(it->second);
            }
            auto links = service::ValidateMonitorLinks(tx, m);
            if (!links) {
                return Error::Invalid(
                    "monitors[" + std::to_string(i) + "]." + links.error().field,
                    "monitor " + m.id + ": " + links.error().field + " " + links.error().message
                );
            }
            TOCSIN_ASSIGN(existing, tx.GetMonitor(m.id));
            if (existing && existing->source != "config") {
                return Error::Conflict("monitor id " + m.id + " is already used by a monitor created through the API");
            }
            if (!existing) {
                m.created_at = m.updated_at = now;
                TOCSIN_TRY(tx.InsertMonitor(m));
                changed = true;
                continue;
            }
            m.created_at = existing->created_at;
            m.updated_at = existing->updated_at;
            if (monitor::MonitorToStoredJson(m) == monitor::MonitorToStoredJson(*existing)) continue;
            m.updated_at = now;
            TOCSIN_TRY(tx.UpdateMonitor(m));
            changed = true;
        }
        TOCSIN_ASSIGN(all, tx.ListMonitors());
        for (const auto& m : all) {
            if (m.source == "config" && !wanted.contains(m.id)) {
                TOCSIN_TRY(service::ReleaseMonitor(tx, m, now));
                TOCSIN_TRY(tx.DeleteMonitor(m.id));
                changed = true;
            }
        }
        return {};
    }));
    return changed;
}

}  // namespace tocsin::app
