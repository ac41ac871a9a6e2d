#include "tocsin/notify/content.hpp"

#include "tocsin/common/check.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/subscriber.hpp"
#include "tocsin/notify/encoding.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/markdown.hpp"

#include <fmt/format.h>
#include <md4c.h>
#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace tocsin::notify::embedded {
std::string_view Find(std::string_view name);
}  // namespace tocsin::notify::embedded

namespace tocsin::notify {
namespace {

namespace mu = kainjow::mustache;
namespace json = boost::json;
using domain::ComponentStatus;
using domain::Impact;
using domain::IncidentKind;
using domain::IncidentStatus;

// ---------------------------------------------------------------------------------------
// Words. Status, impact and component words come from the page catalog so that a message
// says exactly what the page says; this table holds only what the page never needed.

struct Word {
    std::string_view key;
    std::string_view en;
    std::string_view de;
};

constexpr std::array kWords{
    Word{"impact", "Impact", "Auswirkung"},
    Word{"started", "Started", "Begonnen"},
    Word{"resolved", "Resolved", "Behoben"},
    Word{"view_incident", "View incident", "Störung ansehen"},
    Word{"view_maintenance", "View maintenance", "Wartung ansehen"},
    Word{"manage", "Manage or unsubscribe", "Abo verwalten oder abbestellen"},
    Word{"one_minute", "1 minute", "1 Minute"},
    Word{"reminder", "Scheduled maintenance starts in {n}", "Geplante Wartung beginnt in {n}"},
    Word{
        "confirm",
        "Please confirm that you want status updates from {n}.",
        "Bitte bestätigen Sie, dass Sie Statusmeldungen von {n} erhalten möchten."},
    Word{"confirm_action", "Confirm subscription", "Abonnement bestätigen"},
    Word{
        "confirm_ignore",
        "If you did not ask for this, ignore this message.",
        "Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht."},
};

std::string Lang(const std::string& language) {
    return language == "de" ? "de" : "en";
}

std::string W(const std::string& lang, std::string_view key, std::string_view n = {}) {
    for (const auto& w : kWords) {
        if (w.key != key) continue;
        std::string s(lang == "de" ? w.de : w.en);
        auto pos = s.find("{n}");
        if (pos != std::string::npos) s.replace(pos, 3, n);
        return s;
    }
    TOCSIN_CHECK(false, "word missing from kWords");
    return {};
}

const page::Catalog& Cat() {
    return page::Catalog::Embedded();
}

std::string StatusLabel(const std::string& lang, IncidentStatus s) {
    return Cat().Get(lang, "incident." + std::string(domain::ToString(s)));
}

std::string ImpactLabel(const std::string& lang, Impact i) {
    return Cat().Get(lang, "impact." + std::string(domain::ToString(i)));
}

std::string ComponentLabel(const std::string& lang, ComponentStatus s) {
    return Cat().Get(lang, "component." + std::string(domain::ToString(s)));
}

std::string MinutesText(const std::string& lang, int minutes) {
    if (minutes == 1) return W(lang, "one_minute");
    return Cat().Format(lang, "minutes", std::to_string(std::max(0, minutes)));
}

// The page's palette (web/page/assets/page.css, light theme), so a message and the page
// use one colour per state.
constexpr std::string_view kGreen = "#1a7f37";
constexpr std::string_view kAmber = "#9a6700";
constexpr std::string_view kOrange = "#bc4c00";
constexpr std::string_view kRed = "#cf222e";
constexpr std::string_view kBlue = "#0969da";
constexpr std::string_view kGrey = "#5b636e";

std::string ComponentColour(ComponentStatus s) {
    switch (s) {
        case ComponentStatus::kOperational:
            return std::string(kGreen);
        case ComponentStatus::kDegradedPerformance:
            return std::string(kAmber);
        case ComponentStatus::kPartialOutage:
            return std::string(kOrange);
        case ComponentStatus::kMajorOutage:
            return std::string(kRed);
        case ComponentStatus::kUnderMaintenance:
            return std::string(kBlue);
    }
    return std::string(kGrey);
}

// ---------------------------------------------------------------------------------------
// UTF-8 helpers. Limits of chat platforms count characters; counting code points never
// cuts a character in half.

bool IsContinuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

std::size_t CodePoints(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return !IsContinuation(static_cast<unsigned char>(c));
    }));
}

// The byte length of the first `n` code points of `s`.
std::size_t PrefixBytes(std::string_view s, std::size_t n) {
    std::size_t i = 0;
    for (std::size_t seen = 0; i < s.size(); ++i) {
        if (!IsContinuation(static_cast<unsigned char>(s[i]))) {
            if (seen == n) break;
            ++seen;
        }
    }
    return i;
}

std::string TrimRight(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    return s;
}

// At most `max` code points; a shortened text ends in "…".
std::string Shorten(std::string_view s, std::size_t max) {
    if (CodePoints(s) <= max) return std::string(s);
    if (max == 0) return {};
    return TrimRight(std::string(s.substr(0, PrefixBytes(s, max - 1)))) + "…";
}

