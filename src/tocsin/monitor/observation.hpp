/// @file
/// @brief What one check saw (Observation) and what it concluded (CheckResult).
///
/// A checker fills an Observation from the wire; Judge() (judge.hpp) turns it into an
/// Outcome with the monitor's conditions and degraded threshold. Both are plain values
/// that cross threads and, for remote probes, the network (as JSON).
#pragma once

#include "tocsin/common/clock.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::monitor {

/// Outcome of one check at one location, before retries and quorum.
enum class Outcome { kUp, kDegraded, kDown };

/// Why a check failed. Stable strings (ErrorClassName) are stored and sent in JSON.
enum class ErrorClass {
    kNone,
    kDns,          // name did not resolve, or the resolver failed
    kConnect,      // refused, unreachable, reset before an answer
    kTimeout,      // no complete answer within the monitor's timeout
    kTls,          // handshake failed, certificate invalid (when verifying)
    kProtocol,     // malformed answer, too large, unexpected bytes
    kCondition,    // an answer came, but a condition did not hold
    kUnsupported,  // the host does not allow this kind of check (e.g. ICMP sockets)
    kMissed,       // heartbeat: no ping within period plus grace
    kInternal,     // a bug or resource exhaustion on our side
};

/// How long each phase of one check took (dns, connect, tls are the lengths of those
/// phases, one after the other); first_byte and total are measured from the check's start.
/// A phase that did not happen is absent (no DNS for an IP literal, no TLS for plain HTTP).
struct Timings {
    std::optional<std::chrono::microseconds> dns;
    std::optional<std::chrono::microseconds> connect;
    std::optional<std::chrono::microseconds> tls;
    std::optional<std::chrono::microseconds> first_byte;
    std::chrono::microseconds total{0};
};

/// The raw facts of one check, input to the condition language.
struct Observation {
    /// True when the protocol answered at all (an HTTP response, a TCP accept, a DNS reply,
    /// an echo reply, a TLS handshake). False means error/error_message say why.
    bool reached = false;
    ErrorClass error = ErrorClass::kNone;
    std::string error_message;

    Timings timings;

    // HTTP
    int status_code = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
    std::string body;                                          // at most kMaxBodyBytes; the rest is discarded
    bool body_truncated = false;

    // TLS (HTTPS and tls monitors): whole days until the leaf certificate's notAfter,
    // negative once expired.
    std::optional<int> certificate_days_left;

    // DNS: the answers of the asked record type, as text (A "192.0.2.1", MX "10 mx.example.",
    // TXT the joined strings), in the order received.
    std::vector<std::string> dns_answers;
    std::string dns_rcode;  // "NOERROR", "NXDOMAIN", "SERVFAIL", ...
};

/// Bodies beyond this are cut (and body_truncated set); a target that sends 1 GB cannot
/// grow the engine's memory.
inline constexpr std::size_t kMaxBodyBytes = 1 << 20;

/// One judged check, as stored and as pushed by a remote probe.
struct CheckResult {
    std::string monitor_id;
    std::string location;  // "local" for the server's own engine
    TimePoint at{};        // when the check started
    Outcome outcome = Outcome::kDown;
    ErrorClass error = ErrorClass::kNone;
    std::string message;  // error or failed condition, empty when up
    int status_code = 0;
    Timings timings;
    std::optional<int> certificate_days_left;
};

[[nodiscard]] std::string_view OutcomeName(Outcome o);  // "up" | "degraded" | "down"
[[nodiscard]] std::optional<Outcome> ParseOutcome(std::string_view s);
[[nodiscard]] std::string_view ErrorClassName(ErrorClass e);  // "none", "dns", "connect", ...
[[nodiscard]] std::optional<ErrorClass> ParseErrorClass(std::string_view s);

}  // namespace tocsin::monitor
