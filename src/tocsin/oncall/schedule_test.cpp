#include "tocsin/oncall/schedule.hpp"

#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

namespace tocsin::oncall {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

TimePoint Utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0) {
    return TimePoint{std::chrono::sys_days{std::chrono::year{y} / m / d}.time_since_epoch() + hours(h) + minutes(mi)};
}

Schedule OneLayer(std::string zone, Layer layer) {
    Schedule s;
    s.id = "s1";
    s.name = "primary";
    s.time_zone = std::move(zone);
    s.layers.push_back(std::move(layer));
    return s;
}

Layer Rotation(
    Layer::Kind kind,
    TimePoint start,
    std::vector<std::string> users,
    int handoff_minute = 9 * 60,
    int handoff_weekday = 0
) {
    Layer l;
    l.name = "rotation";
    l.kind = kind;
    l.start = start;
    l.user_ids = std::move(users);
    l.handoff_minute = handoff_minute;
    l.handoff_weekday = handoff_weekday;
    return l;
}

std::string Who(const Schedule& s, TimePoint t) {
    auto users = OnCallAt(s, t);
    EXPECT_LE(users.size(), 1u);
    return users.empty() ? std::string() : users.front();
}

// --- DST: daily handoffs at 02:30 local -------------------------------------------------------

TEST(ScheduleDst, BerlinSpringForwardHandoffAtSkippedTimeHappensAtTheTransition) {
    // 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 does not exist.
    auto s = OneLayer("Europe/Berlin", Rotation(Layer::Kind::kDaily, Utc(2026, 3, 27, 1, 30), {"a", "b"}, 150));
    // Handoffs: 03-28 02:30 CET = 01:30 UTC; 03-29 at the transition 03:00 CEST = 01:00 UTC.
    EXPECT_EQ(Who(s, Utc(2026, 3, 28, 1, 29)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 3, 28, 1, 30)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 3, 29, 0, 59)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 3, 29, 1, 0)), "a");
    // The next day 02:30 CEST = 00:30 UTC again.
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 0, 29)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 0, 30)), "b");
    auto shifts = Shifts(s, Utc(2026, 3, 28), Utc(2026, 3, 31));
    ASSERT_EQ(shifts.size(), 4u);
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 3, 28, 1, 30), Utc(2026, 3, 29, 1, 0), 0}));
    EXPECT_EQ(shifts[2], (Shift{"a", Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 0, 30), 0}));
}

TEST(ScheduleDst, BerlinFallBackHandoffAtRepeatedTimeHappensAtTheFirstOccurrence) {
    // 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    auto s = OneLayer("Europe/Berlin", Rotation(Layer::Kind::kDaily, Utc(2026, 10, 24, 0, 30), {"a", "b"}, 150));
    EXPECT_EQ(Who(s, Utc(2026, 10, 25, 0, 29)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 10, 25, 0, 30)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 10, 25, 1, 30)), "b");  // the second 02:30 is no handoff
    // The day after: 02:30 CET = 01:30 UTC. The fall-back shift lasted 25 hours.
    EXPECT_EQ(Who(s, Utc(2026, 10, 26, 1, 29)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 10, 26, 1, 30)), "a");
    auto shifts = LayerShifts(s, 0, Utc(2026, 10, 25), Utc(2026, 10, 27));
    ASSERT_GE(shifts.size(), 2u);
    EXPECT_EQ(shifts[1].end - shifts[1].start, hours(25));
}