std::string OneLine(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Markdown to plain text for text/plain parts and chats: markers go, link text stays and
// is followed by its URL, lists keep bullets, optional word wrap at `width` code points.

bool IsRelativePath(std::string_view url) {
    return url.size() >= 1 && url[0] == '/' && (url.size() == 1 || url[1] != '/');
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

// An absolute URL a reader may follow, or "" for anything else (javascript:, fragments).
std::string UsableUrl(std::string_view url, std::string_view base) {
    if (StartsWithNoCase(url, "http://") || StartsWithNoCase(url, "https://") || StartsWithNoCase(url, "mailto:"))
        return std::string(url);
    if (IsRelativePath(url)) return std::string(base) + std::string(url);
    return {};
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// md4c hands entities over verbatim ("&amp;", "&#228;"); plain text wants the character.
std::string DecodeEntity(std::string_view e) {
    static const std::map<std::string_view, std::string_view> kNamed{
        {"&amp;", "&"},
        {"&lt;", "<"},
        {"&gt;", ">"},
        {"&quot;", "\""},
        {"&apos;", "'"},
        {"&nbsp;", "\u00a0"},
        {"&auml;", "ä"},
        {"&ouml;", "ö"},
        {"&uuml;", "ü"},
        {"&Auml;", "Ä"},
        {"&Ouml;", "Ö"},
        {"&Uuml;", "Ü"},
        {"&szlig;", "ß"},
        {"&euro;", "€"},
        {"&ndash;", "–"},
        {"&mdash;", "—"},
        {"&hellip;", "…"},
    };
    if (auto it = kNamed.find(e); it != kNamed.end()) return std::string(it->second);
    if (e.size() > 3 && e[1] == '#' && e.back() == ';') {
        bool hex = e[2] == 'x' || e[2] == 'X';
        auto digits = e.substr(hex ? 3 : 2, e.size() - (hex ? 4 : 3));
        std::uint32_t cp = 0;
        for (char c : digits) {
            int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(c))
                        ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                        : -1;
            if (v < 0 || cp > 0x10FFFF) return std::string(e);
            cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
        }
        std::string out;
        AppendUtf8(out, cp);
        return out;
    }
    return std::string(e);
}

std::string DecodeAttribute(const MD_ATTRIBUTE& a) {
    std::string out;
    if (a.text == nullptr || a.size == 0) return out;
    for (std::size_t i = 0; a.substr_offsets[i] < a.size; ++i) {
        auto begin = a.substr_offsets[i];
        auto end = a.substr_offsets[i + 1];
        std::string_view part(a.text + begin, end - begin);
        if (a.substr_types[i] == MD_TEXT_ENTITY) {
            out += DecodeEntity(part);
        } else if (a.substr_types[i] == MD_TEXT_NULLCHAR) {
            out += "\uFFFD";
        } else {
            out += part;
        }
    }
    return out;
}

// Greedy word wrap of one paragraph; words longer than `width` (URLs) stand alone, as a
// broken URL cannot be clicked. Hard breaks ('\n') are kept; width 0 wraps nothing.
std::vector<std::string> Wrap(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    std::string hard;
    std::stringstream ss{std::string(text)};
    while (std::getline(ss, hard, '\n')) {
        if (width == 0) {
            lines.push_back(TrimRight(hard));
            continue;
        }
        std::string line;
        std::size_t line_width = 0;
        std::stringstream words(hard);
        std::string word;
        bool any = false;
        while (words >> word) {
            any = true;
            auto w = CodePoints(word);
            if (line_width > 0 && line_width + 1 + w > width) {
                lines.push_back(line);
                line.clear();
                line_width = 0;
            }
            if (line_width > 0) {
                line += ' ';
                ++line_width;
            }
            line += word;
            line_width += w;
        }
        if (any) lines.push_back(line);
        if (!any) lines.emplace_back();
    }
    return lines;
}

// md4c reports the document as nested blocks and spans; this writer keeps a stack of
// line prefixes (list bullets, quote marks, code indent) and collects the inline text of
// the current leaf block, which it emits, wrapped, when that block ends. Raw HTML is off,
// so tags in an update arrive as text and stay visible as written.
class PlainText {
public:
    PlainText(std::string base_url, std::size_t width) : base_(std::move(base_url)), width_(width) {}

    std::string Render(std::string_view markdown) {
        MD_PARSER parser{};
        parser.abi_version = 0;
        parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
        parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* self) { return Self(self)->EnterBlock(t, d); };
        parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* self) { return Self(self)->LeaveBlock(t, d); };
        parser.enter_span = [](MD_SPANTYPE t, void* d, void* self) { return Self(self)->EnterSpan(t, d); };
        parser.leave_span = [](MD_SPANTYPE t, void* d, void* self) { return Self(self)->LeaveSpan(t, d); };
        parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* self) {
            return Self(self)->Text(t, std::string_view(s, n));
        };
        // md4c fails only on allocation failure; the Markdown itself is still readable.
        if (md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, this) != 0) {
            return TrimRight(std::string(markdown));
        }
        return TrimRight(out_);
    }

