// The condition language, in two halves.
//
// Parsing (Parser) is a hand-written scanner over the expression's bytes that builds one
// immutable Condition per expression: an Operand (placeholder, JSON path, functions), an
// operator and its literals; `matches` compiles its regex here, so evaluation cannot fail on a
// bad pattern. Every error names the 1-based column in characters, counted on the raw text.
//
// Evaluation (Evaluate) resolves the operand to a Value that borrows from the Observation or
// from the lazily parsed JSON document (Evaluation), then applies the operator. The coercion
// rules live in Equal/Numeric/TextForm and are the ones docs/conditions.md describes: numbers
// compare numerically when both sides can be read as numbers, text otherwise; absent values
// and bodies that are not JSON fail every operator except exists/!exists.
#include "tocsin/monitor/condition.hpp"

// GCC 12 at -O2 with -fsanitize=address (the CI build) reports -Wmaybe-uninitialized inside
// libstdc++'s <regex> (std::function members of the NFA states it copies); the warning is in
// the library's code, not ours, and -Werror turns it into a build failure. Silenced for this
// file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::monitor {

namespace json = boost::json;

// ---- Parsed form -------------------------------------------------------------------------------

enum class Source {
    kStatus,
    kResponseTime,
    kBody,
    kHeader,
    kCertificateDays,
    kDnsRcode,
    kDnsAnswers,
    kReached,
    kConnectTime,
    kTlsTime,
    kFirstByteTime,
    kDnsTime,
};

struct PathStep {
    std::string key;  // member name, unless is_index
    std::size_t index = 0;
    bool is_index = false;
};

enum class Function { kNone, kLen, kLower };

/// The left side: a placeholder with an optional JSON path, or a function of another operand.
struct Operand {
    Function function = Function::kNone;
    std::unique_ptr<Operand> argument;  // set when function != kNone
    Source source = Source::kStatus;
    std::string header;          // kHeader
    std::vector<PathStep> path;  // kBody only; empty means the raw body
    std::string text;            // as written, for messages
};

enum class Op { kEqual, kLess, kLessEqual, kGreater, kGreaterEqual, kContains, kMatches, kIn, kExists };

/// A right-hand value. Numbers keep their text too: `[BODY] contains 42` searches for "42" and
/// `[HEADER:X] == 1.0` against a non-numeric header compares the text as written.
struct Literal {
    enum class Kind { kNumber, kText, kBool, kNull, kRange };
    Kind kind = Kind::kText;
    double number = 0;  // kNumber; low end of a kRange
    double high = 0;    // kRange
    bool boolean = false;
    std::string text;  // kText: the unescaped string; otherwise the token as written
};

/// One parsed expression. Immutable after parsing and shared between plans and threads.
class Condition {
public:
    std::string text;  // the whole expression, trimmed
    Operand lhs;
    Op op = Op::kEqual;
    bool negated = false;      // !=, !contains, !matches, !in, !exists
    std::vector<Literal> rhs;  // one value; the members of an `in` set; none for exists/matches
    std::optional<std::regex> regex;
};

namespace {

// Conditions are typed by people; anything longer is a mistake or an attack on the parser.
constexpr std::size_t kMaxExpressionBytes = 4096;
constexpr int kMaxNesting = 8;
// libstdc++ runs a polynomial-mode regex in time (body length) x (automaton size). With bodies
// up to 1 MiB, this bound keeps the worst case around a second; counted repetitions such as
// (a{100}){100} are what push a short pattern past it.
constexpr std::size_t kMaxRegexSteps = 256;
constexpr std::size_t kShownBytes = 120;

constexpr std::array<std::pair<std::string_view, Source>, 11> kPlaceholders{{
    {"STATUS", Source::kStatus},
    {"RESPONSE_TIME", Source::kResponseTime},
    {"BODY", Source::kBody},
    {"CERTIFICATE_DAYS", Source::kCertificateDays},
    {"DNS_RCODE", Source::kDnsRcode},
    {"DNS_ANSWERS", Source::kDnsAnswers},
    {"REACHED", Source::kReached},
    {"CONNECT_TIME", Source::kConnectTime},
    {"TLS_TIME", Source::kTlsTime},
    {"FIRST_BYTE_TIME", Source::kFirstByteTime},
    {"DNS_TIME", Source::kDnsTime},
}};

constexpr std::string_view kKnownPlaceholders =
    "a placeholder ([STATUS], [RESPONSE_TIME], [BODY], [HEADER:<name>], [CERTIFICATE_DAYS], [DNS_RCODE], "
    "[DNS_ANSWERS], [REACHED], [CONNECT_TIME], [TLS_TIME], [FIRST_BYTE_TIME], [DNS_TIME])";

constexpr std::string_view kKnownOperators =
    "an operator (==, !=, <, <=, >, >=, contains, matches, in, exists; the last four negated with ! or not)";

// Only read by BodyParsesOnThisThreadForTest(); thread_local so concurrent engines need no lock.
thread_local std::uint64_t body_parses_on_thread = 0;

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}
bool IsWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}
// Columns and len() count characters, so UTF-8 continuation bytes do not count.
bool IsContinuationByte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

char AsciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when the byte there starts none.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    }
    return n;
}

