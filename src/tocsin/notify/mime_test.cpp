#include "tocsin/notify/mime.hpp"

#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

namespace tocsin::notify {
namespace {

// --- a small independent reader of what BuildMessage writes -----------------------------

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string DecodeQuotedPrintable(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '=') {
            out += s[i];
            continue;
        }
        if (s.substr(i + 1, 2) == "\r\n") {  // soft line break
            i += 2;
            continue;
        }
        EXPECT_LT(i + 2, s.size());
        int hi = HexValue(s[i + 1]);
        int lo = HexValue(s[i + 2]);
        EXPECT_TRUE(hi >= 0 && lo >= 0) << s.substr(i, 3);
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string DecodeBase64(std::string_view s) {
    static const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        if (c == '=') break;
        auto v = kB64.find(c);
        EXPECT_NE(v, std::string::npos) << c;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

// RFC 2047: decodes every encoded word; whitespace between two encoded words is dropped.
std::string DecodeEncodedWords(std::string_view s) {
    std::string out;
    std::string pending_space;
    bool last_was_word = false;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ' || s[i] == '\t') {
            pending_space += s[i++];
            continue;
        }
        auto end = s.find_first_of(" \t", i);
        if (end == std::string_view::npos) end = s.size();
        auto token = s.substr(i, end - i);
        i = end;
        bool is_word = token.size() > 12 && token.substr(0, 2) == "=?" && token.substr(token.size() - 2) == "?=";
        if (!(is_word && last_was_word)) out += pending_space;
        pending_space.clear();
        if (!is_word) {
            out += token;
            last_was_word = false;
            continue;
        }
        EXPECT_LE(token.size(), 75u) << token;
        auto q1 = token.find('?', 2);
        auto q2 = token.find('?', q1 + 1);
        std::string charset(token.substr(2, q1 - 2));
        char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(token[q1 + 1])));
        EXPECT_EQ(charset, "UTF-8");
        auto payload = token.substr(q2 + 1, token.size() - q2 - 3);
        if (enc == 'B') {
            out += DecodeBase64(payload);
        } else {
            std::string qp;
            for (char c : payload) qp += c == '_' ? ' ' : c;
            out += DecodeQuotedPrintable(qp);
        }
        last_was_word = true;
    }
    return out;
}

struct Parsed {
    std::vector<std::string> header_lines;           // physical lines, without CRLF
    std::multimap<std::string, std::string> fields;  // unfolded values
    std::string body;
};

Parsed Parse(const std::string& raw) {
    Parsed p;
    auto split = raw.find("\r\n\r\n");
    EXPECT_NE(split, std::string::npos);
    std::string head = raw.substr(0, split + 2);
    p.body = raw.substr(split + 4);
    std::string current;
    for (std::size_t start = 0; start < head.size();) {
        auto end = head.find("\r\n", start);
        std::string line = head.substr(start, end - start);
        p.header_lines.push_back(line);
        start = end + 2;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            current += line;  // unfold: CRLF goes, the whitespace stays
            continue;
        }
        if (!current.empty()) {
            auto colon = current.find(':');
            p.fields.emplace(current.substr(0, colon), current.substr(colon + 2));
        }
        current = line;
    }
    if (!current.empty()) {
        auto colon = current.find(':');
        p.fields.emplace(current.substr(0, colon), current.substr(colon + 2));
    }
    return p;
}

// Header lines stay within 78 characters, except a line carrying one token that cannot
// be folded (a URL or message id longer than a line).
void ExpectFolded(const Parsed& p) {
    for (const auto& line : p.header_lines) {
        if (line.size() <= 78) continue;
        auto colon = line[0] == ' ' ? 0 : line.find(':') + 1;
        auto value = line.substr(line.find_first_not_of(' ', colon));
        EXPECT_EQ(value.find(' '), std::string::npos) << line;
        EXPECT_LE(line.size(), 998u);
    }
}

std::string Field(const Parsed& p, const std::string& name) {
    auto it = p.fields.find(name);
    return it == p.fields.end() ? std::string("<absent>") : it->second;
}

std::vector<std::string> Lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find("\r\n", start);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