private:
    struct Prefix {
        std::string first;  // on the block's first line ("- ", "1. ", "> ")
        std::string rest;   // on its following lines
        bool used = false;
    };
    struct List {
        bool ordered = false;
        bool tight = true;
        unsigned next = 1;
    };
    struct Link {
        std::string href;
        std::size_t text_start = 0;
    };

    static PlainText* Self(void* p) { return static_cast<PlainText*>(p); }

    int EnterBlock(MD_BLOCKTYPE type, void* detail) {
        Flush();
        switch (type) {
            case MD_BLOCK_UL: {
                auto* d = static_cast<MD_BLOCK_UL_DETAIL*>(detail);
                lists_.push_back(List{false, d->is_tight != 0, 1});
                break;
            }
            case MD_BLOCK_OL: {
                auto* d = static_cast<MD_BLOCK_OL_DETAIL*>(detail);
                lists_.push_back(List{true, d->is_tight != 0, d->start});
                break;
            }
            case MD_BLOCK_LI: {
                std::string bullet = "- ";
                if (!lists_.empty() && lists_.back().ordered) bullet = std::to_string(lists_.back().next++) + ". ";
                prefixes_.push_back(Prefix{bullet, std::string(bullet.size(), ' ')});
                break;
            }
            case MD_BLOCK_QUOTE:
                prefixes_.push_back(Prefix{"> ", "> "});
                break;
            case MD_BLOCK_CODE:
                code_ = true;
                prefixes_.push_back(Prefix{"    ", "    "});
                break;
            case MD_BLOCK_HR:
                Emit("----------", false);
                blank_ = true;
                break;
            default:
                break;
        }
        return 0;
    }

    int LeaveBlock(MD_BLOCKTYPE type, void* /*detail*/) {
        switch (type) {
            case MD_BLOCK_TD:
            case MD_BLOCK_TH:
                cells_.push_back(OneLine(text_));
                text_.clear();
                return 0;
            case MD_BLOCK_TR: {
                std::string row;
                for (const auto& c : cells_) row += (row.empty() ? "" : " | ") + c;
                cells_.clear();
                Emit(row, true);
                return 0;
            }
            case MD_BLOCK_TABLE:
                blank_ = true;
                return 0;
            default:
                break;
        }
        Flush();
        switch (type) {
            case MD_BLOCK_LI:
                prefixes_.pop_back();
                break;
            case MD_BLOCK_QUOTE:
                prefixes_.pop_back();
                blank_ = true;
                break;
            case MD_BLOCK_CODE:
                prefixes_.pop_back();
                code_ = false;
                blank_ = true;
                break;
            case MD_BLOCK_UL:
            case MD_BLOCK_OL:
                lists_.pop_back();
                blank_ = lists_.empty() || !lists_.back().tight;
                break;
            default:
                break;
        }
        return 0;
    }

    int EnterSpan(MD_SPANTYPE type, void* detail) {
        if (type == MD_SPAN_A) {
            links_.push_back(Link{DecodeAttribute(static_cast<MD_SPAN_A_DETAIL*>(detail)->href), text_.size()});
        } else if (type == MD_SPAN_IMG) {
            links_.push_back(Link{DecodeAttribute(static_cast<MD_SPAN_IMG_DETAIL*>(detail)->src), text_.size()});
        }
        return 0;
    }

    // A link ends with its URL in parentheses unless its text already is the URL
    // (autolinks); a link a reader could not follow keeps its text only.
    int LeaveSpan(MD_SPANTYPE type, void* /*detail*/) {
        if ((type != MD_SPAN_A && type != MD_SPAN_IMG) || links_.empty()) return 0;
        Link link = std::move(links_.back());
        links_.pop_back();
        std::string url = UsableUrl(link.href, base_);
        if (url.empty()) return 0;
        std::string label = text_.substr(link.text_start);
        if (label.empty()) {
            text_ += url;
        } else if (label != url && "mailto:" + label != url && "http://" + label != url) {
            text_ += " (" + url + ")";
        }
        return 0;
    }

    int Text(MD_TEXTTYPE type, std::string_view s) {
        switch (type) {
            case MD_TEXT_BR:
                text_ += '\n';
                break;
            case MD_TEXT_SOFTBR:
                text_ += ' ';
                break;
            case MD_TEXT_NULLCHAR:
                text_ += "\uFFFD";
                break;
            case MD_TEXT_ENTITY:
                text_ += DecodeEntity(s);
                break;
            default:
                text_ += s;
        }
        return 0;
    }

    // Ends the paragraph collected so far. Inside a tight list no blank line follows it.
    void Flush() {
        if (text_.empty()) return;
        std::string text = std::move(text_);
        text_.clear();
        if (code_) {
            if (!text.empty() && text.back() == '\n') text.pop_back();
            Emit(text, false);
        } else {
            Emit(text, true);
        }
        blank_ = lists_.empty() || !lists_.back().tight;
    }

    void Emit(const std::string& text, bool wrap) {
        std::size_t prefix_width = 0;
        for (const auto& p : prefixes_) prefix_width += p.rest.size();
        std::size_t width = wrap && width_ > 0 ? std::max<std::size_t>(20, width_ - std::min(width_, prefix_width)) : 0;
        auto lines = Wrap(text, width);
        while (!lines.empty() && lines.back().empty()) lines.pop_back();
        if (lines.empty()) return;
        if (blank_ && !out_.empty()) out_ += '\n';
        blank_ = false;
        for (const auto& line : lines) {
            std::string prefix;
            for (auto& p : prefixes_) {
                prefix += p.used ? p.rest : p.first;
                p.used = true;
            }
            out_ += TrimRight(prefix + line) + '\n';
        }
    }

    std::string base_;
    std::size_t width_;
    std::string out_;
    std::string text_;
    std::vector<Prefix> prefixes_;
    std::vector<List> lists_;
    std::vector<Link> links_;
    std::vector<std::string> cells_;
    bool blank_ = false;
    bool code_ = false;
};

// Chats wrap text themselves (width 0); text/plain e-mail is wrapped for 80-column readers.
std::string MarkdownToText(std::string_view markdown, const std::string& base_url, std::size_t width) {
    return PlainText(base_url, width).Render(markdown);
}

