/// @file
/// @brief Everything the public page shows, as plain values: the input of a snapshot.
#pragma once

#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/page_settings.hpp"
#include "tocsin/domain/uptime.hpp"

#include <vector>

namespace tocsin::domain {

struct PageState {
    PageSettings settings;
    std::vector<Component> components;  // ordered by position; groups before their children
    std::vector<Incident> incidents;    // incidents and maintenances, newest first, with updates
    UptimeState uptime;                 // monitoring history of public monitors (may be empty)
};

}  // namespace tocsin::domain
