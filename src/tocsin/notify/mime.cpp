#include "tocsin/notify/mime.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/subscriber.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <string_view>

namespace tocsin::notify {
namespace {

constexpr std::size_t kFoldAt = 78;       // RFC 5322 2.1.1: SHOULD
constexpr std::size_t kQpLine = 76;       // RFC 2045 6.7 (5)
constexpr std::size_t kEncodedWord = 75;  // RFC 2047 2
// Ids and URLs are never folded inside; this keeps their lines under the 998 limit.
constexpr std::size_t kMaxToken = 900;
constexpr std::string_view kCrlf = "\r\n";
constexpr char kHex[] = "0123456789ABCDEF";

bool IsAscii(std::string_view s) {
    for (unsigned char c : s) {
        if (c >= 0x80) return false;
    }
    return true;
}

// Refuses anything that could end a header line early (CR, LF) or that SMTP and many
// parsers treat as the end of the string (NUL).
Result<void> CheckHeaderInput(std::string_view field, std::string_view value) {
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
        return Error::Invalid(std::string(field), "must not contain CR, LF or NUL");
    }
    return {};
}

// Message ids, URLs and keys are single tokens of visible ASCII.
Result<void> CheckToken(std::string_view field, std::string_view value) {
    TOCSIN_TRY(CheckHeaderInput(field, value));
    if (value.size() > kMaxToken) return Error::Invalid(std::string(field), "is too long");
    for (unsigned char c : value) {
        if (c <= 0x20 || c >= 0x7F) return Error::Invalid(std::string(field), "must be visible ASCII without spaces");
    }
    return {};
}

Result<void> CheckMsgId(std::string_view field, std::string_view id) {
    TOCSIN_TRY(CheckToken(field, id));
    if (id.size() < 3 || id.front() != '<' || id.back() != '>' || id.find('@') == std::string_view::npos ||
        id.substr(1, id.size() - 2).find_first_of("<>") != std::string_view::npos) {
        return Error::Invalid(std::string(field), "must look like <local@host>");
    }
    return {};
}

std::size_t Utf8Length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;  // a stray byte travels alone
}

