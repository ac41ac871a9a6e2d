// Atom, RSS and iCalendar outputs (page/feeds.cpp, declared in snapshot_builder.hpp).
#include "tocsin/page/snapshot_builder.hpp"

#include "test/support/fake_clock.hpp"
#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::page {
namespace {

using namespace std::chrono_literals;
using domain::Impact;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;
using domain::IncidentUpdate;
using test::At;

const TimePoint kNow = At("2026-03-10T12:00:00Z");

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

std::size_t Count(std::string_view haystack, std::string_view needle) {
    std::size_t n = 0;
    for (auto pos = haystack.find(needle); pos != std::string_view::npos; pos = haystack.find(needle, pos + 1)) ++n;
    return n;
}

Incident MakeIncident(std::string id, std::string name, IncidentKind kind, std::string body, TimePoint at) {
    Incident i;
    i.id = std::move(id);
    i.kind = kind;
    i.name = std::move(name);
    i.status = kind == IncidentKind::kIncident ? IncidentStatus::kInvestigating : IncidentStatus::kScheduled;
    i.impact = kind == IncidentKind::kIncident ? Impact::kMinor : Impact::kMaintenance;
    i.created_at = i.updated_at = i.started_at = at;
    if (kind == IncidentKind::kMaintenance) {
        i.scheduled_for = at + 24h;
        i.scheduled_until = at + 26h;
    }
    IncidentUpdate u;
    u.id = i.id + "-u";
    u.incident_id = i.id;
    u.status = i.status;
    u.body = std::move(body);
    u.created_at = u.updated_at = u.display_at = at;
    i.updates.push_back(u);
    return i;
}

domain::PageState FeedPage() {
    domain::PageState s;
    s.settings.page_id = "page00000001";
    s.settings.name = "R&D <Status>";
    s.settings.url = "https://status.example.com";
    s.incidents = {
        MakeIncident(
            "inc2",
            "Errors & \"timeouts\" <now>",
            IncidentKind::kIncident,
            "**Bold** <script>alert(1)</script> & more",
            kNow - 1h
        ),
        MakeIncident("mnt1", "DB upgrade", IncidentKind::kMaintenance, "Planned; read-only, mostly", kNow - 2h),
        MakeIncident("inc1", "Older incident", IncidentKind::kIncident, "Fixed.", kNow - 30h),
    };
    return s;
}

// A small XML checker: tags balance, one root, attribute values quoted, and every '&' starts
// one of the five predefined entities or a character reference. Enough to catch a forgotten escape.
::testing::AssertionResult WellFormedIsh(const std::string& xml) {
    std::vector<std::string> open;
    int roots = 0;
    auto entity_ok = [&](std::size_t amp) {
        for (std::string_view e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"}) {
            if (xml.compare(amp, e.size(), e) == 0) return true;
        }
        return false;
    };
    std::size_t i = 0;
    while (i < xml.size()) {
        char c = xml[i];
        if (c == '&') {
            if (!entity_ok(i)) return ::testing::AssertionFailure() << "bare '&' at " << i << ": " << xml.substr(i, 30);
            ++i;
            continue;
        }
        if (c == '>')
            return ::testing::AssertionFailure()
                   << "stray '>' at " << i << ": " << xml.substr(i >= 20 ? i - 20 : 0, 40);
        if (c != '<') {
            ++i;
            continue;
        }
        if (xml.compare(i, 2, "<?") == 0) {
            auto end = xml.find("?>", i);
            if (end == std::string::npos) return ::testing::AssertionFailure() << "unterminated declaration";
            i = end + 2;
            continue;
        }
        auto end = xml.find('>', i);
        if (end == std::string::npos) return ::testing::AssertionFailure() << "unterminated tag at " << i;
        std::string tag = xml.substr(i + 1, end - i - 1);
        if (tag.find('<') != std::string::npos) return ::testing::AssertionFailure() << "'<' inside tag: " << tag;
        if (Count(tag, "\"") % 2 != 0) return ::testing::AssertionFailure() << "unbalanced quotes: " << tag;
        for (auto amp = tag.find('&'); amp != std::string::npos; amp = tag.find('&', amp + 1)) {
            if (!entity_ok(i + 1 + amp)) return ::testing::AssertionFailure() << "bare '&' in tag: " << tag;
        }
        if (!tag.empty() && tag[0] == '/') {
            std::string name = tag.substr(1);
            if (open.empty() || open.back() != name) {
                return ::testing::AssertionFailure()
                       << "</" << name << "> closes <" << (open.empty() ? "" : open.back()) << ">";
            }
            open.pop_back();
        } else {
            bool self_closing = !tag.empty() && tag.back() == '/';
            std::string name = tag.substr(0, tag.find_first_of(" /"));
            if (open.empty()) ++roots;
            if (!self_closing) open.push_back(name);
        }
        i = end + 1;
    }
    if (!open.empty()) return ::testing::AssertionFailure() << "unclosed <" << open.back() << ">";
    if (roots != 1) return ::testing::AssertionFailure() << roots << " root elements";
    return ::testing::AssertionSuccess();
}

TEST(WellFormedIsh, CatchesTheMistakesItLooksFor) {
    EXPECT_TRUE(WellFormedIsh("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n"));
    EXPECT_FALSE(WellFormedIsh("<a>R&D</a>"));
    EXPECT_FALSE(WellFormedIsh("<a><b></a></b>"));
    EXPECT_FALSE(WellFormedIsh("<a>x</a><a>y</a>"));
    EXPECT_FALSE(WellFormedIsh("<a>1 > 0</a>"));
}

TEST(AtomFeed, IsWellFormedAndEscaped) {
    auto s = FeedPage();
    auto xml = RenderAtom(s, kNow, "en", 50);
    EXPECT_TRUE(WellFormedIsh(xml));
    EXPECT_EQ(
        xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"", 0), 0u
    );
    EXPECT_EQ(Count(xml, "<entry>"), 3u);
    EXPECT_TRUE(Contains(xml, "<title>Errors &amp; &quot;timeouts&quot; &lt;now&gt;</title>"));
    EXPECT_TRUE(Contains(xml, "R&amp;D &lt;Status&gt;"));
    EXPECT_TRUE(Contains(xml, "<id>tag:tocsin,page00000001:incident:inc2</id>"));
    EXPECT_TRUE(Contains(xml, "href=\"https://status.example.com/incidents/inc2?lang=en\""));
    EXPECT_TRUE(Contains(xml, "<updated>" + FormatIso8601(kNow - 1h) + "</updated>"));
    EXPECT_TRUE(Contains(xml, "<category term=\"maintenance\"/>"));
    // The update body is HTML inside the XML: its markup is escaped once more.
    EXPECT_TRUE(Contains(xml, "&lt;strong&gt;Bold&lt;/strong&gt;"));
    EXPECT_TRUE(Contains(xml, "&amp;lt;script&amp;gt;"));
    EXPECT_FALSE(Contains(xml, "<script"));
    EXPECT_FALSE(Contains(xml, "<strong>"));
}

