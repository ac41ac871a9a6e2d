/// @file
/// @brief Domain values as Statuspage v2 JSON objects (shared by the public documents
/// and by the admin API, which adds its management fields on top).
#pragma once

#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/page_settings.hpp"

#include <boost/json/object.hpp>

#include <vector>

namespace tocsin::page {

boost::json::object ComponentToV2(
    const domain::Component& c, const std::vector<domain::Component>& all, const std::string& page_id
);
boost::json::object IncidentToV2(
    const domain::Incident& inc, const std::vector<domain::Component>& all, const domain::PageSettings& settings
);

}  // namespace tocsin::page