// The input split into whole UTF-8 characters, so no encoded word ends mid-sequence.
std::vector<std::string_view> Characters(std::string_view s) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = std::min(Utf8Length(static_cast<unsigned char>(s[i])), s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

// RFC 2047 5 (3): the Q characters also allowed in a phrase, so one encoder serves
// display names and subjects.
bool IsQSafe(unsigned char c) {
    return std::isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

std::string QEncode(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) {
        if (c == ' ') {
            out += '_';
        } else if (IsQSafe(c) && c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += '=';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string BEncode(std::string_view bytes) {
    static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                          (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    if (i < bytes.size()) {
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kB64[(v >> 18) & 63];
        out += kB64[(v >> 12) & 63];
        out += i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Encoded words for `text`, each at most `first_max` (the first) or 75 characters long.
// Q keeps mostly-Latin text (German) readable in the raw message; B is shorter for
// scripts where nearly every byte would need escaping.
std::vector<std::string> EncodedWords(std::string_view text, std::size_t first_max) {
    std::size_t escaped = 0;
    for (unsigned char c : text) escaped += (c >= 0x80 || (!IsQSafe(c) && c != ' ')) ? 1 : 0;
    const bool use_q = escaped * 3 <= text.size();
    const std::string head = use_q ? "=?UTF-8?Q?" : "=?UTF-8?B?";
    auto encode = [&](std::string_view bytes) { return use_q ? QEncode(bytes) : BEncode(bytes); };

    std::vector<std::string> words;
    std::string chunk;
    std::size_t max = std::min(first_max, kEncodedWord);
    for (auto ch : Characters(text)) {
        std::string candidate = chunk + std::string(ch);
        if (!chunk.empty() && head.size() + encode(candidate).size() + 2 > max) {
            words.push_back(head + encode(chunk) + "?=");
            chunk.clear();
            max = kEncodedWord;
        }
        chunk += ch;
    }
    if (!chunk.empty() || words.empty()) words.push_back(head + encode(chunk) + "?=");
    return words;
}

// Collects one header field and folds it: tokens are joined with single spaces, and a
// line that would pass 78 characters breaks before the next token.
class HeaderLine {
public:
    explicit HeaderLine(std::string_view name) : out_(std::string(name) + ":"), line_(out_.size()) {}

    // A token that does not fit even a fresh line stays beside the field name: folding
    // could only move it, and a field line with no value confuses some parsers.
    void Token(std::string_view token) {
        if (line_ + 1 + token.size() > kFoldAt && has_token_) {
            out_ += kCrlf;
            line_ = 0;
        }
        out_ += ' ';
        out_ += token;
        line_ += 1 + token.size();
        has_token_ = true;
    }

    // Words of plain ASCII text, or encoded words when the text is not ASCII.
    void Text(std::string_view text) {
        // Text that merely looks like an encoded word is encoded too, so that a reader shows
        // it as written.
        if (IsAscii(text) && text.find("=?") == std::string_view::npos) {
            std::size_t start = 0;
            while (start <= text.size()) {
                auto end = text.find(' ', start);
                if (end == std::string_view::npos) end = text.size();
                if (end > start) Token(text.substr(start, end - start));
                start = end + 1;
            }
            return;
        }
        std::size_t first_room = line_ + 1 < kFoldAt ? kFoldAt - line_ - 1 : 0;
        // An encoded word too short to carry one character is pointless: start a new line.
        if (first_room < 16) first_room = kEncodedWord;
        for (const auto& w : EncodedWords(text, first_room)) Token(w);
    }

    std::string Done() const { return out_ + std::string(kCrlf); }

private:
    std::string out_;
    std::size_t line_;
    bool has_token_ = false;
};

// A display name in ASCII: an atom sequence when it has no specials, else a quoted string.
std::string QuoteDisplayName(std::string_view name) {
    constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
    if (name.find_first_of(kSpecials) == std::string_view::npos) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string MailboxHeader(std::string_view header, const Mailbox& m) {
    HeaderLine h(header);
    if (!m.name.empty()) {
        if (IsAscii(m.name)) {
            std::string quoted = QuoteDisplayName(m.name);
            // A quoted string is folded only at its spaces, which keeps its meaning.
            h.Text(quoted);
        } else {
            h.Text(m.name);
        }
        h.Token("<" + m.address + ">");
    } else {
        h.Token(m.address);
    }
    return h.Done();
}

// CRLF line ends whatever the template wrote.
std::string NormalizeNewlines(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 32);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += kCrlf;
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (s[i] == '\n') {
            out += kCrlf;
        } else {
            out += s[i];
        }
    }
    return out;
}

// RFC 2045 6.7 quoted-printable. Line breaks of the text stay hard breaks; longer lines
// get soft breaks ("=" CRLF) so no encoded line passes 76 characters. A line that starts
// with "." or "From " has that character encoded, which spares it from dot-stuffing
// accidents and mbox "From " mangling on the way.
std::string QuotedPrintable(std::string_view body) {
    const std::string text = NormalizeNewlines(body);
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(kCrlf, start);
        const bool last = end == std::string::npos;
        if (last) end = text.size();
        std::string_view line(text.data() + start, end - start);
        std::size_t column = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            const bool at_end = i + 1 == line.size();
            const bool line_start = column == 0;
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
            if (line_start && (c == '.' || (c == 'F' && line.substr(i, 5) == "From "))) literal = false;
            std::string piece =
                literal ? std::string(1, static_cast<char>(c)) : std::string{'=', kHex[c >> 4], kHex[c & 0xF]};
            // Room must stay for the "=" of a soft break unless this is the line's end.
            const std::size_t limit = at_end ? kQpLine : kQpLine - 1;
            if (column + piece.size() > limit) {
                out += "=";
                out += kCrlf;
                column = 0;
                if (c == '.' || (c == 'F' && line.substr(i, 5) == "From ")) {
                    piece = std::string{'=', kHex[c >> 4], kHex[c & 0xF]};
                }
            }
            out += piece;
            column += piece.size();
        }
        if (last) break;
        out += kCrlf;
        start = end + 2;
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, kCrlf) != 0) out += kCrlf;
    return out;
}

// A boundary cannot occur in a quoted-printable body: "=_" is never produced by the
// encoder ("=" is always followed by two hex digits or a line break).
std::string Boundary(const MailMessage& m) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::string_view part : {std::string_view(m.message_id), std::string_view(m.text), std::string_view(m.html)}) {
        for (unsigned char c : part) {
            h ^= c;
            h *= 1099511628211ull;
        }
    }
    return fmt::format("=_tocsin_{:016x}", h);
}

std::string PartHeaders(std::string_view type) {
    return "Content-Type: " + std::string(type) + "; charset=utf-8" + std::string(kCrlf) +
           "Content-Transfer-Encoding: quoted-printable" + std::string(kCrlf);
}

}  // namespace

std::string FormatRfc5322Date(TimePoint t) {
    return FormatRfc5322Utc(t, "+0000");
}

