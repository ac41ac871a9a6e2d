/// @file
/// @brief Random public identifiers (12 characters of base36, like Statuspage's).
#pragma once

#include <string>

namespace tocsin {

/// A new random 12-character [0-9a-z] id. Thread-safe. Not a secret: tokens come from auth.
std::string NewId();

}  // namespace tocsin
