/// @file
/// @brief The demo page `tocsin serve --demo` puts into an empty database.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::app {

/// Seeds components, one resolved incident and one upcoming maintenance, unless the
/// database already has components. Returns true if it seeded.
[[nodiscard]] Result<bool> SeedDemo(store::Store& store, TimePoint now);

}  // namespace tocsin::app
