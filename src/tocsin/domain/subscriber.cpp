#include "tocsin/domain/subscriber.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace tocsin::domain {
namespace {

constexpr std::array<std::pair<Channel, std::string_view>, 7> kChannelNames{{
    {Channel::kEmail, "email"},
    {Channel::kWebhook, "webhook"},
    {Channel::kSlack, "slack"},
    {Channel::kTeams, "teams"},
    {Channel::kDiscord, "discord"},
    {Channel::kTelegram, "telegram"},
    {Channel::kMastodon, "mastodon"},
}};

constexpr std::size_t kMaxAddressBytes = 254;  // RFC 5321 path limit minus the angle brackets
constexpr std::size_t kMaxLocalPartBytes = 64;
constexpr std::size_t kMaxLabelBytes = 63;
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxSecretBytes = 256;
constexpr std::size_t kMaxComponents = 200;

bool IsAsciiAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiDigit(char c) {
    return c >= '0' && c <= '9';
}
bool IsAsciiAlnum(char c) {
    return IsAsciiAlpha(c) || IsAsciiDigit(c);
}
// Space, C0 controls (CR, LF, NUL, tab ...) and DEL: the bytes that break a header or a line.
bool IsSpaceOrControl(char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
}
bool IsVisibleAscii(char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
}

// RFC 5322 atext: the characters of a dot-atom besides the dots.
bool IsAtext(char c) {
    if (IsAsciiAlnum(c)) return true;
    constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
    return kSpecials.find(c) != std::string_view::npos;
}

// Letter/digit/hyphen labels separated by single dots, at least two labels.
bool IsDomainName(std::string_view d) {
    if (d.empty()) return false;
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = d.find('.', start);
        std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > kMaxLabelBytes) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
            if (!IsAsciiAlnum(c) && c != '-') return false;
        }
        ++labels;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return labels >= 2;
}

bool IsDotAtom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char c : s) {
        if (c == '.' && prev == '.') return false;
        if (c != '.' && !IsAtext(c)) return false;
        prev = c;
    }
    return true;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

bool IsPort(std::string_view p) {
    if (p.empty() || p.size() > 5) return false;
    int n = 0;
    for (char c : p) {
        if (!IsAsciiDigit(c)) return false;
        n = n * 10 + (c - '0');
    }
    return n >= 1 && n <= 65535;
}

// The host part of an authority: a bracketed IPv6 literal or a name / IPv4 address.
bool IsHost(std::string_view h) {
    if (h.empty()) return false;
    if (h.front() == '[') {
        if (h.size() < 3 || h.back() != ']') return false;
        for (char c : h.substr(1, h.size() - 2)) {
            bool hex = IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') return false;
        }
        return true;
    }
    bool any_alnum = false;
    for (char c : h) {
        if (IsAsciiAlnum(c)) {
            any_alnum = true;
        } else if (c != '-' && c != '.' && c != '_') {
            return false;
        }
    }
    return any_alnum && h.front() != '.' && h.front() != '-';
}

// An absolute http(s) URL that curl and every other parser read the same way: printable
// ASCII only, a host, no user name or password (https://good.example@evil.example/).
Result<void> ValidateHookUrl(std::string_view url, std::string_view what) {
    const std::string field = "target";
    if (url.empty()) return Error::Invalid(field, "must be the " + std::string(what) + " URL");
    if (url.size() > kMaxUrlBytes) return Error::Invalid(field, "must be at most 2048 characters long");
    for (char c : url) {
        if (IsSpaceOrControl(c)) {
            return Error::Invalid(field, "must not contain spaces, line breaks or control characters");
        }
        if (!IsVisibleAscii(c)) {
            return Error::Invalid(field, "must contain only ASCII characters (percent-encode the others)");
        }
    }
    std::size_t rest = 0;
    if (StartsWithNoCase(url, "https://")) {
        rest = 8;
    } else if (StartsWithNoCase(url, "http://")) {
        rest = 7;
    } else {
        return Error::Invalid(field, "must be an http:// or https:// URL");
    }
    std::string_view after = url.substr(rest);
    std::string_view authority = after.substr(0, after.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
        return Error::Invalid(field, "must not contain a user name or password before the host");
    }
    if (authority.find('\\') != std::string_view::npos) {
        return Error::Invalid(field, "must not contain a backslash in the host");
    }
    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return Error::Invalid(field, "must have a valid host");
        host = authority.substr(0, close + 1);
        std::string_view tail = authority.substr(close + 1);
        if (!tail.empty()) {
            if (tail.front() != ':') return Error::Invalid(field, "must have a valid host");
            port = tail.substr(1);
            if (!IsPort(port)) return Error::Invalid(field, "must have a port between 1 and 65535");
        }
    } else if (std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (!IsPort(port)) return Error::Invalid(field, "must have a port between 1 and 65535");
    }
    if (host.empty()) return Error::Invalid(field, "must have a host, as in https://hooks.example.com/path");
    if (!IsHost(host)) return Error::Invalid(field, "must have a valid host name");
    return {};
}