TEST(ScheduleDst, NewYorkSpringForwardAndFallBack) {
    // 2026-03-08: 02:00 EST -> 03:00 EDT (02:30 skipped); 2026-11-01: 02:00 EDT -> 01:00 EST.
    auto spring = OneLayer("America/New_York", Rotation(Layer::Kind::kDaily, Utc(2026, 3, 6, 7, 30), {"a", "b"}, 150));
    EXPECT_EQ(Who(spring, Utc(2026, 3, 7, 7, 29)), "a");
    EXPECT_EQ(Who(spring, Utc(2026, 3, 7, 7, 30)), "b");  // 02:30 EST
    EXPECT_EQ(Who(spring, Utc(2026, 3, 8, 6, 59)), "b");
    EXPECT_EQ(Who(spring, Utc(2026, 3, 8, 7, 0)), "a");   // the transition, 03:00 EDT
    EXPECT_EQ(Who(spring, Utc(2026, 3, 9, 6, 30)), "b");  // 02:30 EDT

    // 02:30 is not repeated in New York (01:00-02:00 is): a plain 02:30 EST handoff.
    auto fall = OneLayer("America/New_York", Rotation(Layer::Kind::kDaily, Utc(2026, 10, 31, 6, 30), {"a", "b"}, 150));
    EXPECT_EQ(Who(fall, Utc(2026, 11, 1, 7, 29)), "a");
    EXPECT_EQ(Who(fall, Utc(2026, 11, 1, 7, 30)), "b");
    // 01:30 is repeated: 05:30 UTC (EDT) first, 06:30 UTC (EST) second.
    auto repeated =
        OneLayer("America/New_York", Rotation(Layer::Kind::kDaily, Utc(2026, 10, 31, 5, 30), {"a", "b"}, 90));
    EXPECT_EQ(Who(repeated, Utc(2026, 11, 1, 5, 29)), "a");
    EXPECT_EQ(Who(repeated, Utc(2026, 11, 1, 5, 30)), "b");
    EXPECT_EQ(Who(repeated, Utc(2026, 11, 1, 6, 30)), "b");
    EXPECT_EQ(Who(repeated, Utc(2026, 11, 2, 6, 30)), "a");  // 01:30 EST
}

TEST(ScheduleDst, WeeklyRotationKeepsTheLocalHandoffTimeAcrossDst) {
    // Monday 09:00 Europe/Berlin: 08:00 UTC in winter, 07:00 UTC in summer.
    auto s = OneLayer("Europe/Berlin", Rotation(Layer::Kind::kWeekly, Utc(2026, 3, 16, 8), {"a", "b", "c"}));
    EXPECT_EQ(Who(s, Utc(2026, 3, 23, 7, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 3, 23, 8, 0)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 6, 59)), "b");
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 7, 0)), "c");
    // Back to CET in November: Monday 2026-11-02 09:00 CET = 08:00 UTC. 33 weeks after 03-16.
    EXPECT_EQ(Who(s, Utc(2026, 11, 2, 7, 59)), "c");  // turn 32
    EXPECT_EQ(Who(s, Utc(2026, 11, 2, 8, 0)), "a");   // turn 33
    auto shifts = Shifts(s, Utc(2026, 3, 23, 8), Utc(2026, 3, 30, 7));
    ASSERT_EQ(shifts.size(), 1u);
    EXPECT_EQ(shifts[0].end - shifts[0].start, hours(7 * 24 - 1));

    // New York, Friday 17:00 weekly (handoff_weekday 4).
    auto ny =
        OneLayer("America/New_York", Rotation(Layer::Kind::kWeekly, Utc(2026, 10, 23, 21), {"a", "b"}, 17 * 60, 4));
    EXPECT_EQ(Who(ny, Utc(2026, 10, 30, 20, 59)), "a");
    EXPECT_EQ(Who(ny, Utc(2026, 10, 30, 21, 0)), "b");  // 17:00 EDT
    EXPECT_EQ(Who(ny, Utc(2026, 11, 6, 21, 59)), "b");
    EXPECT_EQ(Who(ny, Utc(2026, 11, 6, 22, 0)), "a");  // 17:00 EST
}

TEST(ScheduleDst, WholeDayCustomTurnsKeepTheLocalTimeHourTurnsDoNot) {
    Layer days3 = Rotation(Layer::Kind::kCustom, Utc(2026, 3, 27, 8), {"a", "b"});  // 09:00 CET
    days3.turn_length = days(3);
    auto s = OneLayer("Europe/Berlin", days3);
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 6, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 3, 30, 7, 0)), "b");  // 09:00 CEST

    Layer twelve = Rotation(Layer::Kind::kCustom, Utc(2026, 3, 28, 20), {"a", "b"});
    twelve.turn_length = hours(12);
    auto h = OneLayer("Europe/Berlin", twelve);
    EXPECT_EQ(Who(h, Utc(2026, 3, 29, 7, 59)), "a");
    EXPECT_EQ(Who(h, Utc(2026, 3, 29, 8, 0)), "b");  // 12 real hours, across the gap
    EXPECT_EQ(Who(h, Utc(2026, 3, 29, 20, 0)), "a");
}

