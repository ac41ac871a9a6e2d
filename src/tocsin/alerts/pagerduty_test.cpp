#include "tocsin/alerts/pagerduty.hpp"

#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string>

namespace tocsin::alerts::pagerduty {
namespace {

namespace json = boost::json;

// Shapes of PagerDuty's documented trigger example (values are ours).
json::object Trigger() {
    return json::parse(R"({
      "routing_key": "0123456789abcdef0123456789abcdef",
      "event_action": "trigger",
      "dedup_key": "payments/api/5xx",
      "payload": {
        "summary": "5xx rate 7% on payments-api",
        "source": "payments-api.prod.example.com",
        "severity": "critical",
        "timestamp": "2026-01-10T08:42:58.315+0000",
        "component": "nginx", "group": "payments", "class": "http-errors",
        "custom_details": {"rate": 0.07, "window": "5m", "nested": {"a": [1, 2]}}
      },
      "images": [{"src": "https://grafana.example.com/render/x.png", "href": "https://grafana.example.com/d/x", "alt": "graph"}],
      "links":  [{"href": "https://runbooks.example.com/payments-5xx", "text": "Runbook"}],
      "client": "Prometheus Alertmanager",
      "client_url": "https://alertmanager.example.com"
    })")
        .as_object();
}

std::string Body(const json::object& o) {
    return json::serialize(o);
}

bool HasError(const Parsed& p, std::string_view needle) {
    return std::any_of(p.errors.begin(), p.errors.end(), [&](const std::string& e) {
        return e.find(needle) != std::string::npos;
    });
}

std::string Joined(const Parsed& p) {
    std::string s;
    for (const auto& e : p.errors) s += e + " | ";
    return s;
}

TEST(PagerDutyTest, DocumentedTriggerBecomesOneEvent) {
    Parsed p = ParseAlertEvent(Body(Trigger()));
    ASSERT_TRUE(p.Ok()) << Joined(p);
    EXPECT_EQ(p.routing_key, "0123456789abcdef0123456789abcdef");
    const IntakeEvent& e = p.event;
    EXPECT_EQ(e.dialect, Dialect::kPagerDuty);
    EXPECT_EQ(e.action, IntakeAction::kTrigger);
    EXPECT_EQ(e.identifier, "payments/api/5xx");
    EXPECT_EQ(e.identifier_type, IdentifierType::kDedupKey);
    EXPECT_EQ(e.summary, "5xx rate 7% on payments-api");
    EXPECT_EQ(e.source, "payments-api.prod.example.com");
    EXPECT_EQ(e.severity, "critical");
    ASSERT_TRUE(e.occurred_at);
    EXPECT_EQ(FormatIso8601(*e.occurred_at), "2026-01-10T08:42:58.315Z");
    EXPECT_EQ(json::parse(e.details_json), json::parse(R"({"rate":0.07,"window":"5m","nested":{"a":[1,2]}})"));
    EXPECT_EQ(
        json::parse(e.links_json),
        json::parse(R"([{"href":"https://runbooks.example.com/payments-5xx","text":"Runbook"}])")
    );
    EXPECT_EQ(json::parse(e.images_json).as_array().at(0).at("src"), "https://grafana.example.com/render/x.png");
    auto label = [&](std::string_view k) {
        for (const auto& [lk, lv] : e.labels) {
            if (lk == k) return lv;
        }
        return std::string("<none>");
    };
    EXPECT_EQ(label("component"), "nginx");
    EXPECT_EQ(label("group"), "payments");
    EXPECT_EQ(label("class"), "http-errors");
    EXPECT_EQ(label("client"), "Prometheus Alertmanager");
}

TEST(PagerDutyTest, TimestampsWithZColonAndNoColonAreTheSameInstant) {
    for (const char* ts :
         {"2026-01-10T08:42:58.315Z",
          "2026-01-10T08:42:58.315+00:00",
          "2026-01-10T08:42:58.315+0000",
          "2026-01-10T10:42:58.315+02:00",
          "2026-01-10T10:42:58.315+0200"}) {
        json::object o = Trigger();
        o["payload"].as_object()["timestamp"] = ts;
        Parsed p = ParseAlertEvent(Body(o));
        ASSERT_TRUE(p.Ok()) << ts << ": " << Joined(p);
        ASSERT_TRUE(p.event.occurred_at) << ts;
        EXPECT_EQ(FormatIso8601(*p.event.occurred_at), "2026-01-10T08:42:58.315Z") << ts;
    }
}

TEST(PagerDutyTest, BadTimestampIsNamed) {
    for (const char* ts : {"yesterday", "2026-01-10T08:42:58", "2026-13-10T08:42:58Z", ""}) {
        json::object o = Trigger();
        o["payload"].as_object()["timestamp"] = ts;
        Parsed p = ParseAlertEvent(Body(o));
        EXPECT_TRUE(HasError(p, "'payload.timestamp'")) << ts << ": " << Joined(p);
    }
    json::object o = Trigger();
    o["payload"].as_object()["timestamp"] = 1736500000;
    EXPECT_TRUE(HasError(ParseAlertEvent(Body(o)), "'payload.timestamp' must be a string"));
}

TEST(PagerDutyTest, TriggerWithoutDedupKeyLeavesItEmptyForTheRoute) {
    json::object o = Trigger();
    o.erase("dedup_key");
    Parsed p = ParseAlertEvent(Body(o));
    ASSERT_TRUE(p.Ok()) << Joined(p);
    EXPECT_TRUE(p.event.identifier.empty());
}

TEST(PagerDutyTest, AcknowledgeAndResolveNeedOnlyKeyAndDedupKey) {
    for (const char* action : {"acknowledge", "resolve"}) {
        Parsed p = ParseAlertEvent(
            std::string(R"({"routing_key":"k","dedup_key":"payments/api/5xx","event_action":")") + action + R"("})"
        );
        ASSERT_TRUE(p.Ok()) << Joined(p);
        EXPECT_EQ(
            p.event.action, std::string_view(action) == "resolve" ? IntakeAction::kResolve : IntakeAction::kAcknowledge
        );
        EXPECT_EQ(p.event.identifier, "payments/api/5xx");
    }
}

TEST(PagerDutyTest, AcknowledgeWithoutDedupKeyIsRefused) {
    Parsed p = ParseAlertEvent(R"({"routing_key":"k","event_action":"acknowledge"})");
    EXPECT_TRUE(HasError(p, "'dedup_key' is required for event_action acknowledge")) << Joined(p);
    p = ParseAlertEvent(R"({"routing_key":"k","event_action":"resolve","dedup_key":""})");
    EXPECT_TRUE(HasError(p, "'dedup_key' must not be empty")) << Joined(p);
}

TEST(PagerDutyTest, MissingFieldsAreAllListed) {
    Parsed p = ParseAlertEvent(R"({"event_action":"trigger","payload":{}})");
    EXPECT_FALSE(p.unrecognized);
    EXPECT_TRUE(HasError(p, "'routing_key' is required"));
    EXPECT_TRUE(HasError(p, "'payload.summary' is required"));
    EXPECT_TRUE(HasError(p, "'payload.source' is required"));
    EXPECT_TRUE(HasError(p, "'payload.severity' is required"));
    EXPECT_TRUE(HasError(ParseAlertEvent(R"({"routing_key":"k","event_action":"trigger"})"), "'payload' is required"));
    EXPECT_TRUE(HasError(ParseAlertEvent(R"({"routing_key":"k","payload":{}})"), "'event_action' is required"));
}

TEST(PagerDutyTest, WrongTypesAreNamed) {
    json::object o = Trigger();
    o["routing_key"] = 12;
    o["dedup_key"] = json::array{1};
    o["payload"].as_object()["summary"] = true;
    o["payload"].as_object()["severity"] = nullptr;
    o["links"] = "https://x";
    o["images"] = json::array{json::object{{"src", "http://insecure.example.com/x.png"}}};
    Parsed p = ParseAlertEvent(Body(o));
    EXPECT_TRUE(HasError(p, "'routing_key' must be a string, not a number")) << Joined(p);
    EXPECT_TRUE(HasError(p, "'dedup_key' must be a string, not an array"));
    EXPECT_TRUE(HasError(p, "'payload.summary' must be a string, not a boolean"));
    EXPECT_TRUE(HasError(p, "'payload.severity' is required"));
    EXPECT_TRUE(HasError(p, "'links' must be an array"));
    EXPECT_TRUE(HasError(p, "'images[0].src' must be an https:// URL"));
    o = Trigger();
    o["payload"] = "text";
    EXPECT_TRUE(HasError(ParseAlertEvent(Body(o)), "'payload' must be an object, not a string"));
}

TEST(PagerDutyTest, UnknownActionAndSeverityAreRefusedWithTheValue) {
    json::object o = Trigger();
    o["event_action"] = "escalate";
    EXPECT_TRUE(HasError(
        ParseAlertEvent(Body(o)), "'event_action' must be one of trigger, acknowledge, resolve; got 'escalate'"
    ));
    o = Trigger();
    o["payload"].as_object()["severity"] = "high";
    EXPECT_TRUE(HasError(ParseAlertEvent(Body(o)), "'payload.severity' must be one of critical, error, warning, info"));
}

TEST(PagerDutyTest, SummaryLimitCountsCharactersNotBytes) {
    json::object o = Trigger();
    o["payload"].as_object()["summary"] = std::string(1024, 'x');
    EXPECT_TRUE(ParseAlertEvent(Body(o)).Ok());
    std::string umlauts;
    for (int i = 0; i < 1024; ++i) umlauts += "\xc3\xa4";  // 1024 × 'ä' = 2048 bytes
    o["payload"].as_object()["summary"] = umlauts;
    EXPECT_TRUE(ParseAlertEvent(Body(o)).Ok());
    o["payload"].as_object()["summary"] = std::string(1025, 'x');
    Parsed p = ParseAlertEvent(Body(o));
    EXPECT_TRUE(HasError(p, "'payload.summary' must be at most 1024 characters, it has 1025")) << Joined(p);
    o = Trigger();
    o["dedup_key"] = std::string(256, 'k');
    EXPECT_TRUE(HasError(ParseAlertEvent(Body(o)), "'dedup_key' must be at most 255 characters"));
}

TEST(PagerDutyTest, NonObjectAndBrokenBodiesAreUnrecognized) {
    for (const char* body : {"", "[]", "\"trigger\"", "42", "null", "{\"routing_key\":", "not json"}) {
        Parsed p = ParseAlertEvent(body);
        EXPECT_FALSE(p.Ok()) << body;
        EXPECT_TRUE(p.unrecognized) << body;
    }
}

TEST(PagerDutyTest, DeepNestingIsRefusedNotRecursedInto) {
    std::string deep =
        R"({"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","custom_details":)";
    for (int i = 0; i < 5000; ++i) deep += "[";
    for (int i = 0; i < 5000; ++i) deep += "]";
    deep += "}}";
    Parsed p = ParseAlertEvent(deep);
    EXPECT_TRUE(p.unrecognized);
    EXPECT_TRUE(HasError(p, "nests deeper than")) << Joined(p);
}

TEST(PagerDutyTest, OversizeIsRefusedBeforeParsing) {
    json::object o = Trigger();
    o["payload"].as_object()["custom_details"] = json::object{{"blob", std::string(kMaxBodyBytes, 'x')}};
    Parsed p = ParseAlertEvent(Body(o));
    EXPECT_TRUE(HasError(p, "larger than the limit of 524288 bytes")) << Joined(p);
}

TEST(PagerDutyTest, NonObjectCustomDetailsAreWrapped) {
    json::object o = Trigger();
    o["payload"].as_object()["custom_details"] = "free text";
    Parsed p = ParseAlertEvent(Body(o));
    ASSERT_TRUE(p.Ok()) << Joined(p);
    EXPECT_EQ(json::parse(p.event.details_json), json::parse(R"({"details":"free text"})"));
}

TEST(PagerDutyTest, AlertmanagerShapedTriggerIsAccepted) {
    // What Alertmanager's PagerDuty notifier sends: sha256(groupKey) as dedup key, no
    // timestamp, default severity error, details of firing/resolved counts.
    Parsed p = ParseAlertEvent(R"({"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger",
      "dedup_key":"3c9b1e8f2a7d4c6b5e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
      "payload":{"summary":"[FIRING:1] HighErrorRate","source":"Alertmanager","severity":"error",
                 "custom_details":{"firing":"x","resolved":"","num_firing":"1","num_resolved":"0"}},
      "client":"Alertmanager","client_url":"http://127.0.0.1:9093/#/alerts"})");
    ASSERT_TRUE(p.Ok()) << Joined(p);
    EXPECT_FALSE(p.event.occurred_at);
    EXPECT_EQ(p.event.severity, "error");
}

TEST(PagerDutyTest, ChangeEventNeedsOnlyKeyAndSummary) {
    Parsed p = ParseChangeEvent(R"({"routing_key":"k","payload":{"summary":"Deployed v1.2.3",
      "timestamp":"2026-01-10T08:00:00+00:00","source":"ci","custom_details":{"build":42}},
      "links":[{"href":"https://ci.example.com/42","text":"Build"}]})");
    ASSERT_TRUE(p.Ok()) << Joined(p);
    EXPECT_EQ(p.event.action, IntakeAction::kChangeEvent);
    EXPECT_EQ(p.event.summary, "Deployed v1.2.3");
    EXPECT_EQ(p.event.source, "ci");
    ASSERT_TRUE(p.event.occurred_at);
    EXPECT_EQ(FormatIso8601(*p.event.occurred_at), "2026-01-10T08:00:00.000Z");
    EXPECT_TRUE(p.event.identifier.empty());

    EXPECT_TRUE(HasError(ParseChangeEvent(R"({"routing_key":"k"})"), "'payload' is required"));
    EXPECT_TRUE(HasError(ParseChangeEvent(R"({"routing_key":"k","payload":{}})"), "'payload.summary' is required"));
    EXPECT_TRUE(HasError(ParseChangeEvent(R"({"payload":{"summary":"x"}})"), "'routing_key' is required"));
    EXPECT_TRUE(ParseChangeEvent("[1]").unrecognized);
}

}  // namespace
}  // namespace tocsin::alerts::pagerduty
