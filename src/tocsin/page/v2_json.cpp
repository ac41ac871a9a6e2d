// Statuspage public API v2 documents (shared/reference/statuspage-v2.md): the same field
// names, enums and nesting, so existing widgets and clients read a tocsin page unchanged.
#include "tocsin/page/v2_json.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/status_rollup.hpp"
#include "tocsin/page/snapshot_builder.hpp"

#include <boost/json.hpp>

#include <unordered_map>

namespace tocsin::page {
namespace {

namespace json = boost::json;
using domain::Component;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;

json::value OptTime(const std::optional<TimePoint>& t) {
    if (!t) return nullptr;
    return json::value(FormatIso8601(*t));
}

json::object PageJson(const domain::PageSettings& s, TimePoint updated_at) {
    return json::object{
        {"id", s.page_id},
        {"name", s.name},
        {"url", s.url},
        {"time_zone", s.time_zone},
        {"updated_at", FormatIso8601(updated_at)},
    };
}

bool IsUnresolved(const Incident& i) {
    return !i.IsClosed();
}
bool IsUpcoming(const Incident& i) {
    return i.status == IncidentStatus::kScheduled;
}
bool IsActiveMaintenance(const Incident& i) {
    return i.status == IncidentStatus::kInProgress || i.status == IncidentStatus::kVerifying;
}
bool Any(const Incident&) {
    return true;
}

class V2Renderer {
public:
    V2Renderer(const domain::PageState& state, TimePoint now) : state_(state), now_(now) {
        updated_at_ = state.settings.updated_at;
        for (const auto& c : state.components) updated_at_ = std::max(updated_at_, c.updated_at);
        for (const auto& i : state.incidents) updated_at_ = std::max(updated_at_, i.updated_at);
    }

    json::object Page() const { return PageJson(state_.settings, updated_at_); }

    json::array Components() const {
        json::array arr;
        for (const auto& c : state_.components)
            arr.push_back(ComponentToV2(c, state_.components, state_.settings.page_id));
        return arr;
    }

    json::object Status() const {
        auto st = domain::ComputePageStatus(state_.components, state_.incidents);
        return json::object{
            {"indicator", domain::ToString(st.indicator)},
            {"description", domain::Description(st.condition)},
        };
    }

    json::object IncidentJson(const Incident& inc) const {
        return IncidentToV2(inc, state_.components, state_.settings);
    }

    // Upcoming maintenance reads soonest window first (the state is ordered by creation).
    json::array UpcomingSoonestFirst() const {
        std::vector<const Incident*> list;
        for (const auto& inc : state_.incidents) {
            if (inc.kind == IncidentKind::kMaintenance && IsUpcoming(inc)) list.push_back(&inc);
        }
        std::stable_sort(list.begin(), list.end(), [](const Incident* a, const Incident* b) {
            return a->scheduled_for.value_or(TimePoint{}) < b->scheduled_for.value_or(TimePoint{});
        });
        json::array arr;
        for (const auto* inc : list) arr.push_back(IncidentJson(*inc));
        return arr;
    }