// "12345", "-1001234567890" (groups and channels by number) or "@public_channel".
bool IsTelegramChatId(std::string_view id) {
    if (id.empty()) return false;
    if (id.front() == '@') {
        std::string_view name = id.substr(1);
        if (name.size() < 5 || name.size() > 32) return false;
        for (char c : name) {
            if (!IsAsciiAlnum(c) && c != '_') return false;
        }
        return true;
    }
    std::string_view digits = id.front() == '-' ? id.substr(1) : id;
    if (digits.empty() || digits.size() > 19) return false;  // fits a signed 64-bit id
    for (char c : digits) {
        if (!IsAsciiDigit(c)) return false;
    }
    return true;
}

std::string_view ChannelLabel(Channel c) {
    switch (c) {
        case Channel::kSlack:
            return "Slack";
        case Channel::kTeams:
            return "Microsoft Teams";
        case Channel::kDiscord:
            return "Discord";
        default:
            return "webhook";
    }
}

}  // namespace

std::string_view ToString(Channel c) {
    for (const auto& [value, name] : kChannelNames) {
        if (value == c) return name;
    }
    return "email";
}

std::optional<Channel> ParseChannel(std::string_view s) {
    for (const auto& [value, name] : kChannelNames) {
        if (name == s) return value;
    }
    return std::nullopt;
}

Result<void> ValidateEmailAddress(std::string_view address) {
    const std::string field = "address";
    if (address.empty()) return Error::Invalid(field, "must be an e-mail address such as name@example.com");
    // Checked before anything else: whatever else is wrong, a line break must never be
    // reported as (or mistaken for) a mere syntax detail.
    for (char c : address) {
        if (IsSpaceOrControl(c)) {
            return Error::Invalid(field, "must not contain spaces, line breaks or control characters");
        }
    }
    if (address.find_first_of("<>,;\"") != std::string_view::npos) {
        return Error::Invalid(field, "must be one bare address, without a name, quotes, <>, commas or semicolons");
    }
    if (address.size() > kMaxAddressBytes) return Error::Invalid(field, "must be at most 254 characters long");
    std::size_t at = address.find('@');
    if (at == std::string_view::npos) {
        return Error::Invalid(field, "must contain an @ followed by a domain, as in name@example.com");
    }
    if (address.find('@', at + 1) != std::string_view::npos) return Error::Invalid(field, "must contain only one @");
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    if (local.empty()) return Error::Invalid(field, "must have a name before the @");
    if (local.size() > kMaxLocalPartBytes) {
        return Error::Invalid(field, "must have at most 64 characters before the @");
    }
    if (!IsDotAtom(local)) {
        return Error::Invalid(
            field,
            "may contain before the @ only letters, digits, single dots (not first or last) and !#$%&'*+-/=?^_`{|}~"
        );
    }
    if (!IsDomainName(domain)) {
        return Error::Invalid(
            field, "must have a domain after the @ made of letters, digits, hyphens and dots, such as example.com"
        );
    }
    return {};
}

std::string NormalizeEmailAddress(std::string_view address) {
    std::string out(address);
    std::size_t at = out.rfind('@');
    if (at == std::string::npos) return out;
    for (std::size_t i = at + 1; i < out.size(); ++i) {
        if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
    }
    return out;
}

Result<void> ValidateSubscriber(const Subscriber& s) {
    switch (s.channel) {
        case Channel::kEmail:
            if (auto r = ValidateEmailAddress(s.target); !r) return Error::Invalid("target", r.error().message);
            break;
        case Channel::kWebhook:
        case Channel::kSlack:
        case Channel::kTeams:
        case Channel::kDiscord:
            // http is allowed for chat hooks too: self-hosted Mattermost and Rocket.Chat take
            // Slack's format on internal hosts (refuse_private_targets governs where to).
            TOCSIN_TRY(ValidateHookUrl(s.target, ChannelLabel(s.channel)));
            break;
        case Channel::kTelegram:
            if (!IsTelegramChatId(s.target)) {
                return Error::Invalid(
                    "target",
                    "must be a Telegram chat id (a number such as -1001234567890) or a channel name "
                    "such as @status_updates (5 to 32 letters, digits or _)"
                );
            }
            break;
        case Channel::kMastodon:
            return Error::Invalid(
                "channel", "mastodon is not a subscriber channel: the page's own Mastodon account is configured"
            );
    }
    if (s.channel == Channel::kWebhook) {
        if (s.secret.size() > kMaxSecretBytes) return Error::Invalid("secret", "must be at most 256 characters long");
        for (char c : s.secret) {
            if (c != ' ' && !IsVisibleAscii(c)) {
                return Error::Invalid("secret", "must contain only printable ASCII characters");
            }
        }
    } else if (!s.secret.empty()) {
        return Error::Invalid("secret", "must be empty: only webhook subscribers have a signing secret");
    }
    if (s.language != "en" && s.language != "de") return Error::Invalid("language", "must be one of: en, de");
    if (s.component_ids.size() > kMaxComponents) {
        return Error::Invalid("components", "must list at most 200 components");
    }
    return {};
}

}  // namespace tocsin::domain
