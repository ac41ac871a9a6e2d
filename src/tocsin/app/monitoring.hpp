/// @file
/// @brief Monitors declared in the YAML config, synchronised into the store.
#pragma once

#include "tocsin/config/config.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::app {

/// Makes the store's config-sourced monitors equal to `declared` in one transaction:
/// inserts new ones, replaces changed ones (keeping created_at), deletes those no longer
/// declared. An API-created monitor with a declared id is a conflict. Returns whether
/// anything changed. Does nothing when the file has no `monitors:` key.
[[nodiscard]] Result<bool> SyncDeclaredMonitors(
    store::Store& store, const config::DeclaredMonitors& declared, TimePoint now
);

}  // namespace tocsin::app