Result<std::string> BuildMessage(const MailMessage& m) {
    TOCSIN_TRY(CheckHeaderInput("from.name", m.from.name));
    TOCSIN_TRY(CheckHeaderInput("from.address", m.from.address));
    TOCSIN_TRY(CheckHeaderInput("to.name", m.to.name));
    TOCSIN_TRY(CheckHeaderInput("to.address", m.to.address));
    TOCSIN_TRY(CheckHeaderInput("subject", m.subject));
    TOCSIN_TRY(CheckHeaderInput("list_id", m.list_id));
    if (auto r = domain::ValidateEmailAddress(m.from.address); !r) {
        return Error::Invalid("from.address", r.error().message);
    }
    if (auto r = domain::ValidateEmailAddress(m.to.address); !r) {
        return Error::Invalid("to.address", r.error().message);
    }
    TOCSIN_TRY(CheckMsgId("message_id", m.message_id));
    if (!m.in_reply_to.empty()) TOCSIN_TRY(CheckMsgId("in_reply_to", m.in_reply_to));
    for (const auto& r : m.references) TOCSIN_TRY(CheckMsgId("references", r));
    if (!m.list_unsubscribe.empty()) {
        TOCSIN_TRY(CheckToken("list_unsubscribe", m.list_unsubscribe));
        if (m.list_unsubscribe.find_first_of("<>,") != std::string::npos) {
            return Error::Invalid("list_unsubscribe", "must be a single URL");
        }
    }
    if (!m.idempotency_key.empty()) TOCSIN_TRY(CheckToken("idempotency_key", m.idempotency_key));
    // List-Id: an optional phrase, then "<list-id>" (RFC 2919).
    std::string list_label;
    std::string list_address;
    if (!m.list_id.empty()) {
        auto open = m.list_id.rfind('<');
        list_address = open == std::string::npos ? "<" + m.list_id + ">" : m.list_id.substr(open);
        if (open != std::string::npos) {
            list_label = m.list_id.substr(0, open);
            while (!list_label.empty() && list_label.back() == ' ') list_label.pop_back();
        }
        TOCSIN_TRY(CheckToken("list_id", list_address));
        if (list_address.back() != '>' || list_address.find_first_of("<>", 1) != list_address.size() - 1) {
            return Error::Invalid("list_id", "must be \"Name <id.example.com>\"");
        }
    }

    std::string out;
    out += "Date: " + FormatRfc5322Date(m.date) + std::string(kCrlf);
    out += MailboxHeader("From", m.from);
    out += MailboxHeader("To", m.to);
    {
        HeaderLine h("Subject");
        h.Text(m.subject);
        out += h.Done();
    }
    {
        HeaderLine h("Message-ID");
        h.Token(m.message_id);
        out += h.Done();
    }
    // References carries the whole thread; a lone In-Reply-To still starts it.
    std::vector<std::string> references = m.references;
    if (references.empty() && !m.in_reply_to.empty()) references.push_back(m.in_reply_to);
    if (!m.in_reply_to.empty()) {
        HeaderLine h("In-Reply-To");
        h.Token(m.in_reply_to);
        out += h.Done();
    }
    if (!references.empty()) {
        HeaderLine h("References");
        for (const auto& r : references) h.Token(r);
        out += h.Done();
    }
    if (!m.list_id.empty()) {
        HeaderLine h("List-Id");
        if (!list_label.empty()) h.Text(IsAscii(list_label) ? QuoteDisplayName(list_label) : list_label);
        h.Token(list_address);
        out += h.Done();
    }
    if (!m.list_unsubscribe.empty()) {
        HeaderLine h("List-Unsubscribe");
        h.Token("<" + m.list_unsubscribe + ">");
        out += h.Done();
        out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click" + std::string(kCrlf);
    }
    out += "Auto-Submitted: auto-generated" + std::string(kCrlf);
    if (!m.idempotency_key.empty()) {
        HeaderLine h("X-Tocsin-Idempotency-Key");
        h.Token(m.idempotency_key);
        out += h.Done();
    }
    out += "MIME-Version: 1.0" + std::string(kCrlf);

    if (m.html.empty()) {
        out += PartHeaders("text/plain");
        out += kCrlf;
        out += QuotedPrintable(m.text);
        return out;
    }
    const std::string boundary = Boundary(m);
    out += "Content-Type: multipart/alternative;" + std::string(kCrlf) + " boundary=\"" + boundary + "\"" +
           std::string(kCrlf);
    out += kCrlf;
    out += "This is a MIME message in text and HTML." + std::string(kCrlf);
    // Text first, then HTML: clients show the last part they understand (RFC 2046 5.1.4).
    out +=
        "--" + boundary + std::string(kCrlf) + PartHeaders("text/plain") + std::string(kCrlf) + QuotedPrintable(m.text);
    out +=
        "--" + boundary + std::string(kCrlf) + PartHeaders("text/html") + std::string(kCrlf) + QuotedPrintable(m.html);
    out += "--" + boundary + "--" + std::string(kCrlf);
    return out;
}

}  // namespace tocsin::notify
