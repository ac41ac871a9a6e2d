#include "tocsin/app/demo_data.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/service/incident_ops.hpp"

namespace tocsin::app {

using namespace std::chrono_literals;
using domain::ComponentStatus;
using domain::IncidentStatus;

Result<bool> SeedDemo(store::Store& store, TimePoint now) {
    bool seeded = false;
    TOCSIN_TRY(store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(existing, tx.ListComponents());
        if (!existing.empty()) return {};
        TOCSIN_ASSIGN(settings, tx.GetPageSettings());
        settings.name = "Example Cloud";
        settings.url = "http://127.0.0.1:8080";
        settings.time_zone = "Europe/Berlin";
        settings.footer_links = {{"Support", "mailto:support@example.com"}};
        settings.updated_at = now;
        TOCSIN_TRY(tx.SavePageSettings(settings));

        int position = 0;
        auto add = [&](std::string name, std::string description, bool group, std::optional<std::string> group_id) {
            domain::Component c;
            c.id = NewId();
            c.name = std::move(name);
            c.description = std::move(description);
            c.is_group = group;
            c.group_id = std::move(group_id);
            c.position = ++position;
            c.created_at = c.updated_at = now - 24h * 120;
            return c;
        };
        auto platform = add("Platform", "", true, std::nullopt);
        auto website = add("Website", "www and the customer dashboard", false, platform.id);
        auto api = add("API", "Public REST API", false, platform.id);
        auto db = add("Databases", "Managed PostgreSQL clusters", false, platform.id);
        auto mail = add("E-mail delivery", "Outgoing mail and newsletters", false, std::nullopt);
        auto support = add("Support portal", "", false, std::nullopt);
        for (const auto* c : {&platform, &website, &api, &db, &mail, &support}) TOCSIN_TRY(tx.InsertComponent(*c));

        service::IncidentInput inc;
        inc.name = "Elevated API error rates";
        inc.first_update.body = "We are investigating increased error rates on the **API**.";
        inc.first_update.display_at = now - 26h;
        inc.first_update.components = {{api.id, ComponentStatus::kPartialOutage}};
        TOCSIN_ASSIGN(created, service::CreateIncident(tx, inc, now - 26h));
        service::UpdateInput identified;
        identified.status = IncidentStatus::kIdentified;
        identified.body = "A failed database replica caused timeouts. We are failing over to a healthy node.";
        identified.display_at = now - 25h - 40min;
        TOCSIN_TRY(service::PostUpdate(tx, created, identified, now - 25h - 40min));
        service::UpdateInput resolved;
        resolved.status = IncidentStatus::kResolved;
        resolved.body = "Error rates are back to normal. We will publish a postmortem.";
        resolved.display_at = now - 25h;
        TOCSIN_TRY(service::PostUpdate(tx, created, resolved, now - 25h));

        service::IncidentInput maint;
        maint.kind = domain::IncidentKind::kMaintenance;
        maint.name = "Database version upgrade";
        maint.component_ids = {db.id};
        maint.scheduled_for = now + 24h;
        maint.scheduled_until = now + 26h;
        maint.first_update.body = "We will upgrade our PostgreSQL clusters. Expect brief reconnects.";
        TOCSIN_TRY(service::CreateIncident(tx, maint, now));
        seeded = true;
        return {};
    }));
    return seeded;
}

}  // namespace tocsin::app
