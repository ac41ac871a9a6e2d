#include "tocsin/checks/icmp_echo.hpp"

#include <algorithm>

namespace tocsin::checks::detail {

namespace {

constexpr std::size_t kHeaderSize = 8;
constexpr unsigned char kEchoRequestV4 = 8;
constexpr unsigned char kEchoReplyV4 = 0;
constexpr unsigned char kEchoRequestV6 = 128;
constexpr unsigned char kEchoReplyV6 = 129;

}  // namespace

std::uint16_t InternetChecksum(std::span<const unsigned char> data) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < data.size(); i += 2)
        sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
    if (data.size() % 2 == 1) sum += static_cast<std::uint32_t>(data.back() << 8);
    // One's-complement addition: carries fold back into the low 16 bits.
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::vector<unsigned char> BuildEchoRequest(bool ipv6, std::uint16_t sequence, std::span<const unsigned char> payload) {
    std::vector<unsigned char> message(kHeaderSize + payload.size(), 0);
    message[0] = ipv6 ? kEchoRequestV6 : kEchoRequestV4;
    // Bytes 4-5 (identifier) stay zero: the kernel writes the socket's identifier there.
    message[6] = static_cast<unsigned char>(sequence >> 8);
    message[7] = static_cast<unsigned char>(sequence & 0xff);
    std::copy(payload.begin(), payload.end(), message.begin() + kHeaderSize);
    if (!ipv6) {
        const std::uint16_t checksum = InternetChecksum(message);
        message[2] = static_cast<unsigned char>(checksum >> 8);
        message[3] = static_cast<unsigned char>(checksum & 0xff);
    }
    return message;
}

bool IsEchoReplyTo(
    bool ipv6, std::span<const unsigned char> message, std::uint16_t sequence, std::span<const unsigned char> payload
) {
    if (message.size() != kHeaderSize + payload.size()) return false;
    if (message[0] != (ipv6 ? kEchoReplyV6 : kEchoReplyV4) || message[1] != 0) return false;
    if (((message[6] << 8) | message[7]) != sequence) return false;
    return std::equal(payload.begin(), payload.end(), message.begin() + kHeaderSize);
}

}  // namespace tocsin::checks::detail
