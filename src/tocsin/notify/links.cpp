#include "tocsin/notify/links.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/notify/encoding.hpp"

#include <sodium.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace tocsin::notify {
namespace {

constexpr std::size_t kHeader = 1 + 8;  // purpose byte, expiry (ms since the epoch, big-endian; 0: none)
constexpr std::size_t kTag = crypto_auth_BYTES;
// Subscriber ids are short; the bound keeps a hostile token from costing real work.
constexpr std::size_t kMaxId = 256;
constexpr std::size_t kMaxToken = 4 * (kHeader + kMaxId + kTag) / 3 + 4;

static_assert(crypto_auth_KEYBYTES == 32, "LinkSigner keys are 32 bytes");

std::string TokenUrl(std::string_view page_url, std::string_view path, std::string_view token) {
    return std::string(page_url) + std::string(path) + "?token=" + PercentEncode(token);
}

}  // namespace

LinkSigner::LinkSigner(std::string key) : key_(std::move(key)) {
    if (key_.size() != crypto_auth_KEYBYTES) throw std::invalid_argument("link signing key must be 32 bytes");
}

std::string LinkSigner::NewKey() {
    std::string key(crypto_auth_KEYBYTES, '\0');
    randombytes_buf(key.data(), key.size());
    return key;
}

// The tag covers purpose and expiry as well as the id, so a manage link cannot be turned
// into an unsubscribe link, nor a confirm link made to last forever.
std::string LinkSigner::Sign(LinkPurpose purpose, const std::string& subscriber_id, std::optional<TimePoint> expires)
    const {
    std::vector<unsigned char> bytes;
    bytes.reserve(kHeader + subscriber_id.size() + kTag);
    bytes.push_back(static_cast<unsigned char>(purpose));
    const auto expiry = static_cast<std::uint64_t>(expires ? ToMillis(*expires) : 0);
    for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<unsigned char>(expiry >> shift));
    bytes.insert(bytes.end(), subscriber_id.begin(), subscriber_id.end());
    const std::size_t signed_size = bytes.size();
    bytes.resize(signed_size + kTag);
    crypto_auth(
        bytes.data() + signed_size, bytes.data(), signed_size, reinterpret_cast<const unsigned char*>(key_.data())
    );

    return Base64UrlEncode(bytes.data(), bytes.size());
}

std::optional<std::string> LinkSigner::Verify(LinkPurpose purpose, std::string_view token, TimePoint now) const {
    // Tokens come from anyone who types a URL: bound the work before decoding anything.
    if (token.empty() || token.size() > kMaxToken) return std::nullopt;
    const auto decoded = Base64UrlDecode(token);
    if (!decoded) return std::nullopt;
    const std::vector<unsigned char>& bytes = *decoded;
    const std::size_t size = bytes.size();
    if (size < kHeader + 1 + kTag) return std::nullopt;
    // The decoder ignores the unused low bits of the last character; accepting only the
    // canonical spelling keeps one token per link (a token may serve as a lookup key).
    if (Base64UrlEncode(bytes.data(), size) != token) return std::nullopt;
    const std::size_t signed_size = size - kTag;
    // crypto_auth_verify compares in constant time, so response timing reveals nothing
    // about how much of a guessed tag was right.
    if (crypto_auth_verify(
            bytes.data() + signed_size, bytes.data(), signed_size, reinterpret_cast<const unsigned char*>(key_.data())
        ) != 0) {
        return std::nullopt;
    }
    // Authentic from here on; what remains is whether it is meant for this use and time.
    if (bytes[0] != static_cast<unsigned char>(purpose)) return std::nullopt;
    std::uint64_t expiry = 0;
    for (std::size_t i = 1; i < kHeader; ++i) expiry = (expiry << 8) | bytes[i];
    if (expiry != 0 && ToMillis(now) >= static_cast<std::int64_t>(expiry)) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(bytes.data() + kHeader), signed_size - kHeader);
}

std::string ConfirmUrl(std::string_view page_url, std::string_view token) {
    return TokenUrl(page_url, "/subscribe/confirm", token);
}

std::string ManageUrl(std::string_view page_url, std::string_view token) {
    return TokenUrl(page_url, "/subscribe/manage", token);
}

std::string UnsubscribeUrl(std::string_view page_url, std::string_view token) {
    return TokenUrl(page_url, "/unsubscribe", token);
}

}  // namespace tocsin::notify