// --- midnight -------------------------------------------------------------------------------

TEST(ScheduleMidnight, DailyHandoffAtMidnight) {
    auto s = OneLayer("Europe/Berlin", Rotation(Layer::Kind::kDaily, Utc(2026, 1, 4, 23), {"a", "b"}, 0));
    auto shifts = Shifts(s, Utc(2026, 1, 4, 23), Utc(2026, 1, 7, 23));
    ASSERT_EQ(shifts.size(), 3u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 1, 4, 23), Utc(2026, 1, 5, 23), 0}));
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 1, 5, 23), Utc(2026, 1, 6, 23), 0}));
    EXPECT_EQ(shifts[2], (Shift{"a", Utc(2026, 1, 6, 23), Utc(2026, 1, 7, 23), 0}));
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 23) - milliseconds(1)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 23)), "b");
}

TEST(ScheduleMidnight, SkippedMidnightHandsOffAtTheTransition) {
    // America/Sao_Paulo 2018-11-04: 00:00 -03 jumped to 01:00 -02 (03:00 UTC).
    auto s = OneLayer("America/Sao_Paulo", Rotation(Layer::Kind::kDaily, Utc(2018, 11, 3, 3), {"a", "b"}, 0));
    EXPECT_EQ(Who(s, Utc(2018, 11, 4, 2, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2018, 11, 4, 3, 0)), "b");
    EXPECT_EQ(Who(s, Utc(2018, 11, 5, 1, 59)), "b");
    EXPECT_EQ(Who(s, Utc(2018, 11, 5, 2, 0)), "a");  // 00:00 -02
}

TEST(ScheduleMidnight, WeeklyHandoffAtSundayMidnight) {
    // Handoff Monday 00:00 UTC; the first turn is partial (start is on a Wednesday).
    auto s = OneLayer("UTC", Rotation(Layer::Kind::kWeekly, Utc(2026, 1, 7, 12), {"a", "b"}, 0, 0));
    auto shifts = Shifts(s, Utc(2026, 1, 1), Utc(2026, 1, 26));
    ASSERT_EQ(shifts.size(), 3u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 1, 7, 12), Utc(2026, 1, 12), 0}));
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 1, 12), Utc(2026, 1, 19), 0}));
    EXPECT_EQ(shifts[2], (Shift{"a", Utc(2026, 1, 19), Utc(2026, 1, 26), 0}));
    EXPECT_EQ(Who(s, Utc(2026, 1, 7, 11, 59)), "");  // before the layer starts
}

// --- restrictions -----------------------------------------------------------------------------

TEST(ScheduleRestrictions, NightsCrossMidnight) {
    Layer l = Rotation(Layer::Kind::kDaily, Utc(2026, 6, 1, 7), {"a", "b"});  // 09:00 CEST handoff
    l.restrictions.push_back(Restriction{-1, 22 * 60, -1, 6 * 60});           // 22:00-06:00 local
    auto s = OneLayer("Europe/Berlin", l);
    auto shifts = Shifts(s, Utc(2026, 6, 1), Utc(2026, 6, 4));
    ASSERT_EQ(shifts.size(), 3u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 6, 1, 20), Utc(2026, 6, 2, 4), 0}));
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 6, 2, 20), Utc(2026, 6, 3, 4), 0}));
    EXPECT_EQ(shifts[2], (Shift{"a", Utc(2026, 6, 3, 20), Utc(2026, 6, 4), 0}));
    EXPECT_EQ(Who(s, Utc(2026, 6, 2, 3, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 6, 2, 4, 0)), "");
    EXPECT_EQ(Who(s, Utc(2026, 6, 2, 12, 0)), "");
}

