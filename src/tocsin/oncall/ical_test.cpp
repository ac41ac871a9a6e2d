#include "tocsin/oncall/ical.hpp"

#include <gtest/gtest.h>

namespace tocsin::oncall {
namespace {

using namespace std::chrono_literals;

TimePoint At(std::int64_t seconds) {
    return TimePoint{std::chrono::seconds(seconds)};
}

// Undoes folding: CRLF followed by one space or tab joins the lines.
std::string Unfold(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 3, "\r\n ") == 0) {
            i += 2;
            continue;
        }
        out += text[i];
    }
    return out;
}

TEST(ICal, FoldsAt75OctetsWithoutSplittingUtf8) {
    std::string value;
    for (int i = 0; i < 60; ++i) value += "Zoë ";  // 'ë' is two octets
    const auto folded = FoldICalLine("SUMMARY:" + value);
    std::size_t pos = 0;
    int lines = 0;
    while (pos < folded.size()) {
        const auto end = folded.find("\r\n", pos);
        ASSERT_NE(end, std::string::npos);
        const auto line = folded.substr(pos, end - pos);
        EXPECT_LE(line.size(), 75u) << line;
        if (lines > 0) {
            EXPECT_EQ(line[0], ' ');
        }
        // A line never starts or ends inside a multi-byte character.
        const auto first = static_cast<unsigned char>(line[lines > 0 ? 1 : 0]);
        EXPECT_NE(first & 0xC0, 0x80);
        pos = end + 2;
        ++lines;
    }
    EXPECT_GT(lines, 3);
    EXPECT_EQ(Unfold(folded), "SUMMARY:" + value + "\r\n");
    EXPECT_EQ(FoldICalLine("VERSION:2.0"), "VERSION:2.0\r\n");
    EXPECT_EQ(FoldICalLine(std::string(75, 'x')), std::string(75, 'x') + "\r\n");
    EXPECT_EQ(FoldICalLine(std::string(76, 'x')), std::string(75, 'x') + "\r\n x\r\n");
}

TEST(ICal, EscapesText) {
    EXPECT_EQ(EscapeICalText("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
}

TEST(ICal, RendersACalendarWithCrlfUtcTimesAndStableUids) {
    Shift s{"u1", At(1767603600), At(1768208400), 0};  // 2026-01-05T09:00Z .. 2026-01-12T09:00Z
    const auto uid = ShiftUid("sched1", s);
    EXPECT_EQ(uid, "shift-sched1-u1-1767603600000@tocsin");
    Shift longer = s;
    longer.end += 2h;  // an override extends it: same event
    EXPECT_EQ(ShiftUid("sched1", longer), uid);

    const auto text =
        RenderICal("Primary, on call", {{uid, s.start, s.end, "On call: Primary", "Ann; weekly"}}, At(1767600000));
    // Every line ends in CRLF; no bare LF.
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            ASSERT_GT(i, 0u);
            EXPECT_EQ(text[i - 1], '\r');
        }
    }
    EXPECT_EQ(text.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
    EXPECT_NE(text.find("X-WR-CALNAME:Primary\\, on call\r\n"), std::string::npos);
    EXPECT_NE(text.find("UID:" + uid + "\r\n"), std::string::npos);
    EXPECT_NE(text.find("DTSTART:20260105T090000Z\r\n"), std::string::npos);
    EXPECT_NE(text.find("DTEND:20260112T090000Z\r\n"), std::string::npos);
    EXPECT_NE(text.find("DTSTAMP:20260105T080000Z\r\n"), std::string::npos);
    EXPECT_NE(text.find("DESCRIPTION:Ann\\; weekly\r\n"), std::string::npos);
    EXPECT_TRUE(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
}

}  // namespace
}  // namespace tocsin::oncall
