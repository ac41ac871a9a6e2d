#include "tocsin/alerts/grouping.hpp"

namespace tocsin::alerts {

std::string LabelSignature(const GroupingRule& rule, const std::vector<std::pair<std::string, std::string>>& labels) {
    if (rule.group_labels.empty()) return {};
    std::string sig;
    bool any = false;
    for (const auto& name : rule.group_labels) {
        std::string value;
        for (const auto& [k, v] : labels) {
            if (k == name) {
                value = v;
                any = true;
                break;
            }
        }
        sig += name;
        sig += '=';
        sig += value;
        sig += '\n';
    }
    return any ? sig : std::string();
}

std::optional<std::string> ChooseIncident(
    const GroupingRule& rule,
    const std::string& group_key,
    const std::string& label_signature,
    TimePoint now,
    const std::vector<GroupCandidate>& open
) {
    if (!group_key.empty()) {
        for (const auto& c : open) {
            if (c.group_key == group_key) return c.incident_id;
        }
        return std::nullopt;  // a group of its own
    }
    if (!label_signature.empty()) {
        for (const auto& c : open) {
            if (c.group_key.empty() && c.label_signature == label_signature) return c.incident_id;
        }
    }
    if (rule.window.count() > 0) {
        const GroupCandidate* newest = nullptr;
        for (const auto& c : open) {
            if (!c.group_key.empty()) continue;
            if (!label_signature.empty() && !c.label_signature.empty()) continue;  // other label group
            if (!newest || c.last_alert_at > newest->last_alert_at) newest = &c;
        }
        if (newest && now - newest->last_alert_at <= rule.window) return newest->incident_id;
    }
    return std::nullopt;
}

}  // namespace tocsin::alerts