    template <class Pred>
    json::array Incidents(IncidentKind kind, Pred pred, int limit) const {
        json::array arr;
        for (const auto& inc : state_.incidents) {
            if (inc.kind != kind || !pred(inc)) continue;
            if (static_cast<int>(arr.size()) >= limit) break;
            arr.push_back(IncidentJson(inc));
        }
        return arr;
    }

private:
    const domain::PageState& state_;
    TimePoint now_;
    TimePoint updated_at_{};
};

std::string Doc(json::object o) {
    return json::serialize(o);
}

}  // namespace

json::object ComponentToV2(const Component& c, const std::vector<Component>& all, const std::string& page_id) {
    json::object o{
        {"id", c.id},
        {"name", c.name},
        {"status", domain::ToString(c.is_group ? domain::GroupStatus(c, all) : c.status)},
        {"created_at", FormatIso8601(c.created_at)},
        {"updated_at", FormatIso8601(c.updated_at)},
        {"position", c.position},
        {"description", c.description.empty() ? json::value(nullptr) : json::value(c.description)},
        {"showcase", c.showcase},
        {"start_date", FormatIso8601(c.created_at).substr(0, 10)},
        {"group_id", c.group_id ? json::value(*c.group_id) : json::value(nullptr)},
        {"page_id", page_id},
        {"group", c.is_group},
        {"only_show_if_degraded", c.only_show_if_degraded},
    };
    if (c.is_group) {
        json::array children;
        for (const auto& child : all) {
            if (child.group_id && *child.group_id == c.id) children.emplace_back(child.id);
        }
        o["components"] = std::move(children);
    }
    return o;
}

json::object IncidentToV2(
    const Incident& inc, const std::vector<Component>& all, const domain::PageSettings& settings
) {
    json::array updates;
    for (const auto& u : inc.updates) {
        json::value affected = nullptr;
        if (!u.affected_components.empty()) {
            json::array a;
            for (const auto& ac : u.affected_components) {
                a.push_back(json::object{
                    {"code", ac.code},
                    {"name", ac.name},
                    {"old_status", domain::ToString(ac.old_status)},
                    {"new_status", domain::ToString(ac.new_status)},
                });
            }
            affected = std::move(a);
        }
        updates.push_back(json::object{
            {"id", u.id},
            {"status", domain::ToString(u.status)},
            {"body", u.body},
            {"incident_id", inc.id},
            {"created_at", FormatIso8601(u.created_at)},
            {"updated_at", FormatIso8601(u.updated_at)},
            {"display_at", FormatIso8601(u.display_at)},
            {"affected_components", std::move(affected)},
            {"deliver_notifications", u.deliver_notifications},
            {"custom_tweet", nullptr},
            {"tweet_id", nullptr},
        });
    }
    json::array components;
    for (const auto& id : inc.component_ids) {
        for (const auto& c : all) {
            if (c.id == id) components.push_back(ComponentToV2(c, all, settings.page_id));
        }
    }
    json::object o{
        {"id", inc.id},
        {"name", inc.name},
        {"status", domain::ToString(inc.status)},
        {"created_at", FormatIso8601(inc.created_at)},
        {"updated_at", FormatIso8601(inc.updated_at)},
        {"monitoring_at", OptTime(inc.monitoring_at)},
        {"resolved_at", OptTime(inc.resolved_at)},
        {"impact", domain::ToString(inc.impact)},
        {"shortlink", settings.url + "/incidents/" + inc.id},
        {"started_at", FormatIso8601(inc.started_at)},
        {"page_id", settings.page_id},
        {"incident_updates", std::move(updates)},
        {"components", std::move(components)},
    };
    if (inc.kind == IncidentKind::kMaintenance) {
        o["scheduled_for"] = OptTime(inc.scheduled_for);
        o["scheduled_until"] = OptTime(inc.scheduled_until);
    }
    return o;
}

std::vector<std::pair<std::string, std::string>> RenderV2Json(
    const domain::PageState& state, TimePoint now, int limit
) {
    V2Renderer r(state, now);
    const int unlimited = 1 << 30;
    std::vector<std::pair<std::string, std::string>> docs;
    auto upcoming_then_active = [&] {
        json::array arr = r.Incidents(IncidentKind::kMaintenance, IsActiveMaintenance, unlimited);
        for (auto& m : r.UpcomingSoonestFirst()) arr.push_back(std::move(m));
        return arr;
    };
    docs.emplace_back(
        "/api/v2/summary.json",
        Doc(json::object{
            {"page", r.Page()},
            {"components", r.Components()},
            {"incidents", r.Incidents(IncidentKind::kIncident, IsUnresolved, unlimited)},
            {"scheduled_maintenances", upcoming_then_active()},
            {"status", r.Status()},
        })
    );
    docs.emplace_back("/api/v2/status.json", Doc(json::object{{"page", r.Page()}, {"status", r.Status()}}));
    docs.emplace_back("/api/v2/components.json", Doc(json::object{{"page", r.Page()}, {"components", r.Components()}}));
    docs.emplace_back(
        "/api/v2/incidents.json",
        Doc(json::object{{"page", r.Page()}, {"incidents", r.Incidents(IncidentKind::kIncident, Any, limit)}})
    );
    docs.emplace_back(
        "/api/v2/incidents/unresolved.json",
        Doc(json::object{
            {"page", r.Page()}, {"incidents", r.Incidents(IncidentKind::kIncident, IsUnresolved, unlimited)}})
    );
    docs.emplace_back(
        "/api/v2/scheduled-maintenances.json",
        Doc(json::object{
            {"page", r.Page()}, {"scheduled_maintenances", r.Incidents(IncidentKind::kMaintenance, Any, limit)}})
    );
    json::array upcoming_sorted = r.UpcomingSoonestFirst();
    docs.emplace_back(
        "/api/v2/scheduled-maintenances/upcoming.json",
        Doc(json::object{{"page", r.Page()}, {"scheduled_maintenances", std::move(upcoming_sorted)}})
    );
    docs.emplace_back(
        "/api/v2/scheduled-maintenances/active.json",
        Doc(json::object{
            {"page", r.Page()},
            {"scheduled_maintenances", r.Incidents(IncidentKind::kMaintenance, IsActiveMaintenance, unlimited)}})
    );
    return docs;
}

}  // namespace tocsin::page
