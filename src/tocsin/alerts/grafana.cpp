#include "tocsin/alerts/grafana.hpp"

#include "tocsin/alerts/alertmanager.hpp"

namespace tocsin::alerts::grafana {

Result<std::vector<IntakeEvent>> ParseWebhook(std::string_view body) {
    return alertmanager::ParseWebhook(body, Dialect::kGrafana);
}

}  // namespace tocsin::alerts::grafana
