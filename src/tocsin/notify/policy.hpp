/// @file
/// @brief Who is told what: per channel minimum impact, maintenance on or off, and the rule
/// that an automatic first message stays on the page.
#pragma once

#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/subscriber.hpp"

#include <map>

namespace tocsin::notify {

struct ChannelPolicy {
    domain::Impact min_impact = domain::Impact::kNone;  // incidents below it are not sent
    bool maintenance = true;                            // maintenance notices at all
};

struct Policy {
    std::map<domain::Channel, ChannelPolicy> channels;  // absent: defaults
    bool automatic_first_update = false;                // send the monitor-opened first message too

    [[nodiscard]] const ChannelPolicy& For(domain::Channel c) const;
};

/// The facts of an outbox event that policy looks at.
struct EventFacts {
    domain::IncidentKind kind = domain::IncidentKind::kIncident;
    domain::Impact impact = domain::Impact::kNone;
    bool deliver_notifications = true;  // the update's own switch
    bool automated_first = false;       // the first update of a monitor-opened incident
};

[[nodiscard]] bool ShouldNotify(const Policy& p, domain::Channel c, const EventFacts& e);

/// A component subscriber gets an update only if it touches one of their components; a
/// whole-page subscriber (no components) gets every update.
[[nodiscard]] bool TouchesSubscriber(
    const std::vector<std::string>& subscriber_components, const std::vector<std::string>& incident_components
);

}  // namespace tocsin::notify
