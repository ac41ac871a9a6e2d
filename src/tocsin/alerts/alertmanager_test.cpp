#include "tocsin/alerts/alertmanager.hpp"

#include "tocsin/alerts/grafana.hpp"
#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace tocsin::alerts::alertmanager {
namespace {

namespace json = boost::json;

// The shape Alertmanager's webhook notifier sends (version 4), with two alerts of one group.
json::object Notification() {
    return json::parse(R"({
      "version": "4",
      "groupKey": "{}/{team=\"payments\"}:{alertname=\"HighErrorRate\"}",
      "truncatedAlerts": 0,
      "status": "firing",
      "receiver": "oncall-product",
      "groupLabels": {"alertname": "HighErrorRate"},
      "commonLabels": {"alertname": "HighErrorRate", "severity": "critical", "team": "payments"},
      "commonAnnotations": {"summary": "5xx rate above 5%"},
      "externalURL": "http://alertmanager.example.com:9093",
      "alerts": [
        {"status": "firing",
         "labels": {"alertname": "HighErrorRate", "instance": "api-1", "severity": "critical", "team": "payments"},
         "annotations": {"summary": "5xx rate above 5% on api-1", "runbook_url": "https://runbooks.example.com/5xx",
                         "description": "Long text"},
         "startsAt": "2026-01-10T08:40:00.123456789Z",
         "endsAt": "0001-01-01T00:00:00Z",
         "generatorURL": "http://prometheus.example.com/graph?g0.expr=x",
         "fingerprint": "c6eadffa33fcdf37"},
        {"status": "resolved",
         "labels": {"alertname": "HighErrorRate", "instance": "api-2", "severity": "critical", "team": "payments"},
         "annotations": {},
         "startsAt": "2026-01-10T08:30:00Z",
         "endsAt": "2026-01-10T08:45:00+00:00",
         "generatorURL": "",
         "fingerprint": "0d1e2f3a4b5c6d7e"}
      ]
    })")
        .as_object();
}

std::string Body(const json::object& o) {
    return json::serialize(o);
}

std::string ErrorOf(std::string_view body, Dialect d = Dialect::kAlertmanager) {
    auto r = ParseWebhook(body, d);
    if (r) return "<ok>";
    return r.error().field + ": " + r.error().message;
}

TEST(AlertmanagerTest, EachAlertOfTheGroupIsItsOwnEventByFingerprint) {
    auto r = ParseWebhook(Body(Notification()), Dialect::kAlertmanager);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    const IntakeEvent& a = (*r)[0];
    const IntakeEvent& b = (*r)[1];
    EXPECT_EQ(a.dialect, Dialect::kAlertmanager);
    EXPECT_EQ(a.group_key, R"({}/{team="payments"}:{alertname="HighErrorRate"})");
    EXPECT_EQ(b.group_key, a.group_key);
    EXPECT_EQ(a.identifier, "c6eadffa33fcdf37");
    EXPECT_EQ(b.identifier, "0d1e2f3a4b5c6d7e");
    EXPECT_EQ(a.action, IntakeAction::kTrigger);
    EXPECT_EQ(b.action, IntakeAction::kResolve);
    EXPECT_EQ(a.summary, "5xx rate above 5% on api-1");
    EXPECT_EQ(b.summary, "5xx rate above 5%");  // falls back on commonAnnotations
    EXPECT_EQ(a.description, "Long text");
    EXPECT_EQ(a.source, "api-1");
    EXPECT_FALSE(a.severity);  // the severity label is mapped later by the SeverityTable
    ASSERT_EQ(a.labels.size(), 4u);
    EXPECT_EQ(a.labels[2], (std::pair<std::string, std::string>{"severity", "critical"}));
    EXPECT_EQ(
        json::parse(a.details_json),
        json::parse(
            R"({"summary":"5xx rate above 5% on api-1","runbook_url":"https://runbooks.example.com/5xx","description":"Long text"})"
        )
    );
    EXPECT_EQ(json::parse(a.links_json).as_array().at(0).at("href"), "http://prometheus.example.com/graph?g0.expr=x");
    EXPECT_TRUE(b.links_json.empty());
    ASSERT_TRUE(a.occurred_at);
    EXPECT_EQ(FormatIso8601(*a.occurred_at), "2026-01-10T08:40:00.123Z");  // startsAt of a firing alert
    ASSERT_TRUE(b.occurred_at);
    EXPECT_EQ(FormatIso8601(*b.occurred_at), "2026-01-10T08:45:00.000Z");  // endsAt of a resolved one
}

