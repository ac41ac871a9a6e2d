#include "tocsin/notify/policy.hpp"

#include <algorithm>

namespace tocsin::notify {

const ChannelPolicy& Policy::For(domain::Channel c) const {
    static const ChannelPolicy kDefaults;
    auto it = channels.find(c);
    return it != channels.end() ? it->second : kDefaults;
}

bool ShouldNotify(const Policy& p, domain::Channel c, const EventFacts& e) {
    if (!e.deliver_notifications) return false;
    // A monitor opens incidents on its own; its first message stays on the page unless the
    // team asked for it, so a flapping check does not page every subscriber.
    if (e.automated_first && !p.automatic_first_update) return false;
    const ChannelPolicy& cp = p.For(c);
    if (e.kind == domain::IncidentKind::kMaintenance) return cp.maintenance;
    // "maintenance" ranks with "none": as a minimum it lets every incident through.
    return domain::ImpactRank(e.impact) >= domain::ImpactRank(cp.min_impact);
}

bool TouchesSubscriber(
    const std::vector<std::string>& subscriber_components, const std::vector<std::string>& incident_components
) {
    if (subscriber_components.empty()) return true;
    return std::any_of(incident_components.begin(), incident_components.end(), [&](const std::string& id) {
        return std::find(subscriber_components.begin(), subscriber_components.end(), id) != subscriber_components.end();
    });
}

}  // namespace tocsin::notify
