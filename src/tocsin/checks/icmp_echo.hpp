/// @file
/// @brief ICMP / ICMPv6 echo messages as sent and received on datagram ("ping") sockets.
///
/// On such sockets the kernel adds and strips the IP header, and replaces the identifier
/// with the socket's own; a reply is therefore recognised by type, sequence and payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tocsin::checks::detail {

/// An echo request (type 8, or 128 for ICMPv6) with `sequence` and `payload`. The IPv4
/// checksum is filled in; the kernel computes ICMPv6's, which covers the IP addresses.
[[nodiscard]] std::vector<unsigned char> BuildEchoRequest(
    bool ipv6, std::uint16_t sequence, std::span<const unsigned char> payload
);

/// True for an echo reply (type 0, or 129) carrying `sequence` and exactly `payload`.
[[nodiscard]] bool IsEchoReplyTo(
    bool ipv6, std::span<const unsigned char> message, std::uint16_t sequence, std::span<const unsigned char> payload
);

/// The Internet checksum (RFC 1071) of `data`.
[[nodiscard]] std::uint16_t InternetChecksum(std::span<const unsigned char> data);

}  // namespace tocsin::checks::detail
