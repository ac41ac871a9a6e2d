/// @file
/// @brief Prometheus Alertmanager webhook (payload version 4) and Grafana alerting webhook
/// (Alertmanager's payload, extended) parsed into IntakeEvents. Pure: no store, no HTTP.
///
/// One notification carries one alert group: every event gets the group's `groupKey` (one
/// tocsin incident per group), and each alert in it becomes its own event identified by its
/// `fingerprint` (one label set), `firing` → trigger, `resolved` → resolve. Resolution follows
/// `status`, never `endsAt`. Labels are kept (the `severity` label is mapped later by the
/// SeverityTable), annotations become details.
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::alerts::alertmanager {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
inline constexpr std::size_t kMaxAlerts = 10000;

/// Parses a webhook body of Alertmanager (dialect kAlertmanager, version "4") or Grafana
/// (kGrafana, version "1"). Errors name the field ("alerts[2].status must be firing or
/// resolved"); an empty `alerts` array is valid and gives no events.
Result<std::vector<IntakeEvent>> ParseWebhook(std::string_view body, Dialect dialect);

}  // namespace tocsin::alerts::alertmanager
