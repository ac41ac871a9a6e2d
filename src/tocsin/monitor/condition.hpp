/// @file
/// @brief The condition language: small expressions that must all hold for a check to pass.
///
/// Each condition is one comparison, in the spirit of Gatus:
///
///     [STATUS] == 200
///     [STATUS] < 400
///     [RESPONSE_TIME] <= 800              (milliseconds, total)
///     [BODY] contains "healthy"
///     [BODY] matches "^ok( |$)"          (ECMAScript regex, search)
///     [BODY].status == "UP"               (JSON path into the body)
///     [BODY].checks[0].latency_ms < 50
///     len([BODY].items) > 0
///     [HEADER:Content-Type] contains "json"   (header name case-insensitive)
///     [CERTIFICATE_DAYS] > 14
///     [DNS_RCODE] == "NOERROR"
///     [DNS_ANSWERS] contains "192.0.2.1"
///     [REACHED] == true
///
/// The full grammar, every placeholder and operator, and the meaning of each are
/// documented in docs/conditions.md. Parsing happens when a monitor is saved; a condition
/// that does not parse is refused with the 1-based column of the error.
#pragma once

#include "tocsin/common/result.hpp"
#include "tocsin/monitor/observation.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::monitor {

class Condition;  // opaque parsed form

/// Parsed conditions of one monitor. Cheap to copy (shared immutable state); thread-safe
/// to evaluate concurrently.
class ConditionSet {
public:
    ConditionSet() = default;

    /// Parses every expression. On error: Error::Invalid("conditions[<i>]",
    /// "column <c>: <what was expected>, found <what>").
    [[nodiscard]] static Result<ConditionSet> Parse(const std::vector<std::string>& expressions);

    /// Evaluates all conditions, in order, against an observation (only called when obs.reached).
    /// Returns empty when all hold, else a short message naming the first failing condition
    /// and the actual value, e.g. `[STATUS] == 200 failed: [STATUS] is 503` (values shown are
    /// cut to about 120 characters). A placeholder the observation lacks fails as "is absent";
    /// a JSON path into a body that is not JSON fails as "body is not JSON". The body is parsed
    /// at most once per call. Never throws; safe to call from several threads at once.
    [[nodiscard]] std::string FirstFailure(const Observation& obs) const;

    [[nodiscard]] bool empty() const { return conditions_.empty(); }
    [[nodiscard]] std::size_t size() const { return conditions_.size(); }

    /// How many times FirstFailure has parsed a body as JSON on the calling thread. Lets a test
    /// check that one evaluation parses the body at most once, however many paths it reads.
    [[nodiscard]] static std::uint64_t BodyParsesOnThisThreadForTest();

private:
    std::vector<std::shared_ptr<const Condition>> conditions_;
};

}  // namespace tocsin::monitor