std::size_t FirstInvalidUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = Utf8SequenceLength(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

std::size_t CountCharacters(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !IsContinuationByte(c); }));
}

/// Appends `s` for a message: valid UTF-8 as is, control characters and stray bytes escaped.
/// Stops once `out` reaches `limit` bytes and returns false then.
bool AppendEscaped(std::string& out, std::string_view s, std::size_t limit, bool escape_quotes) {
    for (std::size_t i = 0; i < s.size();) {
        if (out.size() >= limit) return false;
        const char c = s[i];
        const std::size_t n = Utf8SequenceLength(s, i);
        if (n > 1) {
            out.append(s.substr(i, n));
            i += n;
            continue;
        }
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (escape_quotes && (c == '"' || c == '\\')) {
            out += '\\';
            out += c;
        } else if (n == 0 || static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
            out += c;
        }
        ++i;
    }
    return true;
}

/// "text" with escapes, cut to about kShownBytes.
std::string Quote(std::string_view s) {
    std::string out = "\"";
    const bool whole = AppendEscaped(out, s, kShownBytes, true);
    out += whole ? "\"" : "...";
    return out;
}

/// Cuts a message fragment to kShownBytes without splitting a UTF-8 sequence.
void Truncate(std::string& s) {
    if (s.size() <= kShownBytes) return;
    std::size_t cut = kShownBytes;
    while (cut > 0 && IsContinuationByte(s[cut])) --cut;
    s.resize(cut);
    s += "...";
}

/// Strict JSON number syntax: -?digits(.digits)?([eE][+-]?digits)?
bool IsNumberSyntax(std::string_view s) {
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && IsDigit(s[i])) ++i;
        return i > start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digits()) return false;
    }
    return i == s.size();
}