TEST(AtomFeed, RespectsTheLimit) {
    auto xml = RenderAtom(FeedPage(), kNow, "en", 2);
    EXPECT_TRUE(WellFormedIsh(xml));
    EXPECT_EQ(Count(xml, "<entry>"), 2u);
    EXPECT_FALSE(Contains(xml, "Older incident"));
}

TEST(AtomFeed, IsWellFormedWithNoEntries) {
    domain::PageState s;
    s.settings.page_id = "p";
    auto xml = RenderAtom(s, kNow, "de", 50);
    EXPECT_TRUE(WellFormedIsh(xml));
    EXPECT_EQ(Count(xml, "<entry>"), 0u);
    EXPECT_TRUE(Contains(xml, "Störungsverlauf"));
}

TEST(RssFeed, IsWellFormedAndEscaped) {
    auto xml = RenderRss(FeedPage(), kNow, "de", 50);
    EXPECT_TRUE(WellFormedIsh(xml));
    EXPECT_TRUE(Contains(xml, "<rss version=\"2.0\""));
    EXPECT_EQ(Count(xml, "<item>"), 3u);
    EXPECT_TRUE(Contains(xml, "<language>de</language>"));
    EXPECT_TRUE(Contains(xml, "Störungsverlauf"));
    EXPECT_TRUE(Contains(xml, "<title>Errors &amp; &quot;timeouts&quot; &lt;now&gt;</title>"));
    EXPECT_TRUE(Contains(xml, "<guid isPermaLink=\"false\">page00000001:inc2</guid>"));
    // RFC 822 dates, as RSS requires.
    EXPECT_TRUE(Contains(xml, "<pubDate>Tue, 10 Mar 2026 11:00:00 GMT</pubDate>"));
    EXPECT_TRUE(Contains(xml, "<lastBuildDate>Tue, 10 Mar 2026 11:00:00 GMT</lastBuildDate>"));
    EXPECT_TRUE(Contains(xml, "<link>https://status.example.com/incidents/inc2?lang=de</link>"));
    EXPECT_FALSE(Contains(xml, "<script"));
    EXPECT_TRUE(Contains(xml, "Wird untersucht"));  // the German status label in the description
}

