#include "tocsin/oncall/contact.hpp"

#include <cctz/time_zone.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace tocsin::oncall {
namespace {

constexpr std::array<std::pair<ContactKind, std::string_view>, 9> kKindNames{{
    {ContactKind::kEmail, "email"},
    {ContactKind::kSms, "sms"},
    {ContactKind::kVoice, "voice"},
    {ContactKind::kNtfy, "ntfy"},
    {ContactKind::kWebPush, "web_push"},
    {ContactKind::kSlack, "slack"},
    {ContactKind::kTeams, "teams"},
    {ContactKind::kTelegram, "telegram"},
    {ContactKind::kWebhook, "webhook"},
}};

bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool IsBase64Url(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '=';
    });
}

// Slack ids are upper-case letters and digits ("U0123ABCD", "C024BE91L").
bool IsSlackId(std::string_view s) {
    if (s.size() < 2 || s.size() > 32) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || IsDigit(c); });
}

// A Telegram chat id: an optional minus then digits; or "@channelname".
bool IsTelegramChat(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    if (s[0] == '@') {
        return s.size() >= 6 && std::all_of(s.begin() + 1, s.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
               });
    }
    auto digits = s[0] == '-' ? s.substr(1) : s;
    return !digits.empty() && std::all_of(digits.begin(), digits.end(), IsDigit);
}

Result<void> ValidateWebPushData(const ContactMethod& m) {
    boost::system::error_code ec;
    auto v = boost::json::parse(m.data_json, ec);
    if (ec || !v.is_object()) return Error::Invalid("data", "must be the browser's push subscription object");
    const auto& o = v.as_object();
    const auto* endpoint = o.if_contains("endpoint");
    if (endpoint != nullptr) {
        if (!endpoint->is_string() || endpoint->as_string() != m.address) {
            return Error::Invalid("data.endpoint", "must equal the address");
        }
    }
    const auto* keys = o.if_contains("keys");
    if (keys == nullptr || !keys->is_object()) return Error::Invalid("data.keys", "must be an object");
    // Sizes: a 65-byte uncompressed point is 87 characters, a 16-byte secret 22 (padding allowed).
    struct KeyRule {
        std::string_view name;
        std::size_t min, max;
        std::string_view what;
    };
    for (const KeyRule& rule :
         {KeyRule{"p256dh", 86, 88, "a P-256 public key"}, KeyRule{"auth", 22, 24, "a 16-byte secret"}}) {
        const auto* k = keys->as_object().if_contains(rule.name);
        const auto field = fmt::format("data.keys.{}", rule.name);
        if (k == nullptr || !k->is_string() || !IsBase64Url(k->as_string())) {
            return Error::Invalid(field, "must be base64url");
        }
        const auto size = k->as_string().size();
        if (size < rule.min || size > rule.max) return Error::Invalid(field, fmt::format("must be {}", rule.what));
    }
    return {};
}

char FromHex(char c) {
    if (IsDigit(c)) return static_cast<char>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<char>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<char>(c - 'A' + 10);
    return -1;
}

std::string FormDecode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size()) {
            char hi = FromHex(s[i + 1]);
            char lo = FromHex(s[i + 2]);
            if (hi < 0 || lo < 0) {
                out += s[i];
                continue;
            }
            out += static_cast<char>((hi << 4) | lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string FormValue(const std::vector<std::pair<std::string, std::string>>& form, std::string_view key) {
    for (const auto& [k, v] : form) {
        if (k == key) return v;
    }
    return {};
}

std::string Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
    return std::string(s);
}

}  // namespace

std::string_view ToString(ContactKind k) {
    for (const auto& [kind, name] : kKindNames) {
        if (kind == k) return name;
    }
    return "email";
}

std::optional<ContactKind> ParseContactKind(std::string_view s) {
    for (const auto& [kind, name] : kKindNames) {
        if (name == s) return kind;
    }
    return std::nullopt;
}

