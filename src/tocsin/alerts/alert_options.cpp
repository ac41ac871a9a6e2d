#include "tocsin/alerts/alert_options.hpp"

namespace tocsin::alerts {

Result<void> AlertOptions::Validate() const {
    if (rate_per_minute < 1 || rate_per_minute > 60000) {
        return Error::Invalid("alerts.rate_per_minute", "must be 1 to 60000");
    }
    if (rate_burst < 1 || rate_burst > 100000) return Error::Invalid("alerts.rate_burst", "must be 1 to 100000");
    if (max_queued_events < 100 || max_queued_events > 10'000'000) {
        return Error::Invalid("alerts.max_queued_events", "must be 100 to 10000000");
    }
    if (timer_interval < std::chrono::milliseconds(100) || timer_interval > std::chrono::minutes(10)) {
        return Error::Invalid("alerts.timer_interval", "must be 100ms to 10m");
    }
    return {};
}

}  // namespace tocsin::alerts