TEST(RssFeed, RespectsTheLimit) {
    auto xml = RenderRss(FeedPage(), kNow, "en", 1);
    EXPECT_TRUE(WellFormedIsh(xml));
    EXPECT_EQ(Count(xml, "<item>"), 1u);
}

// Splits an iCalendar stream into physical lines; fails on a bare LF or CR.
std::vector<std::string> PhysicalLines(const std::string& ics) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < ics.size()) {
        auto crlf = ics.find("\r\n", start);
        EXPECT_NE(crlf, std::string::npos) << "the stream must end with CRLF";
        if (crlf == std::string::npos) break;
        std::string line = ics.substr(start, crlf - start);
        EXPECT_EQ(line.find('\n'), std::string::npos) << "bare LF in: " << line;
        EXPECT_EQ(line.find('\r'), std::string::npos) << "bare CR in: " << line;
        lines.push_back(line);
        start = crlf + 2;
    }
    return lines;
}

// RFC 5545 3.1 unfolding: a CRLF followed by one space or tab is removed.
std::vector<std::string> Unfold(const std::vector<std::string>& physical) {
    std::vector<std::string> logical;
    for (const auto& l : physical) {
        if (!l.empty() && (l[0] == ' ' || l[0] == '\t') && !logical.empty()) {
            logical.back() += l.substr(1);
        } else {
            logical.push_back(l);
        }
    }
    return logical;
}

bool IsValidUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

std::string FindProperty(const std::vector<std::string>& logical, std::string_view name) {
    for (const auto& l : logical) {
        if (l.rfind(std::string(name) + ":", 0) == 0) return l.substr(name.size() + 1);
    }
    return "<absent>";
}