std::string_view ToString(Urgency u) {
    return u == Urgency::kHigh ? "high" : "low";
}

std::optional<Urgency> ParseUrgency(std::string_view s) {
    if (s == "high") return Urgency::kHigh;
    if (s == "low") return Urgency::kLow;
    return std::nullopt;
}

bool IsE164(std::string_view s) {
    if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
    return std::all_of(s.begin() + 1, s.end(), IsDigit);
}

bool IsEmailAddress(std::string_view s) {
    if (s.empty() || s.size() > 254) return false;
    auto at = s.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= s.size()) return false;
    auto local = s.substr(0, at);
    auto domain = s.substr(at + 1);
    // Dot-atom local parts only: quoted strings are legal but never seen in practice and are a
    // favourite of header injection attempts.
    constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
    for (char c : local) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && kAtext.find(c) == std::string_view::npos &&
            static_cast<unsigned char>(c) < 0x80) {
            return false;
        }
    }
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
    if (domain.find('.') == std::string_view::npos && domain != "localhost") return false;
    for (char c : domain) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' &&
            static_cast<unsigned char>(c) < 0x80) {
            return false;
        }
    }
    return true;
}

bool IsHttpsUrl(std::string_view s) {
    constexpr std::string_view kScheme = "https://";
    if (s.size() > 2048 || s.substr(0, kScheme.size()) != kScheme) return false;
    auto rest = s.substr(kScheme.size());
    auto end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return false;
    }
    auto host = authority.front() == '[' ? authority : authority.substr(0, authority.rfind(':'));
    return !host.empty();
}

bool IsTimeZone(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    cctz::time_zone tz;
    return cctz::load_time_zone(s, &tz);
}

bool IsLanguage(std::string_view s) {
    return s == "en" || s == "de";
}

Result<void> ValidateContactMethod(const ContactMethod& m, bool allow_http) {
    auto url_ok = [&](std::string_view u) {
        if (IsHttpsUrl(u)) return true;
        if (!allow_http || !u.starts_with("http://")) return false;
        return IsHttpsUrl("https://" + std::string(u.substr(7)));
    };
    if (m.label.size() > 100) return Error::Invalid("label", "must be at most 100 characters");
    if (m.label.find_first_of("\r\n") != std::string::npos) return Error::Invalid("label", "must be one line");
    if (m.address.empty()) return Error::Invalid("address", "must not be empty");
    switch (m.kind) {
        case ContactKind::kEmail:
            if (!IsEmailAddress(m.address)) return Error::Invalid("address", "must be an e-mail address");
            break;
        case ContactKind::kSms:
        case ContactKind::kVoice:
            if (!IsE164(m.address)) {
                return Error::Invalid("address", "must be a phone number in E.164 form (+4915112345678)");
            }
            break;
        case ContactKind::kNtfy:
        case ContactKind::kTeams:
        case ContactKind::kWebhook:
            if (!url_ok(m.address)) return Error::Invalid("address", "must be an https:// URL");
            break;
        case ContactKind::kWebPush:
            if (!url_ok(m.address)) return Error::Invalid("address", "must be the https:// push endpoint");
            TOCSIN_TRY(ValidateWebPushData(m));
            break;
        case ContactKind::kSlack:
            if (!IsSlackId(m.address) &&
                !(IsHttpsUrl(m.address) && m.address.starts_with("https://hooks.slack.com/"))) {
                return Error::Invalid("address", "must be a Slack member id (U0123ABCD) or an incoming-webhook URL");
            }
            break;
        case ContactKind::kTelegram:
            if (!IsTelegramChat(m.address)) return Error::Invalid("address", "must be a Telegram chat id");
            break;
    }
    if (m.kind != ContactKind::kWebPush) {
        boost::system::error_code ec;
        auto v = boost::json::parse(m.data_json, ec);
        if (ec || !v.is_object()) return Error::Invalid("data", "must be an object");
    }
    return {};
}

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view form) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!form.empty()) {
        auto amp = form.find('&');
        auto part = form.substr(0, amp);
        form = amp == std::string_view::npos ? std::string_view{} : form.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            out.emplace_back(FormDecode(part), std::string{});
        } else {
            out.emplace_back(FormDecode(part.substr(0, eq)), FormDecode(part.substr(eq + 1)));
        }
    }
    return out;
}

