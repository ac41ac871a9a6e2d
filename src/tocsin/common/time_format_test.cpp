#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {
namespace {

using namespace std::chrono;

// Expected instants are built with <chrono> calendar types, not with the parser under test.
TimePoint Utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
    return time_point_cast<milliseconds>(sys_days{year{y} / month{mo} / day{d}}) + hours{h} + minutes{mi} + seconds{s} +
           milliseconds{ms};
}

TEST(ParseIso8601, AcceptsZonesFractionsAndBareDates) {
    struct Case {
        std::string_view name;
        std::string_view text;
        TimePoint want;
    };
    const Case cases[] = {
        {"zulu", "2025-03-01T10:15:02Z", Utc(2025, 3, 1, 10, 15, 2)},
        {"lowercase zulu", "2025-03-01T10:15:02z", Utc(2025, 3, 1, 10, 15, 2)},
        {"zulu with millis", "2025-03-01T10:15:02.118Z", Utc(2025, 3, 1, 10, 15, 2, 118)},
        {"offset +00:00", "2025-03-01T10:15:02+00:00", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset +0000", "2025-03-01T10:15:02+0000", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset -00:00", "2025-03-01T10:15:02-00:00", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset +02:00 is two hours ahead of UTC", "2025-03-01T12:15:02+02:00", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset +0200", "2025-03-01T12:15:02+0200", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset +02 (hours only)", "2025-03-01T12:15:02+02", Utc(2025, 3, 1, 10, 15, 2)},
        {"negative offset with minutes", "2025-03-01T05:45:02-04:30", Utc(2025, 3, 1, 10, 15, 2)},
        {"offset moves the date back", "2025-03-01T01:15:02+02:00", Utc(2025, 2, 28, 23, 15, 2)},
        {"offset moves the date forward across a year", "2025-12-31T23:30:00-01:00", Utc(2026, 1, 1, 0, 30, 0)},
        {"offset with fraction", "2025-03-01T12:15:02.250+02:00", Utc(2025, 3, 1, 10, 15, 2, 250)},
        {"one fraction digit is tenths", "2025-03-01T10:15:02.1Z", Utc(2025, 3, 1, 10, 15, 2, 100)},
        {"two fraction digits are hundredths", "2025-03-01T10:15:02.12Z", Utc(2025, 3, 1, 10, 15, 2, 120)},
        {"microseconds truncate to millis", "2025-03-01T10:15:02.123999Z", Utc(2025, 3, 1, 10, 15, 2, 123)},
        {"comma as decimal mark", "2025-03-01T10:15:02,5Z", Utc(2025, 3, 1, 10, 15, 2, 500)},
        {"space instead of T", "2025-03-01 10:15:02Z", Utc(2025, 3, 1, 10, 15, 2)},
        {"bare date is midnight UTC", "2025-03-01", Utc(2025, 3, 1)},
        {"leap day", "2024-02-29", Utc(2024, 2, 29)},
        {"last instant of a day", "2025-03-01T23:59:59.999Z", Utc(2025, 3, 1, 23, 59, 59, 999)},
        {"epoch", "1970-01-01T00:00:00Z", TimePoint{}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto got = ParseIso8601(c.text);
        ASSERT_TRUE(got.has_value()) << c.text;
        EXPECT_EQ(ToMillis(*got), ToMillis(c.want)) << c.text;
    }
}

TEST(ParseIso8601, RejectsMalformedInvalidOrZonelessText) {
    struct Case {
        std::string_view name;
        std::string_view text;
    };
    const Case cases[] = {
        {"empty", ""},
        {"garbage", "yesterday at noon"},
        {"time without zone is ambiguous", "2025-03-01T10:15:02"},
        {"time with fraction but without zone", "2025-03-01T10:15:02.118"},
        {"February 30th", "2025-02-30"},
        {"February 30th with a time", "2025-02-30T10:00:00Z"},
        {"February 29th in a common year", "2023-02-29"},
        {"April 31st", "2025-04-31T00:00:00Z"},
        {"month 13", "2025-13-01"},
        {"month 0", "2025-00-10"},
        {"day 0", "2025-03-00"},
        {"hour 24", "2025-03-01T24:00:00Z"},
        {"minute 60", "2025-03-01T10:60:00Z"},
        {"single-digit month and day", "2025-3-1"},
        {"basic format without separators", "20250301T101502Z"},
        {"T without a time", "2025-03-01T"},
        {"junk after the date", "2025-03-01X"},
        {"junk after the zone", "2025-03-01T10:15:02Zjunk"},
        {"two zones", "2025-03-01T10:15:02Z+01:00"},
        {"dot without fraction digits", "2025-03-01T10:15:02.Z"},
        {"letters in the time", "2025-03-01T1a:15:02Z"},
        {"one-digit offset hour", "2025-03-01T10:15:02+2:00"},
        {"one-digit offset minute", "2025-03-01T10:15:02+02:0"},
        {"three-digit offset", "2025-03-01T10:15:02+021"},
        {"offset hour out of range", "2025-03-01T10:15:02+24:00"},
        {"offset minute out of range", "2025-03-01T10:15:02+02:60"},
        {"sign without offset", "2025-03-01T10:15:02+"},
        {"leading whitespace", " 2025-03-01T10:15:02Z"},
        {"trailing whitespace", "2025-03-01T10:15:02Z "},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto got = ParseIso8601(c.text);
        EXPECT_FALSE(got.has_value()) << c.text << " parsed as " << FormatIso8601(got.value_or(TimePoint{}));
    }
}

TEST(FormatIso8601, WritesUtcWithMillisecondsAlways) {
    struct Case {
        std::string_view name;
        TimePoint t;
        std::string_view want;
    };
    const Case cases[] = {
        {"epoch", TimePoint{}, "1970-01-01T00:00:00.000Z"},
        {"millis kept", Utc(2025, 3, 1, 10, 15, 2, 118), "2025-03-01T10:15:02.118Z"},
        {"whole second still has .000", Utc(2025, 3, 1, 10, 15, 2), "2025-03-01T10:15:02.000Z"},
        {"leap day end", Utc(2024, 2, 29, 23, 59, 59, 999), "2024-02-29T23:59:59.999Z"},
        {"single-digit fields are zero-padded", Utc(2026, 1, 2, 3, 4, 5, 6), "2026-01-02T03:04:05.006Z"},
        {"one millisecond before the epoch", FromMillis(-1), "1969-12-31T23:59:59.999Z"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(FormatIso8601(c.t), c.want);
    }
}

TEST(FormatIso8601, RoundTripsThroughParse) {
    const TimePoint samples[] = {
        TimePoint{},
        Utc(2025, 3, 1, 10, 15, 2, 118),
        Utc(2024, 2, 29, 23, 59, 59, 999),
        Utc(2099, 12, 31, 0, 0, 0, 1),
        FromMillis(-86'400'001),
    };
    for (auto t : samples) {
        auto text = FormatIso8601(t);
        SCOPED_TRACE(text);
        auto back = ParseIso8601(text);
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(ToMillis(*back), ToMillis(t));
    }
}

TEST(FormatHttpDate, WritesImfFixdateInGmtAndDropsMillis) {
    struct Case {
        std::string_view name;
        TimePoint t;
        std::string_view want;
    };
    const Case cases[] = {
        {"RFC 7231 example", Utc(1994, 11, 6, 8, 49, 37), "Sun, 06 Nov 1994 08:49:37 GMT"},
        {"epoch is a Thursday", TimePoint{}, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {"millis are truncated, not rounded", Utc(2025, 3, 1, 10, 15, 2, 999), "Sat, 01 Mar 2025 10:15:02 GMT"},
        {"leap day", Utc(2024, 2, 29, 12, 0, 0), "Thu, 29 Feb 2024 12:00:00 GMT"},
        {"December", Utc(2025, 12, 31, 23, 59, 59), "Wed, 31 Dec 2025 23:59:59 GMT"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(FormatHttpDate(c.t), c.want);
    }
}

TEST(FormatICalUtc, WritesBasicFormatWithZAndDropsMillis) {
    struct Case {
        std::string_view name;
        TimePoint t;
        std::string_view want;
    };
    const Case cases[] = {
        {"plain", Utc(2025, 3, 1, 10, 15, 2), "20250301T101502Z"},
        {"millis are truncated", Utc(2025, 3, 1, 10, 15, 2, 999), "20250301T101502Z"},
        {"zero-padded", Utc(2026, 1, 2, 3, 4, 5), "20260102T030405Z"},
        {"end of year", Utc(2025, 12, 31, 23, 59, 59), "20251231T235959Z"},
        {"epoch", TimePoint{}, "19700101T000000Z"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(FormatICalUtc(c.t), c.want);
    }
}

TEST(EscapeICalText, EscapesTextSpecialsAndDropsControlCharacters) {
    EXPECT_EQ(EscapeICalText("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    EXPECT_EQ(EscapeICalText(std::string("tab\there\x01\x1f end", 15)), "tab\there end");
    EXPECT_EQ(EscapeICalText("Zoë: 10€"), "Zoë: 10€");  // UTF-8 and colons pass as they are
    EXPECT_EQ(EscapeICalText(""), "");
}

// The physical lines of folded text (without CRLF); fails the test if one has no CRLF.
std::vector<std::string> PhysicalLines(const std::string& folded) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < folded.size()) {
        const auto end = folded.find("\r\n", pos);
        EXPECT_NE(end, std::string::npos);
        if (end == std::string::npos) break;
        lines.push_back(folded.substr(pos, end - pos));
        pos = end + 2;
    }
    return lines;
}

std::string Unfold(const std::string& folded) {
    std::string out;
    for (const auto& line : PhysicalLines(folded)) out += out.empty() ? line : line.substr(1);
    return out;
}

TEST(FoldICalLine, FoldsAt75OctetsWithLeadingSpaceAndCrlf) {
    EXPECT_EQ(FoldICalLine(""), "\r\n");
    EXPECT_EQ(FoldICalLine("VERSION:2.0"), "VERSION:2.0\r\n");
    EXPECT_EQ(FoldICalLine(std::string(75, 'x')), std::string(75, 'x') + "\r\n");
    EXPECT_EQ(FoldICalLine(std::string(76, 'x')), std::string(75, 'x') + "\r\n x\r\n");
    // Continuation lines carry 74 octets after their space.
    EXPECT_EQ(
        FoldICalLine(std::string(75 + 74 + 1, 'x')),
        std::string(75, 'x') + "\r\n " + std::string(74, 'x') + "\r\n x\r\n"
    );
}

TEST(FoldICalLine, NeverSplitsAUtf8SequenceNorPasses75Octets) {
    for (const std::string ch : {"ë", "€", "😀"}) {  // 2, 3 and 4 octets
        for (std::size_t prefix = 0; prefix < 4; ++prefix) {
            std::string line = "SUMMARY:" + std::string(prefix, 'p');
            for (int i = 0; i < 40; ++i) line += ch;
            SCOPED_TRACE(ch + " after " + std::to_string(prefix));
            const auto folded = FoldICalLine(line);
            const auto lines = PhysicalLines(folded);
            ASSERT_GT(lines.size(), 1u);
            for (std::size_t i = 0; i < lines.size(); ++i) {
                EXPECT_LE(lines[i].size(), 75u);
                if (i > 0) {
                    ASSERT_EQ(lines[i][0], ' ');
                    EXPECT_NE(static_cast<unsigned char>(lines[i][1]) & 0xC0, 0x80) << "split character";
                }
            }
            EXPECT_EQ(Unfold(folded), line);
        }
    }
}

TEST(FoldICalLine, InvalidUtf8StillFoldsAndKeepsEveryByte) {
    const std::string stray(200, '\x80');  // continuation bytes with no lead byte
    const auto folded = FoldICalLine(stray);
    for (const auto& line : PhysicalLines(folded)) EXPECT_LE(line.size(), 75u);
    EXPECT_EQ(Unfold(folded), stray);
    const std::string truncated = std::string(74, 'x') + "\xE2\x82";  // a cut 3-octet character
    EXPECT_EQ(Unfold(FoldICalLine(truncated)), truncated);
}

TEST(TimeMillis, ConvertsBothWays) {
    EXPECT_EQ(ToMillis(Utc(1970, 1, 1, 0, 0, 1, 5)), 1005);
    EXPECT_EQ(FromMillis(1005), Utc(1970, 1, 1, 0, 0, 1, 5));
    EXPECT_EQ(ToMillis(FromMillis(-42)), -42);
}

}  // namespace
}  // namespace tocsin