TEST(ScheduleRestrictions, RotationHandoffInsideAWindowSplitsIt) {
    Layer l = Rotation(Layer::Kind::kDaily, Utc(2026, 6, 1, 0), {"a", "b"}, 0);  // UTC midnight handoff
    l.restrictions.push_back(Restriction{-1, 22 * 60, -1, 6 * 60});
    auto s = OneLayer("UTC", l);
    auto shifts = Shifts(s, Utc(2026, 6, 1, 12), Utc(2026, 6, 2, 12));
    ASSERT_EQ(shifts.size(), 2u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 6, 1, 22), Utc(2026, 6, 2), 0}));
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 6, 2), Utc(2026, 6, 2, 6), 0}));
}

TEST(ScheduleRestrictions, WeekendWindowCrossesTheWeekEnd) {
    // Friday 18:00 -> Monday 08:00 (end weekday before start weekday).
    Layer l = Rotation(Layer::Kind::kWeekly, Utc(2025, 12, 29), {"a"}, 0, 0);
    l.restrictions.push_back(Restriction{4, 18 * 60, 0, 8 * 60});
    auto s = OneLayer("UTC", l);
    auto shifts = Shifts(s, Utc(2026, 1, 5), Utc(2026, 1, 19));  // Mon 5th .. Mon 19th
    ASSERT_EQ(shifts.size(), 3u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 1, 5), Utc(2026, 1, 5, 8), 0}));  // the tail of the weekend before
    EXPECT_EQ(shifts[1], (Shift{"a", Utc(2026, 1, 9, 18), Utc(2026, 1, 12, 8), 0}));
    EXPECT_EQ(shifts[2], (Shift{"a", Utc(2026, 1, 16, 18), Utc(2026, 1, 19), 0}));
    EXPECT_EQ(Who(s, Utc(2026, 1, 11, 23, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 1, 12, 8, 0)), "");
}

TEST(ScheduleRestrictions, WeekdayBusinessHoursAndSundayNightIntoMonday) {
    Layer l = Rotation(Layer::Kind::kDaily, Utc(2026, 1, 1), {"a"}, 0);
    for (int d = 0; d < 5; ++d) l.restrictions.push_back(Restriction{d, 9 * 60, d, 17 * 60});
    l.restrictions.push_back(Restriction{6, 22 * 60, 0, 2 * 60});  // Sunday 22:00 -> Monday 02:00
    auto s = OneLayer("America/New_York", l);
    // Monday 2026-01-05 in New York (EST, UTC-5).
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 14)), "a");  // 09:00
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 22)), "");   // 17:00
    EXPECT_EQ(Who(s, Utc(2026, 1, 10, 15)), "");  // Saturday 10:00
    EXPECT_EQ(Who(s, Utc(2026, 1, 12, 3)), "a");  // Sunday 22:00
    EXPECT_EQ(Who(s, Utc(2026, 1, 12, 6, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 1, 12, 7)), "");  // Monday 02:00
}

// --- layers and overrides ----------------------------------------------------------------------

TEST(ScheduleLayers, LaterLayersWinWhereTheyHaveSomeoneOverridesWinOverAll) {
    Schedule s;
    s.name = "x";
    s.time_zone = "UTC";
    s.layers.push_back(Rotation(Layer::Kind::kWeekly, Utc(2026, 1, 5), {"base1", "base2"}, 0, 0));
    Layer day = Rotation(Layer::Kind::kDaily, Utc(2026, 1, 5), {"day"}, 0);
    for (int d = 0; d < 5; ++d) day.restrictions.push_back(Restriction{d, 9 * 60, d, 17 * 60});
    s.layers.push_back(day);
    // o1 covers part of a day window and part of the base; o2 overlaps o1 and wins (listed later).
    s.overrides.push_back(Override{"o1", "ov1", Utc(2026, 1, 5, 16), Utc(2026, 1, 5, 20)});
    s.overrides.push_back(Override{"o2", "ov2", Utc(2026, 1, 5, 19), Utc(2026, 1, 5, 21)});

    auto shifts = Shifts(s, Utc(2026, 1, 5), Utc(2026, 1, 6, 12));
    std::vector<Shift> want{
        {"base1", Utc(2026, 1, 5), Utc(2026, 1, 5, 9), 0},
        {"day", Utc(2026, 1, 5, 9), Utc(2026, 1, 5, 16), 1},
        {"ov1", Utc(2026, 1, 5, 16), Utc(2026, 1, 5, 19), -1},
        {"ov2", Utc(2026, 1, 5, 19), Utc(2026, 1, 5, 21), -1},
        {"base1", Utc(2026, 1, 5, 21), Utc(2026, 1, 6, 9), 0},
        {"day", Utc(2026, 1, 6, 9), Utc(2026, 1, 6, 12), 1},
    };
    EXPECT_EQ(shifts, want);
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 19, 30)), "ov2");
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 18)), "ov1");
    EXPECT_EQ(Who(s, Utc(2026, 1, 5, 12)), "day");

    auto layer0 = LayerShifts(s, 0, Utc(2026, 1, 5), Utc(2026, 1, 20));
    ASSERT_EQ(layer0.size(), 3u);
    EXPECT_EQ(layer0[1], (Shift{"base2", Utc(2026, 1, 12), Utc(2026, 1, 19), 0}));
    EXPECT_TRUE(LayerShifts(s, 2, Utc(2026, 1, 5), Utc(2026, 1, 20)).empty());
}

