/// @file
/// @brief DNS record types, rcode names and the reading of a reply's answer section.
///
/// Pure functions over bytes (no I/O), used by the DNS check. Answers are rendered as the
/// text the condition language compares against: A "192.0.2.1", AAAA in RFC 5952 form,
/// names with their trailing dot, MX "10 mx.example.", TXT the concatenated strings,
/// SRV "priority weight port target.", SOA "mname. rname. serial refresh retry expire
/// minimum", CAA "0 issue \"ca.example\"".
#pragma once

#include "tocsin/common/result.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::checks::detail {

/// The record types a DNS monitor may ask for, with their wire values.
enum class DnsType : int {
    kA = 1,
    kNs = 2,
    kCname = 5,
    kSoa = 6,
    kPtr = 12,
    kMx = 15,
    kTxt = 16,
    kAaaa = 28,
    kSrv = 33,
    kCaa = 257,
};

/// "A", "aaaa", ... (case-insensitive); nullopt for any other type.
[[nodiscard]] std::optional<DnsType> ParseDnsType(std::string_view name);

/// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", ...; "RCODE<n>" for
/// values without a name.
[[nodiscard]] std::string DnsRcodeName(int rcode);

struct DnsReply {
    int rcode = 0;
    /// The answer-section records of the asked type, as text, in wire order (a CNAME
    /// chain in front of the asked records is skipped).
    std::vector<std::string> answers;
};

/// Reads the header and answer section of a reply. Fails (kUnavailable) when the bytes
/// are not a well-formed DNS message.
[[nodiscard]] Result<DnsReply> ParseDnsReply(const unsigned char* data, std::size_t size, DnsType type);

}  // namespace tocsin::checks::detail
