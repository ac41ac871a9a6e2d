#include "tocsin/alerts/alert.hpp"
#include "tocsin/alerts/alert_options.hpp"
#include "tocsin/alerts/grouping.hpp"
#include "tocsin/alerts/severity.hpp"
#include "tocsin/alerts/silence.hpp"

#include <gtest/gtest.h>

namespace tocsin::alerts {
namespace {

using namespace std::chrono_literals;

TimePoint T(int seconds) {
    return TimePoint{} + std::chrono::seconds(seconds);
}

TEST(SeverityTable, DefaultMapsEveryDialect) {
    auto t = SeverityTable::Default();
    EXPECT_EQ(t.BySeverity("critical")->priority, 1);
    EXPECT_EQ(t.ByPriority(3)->severity, "error");
    EXPECT_EQ(t.ByPriority(4)->urgency, Urgency::kLow);
    EXPECT_EQ(t.ByLabel("PAGE")->severity, "critical");
    EXPECT_FALSE(t.ByPriority(6));
    EXPECT_FALSE(t.BySeverity("fatal"));
    // Explicit severity first, then priority, then the `severity` label, else error.
    EXPECT_EQ(t.Resolve("warning", std::nullopt, {}).severity, "warning");
    EXPECT_EQ(t.Resolve(std::nullopt, 1, {}).severity, "critical");
    EXPECT_EQ(t.Resolve(std::nullopt, std::nullopt, {{"severity", "info"}}).severity, "info");
    EXPECT_EQ(t.Resolve(std::nullopt, std::nullopt, {{"team", "x"}}).severity, "error");
}

TEST(SeverityTable, JsonRoundTripsAndErrorsNameTheField) {
    auto t = SeverityTable::Default();
    auto again = SeverityTable::FromJson(t.ToJson());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->ToJson(), t.ToJson());
    auto missing = SeverityTable::FromJson(R"({"rows":[{"severity":"critical","priorities":[1,2,3,4,5]}]})");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().field, "rows");
    auto twice = SeverityTable::FromJson(
        R"({"rows":[{"severity":"critical","priorities":[1]},{"severity":"error","priorities":[1,2,3]},)"
        R"({"severity":"warning","priorities":[4]},{"severity":"info","priorities":[5]}]})"
    );
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().field, "rows[1].priorities");
    auto bad_urgency =
        SeverityTable::FromJson(R"({"rows":[{"severity":"critical","priorities":[1],"urgency":"now"}]})");
    ASSERT_FALSE(bad_urgency);
    EXPECT_EQ(bad_urgency.error().field, "rows[0].urgency");
}

TEST(Grouping, GroupKeyThenLabelsThenWindow) {
    GroupingRule rule{300s, {"dc"}};
    std::vector<GroupCandidate> open = {
        {"am", "{}:{alertname=\"X\"}", "", T(0)},
        {"fra", "", "dc=fra1\n", T(100)},
        {"plain", "", "", T(200)},
    };
    EXPECT_EQ(ChooseIncident(rule, "{}:{alertname=\"X\"}", "", T(250), open), "am");
    EXPECT_EQ(ChooseIncident(rule, "{}:{alertname=\"Y\"}", "", T(250), open), std::nullopt);
    EXPECT_EQ(ChooseIncident(rule, "", LabelSignature(rule, {{"dc", "fra1"}}), T(5000), open), "fra");
    EXPECT_EQ(ChooseIncident(rule, "", "", T(250), open), "plain");
    EXPECT_EQ(ChooseIncident(rule, "", "", T(501), open), std::nullopt);
    EXPECT_EQ(LabelSignature(rule, {{"host", "a"}}), "");
    EXPECT_EQ(LabelSignature(GroupingRule{}, {{"dc", "a"}}), "");
}

TEST(Silence, OneOffAndWeeklyWindowsAndMatchers) {
    Silence s;
    s.service_id = "svc";
    s.matchers = {{"env", "prod", true}, {"team", "db", false}};
    s.starts_at = T(100);
    s.ends_at = T(200);
    EXPECT_TRUE(s.Matches("svc", {{"env", "prod"}}, T(150)));
    EXPECT_FALSE(s.Matches("svc", {{"env", "prod"}, {"team", "db"}}, T(150)));
    EXPECT_FALSE(s.Matches("svc", {{"env", "dev"}}, T(150)));
    EXPECT_FALSE(s.Matches("other", {{"env", "prod"}}, T(150)));
    EXPECT_FALSE(s.Matches("svc", {{"env", "prod"}}, T(200)));

    // 1970-01-01 was a Thursday (4). Thursdays 01:00-02:00 UTC.
    Silence weekly;
    weekly.service_id = "svc";
    weekly.weekly_days = {4};
    weekly.start_minute = 60;
    weekly.end_minute = 120;
    EXPECT_TRUE(weekly.IsActiveAt(T(90 * 60)));
    EXPECT_FALSE(weekly.IsActiveAt(T(30 * 60)));
    EXPECT_FALSE(weekly.IsActiveAt(T(24 * 3600 + 90 * 60)));
    EXPECT_TRUE(weekly.IsActiveAt(T(7 * 24 * 3600 + 90 * 60)));
    EXPECT_TRUE(Validate(weekly));
    weekly.weekly_days = {7};
    EXPECT_EQ(Validate(weekly).error().field, "weekly_days[0]");
    Silence unscoped;
    EXPECT_EQ(Validate(unscoped).error().field, "matchers");
}

TEST(Alert, RollUpState) {
    EXPECT_EQ(RollUpState({}), AlertState::kResolved);
    EXPECT_EQ(RollUpState({AlertState::kResolved, AlertState::kAcknowledged}), AlertState::kAcknowledged);
    EXPECT_EQ(RollUpState({AlertState::kAcknowledged, AlertState::kTriggered}), AlertState::kTriggered);
    EXPECT_EQ(ParseDialect("alertmanager"), Dialect::kAlertmanager);
    EXPECT_FALSE(ParseDialect("nagios"));
}

TEST(AlertOptions, ValidateNamesTheKey) {
    AlertOptions o;
    EXPECT_TRUE(o.Validate());
    o.rate_burst = 0;
    EXPECT_EQ(o.Validate().error().field, "alerts.rate_burst");
}

}  // namespace
}  // namespace tocsin::alerts