TEST(ScheduleLayers, OverrideOfTheSameUserMergesWithTheirShift) {
    auto s = OneLayer("UTC", Rotation(Layer::Kind::kDaily, Utc(2026, 1, 5), {"a", "b"}, 0));
    s.overrides.push_back(Override{"o", "a", Utc(2026, 1, 6), Utc(2026, 1, 6, 6)});  // a stays 6 hours longer
    auto shifts = Shifts(s, Utc(2026, 1, 5), Utc(2026, 1, 7));
    ASSERT_EQ(shifts.size(), 2u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 1, 5), Utc(2026, 1, 6, 6), 0}));
    EXPECT_EQ(shifts[1], (Shift{"b", Utc(2026, 1, 6, 6), Utc(2026, 1, 7), 0}));
}

TEST(ScheduleLayers, LayerEndAndEmptySchedule) {
    Layer l = Rotation(Layer::Kind::kDaily, Utc(2026, 1, 5), {"a"}, 0);
    l.end = Utc(2026, 1, 8);
    auto s = OneLayer("UTC", l);
    EXPECT_EQ(Who(s, Utc(2026, 1, 7, 23, 59)), "a");
    EXPECT_EQ(Who(s, Utc(2026, 1, 8)), "");
    auto shifts = Shifts(s, Utc(2026, 1, 1), Utc(2026, 1, 31));
    ASSERT_EQ(shifts.size(), 1u);
    EXPECT_EQ(shifts[0], (Shift{"a", Utc(2026, 1, 5), Utc(2026, 1, 8), 0}));
    Schedule empty;
    empty.time_zone = "UTC";
    EXPECT_TRUE(OnCallAt(empty, Utc(2026, 1, 1)).empty());
    EXPECT_TRUE(Shifts(empty, Utc(2026, 1, 1), Utc(2026, 2, 1)).empty());
}

// --- a long horizon: Shifts and OnCallAt agree --------------------------------------------------