TEST(ICalFeed, HasOneEventPerMaintenanceWindow) {
    auto ics = RenderICal(FeedPage(), kNow);
    auto logical = Unfold(PhysicalLines(ics));
    ASSERT_FALSE(logical.empty());
    EXPECT_EQ(logical.front(), "BEGIN:VCALENDAR");
    EXPECT_EQ(logical.back(), "END:VCALENDAR");
    EXPECT_EQ(Count(ics, "BEGIN:VEVENT"), 1u);
    EXPECT_EQ(Count(ics, "END:VEVENT"), 1u);
    EXPECT_EQ(FindProperty(logical, "VERSION"), "2.0");
    EXPECT_EQ(FindProperty(logical, "UID"), "mnt1@page00000001.tocsin");
    EXPECT_EQ(FindProperty(logical, "DTSTART"), "20260311T100000Z");
    EXPECT_EQ(FindProperty(logical, "DTEND"), "20260311T120000Z");
    EXPECT_EQ(FindProperty(logical, "DTSTAMP"), "20260310T120000Z");
    EXPECT_EQ(FindProperty(logical, "URL"), "https://status.example.com/incidents/mnt1");
    // TEXT escaping: ';' and ',' are escaped.
    EXPECT_EQ(FindProperty(logical, "DESCRIPTION"), "Planned\\; read-only\\, mostly");
    EXPECT_EQ(FindProperty(logical, "X-WR-CALNAME"), "R&D <Status> maintenance");
}

TEST(ICalFeed, EscapesTextValues) {
    domain::PageState s;
    s.settings.page_id = "p1";
    s.incidents = {MakeIncident("m", "A; B, C \\ D", IncidentKind::kMaintenance, "line one\nline two\r\nthree", kNow)};
    auto logical = Unfold(PhysicalLines(RenderICal(s, kNow)));
    EXPECT_EQ(FindProperty(logical, "SUMMARY"), "A\\; B\\, C \\\\ D");
    EXPECT_EQ(FindProperty(logical, "DESCRIPTION"), "line one\\nline two\\nthree");
}

TEST(ICalFeed, FoldsLongLinesAt75OctetsWithoutSplittingCharacters) {
    struct Case {
        std::string_view name;
        std::string text;
    };
    const Case cases[] = {
        {"ascii", std::string(300, 'x')},
        {"two-byte characters",
         [] {
             std::string t;
             for (int i = 0; i < 120; ++i) t += "\xC3\xA4";  // ä
             return t;
         }()},
        {"three-byte characters",
         [] {
             std::string t;
             for (int i = 0; i < 90; ++i) t += "\xE2\x82\xAC";  // €
             return t;
         }()},
        {"four-byte characters",
         [] {
             std::string t;
             for (int i = 0; i < 70; ++i) t += "\xF0\x9F\x98\x80";  // 😀
             return t;
         }()},
        {"mixed widths",
         [] {
             std::string t;
             for (int i = 0; i < 40; ++i) t += "a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80";
             return t;
         }()},
    };
    for (const auto& c : cases) {
        for (std::size_t shift = 0; shift < 4; ++shift) {
            SCOPED_TRACE(std::string(c.name) + " shifted by " + std::to_string(shift));
            std::string name = std::string(shift, 's') + c.text;
            domain::PageState s;
            s.settings.page_id = "p1";
            s.incidents = {MakeIncident("m", name, IncidentKind::kMaintenance, name, kNow)};
            auto physical = PhysicalLines(RenderICal(s, kNow));
            for (const auto& l : physical) {
                EXPECT_LE(l.size(), 75u) << l;
                EXPECT_TRUE(IsValidUtf8(l)) << "a fold split a character: " << l;
            }
            auto logical = Unfold(physical);
            EXPECT_EQ(FindProperty(logical, "SUMMARY"), name);
            EXPECT_EQ(FindProperty(logical, "DESCRIPTION"), name);
        }
    }
}

TEST(ICalFeed, IsAValidEmptyCalendarWithoutMaintenance) {
    domain::PageState s;
    s.settings.page_id = "p1";
    s.incidents = {MakeIncident("i", "Incident only", IncidentKind::kIncident, "x", kNow)};
    auto ics = RenderICal(s, kNow);
    auto logical = Unfold(PhysicalLines(ics));
    EXPECT_EQ(Count(ics, "BEGIN:VEVENT"), 0u);
    EXPECT_EQ(logical.front(), "BEGIN:VCALENDAR");
    EXPECT_EQ(logical.back(), "END:VCALENDAR");
}

}  // namespace
}  // namespace tocsin::page