// page::RenderMarkdown keeps same-site paths, which mean nothing in a mail client: make
// links absolute, and turn the page's own images into links so the mail loads nothing.
std::string MarkdownToEmailHtml(std::string_view markdown, const std::string& base_url) {
    const std::string html = page::RenderMarkdown(markdown);
    std::string out;
    out.reserve(html.size() + 64);
    std::size_t i = 0;
    while (i < html.size()) {
        std::size_t href = html.find(" href=\"/", i);
        std::size_t img = html.find("<img src=\"", i);
        std::size_t next = std::min(href, img);
        if (next == std::string::npos) {
            out.append(html, i, std::string::npos);
            break;
        }
        out.append(html, i, next - i);
        if (next == href) {
            out += " href=\"" + base_url;
            i = href + 7;
            continue;
        }
        // md4c escapes '"' inside values, so the first '"' ends the src and the first '>'
        // after the attributes ends the tag.
        std::size_t vstart = img + 10;
        std::size_t vend = html.find('"', vstart);
        std::size_t tag_end = vend == std::string::npos ? vend : html.find('>', vend);
        if (tag_end == std::string::npos) {
            out.append(html, img, std::string::npos);
            break;
        }
        std::string src = html.substr(vstart, vend - vstart);
        std::string alt;
        std::size_t a = html.find(" alt=\"", vend);
        if (a != std::string::npos && a < tag_end) alt = html.substr(a + 6, html.find('"', a + 6) - (a + 6));
        std::string url = IsRelativePath(src) ? base_url + src : std::string("#");
        out += "<a href=\"" + url + "\">" + (alt.empty() ? url : alt) + "</a>";
        i = tag_end + 1;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// One view of the facts in one language, shared by every channel.

struct ComponentLine {
    std::string name;
    std::string status;
    std::string status_key;
    std::string colour;
};

struct TimeLine {
    std::string key;  // started, resolved, starts, ends, posted
    std::string label;
    std::string value;
};

// Everything a channel shows, already translated and formatted; the renderers below only
// arrange it, so no channel can drift from the others in what it says.
struct View {
    std::string lang;
    std::string title;
    std::string prefix;    // worst component state or impact word; "" when none fits
    std::string headline;  // "Major Outage: API down — Investigating" or the reminder line
    std::string reminder;  // "Scheduled maintenance starts in 60 minutes" or ""
    std::string status;
    std::string impact;  // "" for maintenance
    std::string colour;
    std::vector<ComponentLine> components;
    std::string update_text;  // unwrapped
    std::vector<TimeLine> times;
    std::string url;
    std::string link_label;
};

// The page picks its language from ?lang=, so a German recipient lands on German text.
std::string LangUrl(const Facts& f, const std::string& lang) {
    return f.IncidentUrl() + "?lang=" + lang;
}

View MakeView(const Facts& f, const std::string& language) {
    View v;
    v.lang = Lang(language);
    const auto& lang = v.lang;
    const bool maintenance = f.kind == IncidentKind::kMaintenance;
    v.title = OneLine(f.incident_name);
    v.status = StatusLabel(lang, f.status);
    if (!maintenance) v.impact = ImpactLabel(lang, f.impact);
    v.colour = StatusColour(f);

    const ComponentFact* worst = nullptr;
    for (const auto& c : f.components) {
        v.components.push_back(
            {OneLine(c.name),
             ComponentLabel(lang, c.status),
             std::string(domain::ToString(c.status)),
             ComponentColour(c.status)}
        );
        if (c.status != ComponentStatus::kOperational && (!worst || Severity(c.status) > Severity(worst->status)))
            worst = &c;
    }
    // The subject leads with what readers feel (the worst component state, the words of
    // the page's component list), falls back to the impact, and says nothing once closed:
    // "Major Outage: API — Resolved" would read as if the outage went on.
    if (maintenance) {
        v.prefix = ImpactLabel(lang, Impact::kMaintenance);
    } else if (!domain::IsClosedStatus(f.status)) {
        if (worst) {
            v.prefix = ComponentLabel(lang, worst->status);
        } else if (f.impact != Impact::kNone) {
            v.prefix = ImpactLabel(lang, f.impact);
        }
    }
    if (f.occasion == Occasion::kMaintenanceReminder) {
        v.reminder = W(lang, "reminder", MinutesText(lang, f.minutes_until_start));
        v.headline = v.reminder + ": " + v.title;
    } else {
        v.headline = (v.prefix.empty() ? "" : v.prefix + ": ") + v.title + " — " + v.status;
    }

    page::TimeFormatter tf(f.time_zone, Cat(), lang);
    if (maintenance && f.scheduled_for) {
        v.times.push_back({"starts", Cat().Get(lang, "starts"), tf.DateTime(*f.scheduled_for)});
        if (f.scheduled_until) v.times.push_back({"ends", Cat().Get(lang, "ends"), tf.DateTime(*f.scheduled_until)});
    } else {
        v.times.push_back({"started", W(lang, "started"), tf.DateTime(f.started_at)});
    }
    if (f.resolved_at) {
        v.times.push_back(
            {"resolved",
             maintenance ? StatusLabel(lang, IncidentStatus::kCompleted) : W(lang, "resolved"),
             tf.DateTime(*f.resolved_at)}
        );
    }
    if (f.update_at != TimePoint{}) v.times.push_back({"posted", Cat().Get(lang, "posted"), tf.DateTime(f.update_at)});

    v.update_text = MarkdownToText(f.update_markdown, f.page_url, 0);
    v.url = LangUrl(f, lang);
    v.link_label = W(lang, maintenance ? "view_maintenance" : "view_incident");
    return v;
}

std::string ComponentsText(const View& v, std::string_view bullet, std::string_view separator) {
    std::string out;
    for (const auto& c : v.components) {
        if (!out.empty()) out += '\n';
        out += std::string(bullet) + c.name + std::string(separator) + c.status;
    }
    return out;
}

std::string TimesText(const View& v, std::string_view separator) {
    std::string out;
    for (const auto& t : v.times) out += (out.empty() ? "" : std::string(separator)) + t.label + ": " + t.value;
    return out;
}

std::string Serialize(const json::value& v) {
    return json::serialize(v);
}

// ---------------------------------------------------------------------------------------
// Slack

std::string SlackEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

json::object SlackMrkdwn(std::string_view text) {
    return {{"type", "mrkdwn"}, {"text", text}};
}

json::object SlackPlain(std::string_view text) {
    return {{"type", "plain_text"}, {"text", text}, {"emoji", true}};
}

// ---------------------------------------------------------------------------------------
// Telegram (parse_mode HTML takes &lt; &gt; &amp; &quot; and numeric entities, so the
// page's EscapeHtml serves for its text)

// A sendMessage body; `html` is already escaped. The link preview is off: the links are
// the page's own.
ChatPayload TelegramMessage(const std::string& chat_id, const std::string& html) {
    json::object body{
        {"chat_id", chat_id},
        {"parse_mode", "HTML"},
        {"text", html},
        {"link_preview_options", {{"is_disabled", true}}},
    };
    return {"application/json", Serialize(body)};
}

// ---------------------------------------------------------------------------------------
// Discord

// One embed; no mentions are parsed, so an update that says "@everyone" does not ping a
// whole server.
ChatPayload DiscordMessage(json::object embed) {
    json::object body{
        {"embeds", json::array{std::move(embed)}},
        {"allowed_mentions", {{"parse", json::array{}}}},
    };
    return {"application/json", Serialize(body)};
}

// ---------------------------------------------------------------------------------------
// application/x-www-form-urlencoded

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + PercentEncode(k) + "=" + PercentEncode(v);
    return out;
}

// Teams Container styles are the only way to colour an Adaptive Card.
std::string TeamsStyle(const std::string& colour) {
    if (colour == kGreen) return "good";
    if (colour == kRed || colour == kOrange) return "attention";
    if (colour == kAmber) return "warning";
    if (colour == kBlue) return "accent";
    return "emphasis";
}

json::object TeamsMessage(json::array body, json::array actions) {
    json::object card{
        {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
        {"type", "AdaptiveCard"},
        {"version", "1.4"},
        {"body", std::move(body)},
        {"actions", std::move(actions)},
        {"msteams", {{"width", "Full"}}},
    };
    json::object attachment{
        {"contentType", "application/vnd.microsoft.card.adaptive"},
        {"contentUrl", nullptr},
        {"content", std::move(card)},
    };
    return {{"type", "message"}, {"attachments", json::array{std::move(attachment)}}};
}

json::object TeamsText(std::string_view text, bool bold = false, std::string_view size = "Default") {
    json::object o{{"type", "TextBlock"}, {"text", text}, {"wrap", true}};
    if (bold) o["weight"] = "Bolder";
    if (size != "Default") o["size"] = size;
    return o;
}

json::object TeamsOpenUrl(std::string_view title, std::string_view url) {
    return {{"type", "Action.OpenUrl"}, {"title", title}, {"url", url}};
}

json::value OptionalIso(const std::optional<TimePoint>& t) {
    if (!t) return nullptr;
    return json::value(FormatIso8601(*t));
}

// ---------------------------------------------------------------------------------------
// Templates

constexpr std::array<std::string_view, 3> kMessages{"update", "confirm", "welcome"};
constexpr std::array<std::string_view, 2> kLanguages{"en", "de"};
constexpr std::array<std::string_view, 3> kParts{"subject", "text", "html"};

std::string TemplateName(std::string_view message, std::string_view lang, std::string_view part) {
    return std::string(message) + "." + std::string(lang) + "." + std::string(part) + ".mustache";
}

// kainjow leaves an empty line where a false section stood on lines of its own; text
// parts drop leading blank lines and keep at most one blank line in a row.
std::string TidyText(const std::string& text) {
    std::string out;
    std::size_t blank_run = 0;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        line = TrimRight(line);
        if (line.empty()) {
            ++blank_run;
            continue;
        }
        if (!out.empty() && blank_run > 0) out += '\n';
        blank_run = 0;
        out += line + '\n';
    }
    return out;
}

std::string Identity(const std::string& s) {
    return s;
}

// What every e-mail template is given: its language and the page it speaks for.
mu::data PageData(const std::string& lang, const std::string& page_name, const std::string& page_url) {
    mu::data d;
    d.set("lang", lang);
    d.set("page_name", OneLine(page_name));
    d.set("page_url", page_url);
    return d;
}

}  // namespace

