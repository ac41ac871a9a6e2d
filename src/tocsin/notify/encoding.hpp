/// @file
/// @brief Byte encodings the notify module shares between its links, payloads and tests.
/// Internal to notify: other modules do not include it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::notify {

/// RFC 3986 percent-encoding: every byte but the unreserved A-Z a-z 0-9 - . _ ~ becomes
/// "%XX" (upper-case hex). Serves query values and application/x-www-form-urlencoded alike
/// (a space becomes "%20", which form decoders accept as well as "+").
[[nodiscard]] std::string PercentEncode(std::string_view s);

/// base64url without padding (RFC 4648 section 5), the spelling of link tokens.
[[nodiscard]] std::string Base64UrlEncode(const unsigned char* bytes, std::size_t size);

/// The bytes `text` spells in base64url without padding; nullopt if any character lies
/// outside that alphabet (white space and "=" included).
[[nodiscard]] std::optional<std::vector<unsigned char>> Base64UrlDecode(std::string_view text);

}  // namespace tocsin::notify
