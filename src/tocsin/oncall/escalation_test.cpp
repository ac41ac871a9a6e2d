#include "tocsin/oncall/escalation.hpp"

#include "test/support/fake_clock.hpp"

#include <gtest/gtest.h>

namespace tocsin::oncall {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using test::At;

EscalationPolicy ThreeLevels(int repeat) {
    EscalationPolicy p;
    p.id = "p1";
    p.name = "Primary";
    p.levels = {
        {{{TargetKind::kUser, "ann"}}, minutes(5)},
        {{{TargetKind::kSchedule, "sched"}}, minutes(10)},
        {{{TargetKind::kTeamAll, "ops"}}, minutes(15)},
    };
    p.repeat = repeat;
    return p;
}

TEST(EscalationStep, WalksLevelsThenRepeatsThenEnds) {
    const auto p = ThreeLevels(1);
    const TimePoint t0 = At("2026-03-01T10:00:00Z");
    struct Case {
        std::string_view name;
        EscalationStep from;
        std::optional<EscalationStep> to;
        minutes after;
    };
    const Case cases[] = {
        {"first to second level after its delay", {0, 0}, EscalationStep{1, 0}, minutes(5)},
        {"second to third", {1, 0}, EscalationStep{2, 0}, minutes(10)},
        {"last level starts the next pass", {2, 0}, EscalationStep{0, 1}, minutes(15)},
        {"second pass goes on", {0, 1}, EscalationStep{1, 1}, minutes(5)},
        {"last level of the last pass ends", {2, 1}, std::nullopt, minutes(0)},
        {"a level outside the policy ends", {3, 0}, std::nullopt, minutes(0)},
        {"a pass beyond repeat ends", {0, 2}, std::nullopt, minutes(0)},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto next = NextStep(p, c.from, t0);
        ASSERT_EQ(next.has_value(), c.to.has_value());
        if (!next) continue;
        EXPECT_EQ(next->step, *c.to);
        EXPECT_EQ(next->due_at, t0 + c.after);
    }
}

TEST(EscalationStep, NoRepeatEndsAfterTheLastLevel) {
    const auto p = ThreeLevels(0);
    EXPECT_FALSE(NextStep(p, {2, 0}, At("2026-03-01T10:00:00Z")));
}

TEST(EscalationStep, ShortMinuteScalesDelays) {
    const auto p = ThreeLevels(0);
    const TimePoint t0 = At("2026-03-01T10:00:00Z");
    auto next = NextStep(p, {1, 0}, t0, std::chrono::milliseconds(200));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->due_at, t0 + seconds(2));  // 10 "minutes" of 200 ms
}

TEST(EscalationStep, EscalateNowMovesOnAndStopsAtTheEnd) {
    const auto p = ThreeLevels(1);
    EXPECT_EQ(EscalateNowStep(p, {0, 0}), (EscalationStep{1, 0}));
    EXPECT_EQ(EscalateNowStep(p, {2, 0}), (EscalationStep{0, 1}));
    EXPECT_EQ(EscalateNowStep(p, {2, 1}), (EscalationStep{2, 1}));
}

TEST(EscalationRoundRobin, ConsecutiveIncidentsAndPassesRotate) {
    const std::vector<std::string> members{"a", "b", "c"};
    EXPECT_EQ(RoundRobinMember(members, 1, 0), "b");
    EXPECT_EQ(RoundRobinMember(members, 2, 0), "c");
    EXPECT_EQ(RoundRobinMember(members, 3, 0), "a");
    EXPECT_EQ(RoundRobinMember(members, 3, 1), "b");
    EXPECT_EQ(RoundRobinMember({}, 3, 1), "");
}

TEST(EscalationPolicyValidate, NamesTheField) {
    struct Case {
        std::string_view name;
        void (*change)(EscalationPolicy&);
        std::string field;
    };
    const Case cases[] = {
        {"valid", [](EscalationPolicy&) {}, ""},
        {"no name", [](EscalationPolicy& p) { p.name.clear(); }, "name"},
        {"no levels", [](EscalationPolicy& p) { p.levels.clear(); }, "levels"},
        {"repeat too high", [](EscalationPolicy& p) { p.repeat = 10; }, "repeat"},
        {"negative repeat", [](EscalationPolicy& p) { p.repeat = -1; }, "repeat"},
        {"level without targets", [](EscalationPolicy& p) { p.levels[1].targets.clear(); }, "levels[1].targets"},
        {"zero delay", [](EscalationPolicy& p) { p.levels[0].delay = minutes(0); }, "levels[0].delay_minutes"},
        {"delay above a day",
         [](EscalationPolicy& p) { p.levels[2].delay = minutes(1441); },
         "levels[2].delay_minutes"},
        {"empty target id", [](EscalationPolicy& p) { p.levels[0].targets[0].id.clear(); }, "levels[0].targets[0].id"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto p = ThreeLevels(0);
        c.change(p);
        auto r = Validate(p);
        if (c.field.empty()) {
            EXPECT_TRUE(r);
        } else {
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().field, c.field);
        }
    }
}

TEST(EscalationTargetKind, RoundTrips) {
    for (auto k : {TargetKind::kUser, TargetKind::kSchedule, TargetKind::kTeamAll, TargetKind::kTeamRoundRobin}) {
        EXPECT_EQ(ParseTargetKind(ToString(k)), k);
    }
    EXPECT_FALSE(ParseTargetKind("group"));
}

}  // namespace
}  // namespace tocsin::oncall