std::string Facts::IncidentUrl() const {
    return page_url + "/incidents/" + incident_id;
}

std::string StatusColour(const Facts& f) {
    if (f.kind == IncidentKind::kMaintenance) {
        return std::string(domain::IsClosedStatus(f.status) ? kGreen : kBlue);
    }
    if (domain::IsClosedStatus(f.status)) return std::string(kGreen);
    switch (f.impact) {
        case Impact::kCritical:
            return std::string(kRed);
        case Impact::kMajor:
            return std::string(kOrange);
        case Impact::kMinor:
            return std::string(kAmber);
        case Impact::kMaintenance:
            return std::string(kBlue);
        case Impact::kNone:
            break;
    }
    return std::string(kGrey);
}

struct Templates::Impl {
    std::map<std::string, mu::mustache> compiled;  // by file name

    // kainjow's render() is not const (it records errors in the object), so every render
    // works on its own copy; the compiled tree itself is only read.
    std::string Render(std::string_view message, const std::string& lang, std::string_view part, const mu::data& data)
        const {
        auto it = compiled.find(TemplateName(message, lang, part));
        TOCSIN_CHECK(it != compiled.end(), "Load() compiles every template name");
        mu::mustache copy = it->second;
        return copy.render(data);
    }

    EmailContent RenderAll(std::string_view message, const std::string& lang, const mu::data& data) const {
        EmailContent c;
        c.subject = OneLine(Render(message, lang, "subject", data));
        c.text = TidyText(Render(message, lang, "text", data));
        c.html = Render(message, lang, "html", data);
        return c;
    }
};

