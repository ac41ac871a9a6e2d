#include "tocsin/store/store.hpp"

namespace tocsin::store {

Result<domain::PageState> LoadPageState(Store& store) {
    domain::PageState state;
    auto r = store.Read([&](Tx& tx) -> Result<void> {
        auto settings = tx.GetPageSettings();
        if (!settings) return settings.error();
        state.settings = std::move(*settings);
        auto components = tx.ListComponents();
        if (!components) return components.error();
        state.components = std::move(*components);
        IncidentFilter all;
        // The page shows every incident in its history; a page with more than this many
        // has archived what a visitor would page through anyway.
        all.limit = 5000;
        auto incidents = tx.ListIncidents(all);
        if (!incidents) return incidents.error();
        state.incidents = std::move(*incidents);
        return {};
    });
    if (!r) return r.error();
    return state;
}

}  // namespace tocsin::store
