/// @file
/// @brief Grafana alerting webhook contact point: Alertmanager's payload (version "1") plus
/// title, message, state, orgId and per-alert dashboard, panel, silence and image URLs.
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/result.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace tocsin::alerts::grafana {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;

/// One event per alert (fingerprint), grouped by `groupKey`, as for Alertmanager; the URLs
/// become links, `imageURL` an image, `values` part of the details.
Result<std::vector<IntakeEvent>> ParseWebhook(std::string_view body);

}  // namespace tocsin::alerts::grafana