TEST(ScheduleHorizon, ThousandDaysOfShiftsAgreeWithOnCallAtEveryHour) {
    Schedule s;
    s.name = "follow the sun";
    s.time_zone = "Europe/Berlin";
    s.layers.push_back(Rotation(Layer::Kind::kWeekly, Utc(2026, 1, 5, 8), {"w1", "w2", "w3"}, 9 * 60 + 30, 0));
    Layer nights = Rotation(Layer::Kind::kDaily, Utc(2026, 1, 1), {"n1", "n2"}, 150);  // 02:30 handoff
    nights.restrictions.push_back(Restriction{-1, 22 * 60, -1, 6 * 60});
    s.layers.push_back(nights);
    Layer custom = Rotation(Layer::Kind::kCustom, Utc(2026, 2, 1, 5, 17), {"c1", "c2", "c3", "c4"});
    custom.turn_length = hours(36);
    custom.restrictions.push_back(Restriction{5, 10 * 60, 6, 14 * 60});  // Saturday 10:00 - Sunday 14:00
    custom.end = Utc(2028, 3, 1);
    s.layers.push_back(custom);
    for (int i = 0; i < 40; ++i) {
        const auto start = Utc(2026, 1, 3) + days(i * 23) + hours(i * 7 % 24);
        s.overrides.push_back(Override{
            "o" + std::to_string(i), "ov" + std::to_string(i % 3), start, start + hours(5 + i % 30)});
    }
    ASSERT_TRUE(Validate(s));

    const auto from = Utc(2026, 1, 1);
    const auto to = from + days(1000);
    const auto shifts = Shifts(s, from, to);
    ASSERT_FALSE(shifts.empty());
    for (std::size_t i = 0; i < shifts.size(); ++i) {
        ASSERT_LT(shifts[i].start, shifts[i].end) << i;
        if (i > 0) {
            ASSERT_LE(shifts[i - 1].end, shifts[i].start) << i;
            if (shifts[i - 1].end == shifts[i].start) {
                ASSERT_NE(shifts[i - 1].user_id, shifts[i].user_id) << i;
            }
        }
        // Boundaries are exact: the start belongs to the shift, the end does not.
        ASSERT_EQ(Who(s, shifts[i].start), shifts[i].user_id) << i;
        ASSERT_EQ(Who(s, shifts[i].end - milliseconds(1)), shifts[i].user_id) << i;
    }
    std::size_t j = 0;
    for (auto t = from + minutes(7); t < to; t += hours(1)) {
        while (j < shifts.size() && shifts[j].end <= t) ++j;
        const std::string want = j < shifts.size() && shifts[j].start <= t ? shifts[j].user_id : "";
        ASSERT_EQ(Who(s, t), want) << FormatIso8601(t);
    }
}

// --- validation --------------------------------------------------------------------------------

TEST(ScheduleValidate, NamesTheField) {
    auto good = OneLayer("Europe/Berlin", Rotation(Layer::Kind::kWeekly, Utc(2026, 1, 5), {"a"}));
    ASSERT_TRUE(Validate(good));
    auto field = [](Schedule s) {
        auto r = Validate(s);
        EXPECT_FALSE(r);
        return r ? std::string() : r.error().field;
    };
    auto s = good;
    s.time_zone = "Mars/Olympus";
    EXPECT_EQ(field(s), "time_zone");
    s = good;
    s.name.clear();
    EXPECT_EQ(field(s), "name");
    s = good;
    s.layers[0].user_ids.clear();
    EXPECT_EQ(field(s), "layers[0].user_ids");
    s = good;
    s.layers.push_back(s.layers[0]);
    s.layers[1].kind = Layer::Kind::kCustom;
    EXPECT_EQ(field(s), "layers[1].turn_length");
    s = good;
    s.layers[0].handoff_minute = 1440;
    EXPECT_EQ(field(s), "layers[0].handoff_minute");
    s = good;
    s.layers[0].handoff_weekday = 7;
    EXPECT_EQ(field(s), "layers[0].handoff_weekday");
    s = good;
    s.layers[0].end = s.layers[0].start;
    EXPECT_EQ(field(s), "layers[0].end");
    s = good;
    s.layers[0].restrictions.push_back(Restriction{-1, 60, 3, 120});
    EXPECT_EQ(field(s), "layers[0].restrictions[0].end_weekday");
    s = good;
    s.layers[0].restrictions.push_back(Restriction{2, 60, 3, 1440});
    EXPECT_EQ(field(s), "layers[0].restrictions[0].end_minute");
    s = good;
    s.overrides.push_back(Override{"o", "u", Utc(2026, 1, 2), Utc(2026, 1, 1)});
    EXPECT_EQ(field(s), "overrides[0].end");
}

TEST(LayerKind, RoundTrips) {
    for (auto k : {Layer::Kind::kDaily, Layer::Kind::kWeekly, Layer::Kind::kCustom}) {
        EXPECT_EQ(ParseLayerKind(LayerKindName(k)), k);
    }
    EXPECT_FALSE(ParseLayerKind("monthly"));
}

}  // namespace
}  // namespace tocsin::oncall