std::optional<double> ParseNumber(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    if (!IsNumberSyntax(s)) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

// fmt prints the shortest text that reads back the same double: 503, 12.5, 1e+20.
std::string NumberText(double x) {
    return fmt::format("{}", x);
}

/// An upper estimate of the automaton size of an ECMAScript pattern. Exactness does not matter;
/// what matters is that counted repetitions multiply the size of what they repeat.
std::size_t EstimateRegexSteps(std::string_view p) {
    static constexpr std::size_t kCap = kMaxRegexSteps * 16;  // saturate: "too big" is all we need to know
    auto add = [](std::size_t a, std::size_t b) { return std::min(a + b, kCap); };
    auto mul = [](std::size_t a, std::size_t b) { return b != 0 && a > kCap / b ? kCap : a * b; };
    struct Frame {
        std::size_t total = 0;
        std::size_t last = 0;  // size of the last atom, which a quantifier repeats
    };
    std::vector<Frame> frames(1);
    std::size_t i = 0;
    while (i < p.size()) {
        std::size_t atom = 1;
        switch (p[i]) {
            case '\\':
                i += 2;
                break;
            case '[':
                ++i;
                while (i < p.size() && p[i] != ']') i += p[i] == '\\' ? 2 : 1;
                ++i;
                break;
            case '(':
                frames.emplace_back();
                ++i;
                continue;
            case ')':
                if (frames.size() > 1) {
                    atom = add(frames.back().total, 2);
                    frames.pop_back();
                }
                ++i;
                break;
            case '|':
                frames.back().total = add(frames.back().total, 1);
                frames.back().last = 0;
                ++i;
                continue;
            case '*':
            case '+':
            case '?':
                frames.back().total = add(frames.back().total, 2);
                ++i;
                continue;
            case '{': {
                std::size_t j = i + 1;
                std::size_t low = 0;
                std::size_t high = 0;
                auto number = [&](std::size_t& out) {
                    const std::size_t start = j;
                    while (j < p.size() && IsDigit(p[j])) out = std::min(out * 10 + (p[j++] - '0'), kCap);
                    return j > start;
                };
                bool ok = number(low);
                high = low;
                if (ok && j < p.size() && p[j] == ',') {
                    ++j;
                    if (!number(high)) high = add(low, 1);
                }
                if (ok && j < p.size() && p[j] == '}') {
                    Frame& f = frames.back();
                    f.total = add(f.total, mul(f.last, std::max(low, high)));
                    f.last = mul(f.last, std::max(low, high) + 1);
                    i = j + 1;
                    continue;
                }
                ++i;
                break;
            }
            default:
                ++i;
                break;
        }
        frames.back().total = add(frames.back().total, atom);
        frames.back().last = atom;
    }
    std::size_t total = 0;
    for (const Frame& f : frames) total = add(total, f.total);
    return total;
}

std::string_view RegexProblem(std::regex_constants::error_type code) {
    namespace rc = std::regex_constants;
    switch (code) {
        case rc::error_collate:
            return "invalid collating element";
        case rc::error_ctype:
            return "invalid character class";
        case rc::error_escape:
            return "invalid escape";
        case rc::error_backref:
            return "invalid back-reference";
        case rc::error_brack:
            return "unbalanced [ ]";
        case rc::error_paren:
            return "unbalanced ( ), or a quantifier with nothing to repeat";
        case rc::error_brace:
            return "unbalanced { }";
        case rc::error_badbrace:
            return "invalid repetition count";
        case rc::error_range:
            return "invalid character range";
        case rc::error_space:
            return "too large";
        case rc::error_badrepeat:
            return "repetition of nothing";
        case rc::error_complexity:
            return "back-references are not supported";
        case rc::error_stack:
            return "too complex";
        default:
            return "invalid";
    }
}

// Polynomial mode (a libstdc++ extension) runs the automaton breadth-first: no recursion per
// input byte, so a 1 MiB body cannot overflow the stack, and no exponential backtracking. It
// refuses back-references, which is the price.
#if defined(__GLIBCXX__)
constexpr auto kRegexFlags = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
#error "condition.cpp relies on libstdc++'s polynomial regex mode to bound matching time"
#endif

// ---- Parser ------------------------------------------------------------------------------------

class Parser {
public:
    Parser(std::string_view source, std::size_t index) : src_(source), index_(index) {}

    Result<Condition> Parse() {
        if (src_.size() > kMaxExpressionBytes) {
            return Fail(kMaxExpressionBytes, fmt::format("at most {} bytes", kMaxExpressionBytes));
        }
        if (const std::size_t bad = FirstInvalidUtf8(src_); bad != std::string_view::npos) {
            return Fail(bad, "UTF-8 text");
        }
        SkipSpace();
        const std::size_t start = pos_;
        Condition c;
        TOCSIN_ASSIGN(lhs, ParseOperand(0));
        c.lhs = std::move(lhs);
        SkipSpace();
        TOCSIN_TRY(ParseOperatorAndRight(c));
        SkipSpace();
        if (!AtEnd()) return Fail(pos_, "end of condition");
        std::string_view text = src_.substr(start);
        while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
        c.text = std::string(text);
        return c;
    }

private:
    [[nodiscard]] bool AtEnd() const { return pos_ >= src_.size(); }
    [[nodiscard]] char Peek() const { return AtEnd() ? '\0' : src_[pos_]; }
    void SkipSpace() {
        while (!AtEnd() && IsSpace(src_[pos_])) ++pos_;
    }
    [[nodiscard]] std::string_view WordAt(std::size_t at) const {
        std::size_t end = at;
        while (end < src_.size() && IsWordChar(src_[end])) ++end;
        return src_.substr(at, end - at);
    }

    [[nodiscard]] std::size_t Column(std::size_t at) const { return 1 + CountCharacters(src_.substr(0, at)); }

    /// What the reader sees at `at`: the next run of non-blank characters, quoted.
    [[nodiscard]] std::string Describe(std::size_t at) const {
        if (at >= src_.size()) return "end of condition";
        std::size_t end = at;
        while (end < src_.size() && !IsSpace(src_[end]) && end - at < 24) ++end;
        while (end < src_.size() && IsContinuationByte(src_[end])) ++end;
        std::string out = "'";
        AppendEscaped(out, src_.substr(at, end - at), kShownBytes, false);
        out += end < src_.size() && !IsSpace(src_[end]) ? "...'" : "'";
        return out;
    }

    /// An error pointing at the first non-blank character from `at` on.
    [[nodiscard]] Error Fail(std::size_t at, std::string_view expected) const {
        while (at < src_.size() && IsSpace(src_[at])) ++at;
        return Fail(at, expected, Describe(at));
    }
    [[nodiscard]] Error Fail(std::size_t at, std::string_view expected, std::string_view found) const {
        return Error::Invalid(
            fmt::format("conditions[{}]", index_),
            fmt::format("column {}: expected {}, found {}", Column(at), expected, found)
        );
    }

    Result<Operand> ParseOperand(int depth) {
        SkipSpace();
        const std::size_t start = pos_;
        Operand o;
        if (Peek() == '[') {
            TOCSIN_TRY(ParsePlaceholder(o));
            if (Peek() == '.' || Peek() == '[') {
                if (o.source != Source::kBody) return Fail(pos_, "an operator (only [BODY] takes a JSON path)");
                TOCSIN_TRY(ParsePath(o));
            }
        } else {
            const std::string_view word = WordAt(pos_);
            if (word != "len" && word != "lower") {
                return Fail(start, "a placeholder like [STATUS] or a function len(...) or lower(...)");
            }
            if (depth >= kMaxNesting) {
                return Fail(start, fmt::format("a placeholder (functions nest at most {} deep)", kMaxNesting));
            }
            o.function = word == "len" ? Function::kLen : Function::kLower;
            pos_ += word.size();
            SkipSpace();
            if (Peek() != '(') return Fail(pos_, "'('");
            ++pos_;
            TOCSIN_ASSIGN(argument, ParseOperand(depth + 1));
            o.argument = std::make_unique<Operand>(std::move(argument));
            SkipSpace();
            if (Peek() != ')') return Fail(pos_, "')'");
            ++pos_;
        }
        o.text = std::string(src_.substr(start, pos_ - start));
        return o;
    }

    Result<void> ParsePlaceholder(Operand& o) {
        const std::size_t start = pos_;
        std::size_t end = start + 1;
        while (end < src_.size() && src_[end] != ']' && src_[end] != '[' && !IsSpace(src_[end])) ++end;
        if (end >= src_.size() || src_[end] != ']') return Fail(end, "']' closing the placeholder");
        const std::string_view name = src_.substr(start + 1, end - start - 1);
        constexpr std::string_view kHeaderPrefix = "HEADER:";
        if (name.substr(0, kHeaderPrefix.size()) == kHeaderPrefix) {
            const std::string_view header = name.substr(kHeaderPrefix.size());
            const std::size_t header_at = start + 1 + kHeaderPrefix.size();
            if (header.empty()) return Fail(header_at, "a header name");
            // RFC 9110 token characters.
            constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
            for (std::size_t k = 0; k < header.size(); ++k) {
                const char c = header[k];
                if (!IsWordChar(c) && kTokenPunctuation.find(c) == std::string_view::npos) {
                    return Fail(header_at + k, "a header name character");
                }
            }
            o.source = Source::kHeader;
            o.header = std::string(header);
        } else {
            const auto* found = std::find_if(kPlaceholders.begin(), kPlaceholders.end(), [&](const auto& p) {
                return p.first == name;
            });
            if (found == kPlaceholders.end()) {
                std::string shown = "'";
                AppendEscaped(shown, src_.substr(start, end + 1 - start), kShownBytes, false);
                return Fail(start, kKnownPlaceholders, shown + "'");
            }
            o.source = found->second;
        }
        pos_ = end + 1;
        return {};
    }

    Result<void> ParsePath(Operand& o) {
        while (Peek() == '.' || Peek() == '[') {
            PathStep step;
            if (Peek() == '.') {
                ++pos_;
                const std::size_t start = pos_;
                // Bare member names stop at anything that could start an operator or a path step.
                constexpr std::string_view kStop = ".[]()\",!=<>";
                while (!AtEnd() && !IsSpace(Peek()) && kStop.find(Peek()) == std::string_view::npos) ++pos_;
                if (pos_ == start) return Fail(start, "a member name after '.'");
                step.key = std::string(src_.substr(start, pos_ - start));
            } else {
                ++pos_;
                const std::size_t start = pos_;
                if (Peek() == '"') {
                    TOCSIN_ASSIGN(key, ParseString());
                    step.key = std::move(key);
                } else if (IsDigit(Peek())) {
                    while (IsDigit(Peek())) ++pos_;
                    const auto [end, ec] = std::from_chars(src_.data() + start, src_.data() + pos_, step.index);
                    if (ec != std::errc()) return Fail(start, "an array index");
                    step.is_index = true;
                } else {
                    return Fail(start, "an array index or a quoted member name");
                }
                if (Peek() != ']') return Fail(pos_, "']'");
                ++pos_;
            }
            o.path.push_back(std::move(step));
        }
        return {};
    }

    /// Symbols first, so `!=` is never read as `!` plus something. Word operators need no blank
    /// before them (`[BODY]contains"x"` parses) but must be whole words (`containsx` does not).
    Result<void> ParseOperatorAndRight(Condition& c) {
        const std::size_t start = pos_;
        auto take = [&](std::string_view symbol) {
            if (src_.substr(pos_, symbol.size()) != symbol) return false;
            pos_ += symbol.size();
            return true;
        };
        if (take("==")) {
            c.op = Op::kEqual;
        } else if (take("!=")) {
            c.op = Op::kEqual;
            c.negated = true;
        } else if (take("<=")) {
            c.op = Op::kLessEqual;
        } else if (take(">=")) {
            c.op = Op::kGreaterEqual;
        } else if (take("<")) {
            c.op = Op::kLess;
        } else if (take(">")) {
            c.op = Op::kGreater;
        } else {
            if (Peek() == '!') {
                c.negated = true;
                ++pos_;
            } else if (WordAt(pos_) == "not") {
                c.negated = true;
                pos_ += 3;
                SkipSpace();
            }
            const std::size_t word_at = pos_;
            const std::string_view word = WordAt(pos_);
            if (word == "contains") {
                c.op = Op::kContains;
            } else if (word == "matches") {
                c.op = Op::kMatches;
            } else if (word == "in") {
                c.op = Op::kIn;
            } else if (word == "exists") {
                c.op = Op::kExists;
            } else if (c.negated && word_at == start + 1) {
                return Fail(word_at, "contains, matches, in or exists right after '!'");
            } else if (c.negated) {
                return Fail(word_at, "contains, matches, in or exists after 'not'");
            } else {
                return Fail(start, kKnownOperators);
            }
            pos_ += word.size();
        }

        switch (c.op) {
            case Op::kExists:
                return {};
            case Op::kMatches:
                return ParseRegex(c);
            case Op::kIn:
                return ParseSetOrRange(c);
            case Op::kLess:
            case Op::kLessEqual:
            case Op::kGreater:
            case Op::kGreaterEqual: {
                SkipSpace();
                const std::size_t value_at = pos_;
                TOCSIN_ASSIGN(value, ParseValue(false));
                if (value.kind != Literal::Kind::kNumber) return Fail(value_at, "a number");
                c.rhs.push_back(std::move(value));
                return {};
            }
            case Op::kEqual:
            case Op::kContains: {
                TOCSIN_ASSIGN(value, ParseValue(false));
                c.rhs.push_back(std::move(value));
                return {};
            }
        }
        return {};
    }

    Result<std::string> ParseString() {
        ++pos_;  // the opening quote
        std::string out;
        while (true) {
            if (AtEnd()) return Fail(pos_, "'\"' closing the string");
            const char ch = src_[pos_++];
            if (ch == '"') return out;
            // Only \" and \\ are escapes; any other backslash stays, so "\d+" reaches a regex intact.
            if (ch == '\\' && (Peek() == '"' || Peek() == '\\')) {
                out += src_[pos_++];
            } else {
                out += ch;
            }
        }
    }

    /// A quoted string, or a bare token classified by its shape: true/false/null, a number, a
    /// numeric range a..b, else a bare word (UP, 192.0.2.1, 2001:db8::1, application/json).
    Result<Literal> ParseValue(bool allow_range) {
        SkipSpace();
        const std::size_t start = pos_;
        Literal lit;
        if (Peek() == '"') {
            TOCSIN_ASSIGN(text, ParseString());
            lit.kind = Literal::Kind::kText;
            lit.text = std::move(text);
            return lit;
        }
        constexpr std::string_view kNotInWord = "\"(),[]\\";
        constexpr std::string_view kNotFirst = "=!<>";
        if (AtEnd() || kNotInWord.find(Peek()) != std::string_view::npos ||
            kNotFirst.find(Peek()) != std::string_view::npos) {
            return Fail(start, "a value");
        }
        while (!AtEnd() && !IsSpace(Peek()) && kNotInWord.find(Peek()) == std::string_view::npos) ++pos_;
        const std::string_view token = src_.substr(start, pos_ - start);
        lit.text = std::string(token);
        if (token == "true" || token == "false") {
            lit.kind = Literal::Kind::kBool;
            lit.boolean = token == "true";
            return lit;
        }
        if (token == "null") {
            lit.kind = Literal::Kind::kNull;
            return lit;
        }
        if (IsNumberSyntax(token)) {
            const auto number = ParseNumber(token);
            if (!number) return Fail(start, "a number within the range of a double");
            lit.kind = Literal::Kind::kNumber;
            lit.number = *number;
            return lit;
        }
        const std::size_t dots = token.find("..");
        if (dots != std::string_view::npos && IsNumberSyntax(token.substr(0, dots))) {
            const auto low = ParseNumber(token.substr(0, dots));
            const auto high = ParseNumber(token.substr(dots + 2));
            if (!low) return Fail(start, "a number within the range of a double");
            if (!high) return Fail(start + dots + 2, "a number after '..'");
            if (!allow_range) return Fail(start, "a single value (a range like 200..299 needs 'in')");
            if (*low > *high) return Fail(start, "a range whose low end is not above its high end");
            lit.kind = Literal::Kind::kRange;
            lit.number = *low;
            lit.high = *high;
            return lit;
        }
        lit.kind = Literal::Kind::kText;  // a bare word such as UP or 192.0.2.1
        return lit;
    }

    Result<void> ParseSetOrRange(Condition& c) {
        SkipSpace();
        const std::size_t start = pos_;
        if (Peek() != '(') {
            TOCSIN_ASSIGN(value, ParseValue(true));
            if (value.kind != Literal::Kind::kRange) {
                return Fail(start, "a set like (200, 201) or a range like 200..299");
            }
            c.rhs.push_back(std::move(value));
            return {};
        }
        ++pos_;
        while (true) {
            TOCSIN_ASSIGN(value, ParseValue(true));
            c.rhs.push_back(std::move(value));
            SkipSpace();
            if (Peek() == ')') {
                ++pos_;
                return {};
            }
            if (Peek() != ',') return Fail(pos_, "',' or ')'");
            ++pos_;
        }
    }

    Result<void> ParseRegex(Condition& c) {
        SkipSpace();
        const std::size_t start = pos_;
        if (Peek() != '"') return Fail(start, "a regular expression in double quotes");
        TOCSIN_ASSIGN(pattern, ParseString());
        const std::string literal(src_.substr(start, pos_ - start));
        if (EstimateRegexSteps(pattern) > kMaxRegexSteps) {
            return Fail(
                start,
                fmt::format(
                    "a regular expression of at most about {} steps (counted repetitions multiply)", kMaxRegexSteps
                )
            );
        }
        try {
            // Compiled alone first, so that a pattern like `a)|(b` cannot escape the wrapper below.
            const std::regex alone(pattern, kRegexFlags);
            // Matching from the first byte with a lazy any-prefix searches the whole subject in one
            // linear pass; std::regex_search would restart at every byte (quadratic).
            c.regex.emplace("[\\s\\S]*?(?:" + pattern + ")", kRegexFlags);
        } catch (const std::regex_error& e) {
            std::string shown = "'";
            AppendEscaped(shown, literal, kShownBytes, false);
            shown += fmt::format("' ({})", RegexProblem(e.code()));
            return Fail(start, "a valid ECMAScript regular expression", shown);
        }
        return {};
    }

    std::string_view src_;
    std::size_t index_;
    std::size_t pos_ = 0;
};

// ---- Evaluation --------------------------------------------------------------------------------

/// One evaluation of a set of conditions against one observation; parses the body lazily, once.
class Evaluation {
public:
    explicit Evaluation(const Observation& observation) : obs(observation) {}

    const Observation& obs;

    /// The body as JSON, or nullptr when it is not JSON.
    const json::value* Body() {
        if (!parsed_) {
            parsed_ = true;
            ++body_parses_on_thread;
            json::parse_options options;
            options.max_depth = 64;
            boost::system::error_code ec;
            // The monotonic resource makes the whole document one free, whatever its shape.
            json::value doc = json::parse(obs.body, ec, json::storage_ptr(&resource_), options);
            if (!ec) document_.emplace(std::move(doc));
        }
        return document_ ? &*document_ : nullptr;
    }

private:
    bool parsed_ = false;
    json::monotonic_resource resource_;
    std::optional<json::value> document_;  // declared after resource_: destroyed before it
};

/// What an operand evaluates to. It borrows: text points into the Observation, the parsed
/// document or `owned`, so a 1 MiB body is never copied just to be compared.
struct Value {
    enum class Kind { kAbsent, kNull, kBool, kNumber, kText, kAnswers, kArray, kObject };
    Kind kind = Kind::kAbsent;
    bool boolean = false;
    double number = 0;
    std::string_view text;                              // kText: into the observation, the document or owned
    const std::vector<std::string>* answers = nullptr;  // kAnswers
    const json::array* array = nullptr;
    const json::object* object = nullptr;
    std::shared_ptr<const void> owned;  // keeps what lower() produced alive

    static Value Number(double x) {
        Value v;
        v.kind = Kind::kNumber;
        v.number = x;
        return v;
    }
    static Value Text(std::string_view s) {
        Value v;
        v.kind = Kind::kText;
        v.text = s;
        return v;
    }
    static Value Milliseconds(std::chrono::microseconds d) {
        return Number(static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
    }
};

Value FromJson(const json::value& j) {
    Value v;
    switch (j.kind()) {
        case json::kind::null:
            v.kind = Value::Kind::kNull;
            break;
        case json::kind::bool_:
            v.kind = Value::Kind::kBool;
            v.boolean = j.get_bool();
            break;
        case json::kind::int64:
            v = Value::Number(static_cast<double>(j.get_int64()));
            break;
        case json::kind::uint64:
            v = Value::Number(static_cast<double>(j.get_uint64()));
            break;
        case json::kind::double_:
            v = Value::Number(j.get_double());
            break;
        case json::kind::string:
            v = Value::Text(std::string_view(j.get_string().data(), j.get_string().size()));
            break;
        case json::kind::array:
            v.kind = Value::Kind::kArray;
            v.array = &j.get_array();
            break;
        case json::kind::object:
            v.kind = Value::Kind::kObject;
            v.object = &j.get_object();
            break;
    }
    return v;
}

/// Scalars as text: strings themselves, numbers and keywords as they print. Empty for the rest.
std::optional<std::string_view> TextForm(const Value& v, std::string& scratch) {
    switch (v.kind) {
        case Value::Kind::kText:
            return v.text;
        case Value::Kind::kNumber:
            scratch = NumberText(v.number);
            return std::string_view(scratch);
        case Value::Kind::kBool:
            return v.boolean ? std::string_view("true") : std::string_view("false");
        case Value::Kind::kNull:
            return std::string_view("null");
        default:
            return std::nullopt;
    }
}

std::optional<double> Numeric(const Value& v) {
    switch (v.kind) {
        case Value::Kind::kNumber:
            return v.number;
        case Value::Kind::kText:
            return ParseNumber(v.text);
        case Value::Kind::kAnswers:
            if (v.answers->size() == 1) return ParseNumber(v.answers->front());
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

std::string Display(const Value& v) {
    std::string scratch;
    switch (v.kind) {
        case Value::Kind::kAbsent:
            return "absent";
        case Value::Kind::kText:
            return Quote(v.text);
        case Value::Kind::kAnswers: {
            std::string out = "[";
            for (const std::string& answer : *v.answers) {
                if (out.size() > 1) out += ", ";
                out += Quote(answer);
                if (out.size() > kShownBytes) break;
            }
            out += "]";
            Truncate(out);
            return out;
        }
        case Value::Kind::kArray:
        case Value::Kind::kObject: {
            json::serializer serializer;
            if (v.array != nullptr) {
                serializer.reset(v.array);
            } else {
                serializer.reset(v.object);
            }
            std::array<char, kShownBytes + 8> buffer{};
            std::string out(serializer.read(buffer.data(), buffer.size()));
            if (!serializer.done()) out += "...";
            Truncate(out);
            return out;
        }
        default:
            return std::string(*TextForm(v, scratch));
    }
}

/// The equality used by ==, != and `in`, and by `contains` on lists.
bool Equal(const Value& v, const Literal& lit) {
    using K = Value::Kind;
    if (v.kind == K::kAnswers) {
        // A single answer stands for itself; several are equal to no single value.
        return v.answers->size() == 1 && Equal(Value::Text(v.answers->front()), lit);
    }
    switch (lit.kind) {
        case Literal::Kind::kNumber: {
            if (const auto n = Numeric(v); n && v.kind != K::kAnswers) return *n == lit.number;
            return v.kind == K::kText && v.text == lit.text;
        }
        case Literal::Kind::kText:
            switch (v.kind) {
                case K::kText:
                    return v.text == lit.text;
                case K::kNumber: {
                    const auto n = ParseNumber(lit.text);
                    return n && *n == v.number;
                }
                case K::kBool:
                    return lit.text == (v.boolean ? "true" : "false");
                case K::kNull:
                    return lit.text == "null";
                default:
                    return false;
            }
        case Literal::Kind::kBool:
            if (v.kind == K::kBool) return v.boolean == lit.boolean;
            return v.kind == K::kText && v.text == lit.text;
        case Literal::Kind::kNull:
            return v.kind == K::kNull;
        case Literal::Kind::kRange: {
            const auto n = Numeric(v);
            return n && *n >= lit.number && *n <= lit.high;
        }
    }
    return false;
}

/// Text contains a substring; lists (DNS answers, JSON arrays) contain an equal element; objects
/// contain a key. Numbers and keywords are searched as the text they print as.
bool Contains(const Value& v, const Literal& lit) {
    switch (v.kind) {
        case Value::Kind::kAnswers:
            return std::any_of(v.answers->begin(), v.answers->end(), [&](const std::string& a) {
                return Equal(Value::Text(a), lit);
            });
        case Value::Kind::kArray:
            return std::any_of(v.array->begin(), v.array->end(), [&](const json::value& e) {
                return Equal(FromJson(e), lit);
            });
        case Value::Kind::kObject:
            return v.object->contains(lit.text);
        default: {
            std::string scratch;
            const auto haystack = TextForm(v, scratch);
            return haystack && haystack->find(lit.text) != std::string_view::npos;
        }
    }
}

/// regex search over the text form; lists match when any element does. The regex is the wrapped
/// one built by ParseRegex, so match_continuous plus its lazy prefix is a search.
bool Matches(const Value& v, const std::regex& re) {
    auto search = [&](std::string_view s) {
        return std::regex_search(s.begin(), s.end(), re, std::regex_constants::match_continuous);
    };
    switch (v.kind) {
        case Value::Kind::kAnswers:
            return std::any_of(v.answers->begin(), v.answers->end(), [&](const std::string& a) { return search(a); });
        case Value::Kind::kArray:
            return std::any_of(v.array->begin(), v.array->end(), [&](const json::value& e) {
                std::string scratch;
                const auto text = TextForm(FromJson(e), scratch);
                return text && search(*text);
            });
        default: {
            std::string scratch;
            const auto text = TextForm(v, scratch);
            return text && search(*text);
        }
    }
}

/// The value of an operand, or a reason it has none (set in `problem`, e.g. "body is not JSON").
Value Resolve(const Operand& o, Evaluation& ev, std::string& problem) {
    const Observation& obs = ev.obs;
    if (o.function != Function::kNone) {
        Value inner = Resolve(*o.argument, ev, problem);
        if (!problem.empty() || inner.kind == Value::Kind::kAbsent) return inner;
        if (o.function == Function::kLower) {
            if (inner.kind == Value::Kind::kText) {
                auto lowered = std::make_shared<std::string>(inner.text);
                std::transform(lowered->begin(), lowered->end(), lowered->begin(), AsciiLower);
                Value v = Value::Text(*lowered);
                v.owned = std::move(lowered);
                return v;
            }
            if (inner.kind == Value::Kind::kAnswers) {
                auto lowered = std::make_shared<std::vector<std::string>>(*inner.answers);
                for (std::string& a : *lowered) std::transform(a.begin(), a.end(), a.begin(), AsciiLower);
                inner.answers = lowered.get();
                inner.owned = std::move(lowered);
            }
            return inner;  // numbers, keywords and JSON containers have nothing to lower
        }
        switch (inner.kind) {
            case Value::Kind::kText:
                return Value::Number(static_cast<double>(CountCharacters(inner.text)));
            case Value::Kind::kAnswers:
                return Value::Number(static_cast<double>(inner.answers->size()));
            case Value::Kind::kArray:
                return Value::Number(static_cast<double>(inner.array->size()));
            case Value::Kind::kObject:
                return Value::Number(static_cast<double>(inner.object->size()));
            default:
                problem = fmt::format("{} is {}, which has no length", o.argument->text, Display(inner));
                return {};
        }
    }

    switch (o.source) {
        case Source::kStatus:
            return obs.status_code != 0 ? Value::Number(obs.status_code) : Value{};
        case Source::kResponseTime:
            return Value::Milliseconds(obs.timings.total);
        case Source::kBody: {
            // An HTTP answer always has a body, possibly empty; other checks have none.
            if (o.path.empty()) return obs.status_code != 0 || !obs.body.empty() ? Value::Text(obs.body) : Value{};
            const json::value* node = ev.Body();
            if (node == nullptr) {
                problem = obs.body_truncated ? "body is not JSON (it was cut at 1 MiB)" : "body is not JSON";
                return {};
            }
            for (const PathStep& step : o.path) {
                if (step.is_index) {
                    const json::array* a = node->if_array();
                    if (a == nullptr || step.index >= a->size()) return {};
                    node = &(*a)[step.index];
                } else {
                    const json::object* obj = node->if_object();
                    node = obj != nullptr ? obj->if_contains(step.key) : nullptr;
                    if (node == nullptr) return {};
                }
            }
            return FromJson(*node);
        }
        case Source::kHeader: {
            const auto it = std::find_if(obs.headers.begin(), obs.headers.end(), [&](const auto& h) {
                return EqualsIgnoreCase(h.first, o.header);
            });
            return it != obs.headers.end() ? Value::Text(it->second) : Value{};
        }
        case Source::kCertificateDays:
            return obs.certificate_days_left ? Value::Number(*obs.certificate_days_left) : Value{};
        case Source::kDnsRcode:
            return !obs.dns_rcode.empty() ? Value::Text(obs.dns_rcode) : Value{};
        case Source::kDnsAnswers: {
            // No rcode and no answers: this was not a DNS check.
            if (obs.dns_rcode.empty() && obs.dns_answers.empty()) return {};
            Value v;
            v.kind = Value::Kind::kAnswers;
            v.answers = &obs.dns_answers;
            return v;
        }
        case Source::kReached: {
            Value v;
            v.kind = Value::Kind::kBool;
            v.boolean = obs.reached;
            return v;
        }
        case Source::kConnectTime:
            return obs.timings.connect ? Value::Milliseconds(*obs.timings.connect) : Value{};
        case Source::kTlsTime:
            return obs.timings.tls ? Value::Milliseconds(*obs.timings.tls) : Value{};
        case Source::kFirstByteTime:
            return obs.timings.first_byte ? Value::Milliseconds(*obs.timings.first_byte) : Value{};
        case Source::kDnsTime:
            return obs.timings.dns ? Value::Milliseconds(*obs.timings.dns) : Value{};
    }
    return {};
}

/// Empty when the condition holds, otherwise the failure message.
std::string Evaluate(const Condition& c, Evaluation& ev) {
    std::string problem;
    const Value v = Resolve(c.lhs, ev, problem);
    if (!problem.empty()) return fmt::format("{} failed: {}", c.text, problem);
    const bool absent = v.kind == Value::Kind::kAbsent;
    if (c.op == Op::kExists) {
        if (absent != c.negated) return fmt::format("{} failed: {} is {}", c.text, c.lhs.text, Display(v));
        return {};
    }
    if (absent) return fmt::format("{} failed: {} is absent", c.text, c.lhs.text);

    bool holds = false;
    bool not_a_number = false;  // fails whatever the negation says
    switch (c.op) {
        case Op::kEqual:
            holds = Equal(v, c.rhs.front());
            break;
        case Op::kLess:
        case Op::kLessEqual:
        case Op::kGreater:
        case Op::kGreaterEqual: {
            const auto n = Numeric(v);
            not_a_number = !n;
            const double r = c.rhs.front().number;
            if (n) {
                holds = c.op == Op::kLess        ? *n < r
                        : c.op == Op::kLessEqual ? *n <= r
                        : c.op == Op::kGreater   ? *n > r
                                                 : *n >= r;
            }
            break;
        }
        case Op::kContains:
            holds = Contains(v, c.rhs.front());
            break;
        case Op::kMatches:
            try {
                holds = Matches(v, *c.regex);
            } catch (const std::regex_error& e) {
                return fmt::format(
                    "{} failed: the regular expression could not run ({})", c.text, RegexProblem(e.code())
                );
            }
            break;
        case Op::kIn: {
            holds = std::any_of(c.rhs.begin(), c.rhs.end(), [&](const Literal& lit) { return Equal(v, lit); });
            const bool only_ranges = std::all_of(c.rhs.begin(), c.rhs.end(), [](const Literal& lit) {
                return lit.kind == Literal::Kind::kRange;
            });
            not_a_number = only_ranges && !Numeric(v);
            break;
        }
        case Op::kExists:
            break;  // handled above
    }
    // An ordering or a range on something that is not a number is a mistake in the condition or
    // a surprise in the answer; either way it should not pass because of a `!`.
    if (not_a_number) return fmt::format("{} failed: {} is {}, not a number", c.text, c.lhs.text, Display(v));
    if (holds != c.negated) return {};
    return fmt::format("{} failed: {} is {}", c.text, c.lhs.text, Display(v));
}

}  // namespace

Result<ConditionSet> ConditionSet::Parse(const std::vector<std::string>& expressions) {
    ConditionSet set;
    set.conditions_.reserve(expressions.size());
    for (std::size_t i = 0; i < expressions.size(); ++i) {
        TOCSIN_ASSIGN(condition, Parser(expressions[i], i).Parse());
        set.conditions_.push_back(std::make_shared<const Condition>(std::move(condition)));
    }
    return set;
}

std::string ConditionSet::FirstFailure(const Observation& obs) const {
    Evaluation ev(obs);
    for (const auto& condition : conditions_) {
        std::string failure = Evaluate(*condition, ev);
        if (!failure.empty()) return failure;
    }
    return {};
}

std::uint64_t ConditionSet::BodyParsesOnThisThreadForTest() {
    return body_parses_on_thread;
}

}  // namespace tocsin::monitor
