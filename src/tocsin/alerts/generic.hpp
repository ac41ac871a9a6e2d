/// @file
/// @brief The generic JSON webhook: any JSON object, read through a user-defined mapping of
/// JSON Pointers (RFC 6901) kept with the integration key. Pure: no store, no HTTP.
///
/// Example mapping for a tool that posts {"check": {"name": "db", "state": "OK"}, "host": "x"}:
///   {"summary": "/check/name", "dedup_key": "/check/name", "action": "/check/state",
///    "trigger_values": ["CRITICAL", "WARNING"], "resolve_values": ["OK"], "source": "/host"}
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::alerts::generic {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
/// Most events one request may carry (a JSON array, or the array at the mapping's `events`).
inline constexpr std::size_t kMaxEvents = 1000;

struct Mapping {
    // JSON Pointers into the body. An empty pointer is the whole body (details only);
    // a pointer that finds nothing leaves the field unset.
    std::string summary = "/summary";      // required in the body: an event needs a summary
    std::string dedup_key = "/dedup_key";  // empty in the body: a trigger gets a generated key
    std::string severity = "/severity";    // critical|error|warning|info, else read as a `severity` label
    std::string action = "/action";        // value matched against the lists below; absent → trigger
    std::string source = "/source";
    std::string description = "/description";
    std::string details;  // "" = the whole body
    // Where a JSON object body holds an array of events ("/alerts"); "" = none. A body that is
    // itself a JSON array is always a list of events. Every other pointer is read inside each
    // event; an object body without the array is one event.
    std::string events;
    // Values of `action` (compared case-insensitively; numbers and booleans by their JSON text).
    std::vector<std::string> trigger_values{"trigger", "firing", "alerting", "open", "problem"};
    std::vector<std::string> acknowledge_values{"acknowledge", "ack", "acknowledged"};
    std::vector<std::string> resolve_values{"resolve", "resolved", "ok", "close", "closed", "recovery"};
};

/// Reads a mapping from JSON: every key optional (defaults above), unknown keys and pointers
/// not starting with '/' refused, each error naming its field ("mapping.summary").
Result<Mapping> ParseMapping(std::string_view json);
/// The mapping as JSON, all fields written.
std::string MappingToJson(const Mapping& m);

/// Parses a body through `m` into its events, in order: one for a JSON object, one per element
/// for a JSON array (or the array at `m.events`), at most kMaxEvents. Errors name the mapped
/// pointer and what was there ("summary: /check/name is missing in the body"), prefixed with
/// the element ("events[3].summary") in a list; any bad element refuses the whole request.
Result<std::vector<IntakeEvent>> Parse(std::string_view body, const Mapping& m);

/// True for Parse's error about a list longer than kMaxEvents (the route answers 413).
bool IsTooManyEvents(const Error& e);

}  // namespace tocsin::alerts::generic
