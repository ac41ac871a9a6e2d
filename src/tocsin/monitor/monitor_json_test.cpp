#include "tocsin/monitor/monitor_json.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tocsin::monitor {
namespace {

namespace json = boost::json;

json::object Obj(std::string_view text) {
    return json::parse(text).as_object();
}

Error ErrorOf(std::string_view text, Monitor base = {}) {
    auto r = MonitorFromJson(Obj(text), std::move(base));
    EXPECT_FALSE(r) << text;
    return r ? Error{} : r.error();
}

TEST(MonitorJson, ReadsEveryHttpField) {
    auto r = MonitorFromJson(
        Obj(R"({"name": "API", "type": "http", "url": "https://api.example.com/health",
        "method": "POST", "headers": {"Accept": "application/json"}, "body": "{}",
        "basic_auth": {"username": "u", "password": "p"}, "follow_redirects": false, "verify_tls": false,
        "timeout_ms": 5000, "interval_s": 30, "retries": 2, "degraded_threshold_ms": 800,
        "locations": ["local", "berlin"], "quorum": 2, "recovery_period_s": 120,
        "components": [{"component_id": "c1", "down_status": "partial_outage"}, "c2"],
        "create_incidents": false, "conditions": ["[STATUS] == 200"], "enabled": false})"),
        Monitor{}
    );
    ASSERT_TRUE(r) << r.error().field << ": " << r.error().message;
    const auto& m = *r;
    EXPECT_EQ(m.spec.method, "POST");
    ASSERT_EQ(m.spec.headers.size(), 1u);
    EXPECT_EQ(m.spec.headers[0].first, "Accept");
    EXPECT_EQ(m.spec.basic_password, "p");
    EXPECT_FALSE(m.spec.follow_redirects);
    EXPECT_EQ(m.spec.timeout.count(), 5000);
    EXPECT_EQ(m.interval.count(), 30);
    EXPECT_EQ(m.degraded_threshold->count(), 800);
    EXPECT_EQ(m.quorum, 2);
    ASSERT_EQ(m.components.size(), 2u);
    EXPECT_EQ(m.components[0].down_status, "partial_outage");
    EXPECT_EQ(m.components[1].component_id, "c2");
    EXPECT_EQ(m.components[1].down_status, "major_outage");
    EXPECT_FALSE(m.create_incidents);
    EXPECT_FALSE(m.enabled);
}

TEST(MonitorJson, StoredFormRoundTripsWithSecrets) {
    auto m = *MonitorFromJson(
        Obj(R"({"name": "A", "type": "tls", "host": "example.com", "bearer_token": "x",
                                      "conditions": ["[CERTIFICATE_DAYS] > 14"]})"),
        Monitor{}
    );
    m.id = "abc";
    m.heartbeat_token_hash = "h";
    m.source = "config";
    auto back = MonitorFromStoredJson(MonitorToStoredJson(m));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->id, "abc");
    EXPECT_EQ(back->spec.type, MonitorType::kTls);
    EXPECT_EQ(back->spec.port, 443);
    EXPECT_EQ(back->spec.bearer_token, "x");
    EXPECT_EQ(back->heartbeat_token_hash, "h");
    EXPECT_EQ(back->source, "config");
    EXPECT_EQ(back->conditions, m.conditions);
}

TEST(MonitorJson, ApiFormHidesSecrets) {
    Monitor m;
    m.name = "A";
    m.spec.url = "http://x/";
    m.spec.basic_user = "u";
    m.spec.basic_password = "secret";
    m.spec.bearer_token = "token";
    auto text = json::serialize(MonitorToJson(m, Secrets::kRedact));
    EXPECT_EQ(text.find("\"secret\""), std::string::npos);
    EXPECT_EQ(text.find("\"token\""), std::string::npos);
    EXPECT_NE(text.find("\"secrets_set\":[\"basic_auth.password\",\"bearer_token\"]"), std::string::npos) << text;
}

TEST(MonitorJson, ErrorsNameTheField) {
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "http", "url": "ftp://x/"})").field, "url");
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "gopher"})").field, "type");
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "interval_s": 5})").field, "interval_s");
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "colour": 1})").field, "colour");
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "tcp", "host": "x"})").field, "port");
    EXPECT_EQ(ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "quorum": 2})").field, "quorum");
    EXPECT_EQ(
        ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "locations": ["a b"]})").field, "locations[0]"
    );
    EXPECT_EQ(
        ErrorOf(
            R"({"name": "A", "type": "http", "url": "http://x/", "components": [{"component_id": "c", "down_status": "operational"}]})"
        )
            .field,
        "components[0].down_status"
    );
    EXPECT_EQ(
        ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "headers": {"Bad Name": "v"}})").field,
        "headers.Bad Name"
    );
    EXPECT_EQ(
        ErrorOf(R"({"name": "A", "type": "dns", "host": "example.com", "dns_record_type": "ANY"})").field,
        "dns_record_type"
    );
    EXPECT_EQ(
        ErrorOf(R"({"name": "A", "type": "http", "url": "http://x/", "timeout_ms": "fast"})").field, "timeout_ms"
    );
    EXPECT_EQ(ErrorOf(R"({"name": "", "type": "http", "url": "http://x/"})").field, "name");
}

TEST(MonitorJson, TypeCannotChangeOnAnExistingMonitor) {
    Monitor base;
    base.id = "m1";
    base.name = "A";
    base.spec.url = "http://x/";
    auto e = ErrorOf(R"({"type": "tcp"})", base);
    EXPECT_EQ(e.field, "type");
    auto same = MonitorFromJson(Obj(R"({"type": "http", "name": "B"})"), base);
    ASSERT_TRUE(same);
    EXPECT_EQ(same->name, "B");
    EXPECT_EQ(same->spec.url, "http://x/");  // absent fields keep their value
}

TEST(MonitorJson, CheckResultRoundTrips) {
    CheckResult r;
    r.monitor_id = "m1";
    r.location = "berlin";
    r.at = TimePoint(std::chrono::milliseconds(1'700'000'000'123));
    r.outcome = Outcome::kDegraded;
    r.error = ErrorClass::kNone;
    r.status_code = 200;
    r.timings.dns = std::chrono::microseconds(10);
    r.timings.total = std::chrono::microseconds(12345);
    r.certificate_days_left = 12;
    auto back = CheckResultFromJson(json::value(CheckResultToJson(r)));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->monitor_id, "m1");
    EXPECT_EQ(back->at, r.at);
    EXPECT_EQ(back->outcome, Outcome::kDegraded);
    EXPECT_EQ(back->timings.dns, r.timings.dns);
    EXPECT_FALSE(back->timings.tls);
    EXPECT_EQ(back->timings.total, r.timings.total);
    EXPECT_EQ(back->certificate_days_left, 12);
    EXPECT_FALSE(CheckResultFromJson(json::parse(R"({"monitor_id": "m", "at": "yesterday", "outcome": "up"})")));
    EXPECT_FALSE(
        CheckResultFromJson(json::parse(R"({"monitor_id": "m", "at": "2026-01-01T00:00:00Z", "outcome": "sideways"})"))
    );
    EXPECT_FALSE(CheckResultFromJson(json::parse(R"([1])")));
}

}  // namespace
}  // namespace tocsin::monitor
