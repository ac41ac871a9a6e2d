/// @file
/// @brief Helpers the intake dialect parsers share: parsing a body into a JSON object with a
/// depth bound, counting characters, and reading string maps (labels, annotations).
#pragma once

#include "tocsin/common/result.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::alerts::detail {

/// Deepest nesting accepted in an intake body (objects and arrays). Real senders stay far
/// below it; it bounds the parser's recursion and memory.
inline constexpr std::size_t kMaxJsonDepth = 32;

/// Parses `body` as JSON; errors name the problem ("the body is not valid JSON: ...", "the
/// body must be a JSON object"). `field` is empty in the error.
Result<boost::json::value> ParseJson(std::string_view body);

/// Number of Unicode code points in UTF-8 text (PagerDuty and Alertmanager count runes).
std::size_t CodePoints(std::string_view utf8);

/// Reads an object of string values ({"alertname": "X"}) in key order. A missing or null
/// field gives an empty list; anything else that is not an object of strings is an error
/// naming `name`.
Result<std::vector<std::pair<std::string, std::string>>> StringMap(
    const boost::json::object& parent, std::string_view key, std::string_view name
);

/// The value of `key` in `pairs`, empty if absent.
std::string_view Lookup(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view key);

/// JSON object text of string pairs: {"k":"v",...}.
std::string PairsToJson(const std::vector<std::pair<std::string, std::string>>& pairs);

/// The JSON type name used in error messages: "a string", "a number", "an object", ...
std::string_view TypeName(const boost::json::value& v);

}  // namespace tocsin::alerts::detail