Templates::Templates(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Templates::~Templates() = default;

Result<std::shared_ptr<const Templates>> Templates::Load(const std::string& override_dir) {
    std::map<std::string, std::string> sources;
    for (auto message : kMessages) {
        for (auto lang : kLanguages) {
            for (auto part : kParts) {
                auto name = TemplateName(message, lang, part);
                auto bytes = embedded::Find("templates/" + name);
                if (bytes.empty()) return Error::Internal("built-in template missing from the build: " + name);
                sources[name] = std::string(bytes);
            }
        }
    }
    // A misspelt file name would otherwise be ignored in silence and the admin would
    // wonder why the built-in text still goes out; so only known names are accepted.
    if (!override_dir.empty()) {
        std::error_code ec;
        std::filesystem::directory_iterator it(override_dir, ec);
        if (ec) return Error::Invalid("template_dir", override_dir + ": " + ec.message());
        for (const auto& entry : it) {
            const auto path = entry.path();
            if (path.extension() != ".mustache" || !entry.is_regular_file(ec)) continue;
            const auto name = path.filename().string();
            if (sources.count(name) == 0) {
                return Error::Invalid(
                    "template_dir",
                    path.string() +
                        ": not a template name (expected {update|confirm|welcome}.{en|de}."
                        "{subject|text|html}.mustache)"
                );
            }
            std::ifstream in(path, std::ios::binary);
            std::stringstream buffer;
            buffer << in.rdbuf();
            if (!in) return Error::Invalid("template_dir", path.string() + ": cannot be read");
            sources[name] = buffer.str();
        }
    }
    auto impl = std::make_unique<Impl>();
    for (const auto& [name, source] : sources) {
        mu::mustache tmpl(source);
        if (!tmpl.is_valid()) return Error::Invalid("template_dir", name + ": " + tmpl.error_message());
        if (name.find(".html.") == std::string::npos) tmpl.set_custom_escape(&Identity);
        impl->compiled.emplace(name, std::move(tmpl));
    }
    return std::make_shared<const Templates>(std::move(impl));
}

EmailContent Templates::RenderUpdate(const Facts& f, const std::string& language, const EmailLinks& links) const {
    const View v = MakeView(f, language);
    mu::data d = PageData(v.lang, f.page_name, f.page_url);
    d.set("incident_name", v.title);
    d.set("incident_url", v.url);
    d.set("is_incident", mu::data(f.kind == IncidentKind::kIncident));
    d.set("is_maintenance", mu::data(f.kind == IncidentKind::kMaintenance));
    d.set("is_reminder", mu::data(f.occasion == Occasion::kMaintenanceReminder));
    d.set("is_closed", mu::data(domain::IsClosedStatus(f.status)));
    d.set("minutes_until_start", std::to_string(f.minutes_until_start));
    d.set("minutes_text", MinutesText(v.lang, f.minutes_until_start));
    d.set("prefix", v.prefix.empty() ? mu::data(false) : mu::data(v.prefix));
    d.set("status", v.status);
    d.set("status_key", std::string(domain::ToString(f.status)));
    d.set("impact", v.impact.empty() ? mu::data(false) : mu::data(v.impact));
    d.set("impact_key", std::string(domain::ToString(f.impact)));
    d.set("colour", v.colour);
    mu::list comps;
    for (const auto& c : v.components) {
        comps.emplace_back(mu::object{
            {"name", c.name}, {"status", c.status}, {"status_key", c.status_key}, {"colour", c.colour}});
    }
    d.set("has_components", mu::data(!comps.empty()));
    d.set("components", comps);
    const std::string text = MarkdownToText(f.update_markdown, f.page_url, 76);
    d.set("has_update", mu::data(!text.empty()));
    d.set("update_text", text);
    d.set("update_html", MarkdownToEmailHtml(f.update_markdown, f.page_url));
    // Every time is set, to false when absent, so that a section never finds a value of
    // an enclosing context.
    for (const char* key : {"started", "resolved", "starts", "ends", "posted"}) d.set(key, mu::data(false));
    mu::list times;
    for (const auto& t : v.times) {
        d.set(t.key, t.value);
        times.emplace_back(mu::object{{"label", t.label}, {"value", t.value}});
    }
    d.set("times", times);
    d.set("time_zone", page::TimeFormatter(f.time_zone, Cat(), v.lang).ZoneName());
    d.set("manage_url", links.manage_url);
    d.set("unsubscribe_url", links.unsubscribe_url);
    return impl_->RenderAll("update", v.lang, d);
}

EmailContent Templates::RenderConfirm(
    const std::string& page_name,
    const std::string& page_url,
    const std::string& language,
    const std::string& confirm_url
) const {
    const std::string lang = Lang(language);
    mu::data d = PageData(lang, page_name, page_url);
    d.set("confirm_url", confirm_url);
    return impl_->RenderAll("confirm", lang, d);
}

EmailContent Templates::RenderWelcome(
    const std::string& page_name, const std::string& page_url, const std::string& language, const EmailLinks& links
) const {
    const std::string lang = Lang(language);
    mu::data d = PageData(lang, page_name, page_url);
    d.set("manage_url", links.manage_url);
    d.set("unsubscribe_url", links.unsubscribe_url);
    return impl_->RenderAll("welcome", lang, d);
}

// Slack: header and status fields on top, details in a coloured attachment. Limits:
// header 150 characters, section text 3000; mrkdwn needs &, < and > escaped, or "<!channel>"
// in an update would notify a whole channel.
ChatPayload SlackPayload(const Facts& f, const std::string& language, const std::string& manage_url) {
    const View v = MakeView(f, language);
    json::array fields{SlackMrkdwn("*" + Cat().Get(v.lang, "status") + "*\n" + SlackEscape(v.status))};
    if (!v.impact.empty()) fields.push_back(SlackMrkdwn("*" + W(v.lang, "impact") + "*\n" + SlackEscape(v.impact)));

    json::array top{
        {{"type", "header"}, {"text", SlackPlain(Shorten(v.title, 150))}},
    };
    if (!v.reminder.empty()) top.push_back({{"type", "section"}, {"text", SlackMrkdwn("*" + v.reminder + "*")}});
    top.push_back({{"type", "section"}, {"fields", std::move(fields)}});

    // The details sit in an attachment: only attachments carry Slack's colour bar.
    json::array details;
    if (!v.components.empty()) {
        std::string comps =
            "*" + Cat().Get(v.lang, "affected_components") + "*\n" + SlackEscape(ComponentsText(v, "• ", " — "));
        details.push_back({{"type", "section"}, {"text", SlackMrkdwn(Shorten(comps, 3000))}});
    }
    if (!v.update_text.empty()) {
        details.push_back({{"type", "section"}, {"text", SlackMrkdwn(Shorten(SlackEscape(v.update_text), 3000))}});
    }
    details.push_back({{"type", "context"}, {"elements", json::array{SlackMrkdwn(SlackEscape(TimesText(v, "  ·  ")))}}}
    );
    details.push_back(
        {{"type", "actions"},
         {"elements",
          json::array{
              {{"type", "button"},
               {"text", SlackPlain(v.link_label)},
               {"url", v.url},
               {"action_id", "open_incident"}}}}}
    );
    // The subscriber's own way out, small and below the button: "<url|label>" in mrkdwn.
    if (!manage_url.empty()) {
        details.push_back(
            {{"type", "context"},
             {"elements",
              json::array{SlackMrkdwn("<" + SlackEscape(manage_url) + "|" + SlackEscape(W(v.lang, "manage")) + ">")}}}
        );
    }
    json::object body{
        {"text", Shorten(f.page_name + ": " + v.headline, 300)},
        {"blocks", std::move(top)},
        {"attachments",
         json::array{{{"color", v.colour}, {"fallback", v.headline + " " + v.url}, {"blocks", std::move(details)}}}},
        {"unfurl_links", false},
    };
    return {"application/json", Serialize(body)};
}

// Teams workflow webhooks take a "message" whose attachment is an Adaptive Card (1.4 is
// what Teams renders everywhere). The coloured container stands in for the status bar.
ChatPayload TeamsPayload(const Facts& f, const std::string& language, const std::string& manage_url) {
    const View v = MakeView(f, language);
    json::array head{TeamsText(v.title, true, "Large")};
    if (!v.reminder.empty()) head.push_back(TeamsText(v.reminder, true));
    head.push_back(TeamsText(v.status + (v.impact.empty() ? "" : " · " + v.impact)));
    json::array body{{
        {"type", "Container"},
        {"style", TeamsStyle(v.colour)},
        {"bleed", true},
        {"items", std::move(head)},
    }};
    json::array facts{{{"title", Cat().Get(v.lang, "status")}, {"value", v.status}}};
    if (!v.impact.empty()) facts.push_back({{"title", W(v.lang, "impact")}, {"value", v.impact}});
    if (!v.components.empty()) {
        facts.push_back({{"title", Cat().Get(v.lang, "affected_components")}, {"value", ComponentsText(v, "", ": ")}});
    }
    for (const auto& t : v.times) facts.push_back({{"title", t.label}, {"value", t.value}});
    body.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});
    if (!v.update_text.empty()) body.push_back(TeamsText(v.update_text));
    json::array actions{TeamsOpenUrl(v.link_label, v.url)};
    if (!manage_url.empty()) actions.push_back(TeamsOpenUrl(W(v.lang, "manage"), manage_url));
    return {"application/json", Serialize(TeamsMessage(std::move(body), std::move(actions)))};
}

