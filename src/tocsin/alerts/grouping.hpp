/// @file
/// @brief Which open incident a new alert joins.
///
/// Rules, in order: an Alertmanager group key joins the open incident of that key; otherwise,
/// when the service groups by labels, an open incident whose first alert had the same values of
/// those labels; otherwise, when the service has a window, the service's newest open incident if
/// its last alert arrived within the window; otherwise a new incident.
#pragma once

#include "tocsin/alerts/alert.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::alerts {

struct GroupingRule {
    std::chrono::seconds window{0};         // 0: no time-window grouping
    std::vector<std::string> group_labels;  // empty: no label grouping
};

/// An open incident as grouping sees it.
struct GroupCandidate {
    std::string incident_id;
    std::string group_key;
    std::string label_signature;  // LabelSignature() of its first alert under the rule
    TimePoint last_alert_at{};
};

/// "name=value\n..." of the rule's labels (missing labels count as empty); empty if the rule has
/// no labels or the alert has none of them.
std::string LabelSignature(const GroupingRule& rule, const std::vector<std::pair<std::string, std::string>>& labels);

/// The incident to join, or nullopt for a new one. `open` are the service's open incidents.
std::optional<std::string> ChooseIncident(
    const GroupingRule& rule,
    const std::string& group_key,
    const std::string& label_signature,
    TimePoint now,
    const std::vector<GroupCandidate>& open
);

}  // namespace tocsin::alerts
