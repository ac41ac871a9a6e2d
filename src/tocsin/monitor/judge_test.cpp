#include "tocsin/monitor/judge.hpp"

#include "test/support/fake_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace tocsin::monitor {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using test::At;

const TimePoint kStarted = At("2026-03-01T10:00:00Z");

Monitor HttpMonitor(std::vector<std::string> conditions = {}) {
    Monitor m;
    m.id = "m1";
    m.name = "API";
    m.spec.type = MonitorType::kHttp;
    m.spec.url = "https://api.example.test/health";
    m.conditions = std::move(conditions);
    m.interval = std::chrono::seconds(30);
    return m;
}

CheckPlan Plan(const Monitor& m) {
    auto plan = MakePlan(m);
    if (!plan) {
        ADD_FAILURE() << "MakePlan failed: " << plan.error().field << ": " << plan.error().message;
        return {};
    }
    return *plan;
}

Observation Answered(int status, milliseconds total = milliseconds(120), std::string body = {}) {
    Observation obs;
    obs.reached = true;
    obs.status_code = status;
    obs.body = std::move(body);
    obs.timings.total = total;
    obs.timings.connect = microseconds(5'000);
    obs.certificate_days_left = 40;
    return obs;
}

TEST(MakePlan, CopiesTheMonitorAndParsesItsConditions) {
    Monitor m = HttpMonitor({"[STATUS] == 200", "[BODY].ok == true"});
    m.degraded_threshold = milliseconds(500);
    const CheckPlan plan = Plan(m);
    EXPECT_EQ(plan.monitor_id, "m1");
    EXPECT_EQ(plan.spec.url, "https://api.example.test/health");
    EXPECT_EQ(plan.interval, std::chrono::seconds(30));
    EXPECT_EQ(plan.degraded_threshold, milliseconds(500));
    EXPECT_EQ(plan.conditions.size(), 2u);
}

TEST(MakePlan, RefusesAConditionThatDoesNotParseNamingItsIndex) {
    auto plan = MakePlan(HttpMonitor({"[STATUS] == 200", "[STATUS] =="}));
    ASSERT_FALSE(plan);
    EXPECT_EQ(plan.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(plan.error().field, "conditions[1]");
    EXPECT_EQ(plan.error().message, "column 12: expected a value, found end of condition");
}

TEST(Judge, DownWithTheCheckersErrorWhenNotReached) {
    const CheckPlan plan = Plan(HttpMonitor({"[STATUS] == 200"}));
    Observation obs;
    obs.reached = false;
    obs.error = ErrorClass::kTimeout;
    obs.error_message = "no answer within 10 s";
    obs.timings.total = milliseconds(10'000);
    const CheckResult r = Judge(plan, "berlin", kStarted, obs);
    EXPECT_EQ(r.outcome, Outcome::kDown);
    EXPECT_EQ(r.error, ErrorClass::kTimeout);
    EXPECT_EQ(r.message, "no answer within 10 s");
    EXPECT_EQ(r.monitor_id, "m1");
    EXPECT_EQ(r.location, "berlin");
    EXPECT_EQ(r.at, kStarted);
    EXPECT_EQ(r.timings.total, milliseconds(10'000));
}

TEST(Judge, NotReachedWithoutAnErrorClassIsInternalAndNamesTheClass) {
    Observation obs;
    obs.reached = false;
    const CheckResult r = Judge(Plan(HttpMonitor()), "local", kStarted, obs);
    EXPECT_EQ(r.outcome, Outcome::kDown);
    EXPECT_EQ(r.error, ErrorClass::kInternal);
    EXPECT_EQ(r.message, "internal");

    obs.error = ErrorClass::kConnect;
    EXPECT_EQ(Judge(Plan(HttpMonitor()), "local", kStarted, obs).message, "connect");
}

TEST(Judge, AFailedConditionIsDownWithTheConditionClass) {
    const CheckPlan plan = Plan(HttpMonitor({"[STATUS] == 200", "[BODY].status == UP"}));
    const CheckResult r = Judge(plan, "local", kStarted, Answered(200, milliseconds(120), R"({"status":"DOWN"})"));
    EXPECT_EQ(r.outcome, Outcome::kDown);
    EXPECT_EQ(r.error, ErrorClass::kCondition);
    EXPECT_EQ(r.message, "[BODY].status == UP failed: [BODY].status is \"DOWN\"");
    EXPECT_EQ(r.status_code, 200);
}

TEST(Judge, ExplicitConditionsReplaceTheHttpDefaultRule) {
    const CheckPlan plan = Plan(HttpMonitor({"[STATUS] == 503"}));
    const CheckResult r = Judge(plan, "local", kStarted, Answered(503));
    EXPECT_EQ(r.outcome, Outcome::kUp);
    EXPECT_EQ(r.error, ErrorClass::kNone);
    EXPECT_EQ(r.message, "");
}

TEST(Judge, HttpWithoutConditionsNeedsAStatusBelow400) {
    const CheckPlan plan = Plan(HttpMonitor());
    struct Case {
        int status;
        Outcome outcome;
    };
    for (const Case c :
         {Case{200, Outcome::kUp},
          Case{204, Outcome::kUp},
          Case{301, Outcome::kUp},
          Case{399, Outcome::kUp},
          Case{400, Outcome::kDown},
          Case{503, Outcome::kDown},
          Case{0, Outcome::kDown},
          Case{99, Outcome::kDown}}) {
        SCOPED_TRACE(c.status);
        const CheckResult r = Judge(plan, "local", kStarted, Answered(c.status));
        EXPECT_EQ(r.outcome, c.outcome);
        EXPECT_EQ(r.error, c.outcome == Outcome::kUp ? ErrorClass::kNone : ErrorClass::kCondition);
    }
    EXPECT_EQ(Judge(plan, "local", kStarted, Answered(503)).message, "[STATUS] < 400 failed: [STATUS] is 503");
}

TEST(Judge, OtherTypesWithoutConditionsAreUpWhenReached) {
    Monitor m = HttpMonitor();
    m.spec.type = MonitorType::kTcp;
    m.spec.host = "db.example.test";
    m.spec.port = 5432;
    Observation obs;
    obs.reached = true;
    obs.timings.total = milliseconds(3);
    EXPECT_EQ(Judge(Plan(m), "local", kStarted, obs).outcome, Outcome::kUp);
}

TEST(Judge, SlowerThanTheThresholdIsDegraded) {
    Monitor m = HttpMonitor();
    m.degraded_threshold = milliseconds(500);
    const CheckPlan plan = Plan(m);

    const CheckResult slow = Judge(plan, "local", kStarted, Answered(200, milliseconds(750)));
    EXPECT_EQ(slow.outcome, Outcome::kDegraded);
    EXPECT_EQ(slow.error, ErrorClass::kNone);
    EXPECT_EQ(slow.message, "response time 750 ms above the degraded threshold of 500 ms");

    EXPECT_EQ(Judge(plan, "local", kStarted, Answered(200, milliseconds(500))).outcome, Outcome::kUp);
    // A failed check is down, not degraded, however slow it was.
    EXPECT_EQ(Judge(plan, "local", kStarted, Answered(500, milliseconds(750))).outcome, Outcome::kDown);
}

TEST(Judge, UpCarriesTheObservedFacts) {
    const CheckPlan plan = Plan(HttpMonitor({"[STATUS] in 200..299", "[CERTIFICATE_DAYS] > 14"}));
    const CheckResult r = Judge(plan, "frankfurt", kStarted, Answered(204, milliseconds(80)));
    EXPECT_EQ(r.outcome, Outcome::kUp);
    EXPECT_EQ(r.error, ErrorClass::kNone);
    EXPECT_EQ(r.message, "");
    EXPECT_EQ(r.monitor_id, "m1");
    EXPECT_EQ(r.location, "frankfurt");
    EXPECT_EQ(r.at, kStarted);
    EXPECT_EQ(r.status_code, 204);
    EXPECT_EQ(r.timings.total, milliseconds(80));
    EXPECT_EQ(r.timings.connect, microseconds(5'000));
    EXPECT_EQ(r.certificate_days_left, 40);
}

}  // namespace
}  // namespace tocsin::monitor