// Discord: one embed. Limits: title 256, field value 1024, whole embed 6000 characters.
ChatPayload DiscordPayload(const Facts& f, const std::string& language, const std::string& manage_url) {
    const View v = MakeView(f, language);
    json::array fields{{{"name", Cat().Get(v.lang, "status")}, {"value", v.status}, {"inline", true}}};
    if (!v.impact.empty()) fields.push_back({{"name", W(v.lang, "impact")}, {"value", v.impact}, {"inline", true}});
    if (!v.components.empty()) {
        fields.push_back(
            {{"name", Cat().Get(v.lang, "affected_components")},
             {"value", Shorten(ComponentsText(v, "", ": "), 1024)},
             {"inline", false}}
        );
    }
    for (const auto& t : v.times) fields.push_back({{"name", t.label}, {"value", t.value}, {"inline", true}});
    std::string description = v.reminder.empty() ? "" : "**" + v.reminder + "**\n\n";
    description += v.update_text;
    json::object embed{
        {"title", Shorten(v.title, 256)},
        {"url", v.url},
        {"color", std::stoi(v.colour.substr(1), nullptr, 16)},
        {"fields", std::move(fields)},
        {"footer", {{"text", Shorten(f.page_name, 2048)}}},
        {"timestamp", FormatIso8601(f.update_at != TimePoint{} ? f.update_at : f.started_at)},
    };
    // Discord rejects an embed over 6000 characters in all; 3000 leaves room for the rest.
    description = Shorten(description, 3000);
    // The footer cannot hold a link; the description's end can, after any shortening.
    if (!manage_url.empty()) {
        description +=
            (description.empty() ? "" : "\n\n") + std::string("[") + W(v.lang, "manage") + "](" + manage_url + ")";
    }
    if (!description.empty()) embed["description"] = description;
    return DiscordMessage(std::move(embed));
}

// Telegram: HTML parse mode, where only <b> and <a> are used and all text is escaped; a
// stray "<" would make Telegram refuse the whole message.
ChatPayload TelegramPayload(
    const Facts& f, const std::string& language, const std::string& chat_id, const std::string& manage_url
) {
    const View v = MakeView(f, language);
    std::string text;
    if (!v.reminder.empty()) text += "<b>" + page::EscapeHtml(v.reminder) + "</b>\n";
    text += "<b>" + page::EscapeHtml(v.title) + "</b>\n";
    text += page::EscapeHtml(Cat().Get(v.lang, "status") + ": " + v.status);
    if (!v.impact.empty()) text += page::EscapeHtml(" · " + W(v.lang, "impact") + ": " + v.impact);
    text += "\n";
    if (!v.components.empty()) {
        text += "\n<b>" + page::EscapeHtml(Cat().Get(v.lang, "affected_components")) + "</b>\n" +
                page::EscapeHtml(Shorten(ComponentsText(v, "• ", " — "), 500)) + "\n";
    }
    // Telegram allows 4096 characters after entities are parsed.
    if (!v.update_text.empty()) text += "\n" + page::EscapeHtml(Shorten(v.update_text, 2800)) + "\n";
    text += "\n" + page::EscapeHtml(TimesText(v, "\n")) + "\n";
    text += "<a href=\"" + page::EscapeHtml(v.url) + "\">" + page::EscapeHtml(v.link_label) + "</a>";
    if (!manage_url.empty()) {
        text += "\n<a href=\"" + page::EscapeHtml(manage_url) + "\">" + page::EscapeHtml(W(v.lang, "manage")) + "</a>";
    }
    return TelegramMessage(chat_id, text);
}

std::string ChatText(const Facts& f, const std::string& language) {
    // Mastodon counts any URL as 23 characters; counting it in full keeps us under the
    // limit whatever the server's setting.
    constexpr std::size_t kLimit = 500;
    const View v = MakeView(f, language);
    const std::string sep = "\n\n";
    // Title, status and link always stay; the update text gives way first, then the
    // component list; a title too long on its own is cut last.
    std::string head = v.headline;
    std::string comps;
    if (!v.components.empty()) {
        std::string names;
        for (const auto& c : v.components) names += (names.empty() ? "" : ", ") + c.name + " (" + c.status + ")";
        comps = Cat().Get(v.lang, "affected_components") + ": " + names;
    }
    std::string update = v.update_text;
    const std::size_t url_width = CodePoints(v.url);
    if (CodePoints(head) + sep.size() + url_width > kLimit) {
        head = Shorten(head, kLimit - sep.size() - std::min(url_width, kLimit / 2));
    }
    std::size_t left = kLimit - std::min(kLimit, CodePoints(head) + sep.size() + url_width);
    comps = Shorten(comps, 160);
    if (!comps.empty()) {
        if (sep.size() + CodePoints(comps) <= left) {
            left -= sep.size() + CodePoints(comps);
        } else {
            comps.clear();
        }
    }
    // Below 20 characters an update says nothing; leave it to the link.
    if (!update.empty()) update = left >= sep.size() + 20 ? Shorten(update, left - sep.size()) : "";
    std::string status = head;
    if (!comps.empty()) status += sep + comps;
    if (!update.empty()) status += sep + update;
    status += sep + v.url;
    return status;
}