std::string Crlf(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

MailMessage Sample() {
    MailMessage m;
    m.from = {"Acme Status", "status@example.com"};
    m.to = {"Jürgen Müller-Lüdenscheidt", "juergen@example.de"};
    m.subject = "[Acme Status] Schwerer Ausfall: Zahlungsdienst gestört — Wird untersucht (Überprüfung läuft)";
    m.message_id = "<upd1.inc1.sub1@status.example.com>";
    m.in_reply_to = "<inc1.sub1@status.example.com>";
    m.references = {"<inc1.sub1@status.example.com>", "<upd0.inc1.sub1@status.example.com>"};
    m.list_unsubscribe = "https://status.example.com/unsubscribe?token=AQAAAAAAAAAAc3ViMQ";
    m.list_id = "Acme Status <status.example.com>";
    m.idempotency_key = "upd1:sub1:email";
    m.date = ParseIso8601("2026-12-04T17:22:32Z").value();
    m.text = "Grüße aus Köln – äöüÄÖÜß €\n\n" + std::string(300, 'x') + " Ende\nZeile mit Leerzeichen am Ende   \n";
    m.html = "<p>Grüße &amp; <strong>Störung</strong></p>\n<p>" + std::string(200, 'y') + "</p>\n";
    return m;
}

Result<std::string> Build(const MailMessage& m) {
    return BuildMessage(m);
}

// The two parts of a multipart/alternative body, each with its headers.
std::vector<std::string> Parts(const std::string& body, const std::string& boundary) {
    std::vector<std::string> parts;
    const std::string delimiter = "--" + boundary;
    auto pos = body.find(delimiter + "\r\n");
    while (pos != std::string::npos) {
        auto start = pos + delimiter.size() + 2;
        auto next = body.find("\r\n" + delimiter, start);
        if (next == std::string::npos) break;
        parts.push_back(body.substr(start, next + 2 - start));
        pos = body.find(delimiter + "\r\n", next + 2);
        if (pos != next + 2) break;
    }
    return parts;
}

std::string BoundaryOf(const Parsed& p) {
    auto ct = Field(p, "Content-Type");
    auto b = ct.find("boundary=\"");
    EXPECT_NE(b, std::string::npos) << ct;
    auto start = b + 10;
    return ct.substr(start, ct.find('"', start) - start);
}

// --- tests ------------------------------------------------------------------------------

TEST(FormatRfc5322Date, KnownDates) {
    EXPECT_EQ(FormatRfc5322Date(ParseIso8601("2026-12-04T17:22:32.900Z").value()), "Fri, 04 Dec 2026 17:22:32 +0000");
    EXPECT_EQ(FormatRfc5322Date(TimePoint{}), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(FormatRfc5322Date(ParseIso8601("2028-02-29T23:59:59Z").value()), "Tue, 29 Feb 2028 23:59:59 +0000");
}

TEST(BuildMessage, HeadersArePresentAndFolded) {
    auto raw = Build(Sample());
    ASSERT_TRUE(raw.has_value()) << raw.error().field << ": " << raw.error().message;
    auto p = Parse(*raw);
    EXPECT_EQ(Field(p, "Date"), "Fri, 04 Dec 2026 17:22:32 +0000");
    EXPECT_EQ(Field(p, "From"), "Acme Status <status@example.com>");
    EXPECT_EQ(Field(p, "Message-ID"), "<upd1.inc1.sub1@status.example.com>");
    EXPECT_EQ(Field(p, "In-Reply-To"), "<inc1.sub1@status.example.com>");
    EXPECT_EQ(Field(p, "References"), "<inc1.sub1@status.example.com> <upd0.inc1.sub1@status.example.com>");
    EXPECT_EQ(Field(p, "List-Unsubscribe"), "<https://status.example.com/unsubscribe?token=AQAAAAAAAAAAc3ViMQ>");
    EXPECT_EQ(Field(p, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    EXPECT_EQ(Field(p, "List-Id"), "Acme Status <status.example.com>");
    EXPECT_EQ(Field(p, "Auto-Submitted"), "auto-generated");
    EXPECT_EQ(Field(p, "X-Tocsin-Idempotency-Key"), "upd1:sub1:email");
    EXPECT_EQ(Field(p, "MIME-Version"), "1.0");
    EXPECT_EQ(DecodeEncodedWords(Field(p, "Subject")), Sample().subject);
    EXPECT_EQ(DecodeEncodedWords(Field(p, "To")), "Jürgen Müller-Lüdenscheidt <juergen@example.de>");
    ExpectFolded(p);
    for (const auto& line : p.header_lines) {
        for (unsigned char c : line) EXPECT_LT(c, 0x80) << line;
    }
}

TEST(BuildMessage, EncodedWordsDecodeBackWithoutSplittingCharacters) {
    const std::string subjects[] = {
        "Störung",
        "[Acme] Geplante Wartung beginnt in 60 Minuten: Datenbank-Umstellung für Zahlungsdienste — Überprüfung",
        "障害: 決済サービスが利用できません — 調査中 — もう少し長い件名で複数の符号化語が必要になります",
        "Emoji 🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨🚨 end",
        "Looks like =?UTF-8?B?SGk=?= but is plain",
        "Plain ASCII subject that is long enough to need folding at least once, maybe twice, to stay short",
        "ä",
        "ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ",
    };
    for (const auto& subject : subjects) {
        SCOPED_TRACE(subject);
        MailMessage m = Sample();
        m.subject = subject;
        m.from.name = subject;
        auto raw = Build(m);
        ASSERT_TRUE(raw.has_value()) << raw.error().message;
        auto p = Parse(*raw);
        EXPECT_EQ(DecodeEncodedWords(Field(p, "Subject")), subject);
        auto from = DecodeEncodedWords(Field(p, "From"));
        const bool ascii =
            std::all_of(subject.begin(), subject.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
        if (!ascii || subject.find_first_of("()<>[]:;@\\,.\"") == std::string::npos) {
            EXPECT_EQ(from, subject + " <status@example.com>");
        }
        ExpectFolded(p);
        for (const auto& line : p.header_lines) {
            if (line.rfind("Subject:", 0) == 0 || line.rfind("From:", 0) == 0 || line[0] == ' ') {
                EXPECT_LE(line.size(), 78u) << line;
            }
        }
        // Each encoded word holds whole UTF-8 characters: its own decoding is valid UTF-8
        // on its own, so it never ends in a lead byte or starts with a continuation byte.
        auto field = Field(p, "Subject");
        for (std::size_t pos = field.find("=?"); pos != std::string::npos; pos = field.find("=?", pos + 2)) {
            auto end = field.find("?=", pos + 10);
            auto word = DecodeEncodedWords(field.substr(pos, end + 2 - pos));
            if (word.empty()) continue;
            EXPECT_NE(static_cast<unsigned char>(word.front()) & 0xC0, 0x80) << word;
            std::size_t i = word.size();
            while (i > 0 && (static_cast<unsigned char>(word[i - 1]) & 0xC0) == 0x80) --i;
            ASSERT_GT(i, 0u);
            auto lead = static_cast<unsigned char>(word[i - 1]);
            std::size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            EXPECT_EQ(word.size() - (i - 1), need) << word;
            pos = end;
        }
    }
}

TEST(BuildMessage, AsciiDisplayNameWithSpecialsIsQuoted) {
    MailMessage m = Sample();
    m.from.name = "Acme, Inc. \"Status\"";
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(Field(Parse(*raw), "From"), "\"Acme, Inc. \\\"Status\\\"\" <status@example.com>");
    m.from.name.clear();
    raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(Field(Parse(*raw), "From"), "status@example.com");
}

TEST(BuildMessage, MultipartTextThenHtmlQuotedPrintableRoundTrip) {
    MailMessage m = Sample();
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    auto p = Parse(*raw);
    EXPECT_TRUE(Field(p, "Content-Type").rfind("multipart/alternative;", 0) == 0) << Field(p, "Content-Type");
    const auto boundary = BoundaryOf(p);
    ASSERT_FALSE(boundary.empty());
    auto parts = Parts(p.body, boundary);
    ASSERT_EQ(parts.size(), 2u) << p.body;
    EXPECT_NE(p.body.find("--" + boundary + "--\r\n"), std::string::npos);

    const std::string expected[] = {Crlf(m.text), Crlf(m.html)};
    const std::string types[] = {"text/plain; charset=utf-8", "text/html; charset=utf-8"};
    for (std::size_t i = 0; i < 2; ++i) {
        auto part = Parse(parts[i]);
        EXPECT_EQ(Field(part, "Content-Type"), types[i]);
        EXPECT_EQ(Field(part, "Content-Transfer-Encoding"), "quoted-printable");
        EXPECT_EQ(DecodeQuotedPrintable(part.body), expected[i]);
        for (const auto& line : Lines(part.body)) {
            EXPECT_LE(line.size(), 76u) << line;
            EXPECT_TRUE(line.empty() || (line.back() != ' ' && line.back() != '\t')) << line;
            for (unsigned char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << line;
        }
    }
    EXPECT_NE(parts[0].find("Gr=C3=BC=C3=9Fe"), std::string::npos) << "umlauts are encoded as UTF-8 octets";
}

TEST(BuildMessage, EveryLineEndsInCrlfAndStaysUnder998) {
    MailMessage m = Sample();
    m.text = "one\ntwo\r\nthree\rfour\n" + std::string(5000, 'z');
    m.list_unsubscribe = "https://status.example.com/unsubscribe?token=" + std::string(180, 'T');
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->substr(raw->size() - 2), "\r\n");
    for (std::size_t i = 0; i < raw->size(); ++i) {
        if ((*raw)[i] == '\n') {
            ASSERT_GT(i, 0u);
            EXPECT_EQ((*raw)[i - 1], '\r') << "bare LF at " << i;
        }
        if ((*raw)[i] == '\r') {
            EXPECT_EQ((*raw)[i + 1], '\n') << "bare CR at " << i;
        }
    }
    for (const auto& line : Lines(*raw)) EXPECT_LE(line.size(), 998u);
    auto p = Parse(*raw);
    // An URL is never folded inside; a longer line is allowed only for such a lone token.
    EXPECT_EQ(Field(p, "List-Unsubscribe"), "<" + m.list_unsubscribe + ">");
    ExpectFolded(p);
    auto text = Parse(Parts(p.body, BoundaryOf(p))[0]);
    EXPECT_EQ(DecodeQuotedPrintable(text.body), "one\r\ntwo\r\nthree\r\nfour\r\n" + std::string(5000, 'z') + "\r\n");
}

TEST(BuildMessage, QuotedPrintableProtectsLineStartsAndTrailingSpace) {
    MailMessage m = Sample();
    m.html.clear();
    m.text = ".\nFrom here\nsp  \ntab\t\na=b\n";
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    auto p = Parse(*raw);
    EXPECT_EQ(Field(p, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(Field(p, "Content-Transfer-Encoding"), "quoted-printable");
    EXPECT_EQ(p.body, "=2E\r\n=46rom here\r\nsp =20\r\ntab=09\r\na=3Db\r\n");
    EXPECT_EQ(DecodeQuotedPrintable(p.body), Crlf(m.text));
}

TEST(BuildMessage, RandomBodiesRoundTrip) {
    std::mt19937 rng(20261204);
    const std::string alphabet = std::string("abc .=\t\r\nFrom-äöü€🚨") + std::string(1, '\0') + "\x7f\x01";
    for (int n = 0; n < 300; ++n) {
        std::string text;
        const int len = static_cast<int>(rng() % 400);
        for (int i = 0; i < len; ++i) text += alphabet[rng() % alphabet.size()];
        MailMessage m = Sample();
        m.text = text;
        auto raw = Build(m);
        ASSERT_TRUE(raw.has_value());
        auto p = Parse(*raw);
        auto parts = Parts(p.body, BoundaryOf(p));
        ASSERT_EQ(parts.size(), 2u) << "a body must never contain the boundary";
        auto part = Parse(parts[0]);
        // Line ends become CRLF; every other byte comes back as it was.
        std::string want;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
            if (text[i] == '\r' || text[i] == '\n') {
                want += "\r\n";
            } else {
                want += text[i];
            }
        }
        if (want.size() < 2 || want.substr(want.size() - 2) != "\r\n") want += "\r\n";
        ASSERT_EQ(DecodeQuotedPrintable(part.body), want);
        for (const auto& line : Lines(part.body)) ASSERT_LE(line.size(), 76u);
    }
}

TEST(BuildMessage, BodyQuotingTheBoundaryCannotEndAPart) {
    auto first = Build(Sample());
    ASSERT_TRUE(first.has_value());
    const auto boundary = BoundaryOf(Parse(*first));
    MailMessage m = Sample();
    m.text = "--" + boundary + "\nContent-Type: text/html\n\n<script>x</script>\n--" + boundary + "--\n";
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    auto p = Parse(*raw);
    auto parts = Parts(p.body, BoundaryOf(p));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(DecodeQuotedPrintable(Parse(parts[0]).body), Crlf(m.text));
}

TEST(BuildMessage, RefusesHeaderInjection) {
    struct Case {
        std::string_view field;
        std::function<void(MailMessage&, const std::string&)> set;
    };
    const Case cases[] = {
        {"from.name", [](MailMessage& m, const std::string& v) { m.from.name = "Acme" + v; }},
        {"from.address", [](MailMessage& m, const std::string& v) { m.from.address = "status@example.com" + v; }},
        {"to.name", [](MailMessage& m, const std::string& v) { m.to.name = "Jürgen" + v; }},
        {"to.address", [](MailMessage& m, const std::string& v) { m.to.address = "juergen@example.de" + v; }},
        {"subject", [](MailMessage& m, const std::string& v) { m.subject = "Hello" + v; }},
        {"message_id", [](MailMessage& m, const std::string& v) { m.message_id = "<a@b" + v + ">"; }},
        {"in_reply_to", [](MailMessage& m, const std::string& v) { m.in_reply_to = "<a@b" + v + ">"; }},
        {"references", [](MailMessage& m, const std::string& v) { m.references.push_back("<a@b" + v + ">"); }},
        {"list_unsubscribe", [](MailMessage& m, const std::string& v) { m.list_unsubscribe += v; }},
        {"list_id", [](MailMessage& m, const std::string& v) { m.list_id = "Acme" + v + " <status.example.com>"; }},
        {"idempotency_key", [](MailMessage& m, const std::string& v) { m.idempotency_key += v; }},
    };
    const std::string injections[] = {
        "\r\nBcc: victim@example.net", "\nBcc: victim@example.net", "\rX: y", std::string("\0x", 2)};
    for (const auto& c : cases) {
        for (const auto& inj : injections) {
            SCOPED_TRACE(std::string(c.field) + " / injection #" + std::to_string(&inj - injections));
            MailMessage m = Sample();
            c.set(m, inj);
            auto raw = Build(m);
            ASSERT_FALSE(raw.has_value());
            EXPECT_EQ(raw.error().kind, ErrorKind::kInvalidInput);
            EXPECT_EQ(raw.error().field, c.field);
        }
    }
}

TEST(BuildMessage, RefusesMalformedIdsAndUrls) {
    struct Case {
        std::string_view name;
        std::string_view field;
        std::function<void(MailMessage&)> set;
    };
    const Case cases[] = {
        {"id without brackets", "message_id", [](MailMessage& m) { m.message_id = "a@b"; }},
        {"empty id", "message_id", [](MailMessage& m) { m.message_id = ""; }},
        {"id with space", "message_id", [](MailMessage& m) { m.message_id = "<a b@c>"; }},
        {"reply id without brackets", "in_reply_to", [](MailMessage& m) { m.in_reply_to = "x@y"; }},
        {"reference without brackets", "references", [](MailMessage& m) { m.references = {"x@y"}; }},
        {"two urls", "list_unsubscribe", [](MailMessage& m) { m.list_unsubscribe = "https://a>, <mailto:x@y"; }},
        {"url with space", "list_unsubscribe", [](MailMessage& m) { m.list_unsubscribe = "https://a b"; }},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        MailMessage m = Sample();
        c.set(m);
        auto raw = Build(m);
        ASSERT_FALSE(raw.has_value());
        EXPECT_EQ(raw.error().field, c.field);
    }
}

TEST(BuildMessage, RefusesInvalidAddresses) {
    for (std::string_view bad : {"not-an-address", "a@b@example.com", "", "two words@example.com", "a@"}) {
        SCOPED_TRACE(std::string(bad));
        MailMessage m = Sample();
        m.to.address = std::string(bad);
        auto raw = Build(m);
        ASSERT_FALSE(raw.has_value());
        EXPECT_EQ(raw.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(raw.error().field, "to.address");
        m = Sample();
        m.from.address = std::string(bad);
        raw = Build(m);
        ASSERT_FALSE(raw.has_value());
        EXPECT_EQ(raw.error().field, "from.address");
    }
}

TEST(BuildMessage, ThreadingWithoutReferencesUsesInReplyTo) {
    MailMessage m = Sample();
    m.references.clear();
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    auto p = Parse(*raw);
    EXPECT_EQ(Field(p, "References"), "<inc1.sub1@status.example.com>");

    m.in_reply_to.clear();
    m.list_id.clear();
    m.list_unsubscribe.clear();
    m.idempotency_key.clear();
    raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    p = Parse(*raw);
    for (const char* absent :
         {"In-Reply-To",
          "References",
          "List-Id",
          "List-Unsubscribe",
          "List-Unsubscribe-Post",
          "X-Tocsin-Idempotency-Key"}) {
        EXPECT_EQ(p.fields.count(absent), 0u) << absent;
    }
    EXPECT_EQ(Field(p, "Auto-Submitted"), "auto-generated");
}

TEST(BuildMessage, NonAsciiListNameIsEncoded) {
    MailMessage m = Sample();
    m.list_id = "Störungsmeldungen Köln <status.example.de>";
    auto raw = Build(m);
    ASSERT_TRUE(raw.has_value());
    auto field = Field(Parse(*raw), "List-Id");
    EXPECT_EQ(DecodeEncodedWords(field), "Störungsmeldungen Köln <status.example.de>");
    EXPECT_NE(field.find("<status.example.de>"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::notify
