#include "tocsin/alerts/silence.hpp"

#include <fmt/format.h>

namespace tocsin::alerts {

bool Silence::IsActiveAt(TimePoint now) const {
    if (now < starts_at) return false;
    if (ends_at && now >= *ends_at) return false;
    if (weekly_days.empty()) return true;
    const auto day = std::chrono::floor<std::chrono::days>(now);
    const int weekday = static_cast<int>(std::chrono::weekday(day).c_encoding());
    const int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(now - day).count());
    bool day_ok = false;
    for (int d : weekly_days) day_ok = day_ok || d == weekday;
    return day_ok && minute >= start_minute && minute < end_minute;
}

bool Silence::Matches(
    const std::string& alert_service_id, const std::vector<std::pair<std::string, std::string>>& labels, TimePoint now
) const {
    if (!service_id.empty() && service_id != alert_service_id) return false;
    if (!IsActiveAt(now)) return false;
    for (const auto& m : matchers) {
        const std::string* value = nullptr;
        for (const auto& [k, v] : labels) {
            if (k == m.name) {
                value = &v;
                break;
            }
        }
        const bool eq = value && *value == m.value;
        if (eq != m.equal) return false;
    }
    return true;
}

Result<void> Validate(const Silence& s) {
    if (s.service_id.empty() && s.matchers.empty()) {
        return Error::Invalid("matchers", "a silence needs a service_id or at least one matcher");
    }
    for (std::size_t i = 0; i < s.matchers.size(); ++i) {
        if (s.matchers[i].name.empty()) {
            return Error::Invalid(fmt::format("matchers[{}].name", i), "matcher name must not be empty");
        }
    }
    if (s.ends_at && *s.ends_at <= s.starts_at) return Error::Invalid("ends_at", "ends_at must be after starts_at");
    for (std::size_t i = 0; i < s.weekly_days.size(); ++i) {
        if (s.weekly_days[i] < 0 || s.weekly_days[i] > 6) {
            return Error::Invalid(fmt::format("weekly_days[{}]", i), "weekday must be 0 (Sunday) to 6");
        }
    }
    if (s.start_minute < 0 || s.start_minute >= 24 * 60) {
        return Error::Invalid("start_minute", "start_minute must be 0..1439");
    }
    if (s.end_minute <= s.start_minute || s.end_minute > 24 * 60) {
        return Error::Invalid("end_minute", "end_minute must be after start_minute and at most 1440");
    }
    return {};
}

bool IsSilenced(
    const std::vector<Silence>& silences,
    const std::string& service_id,
    const std::vector<std::pair<std::string, std::string>>& labels,
    TimePoint now
) {
    for (const auto& s : silences) {
        if (s.Matches(service_id, labels, now)) return true;
    }
    return false;
}

}  // namespace tocsin::alerts