ChatPayload MastodonPayload(
    const Facts& f, const std::string& language, const std::string& visibility, const std::string& reply_to
) {
    std::vector<std::pair<std::string, std::string>> form{
        {"status", ChatText(f, language)},
        {"visibility", visibility.empty() ? "public" : visibility},
        {"language", Lang(language)},
    };
    if (!reply_to.empty()) form.emplace_back("in_reply_to_id", reply_to);
    return {"application/x-www-form-urlencoded", Form(form)};
}

// The webhook speaks to programs: machine words (Statuspage spellings), UTC ISO-8601
// times, the update as written, and no language-specific text at all.
ChatPayload WebhookPayload(
    const Facts& f, const std::string& subscriber_id, const std::string& idempotency_key, const std::string& manage_url
) {
    json::array components;
    for (const auto& c : f.components) {
        components.push_back({{"id", c.id}, {"name", c.name}, {"status", domain::ToString(c.status)}});
    }
    json::object incident{
        {"id", f.incident_id},
        {"name", f.incident_name},
        {"url", f.IncidentUrl()},
        {"kind", domain::ToString(f.kind)},
        {"status", domain::ToString(f.status)},
        {"impact", domain::ToString(f.impact)},
        {"started_at", FormatIso8601(f.started_at)},
        {"resolved_at", OptionalIso(f.resolved_at)},
        {"scheduled_for", OptionalIso(f.scheduled_for)},
        {"scheduled_until", OptionalIso(f.scheduled_until)},
        {"components", std::move(components)},
    };
    json::object body{
        {"event", f.occasion == Occasion::kMaintenanceReminder ? "maintenance.reminder" : "incident.update"},
        {"idempotency_key", idempotency_key},
        {"subscriber_id", subscriber_id},
        // The receiver's signed link to the manage page (components, language, unsubscribe).
        {"manage_url", manage_url.empty() ? json::value(nullptr) : json::value(manage_url)},
        {"page", {{"name", f.page_name}, {"url", f.page_url}}},
        {"incident", std::move(incident)},
        {"update", {{"id", f.update_id}, {"body", f.update_markdown}, {"created_at", FormatIso8601(f.update_at)}}},
    };
    if (f.occasion == Occasion::kMaintenanceReminder) body["minutes_until_start"] = f.minutes_until_start;
    return {"application/json", Serialize(body)};
}

ChatPayload ConfirmPayload(
    domain::Channel channel,
    const std::string& page_name,
    const std::string& language,
    const std::string& confirm_url,
    const std::string& chat_id
) {
    const std::string lang = Lang(language);
    const std::string name = OneLine(page_name);
    const std::string ask = W(lang, "confirm", name);
    const std::string action = W(lang, "confirm_action");
    const std::string ignore = W(lang, "confirm_ignore");
    switch (channel) {
        case domain::Channel::kWebhook: {
            json::object body{
                {"event", "subscription.confirm"},
                {"page", {{"name", page_name}}},
                {"language", lang},
                {"confirm_url", confirm_url},
            };
            return {"application/json", Serialize(body)};
        }
        case domain::Channel::kSlack: {
            json::object body{
                {"text", ask + " " + confirm_url},
                {"blocks",
                 json::array{
                     {{"type", "section"}, {"text", SlackMrkdwn(SlackEscape(ask + "\n" + ignore))}},
                     {{"type", "actions"},
                      {"elements",
                       json::array{
                           {{"type", "button"},
                            {"text", SlackPlain(action)},
                            {"url", confirm_url},
                            {"style", "primary"},
                            {"action_id", "confirm_subscription"}}}}},
                 }},
            };
            return {"application/json", Serialize(body)};
        }
        case domain::Channel::kTeams:
            return {
                "application/json",
                Serialize(TeamsMessage(
                    json::array{TeamsText(name, true, "Large"), TeamsText(ask), TeamsText(ignore)},
                    json::array{TeamsOpenUrl(action, confirm_url)}
                ))};
        case domain::Channel::kDiscord: {
            json::object embed{
                {"title", Shorten(action, 256)},
                {"url", confirm_url},
                {"description", ask + "\n\n" + confirm_url + "\n\n" + ignore},
                {"color", std::stoi(std::string(kBlue).substr(1), nullptr, 16)},
            };
            return DiscordMessage(std::move(embed));
        }
        case domain::Channel::kTelegram:
            return TelegramMessage(
                chat_id,
                page::EscapeHtml(ask) + "\n\n<a href=\"" + page::EscapeHtml(confirm_url) + "\">" +
                    page::EscapeHtml(action) + "</a>\n\n" + page::EscapeHtml(ignore)
            );
        case domain::Channel::kMastodon:
            // The page's own account is configured, never subscribed; a direct status is
            // the closest a caller can get, should one ever ask.
            return {
                "application/x-www-form-urlencoded",
                Form({{"status", ask + "\n\n" + confirm_url}, {"visibility", "direct"}, {"language", lang}})};
        case domain::Channel::kEmail:
            break;
    }
    // E-mail confirmations come from Templates::RenderConfirm; this is its plain fallback.
    return {"text/plain; charset=utf-8", ask + "\n\n" + action + ": " + confirm_url + "\n\n" + ignore + "\n"};
}

}  // namespace tocsin::notify
