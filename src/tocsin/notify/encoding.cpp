#include "tocsin/notify/encoding.hpp"

#include <sodium.h>

namespace tocsin::notify {

std::string PercentEncode(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string Base64UrlEncode(const unsigned char* bytes, std::size_t size) {
    std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.resize(std::char_traits<char>::length(text.c_str()));
    return text;
}

std::optional<std::vector<unsigned char>> Base64UrlDecode(std::string_view text) {
    std::vector<unsigned char> bytes(text.size());
    std::size_t size = 0;
    // No ignore set and no end pointer: any character outside the alphabet fails.
    if (sodium_base642bin(
            bytes.data(),
            bytes.size(),
            text.data(),
            text.size(),
            nullptr,
            &size,
            nullptr,
            sodium_base64_VARIANT_URLSAFE_NO_PADDING
        ) != 0) {
        return std::nullopt;
    }
    bytes.resize(size);
    return bytes;
}

}  // namespace tocsin::notify
