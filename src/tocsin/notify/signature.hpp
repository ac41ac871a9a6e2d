/// @file
/// @brief The signature on tocsin's own webhook deliveries.
///
/// Headers: X-Tocsin-Timestamp (Unix seconds) and X-Tocsin-Signature "v1=<hex>", where hex
/// is HMAC-SHA-256 with the subscriber's secret over "<timestamp>.<body>". A receiver
/// recomputes it, compares in constant time and refuses timestamps older than a few minutes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin::notify {

[[nodiscard]] std::string WebhookSignature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

}  // namespace tocsin::notify
