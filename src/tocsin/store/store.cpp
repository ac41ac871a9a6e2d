#include "tocsin/store/store.hpp"

#include <string>
#include <unordered_set>
#include <vector>

namespace tocsin::store {
namespace {

// PageState promises each group before its children, but positions only order siblings:
// a group created after its components has a higher position than they do.
std::vector<domain::Component> GroupsBeforeChildren(std::vector<domain::Component> by_position) {
    std::unordered_set<std::string> groups;
    for (const auto& c : by_position) {
        if (c.is_group) groups.insert(c.id);
    }
    auto is_nested = [&](const domain::Component& c) { return c.group_id && groups.count(*c.group_id) > 0; };
    std::vector<domain::Component> out;
    std::vector<bool> taken(by_position.size(), false);
    out.reserve(by_position.size());
    for (std::size_t i = 0; i < by_position.size(); ++i) {
        if (is_nested(by_position[i])) continue;
        out.push_back(by_position[i]);
        taken[i] = true;
        if (!by_position[i].is_group) continue;
        for (std::size_t j = 0; j < by_position.size(); ++j) {
            if (!taken[j] && by_position[j].group_id == by_position[i].id) {
                out.push_back(by_position[j]);
                taken[j] = true;
            }
        }
    }
    // Only a group nested in a group (which the model forbids) leaves rows here; keep them.
    for (std::size_t i = 0; i < by_position.size(); ++i) {
        if (!taken[i]) out.push_back(std::move(by_position[i]));
    }
    return out;
}

}  // namespace

std::string_view ToString(DeliveryState s) {
    switch (s) {
        case DeliveryState::kPending:
            return "pending";
        case DeliveryState::kSent:
            return "sent";
        case DeliveryState::kDead:
            return "dead";
    }
    return "pending";
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view s) {
    if (s == "pending") return DeliveryState::kPending;
    if (s == "sent") return DeliveryState::kSent;
    if (s == "dead") return DeliveryState::kDead;
    return std::nullopt;
}

Result<domain::PageState> LoadPageState(Store& store) {
    domain::PageState state;
    auto r = store.Read([&](Tx& tx) -> Result<void> {
        auto settings = tx.GetPageSettings();
        if (!settings) return settings.error();
        state.settings = std::move(*settings);
        auto components = tx.ListComponents();
        if (!components) return components.error();
        state.components = GroupsBeforeChildren(std::move(*components));
        IncidentFilter all;
        // The page shows every incident in its history; a page with more than this many
        // has archived what a visitor would page through anyway.
        all.limit = 5000;
        auto incidents = tx.ListIncidents(all);
        if (!incidents) return incidents.error();
        state.incidents = std::move(*incidents);
        return {};
    });
    if (!r) return r.error();
    return state;
}

}  // namespace tocsin::store
