/// @file
/// @brief Random public identifiers (12 characters of base36, like Statuspage's).
#pragma once

#include <string>

namespace tocsin {

/// A new random 12-character [0-9a-z] id. Thread-safe. Not a secret: tokens come from auth.
std::string NewId();

/// A new 12-character [0-9a-z] id that sorts by creation: 8 characters of milliseconds since
/// 1970 (until 2059), then 4 of a process-wide counter (1.7 million ids per millisecond).
/// For rows inserted in bulk into an index by id: new ids land on the index's last pages
/// instead of a random page each. Thread-safe.
std::string NewTimeOrderedId();

}  // namespace tocsin
