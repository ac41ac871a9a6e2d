#include "tocsin/monitor/monitor_state.hpp"

#include "test/support/fake_clock.hpp"

#include <gtest/gtest.h>

namespace tocsin::monitor {
namespace {

using std::chrono::seconds;
using test::At;

Monitor TwoLocations(int quorum, int retries) {
    Monitor m;
    m.id = "m1";
    m.name = "API";
    m.spec.url = "http://127.0.0.1/";
    m.interval = seconds(30);
    m.retries = retries;
    m.locations = {"berlin", "frankfurt"};
    m.quorum = quorum;
    return m;
}

CheckResult Result(const std::string& location, TimePoint at, Outcome o, std::string message = {}) {
    CheckResult r;
    r.monitor_id = "m1";
    r.location = location;
    r.at = at;
    r.outcome = o;
    r.message = std::move(message);
    return r;
}

TEST(MonitorState, RetriesBeforeALocationIsDown) {
    auto m = TwoLocations(1, 2);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t, Outcome::kDown)));
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(30), Outcome::kDown)));
    auto change = ApplyResult(m, s, Result("berlin", t + seconds(60), Outcome::kDown, "connection refused"));
    ASSERT_TRUE(change);
    EXPECT_EQ(change->from, Outcome::kUp);
    EXPECT_EQ(change->to, Outcome::kDown);
    EXPECT_EQ(change->message, "connection refused");
    EXPECT_EQ(change->locations_down, std::vector<std::string>{"berlin"});
    EXPECT_EQ(s.state, Outcome::kDown);
    EXPECT_EQ(s.since, t + seconds(60));
}

TEST(MonitorState, OneGoodCheckInBetweenResetsTheCount) {
    auto m = TwoLocations(1, 1);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t, Outcome::kDown)));
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(30), Outcome::kUp)));
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(60), Outcome::kDown)));
    EXPECT_EQ(s.state, Outcome::kUp);
    EXPECT_TRUE(ApplyResult(m, s, Result("berlin", t + seconds(90), Outcome::kDown)));
}

TEST(MonitorState, QuorumOfTwoNeedsBothLocations) {
    auto m = TwoLocations(2, 0);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    EXPECT_FALSE(ApplyResult(m, s, Result("frankfurt", t, Outcome::kUp)));
    for (int i = 0; i < 5; ++i) {
        EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(30 * i), Outcome::kDown)));
        EXPECT_FALSE(ApplyResult(m, s, Result("frankfurt", t + seconds(30 * i + 1), Outcome::kUp)));
    }
    EXPECT_EQ(s.state, Outcome::kUp);
    auto change = ApplyResult(m, s, Result("frankfurt", t + seconds(200), Outcome::kDown));
    ASSERT_TRUE(change);
    EXPECT_EQ(change->to, Outcome::kDown);
    EXPECT_EQ(change->locations_down.size(), 2u);
    // One location recovering breaks the quorum: up again.
    auto back = ApplyResult(m, s, Result("berlin", t + seconds(230), Outcome::kUp));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->to, Outcome::kUp);
}

TEST(MonitorState, DegradedNeedsTheSameRetries) {
    auto m = TwoLocations(1, 1);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t, Outcome::kDegraded)));
    auto change = ApplyResult(m, s, Result("berlin", t + seconds(30), Outcome::kDegraded, "slow"));
    ASSERT_TRUE(change);
    EXPECT_EQ(change->to, Outcome::kDegraded);
    // A down after degraded counts as a failure in a row only from the first down.
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(60), Outcome::kDown)));
    auto down = ApplyResult(m, s, Result("berlin", t + seconds(90), Outcome::kDown));
    ASSERT_TRUE(down);
    EXPECT_EQ(down->from, Outcome::kDegraded);
    EXPECT_EQ(down->to, Outcome::kDown);
}

TEST(MonitorState, UnknownLocationsAndLateResultsAreIgnored) {
    auto m = TwoLocations(1, 0);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    EXPECT_FALSE(ApplyResult(m, s, Result("tokyo", t, Outcome::kDown)));
    EXPECT_TRUE(s.locations.empty());
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t + seconds(60), Outcome::kUp)));
    EXPECT_FALSE(ApplyResult(m, s, Result("berlin", t, Outcome::kDown)));  // older than the last
    EXPECT_EQ(s.state, Outcome::kUp);
}

TEST(MonitorState, AStaleLocationStopsVoting) {
    auto m = TwoLocations(1, 0);
    MonitorState s;
    auto t = At("2026-03-01T10:00:00Z");
    ASSERT_TRUE(ApplyResult(m, s, Result("berlin", t, Outcome::kDown)));
    EXPECT_FALSE(Reevaluate(m, s, t + seconds(60)));
    // Three intervals plus the timeout without a report from berlin: its vote lapses.
    auto change = Reevaluate(m, s, t + seconds(120));
    ASSERT_TRUE(change);
    EXPECT_EQ(change->to, Outcome::kUp);
}

TEST(MonitorState, NamesAreStable) {
    EXPECT_EQ(OutcomeName(Outcome::kDegraded), "degraded");
    EXPECT_EQ(ParseOutcome("down"), Outcome::kDown);
    EXPECT_FALSE(ParseOutcome("Down"));
    for (auto e :
         {ErrorClass::kNone,
          ErrorClass::kDns,
          ErrorClass::kConnect,
          ErrorClass::kTimeout,
          ErrorClass::kTls,
          ErrorClass::kProtocol,
          ErrorClass::kCondition,
          ErrorClass::kUnsupported,
          ErrorClass::kMissed,
          ErrorClass::kInternal}) {
        EXPECT_EQ(ParseErrorClass(ErrorClassName(e)), e);
    }
}

}  // namespace
}  // namespace tocsin::monitor