Result<InboundReply> ParseInboundSms(std::string_view form_body) {
    auto form = ParseForm(form_body);
    InboundReply r;
    r.from = FormValue(form, "From");
    if (!IsE164(r.from)) return Error::Invalid("From", "must be the sender's E.164 number");
    auto body = Lower(Trim(FormValue(form, "Body")));
    if (body.size() > 160) return Error::Invalid("Body", "is too long for a reply");
    bool saw_word = false;
    std::size_t i = 0;
    while (i < body.size()) {
        if (std::isspace(static_cast<unsigned char>(body[i])) != 0 || body[i] == ',' || body[i] == '.') {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < body.size() && std::isspace(static_cast<unsigned char>(body[j])) == 0 && body[j] != ',' &&
               body[j] != '.') {
            ++j;
        }
        std::string word = body.substr(i, j - i);
        i = j;
        if (std::all_of(word.begin(), word.end(), IsDigit)) {
            if (!r.reply_code.empty()) return Error::Invalid("Body", "holds more than one code");
            r.reply_code = word;
        } else if (!saw_word && (word == "ack" || word == "a" || word == "acknowledge" || word == "ok")) {
            r.action = ReplyAction::kAcknowledge;
            saw_word = true;
        } else if (!saw_word && (word == "resolve" || word == "r" || word == "res" || word == "resolved")) {
            r.action = ReplyAction::kResolve;
            saw_word = true;
        } else {
            return Error::Invalid(
                "Body", fmt::format("unknown word '{}' (reply with the code, 'r <code>' resolves)", word)
            );
        }
    }
    if (r.reply_code.empty()) return Error::Invalid("Body", "holds no reply code");
    return r;
}

Result<InboundReply> ParseVoiceKeyPress(std::string_view form_body, std::string_view query) {
    auto form = ParseForm(form_body);
    InboundReply r;
    // For a call tocsin placed, "To" is the person paged; "From" is tocsin's own number.
    r.from = FormValue(form, "To");
    if (!IsE164(r.from) || FormValue(form, "Direction").find("inbound") != std::string::npos) {
        r.from = FormValue(form, "From");
    }
    if (!IsE164(r.from)) return Error::Invalid("To", "must be the callee's E.164 number");
    auto digits = Trim(FormValue(form, "Digits"));
    if (digits == "1") {
        r.action = ReplyAction::kAcknowledge;
    } else if (digits == "2") {
        r.action = ReplyAction::kResolve;
    } else {
        return Error::Invalid("Digits", "must be 1 (acknowledge) or 2 (resolve)");
    }
    r.reply_code = FormValue(ParseForm(query), "code");
    if (r.reply_code.empty() || !std::all_of(r.reply_code.begin(), r.reply_code.end(), IsDigit)) {
        return Error::Invalid("code", "must be the reply code of the page");
    }
    return r;
}

std::string NewVerificationCode() {
    // Rejection sampling keeps the six digits uniform.
    for (;;) {
        std::array<unsigned char, 4> b{};
        if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) continue;
        std::uint32_t v = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
        constexpr std::uint32_t kLimit = 4294000000u;  // a multiple of 10^6
        if (v >= kLimit) continue;
        return fmt::format("{:06}", v % 1000000u);
    }
}

std::string HashVerificationCode(std::string_view contact_method_id, std::string_view code) {
    std::string input = fmt::format("tocsin-verify\n{}\n{}", contact_method_id, code);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(input.data(), input.size(), md.data(), &len, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

}  // namespace tocsin::oncall