TEST(AlertmanagerTest, SummaryFallsBackOnAlertnameAndInstance) {
    json::object o = Notification();
    o.erase("commonAnnotations");
    auto r = ParseWebhook(Body(o), Dialect::kAlertmanager);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[1].summary, "HighErrorRate on api-2");
}

TEST(AlertmanagerTest, MissingFingerprintIsDerivedFromTheLabelSet) {
    json::object o = Notification();
    o["alerts"].as_array()[0].as_object().erase("fingerprint");
    auto r1 = ParseWebhook(Body(o), Dialect::kAlertmanager);
    // Same labels in another order: same identifier.
    o["alerts"].as_array()[0].as_object()["labels"] =
        json::parse(R"({"team":"payments","severity":"critical","instance":"api-1","alertname":"HighErrorRate"})");
    auto r2 = ParseWebhook(Body(o), Dialect::kAlertmanager);
    ASSERT_TRUE(r1 && r2);
    EXPECT_EQ((*r1)[0].identifier.size(), 16u);
    EXPECT_EQ((*r1)[0].identifier, (*r2)[0].identifier);
    EXPECT_NE((*r1)[0].identifier, (*r1)[1].identifier);
}

TEST(AlertmanagerTest, EmptyAlertsGiveNoEvents) {
    json::object o = Notification();
    o["alerts"] = json::array{};
    auto r = ParseWebhook(Body(o), Dialect::kAlertmanager);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

TEST(AlertmanagerTest, OptionalNewerFieldsAreAccepted) {
    json::object o = Notification();
    o["notification_reason"] = "first notification";
    o["routeLabels"] = json::object{{"team", "payments"}};
    EXPECT_TRUE(ParseWebhook(Body(o), Dialect::kAlertmanager));
}

TEST(AlertmanagerTest, ErrorsNameTheField) {
    json::object o = Notification();
    o["version"] = "3";
    EXPECT_EQ(ErrorOf(Body(o)), "version: version must be \"4\" (Alertmanager webhook payload), got '3'");
    o = Notification();
    o.erase("groupKey");
    EXPECT_EQ(ErrorOf(Body(o)), "groupKey: groupKey is required: one group becomes one incident");
    o = Notification();
    o.erase("alerts");
    EXPECT_EQ(ErrorOf(Body(o)), "alerts: alerts is required (an array of alerts)");
    o = Notification();
    o["alerts"] = json::object{};
    EXPECT_EQ(ErrorOf(Body(o)), "alerts: alerts must be an array, not an object");
    o = Notification();
    o["alerts"].as_array()[1].as_object()["status"] = "pending";
    EXPECT_EQ(ErrorOf(Body(o)), "alerts[1].status: alerts[1].status must be firing or resolved, got 'pending'");
    o = Notification();
    o["alerts"].as_array()[0].as_object().erase("status");
    EXPECT_EQ(ErrorOf(Body(o)), "alerts[0].status: alerts[0].status is required (firing or resolved)");
    o = Notification();
    o["alerts"].as_array()[0].as_object()["labels"].as_object()["instance"] = 5;
    EXPECT_EQ(ErrorOf(Body(o)), "alerts[0].labels.instance: alerts[0].labels.instance must be a string, not a number");
    o = Notification();
    o["alerts"].as_array()[0].as_object()["labels"] = json::object{};
    EXPECT_EQ(ErrorOf(Body(o)), "alerts[0].labels: alerts[0].labels is required and must not be empty");
    o = Notification();
    o["alerts"].as_array()[0].as_object()["annotations"] = "x";
    EXPECT_EQ(
        ErrorOf(Body(o)), "alerts[0].annotations: alerts[0].annotations must be an object of strings, not a string"
    );
    o = Notification();
    o["alerts"].as_array()[0].as_object()["startsAt"] = "10 Jan 2026";
    EXPECT_EQ(
        ErrorOf(Body(o)), "alerts[0].startsAt: alerts[0].startsAt must be an RFC 3339 date-time, got '10 Jan 2026'"
    );
    o = Notification();
    o["alerts"].as_array()[0] = 7;
    EXPECT_EQ(ErrorOf(Body(o)), "alerts[0]: alerts[0] must be an object, not a number");
}

TEST(AlertmanagerTest, NonObjectDeepAndOversizeBodiesAreRefused) {
    EXPECT_EQ(ErrorOf("[]"), ": the body must be a JSON object, not an array");
    EXPECT_EQ(ErrorOf(""), ": the body is empty; send a JSON object");
    EXPECT_NE(ErrorOf("{\"version\":").find("not valid JSON"), std::string::npos);
    std::string deep = "{\"a\":";
    for (int i = 0; i < 100; ++i) deep += "[";
    for (int i = 0; i < 100; ++i) deep += "]";
    deep += "}";
    EXPECT_NE(ErrorOf(deep).find("nests deeper than 32 levels"), std::string::npos);
    json::object o = Notification();
    o["commonAnnotations"].as_object()["big"] = std::string(kMaxBodyBytes, 'x');
    EXPECT_NE(ErrorOf(Body(o)).find("larger than the limit"), std::string::npos);
}

TEST(AlertmanagerTest, OverlongSummaryIsCutAtWholeCharacters) {
    json::object o = Notification();
    std::string s;
    for (int i = 0; i < 1100; ++i) s += "\xc3\xa4";
    o["alerts"].as_array()[0].as_object()["annotations"].as_object()["summary"] = s;
    auto r = ParseWebhook(Body(o), Dialect::kAlertmanager);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].summary.size(), 2048u);
}

