#include "tocsin/checks/check_engine.hpp"

#include "test/support/fake_clock.hpp"
#include "tocsin/checks/engine_schedule.hpp"
#include "tocsin/checks/testing/http_target.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tocsin::checks {
namespace {

using monitor::CheckPlan;
using monitor::CheckResult;
using monitor::ErrorClass;
using monitor::Outcome;
using testing::HttpTarget;
using testing::TargetResponse;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ---- the pure schedule arithmetic ----

TEST(EngineSchedule, StableOffsetIsDeterministicAndInsideTheInterval) {
    const std::chrono::microseconds interval = 10s;
    EXPECT_EQ(detail::StableOffset("mon-1", interval), detail::StableOffset("mon-1", interval));
    EXPECT_NE(detail::StableOffset("mon-1", interval), detail::StableOffset("mon-2", interval));
    for (int i = 0; i < 1000; ++i) {
        auto offset = detail::StableOffset("m" + std::to_string(i), interval);
        EXPECT_GE(offset.count(), 0);
        EXPECT_LT(offset, interval);
    }
}

TEST(EngineSchedule, StableOffsetsOfSimilarIdsSpreadEvenly) {
    const std::chrono::microseconds interval = 60s;
    std::vector<int> buckets(10, 0);
    for (int i = 0; i < 10'000; ++i) {
        auto offset = detail::StableOffset("monitor-" + std::to_string(i), interval);
        ++buckets[static_cast<std::size_t>(offset * 10 / interval)];
    }
    for (int n : buckets) {
        EXPECT_GT(n, 850);
        EXPECT_LT(n, 1150);
    }
}

TEST(EngineSchedule, JitterIsTwoPercentCappedAtOneSecond) {
    EXPECT_EQ(detail::MaxJitter(10s), 200ms);
    EXPECT_EQ(detail::MaxJitter(30s), 600ms);
    EXPECT_EQ(detail::MaxJitter(60s), 1s);
    EXPECT_EQ(detail::MaxJitter(3600s), 1s);
}

TEST(EngineSchedule, FirstGridPointIsTheNextRunNotBeforeNow) {
    using T = SteadyClock::time_point;
    const T epoch{};
    EXPECT_EQ(detail::FirstGridPoint(epoch, 3s, 10s, epoch), epoch + 3s);
    EXPECT_EQ(detail::FirstGridPoint(epoch, 3s, 10s, epoch + 3s), epoch + 3s);
    EXPECT_EQ(detail::FirstGridPoint(epoch, 3s, 10s, epoch + 3s + 1us), epoch + 13s);
    EXPECT_EQ(detail::FirstGridPoint(epoch, 3s, 10s, epoch + 47s), epoch + 53s);
}

CheckPlan HttpPlan(
    std::string id, std::string url, std::chrono::seconds interval = 60s, std::vector<std::string> conditions = {}
) {
    monitor::Monitor m;
    m.id = std::move(id);
    m.spec.type = monitor::MonitorType::kHttp;
    m.spec.url = std::move(url);
    m.spec.timeout = 5s;
    m.interval = interval;
    m.conditions = std::move(conditions);
    auto plan = monitor::MakePlan(m);
    EXPECT_TRUE(plan) << (plan ? "" : plan.error().message);
    return plan ? *plan : CheckPlan{};
}

TEST(EngineSchedule, FingerprintChangesWithWhatIsCheckedAndWhen) {
    const CheckPlan base = HttpPlan("m", "http://127.0.0.1:1/");
    EXPECT_EQ(detail::PlanFingerprint(base), detail::PlanFingerprint(HttpPlan("m", "http://127.0.0.1:1/")));
    CheckPlan changed = base;
    changed.spec.url = "http://127.0.0.1:2/";
    EXPECT_NE(detail::PlanFingerprint(base), detail::PlanFingerprint(changed));
    changed = base;
    changed.interval = 30s;
    EXPECT_NE(detail::PlanFingerprint(base), detail::PlanFingerprint(changed));
    changed = base;
    changed.degraded_threshold = 500ms;
    EXPECT_NE(detail::PlanFingerprint(base), detail::PlanFingerprint(changed));
    changed = base;
    changed.spec.headers = {{"A", "b"}};
    EXPECT_NE(detail::PlanFingerprint(base), detail::PlanFingerprint(changed));
    changed = base;
    changed.spec.verify_tls = false;
    EXPECT_NE(detail::PlanFingerprint(base), detail::PlanFingerprint(changed));
}

TEST(EngineSchedule, LatenessWindowKeepsTheLastSamplesOnly) {
    detail::LatenessWindow window(100);
    EXPECT_EQ(window.Summarize().max.count(), 0);
    for (int i = 1; i <= 100; ++i) window.Add(std::chrono::microseconds{i});
    auto s = window.Summarize();
    EXPECT_EQ(s.p50.count(), 50);
    EXPECT_EQ(s.p99.count(), 99);
    EXPECT_EQ(s.max.count(), 100);
    for (int i = 0; i < 100; ++i) window.Add(std::chrono::microseconds{7});  // overwrite everything
    s = window.Summarize();
    EXPECT_EQ(s.p50.count(), 7);
    EXPECT_EQ(s.max.count(), 7);
    EXPECT_EQ(window.size(), 100u);
}

}  // namespace
}  // namespace tocsin::checks