// Grafana's unified alerting webhook: Alertmanager's payload, version "1", plus extras.
TEST(GrafanaTest, DocumentedShapeBecomesEventsWithLinksAndImage) {
    auto r = grafana::ParseWebhook(R"({
      "receiver": "My Super Webhook", "status": "firing", "orgId": 1,
      "alerts": [{
        "status": "firing",
        "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
        "annotations": {"description": "The system has high memory usage", "runbook_url": "https://myrunbook.com/runbook/1234", "summary": "This alert was triggered for zone us-1"},
        "startsAt": "2021-10-12T09:51:03.157076+02:00",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
        "fingerprint": "c6eadffa33fcdf37",
        "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana",
        "dashboardURL": "", "panelURL": "",
        "values": {"B": 44.23943737541908, "C": 1},
        "imageURL": "https://play.grafana.org/render/x.png"
      }],
      "groupLabels": {}, "commonLabels": {"team": "blue"}, "commonAnnotations": {},
      "externalURL": "https://play.grafana.org/",
      "version": "1",
      "groupKey": "{}:{alertname=\"High memory usage\"}",
      "truncatedAlerts": 0,
      "title": "[FIRING:1] High memory usage",
      "state": "alerting",
      "message": "**Firing**"
    })");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 1u);
    const IntakeEvent& e = (*r)[0];
    EXPECT_EQ(e.dialect, Dialect::kGrafana);
    EXPECT_EQ(e.action, IntakeAction::kTrigger);
    EXPECT_EQ(e.identifier, "c6eadffa33fcdf37");
    EXPECT_EQ(e.group_key, R"({}:{alertname="High memory usage"})");
    EXPECT_EQ(e.summary, "This alert was triggered for zone us-1");
    EXPECT_EQ(e.source, "https://play.grafana.org/");
    ASSERT_TRUE(e.occurred_at);
    EXPECT_EQ(FormatIso8601(*e.occurred_at), "2021-10-12T07:51:03.157Z");
    auto links = json::parse(e.links_json).as_array();
    ASSERT_EQ(links.size(), 2u);  // rule and silence; empty dashboard/panel URLs are left out
    EXPECT_EQ(links[1].at("text"), "Silence");
    EXPECT_EQ(json::parse(e.images_json).as_array().at(0).at("src"), "https://play.grafana.org/render/x.png");
    EXPECT_EQ(json::parse(e.details_json).at("values").at("C"), 1);
}

TEST(GrafanaTest, TitleIsTheSummaryWhenAnnotationsHaveNone) {
    auto r = grafana::ParseWebhook(R"({"version":"1","groupKey":"g","title":"[RESOLVED] Disk full",
      "alerts":[{"status":"resolved","labels":{"alertname":"Disk"},"annotations":{},"fingerprint":"f1"}]})");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].summary, "[RESOLVED] Disk full");
    EXPECT_EQ((*r)[0].action, IntakeAction::kResolve);
    EXPECT_EQ(
        ErrorOf(R"({"version":"4","groupKey":"g","alerts":[]})", Dialect::kGrafana),
        "version: version must be \"1\" (Grafana), got '4'"
    );
}

}  // namespace
}  // namespace tocsin::alerts::alertmanager
