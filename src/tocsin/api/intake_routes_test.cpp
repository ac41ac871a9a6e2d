// The intake routes without a server: key checks, dialect-shaped errors, rate limits, a full
// queue and a failed commit. Successful commits are covered end to end by the black-box tests
// (test/blackbox/test_intake.py).
#include "tocsin/api/intake_routes.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/testing/router_call.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <memory>
#include <string>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using http::Method;
using testing::HeaderOf;

constexpr const char* kPdKey = "0123456789abcdef0123456789abcdef";
constexpr const char* kAmKey = "am-secret-0123456789";
constexpr const char* kGenericKey = "generic-secret-0123";

const char* kTrigger = R"({"routing_key":"0123456789abcdef0123456789abcdef","event_action":"trigger",
  "dedup_key":"payments/api/5xx","payload":{"summary":"5xx","source":"api","severity":"critical"}})";

const char* kAmBody = R"({"version":"4","groupKey":"{}:{alertname=\"X\"}","status":"firing",
  "alerts":[{"status":"firing","labels":{"alertname":"X"},"annotations":{},"fingerprint":"f1"}]})";

class IntakeRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(auth::Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        auth_ = std::make_unique<IntakeAuth>(clock_, IntakeRateOptions{.per_minute = 60, .burst = 3});
        auth_->Put(IntakeAuth::HashSecret(kPdKey), "key-pd", "svc-1", alerts::Dialect::kPagerDuty, "");
        auth_->Put(IntakeAuth::HashSecret(kAmKey), "key-am", "svc-1", alerts::Dialect::kAlertmanager, "");
        auth_->Put(
            IntakeAuth::HashSecret(kGenericKey),
            "key-gen",
            "svc-1",
            alerts::Dialect::kGeneric,
            R"({"summary":"/title"})"
        );
    }

    /// A committer that is never started: whatever is submitted fails when it stops (the
    /// "store unavailable" path), and a small queue bound makes it full.
    void MakeCommitter(std::size_t max_queued) {
        committer_ = std::make_unique<engine::IntakeCommitter>(
            *store_, clock_, engine::IntakeCommitterOptions{.max_queued_events = max_queued}
        );
        router_ = std::make_unique<http::Router>();
        RegisterIntakeRoutes(*router_, IntakeRouteDeps{*auth_, *committer_});
    }

    http::Response Post(const std::string& target, const std::string& body, testing::Headers h = {}) {
        h.emplace_back("Content-Type", "application/json");
        return testing::CallRouter(*router_, Method::kPost, target, body, h);
    }

    /// Stops the committer (failing what is queued) and returns the deferred answer.
    static http::Response Finish(engine::IntakeCommitter& c, const http::Response& res) {
        EXPECT_TRUE(res.deferred);
        if (!res.deferred) return res;
        c.Stop();
        auto out = res.deferred->Take();
        EXPECT_TRUE(out) << "Done was not called";
        return out ? *out : http::Response{};
    }

    static json::value Json(const http::Response& res) {
        boost::system::error_code ec;
        auto v = json::parse(res.Body(), ec);
        EXPECT_FALSE(ec) << res.Body();
        return v;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::unique_ptr<IntakeAuth> auth_;
    std::unique_ptr<engine::IntakeCommitter> committer_;
    std::unique_ptr<http::Router> router_;
};

TEST_F(IntakeRoutesTest, PagerDutyInvalidEventIs400WithItsErrorList) {
    MakeCommitter(100);
    auto res = Post("/v2/enqueue", R"({"routing_key":"x","event_action":"trigger","payload":{}})");
    EXPECT_EQ(res.status, 400);
    auto body = Json(res);
    EXPECT_EQ(body.at("status"), "invalid event");
    EXPECT_EQ(body.at("message"), "Event object is invalid");
    EXPECT_EQ(body.at("errors").as_array().size(), 3u) << res.Body();  // summary, source, severity
    EXPECT_FALSE(res.deferred);

    res = Post("/v2/enqueue", "[1]");
    EXPECT_EQ(res.status, 400);
    EXPECT_EQ(Json(res).at("status"), "Unrecognized object");
}

TEST_F(IntakeRoutesTest, PagerDutyUnknownKeyAndOtherDialectsKeyAre400) {
    MakeCommitter(100);
    std::string body = kTrigger;
    body.replace(body.find(kPdKey), 32, std::string(32, '0'));
    auto res = Post("/v2/enqueue", body);
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.Body().find("'routing_key' is not an active"), std::string::npos) << res.Body();
    body = kTrigger;
    body.replace(body.find(kPdKey), 32, kAmKey);
    EXPECT_EQ(Post("/v2/enqueue", body).status, 400);
}

TEST_F(IntakeRoutesTest, PagerDutyOversizeIs413) {
    MakeCommitter(100);
    std::string body = kTrigger;
    body.insert(body.size() - 2, ",\"custom_details\":{\"x\":\"" + std::string(512 * 1024, 'x') + "\"}");
    auto res = Post("/v2/enqueue", body);
    EXPECT_EQ(res.status, 413);
    EXPECT_EQ(Json(res).at("status"), "invalid event");
}

TEST_F(IntakeRoutesTest, PagerDutyRateLimitIs429WithRetryAfterAndRecovers) {
    MakeCommitter(100);
    int accepted = 0;
    http::Response last;
    for (int i = 0; i < 10; ++i) {
        last = Post("/v2/enqueue", kTrigger);
        if (last.deferred) ++accepted;
        if (last.status == 429) break;
    }
    EXPECT_EQ(accepted, 3);  // the burst
    EXPECT_EQ(last.status, 429);
    EXPECT_EQ(HeaderOf(last, "Retry-After"), "1");
    clock_.Advance(std::chrono::seconds(2));
    EXPECT_TRUE(Post("/v2/enqueue", kTrigger).deferred);
}

TEST_F(IntakeRoutesTest, PagerDutyFullQueueIs429) {
    MakeCommitter(1);
    EXPECT_TRUE(Post("/v2/enqueue", kTrigger).deferred);
    auto res = Post("/v2/enqueue", kTrigger);
    EXPECT_EQ(res.status, 429);
    EXPECT_FALSE(res.deferred);
    EXPECT_FALSE(HeaderOf(res, "Retry-After").empty());
}

TEST_F(IntakeRoutesTest, PagerDutyAnswersOnlyAfterTheCommitAndFailedCommitIs503) {
    MakeCommitter(100);
    auto res = Post("/v2/enqueue", kTrigger);
    ASSERT_TRUE(res.deferred);
    EXPECT_FALSE(res.deferred->Take()) << "answered before any commit";
    auto out = Finish(*committer_, res);
    EXPECT_EQ(out.status, 503);
    EXPECT_FALSE(HeaderOf(out, "Retry-After").empty());
}

TEST_F(IntakeRoutesTest, AlertmanagerAuthForms) {
    MakeCommitter(100);
    EXPECT_EQ(Post("/integrations/alertmanager", kAmBody).status, 401);
    auto res = Post("/integrations/alertmanager", kAmBody, {{"Authorization", "Bearer wrong"}});
    EXPECT_EQ(res.status, 401);
    EXPECT_FALSE(HeaderOf(res, "WWW-Authenticate").empty());
    EXPECT_EQ(
        Post("/integrations/alertmanager", kAmBody, {{"Authorization", std::string("Bearer ") + kPdKey}}).status,
        401
    );  // a PagerDuty key is not an Alertmanager key
    EXPECT_TRUE(
        Post("/integrations/alertmanager", kAmBody, {{"Authorization", std::string("Bearer ") + kAmKey}}).deferred
    );
    EXPECT_TRUE(Post(std::string("/integrations/alertmanager?key=") + kAmKey, kAmBody).deferred);
    // "alertmanager:am-secret-0123456789" in base64: Basic auth with the key as password.
    EXPECT_TRUE(Post(
                    "/integrations/alertmanager",
                    kAmBody,
                    {{"Authorization", "Basic YWxlcnRtYW5hZ2VyOmFtLXNlY3JldC0wMTIzNDU2Nzg5"}}
    ).deferred);
}

TEST_F(IntakeRoutesTest, AlertmanagerMalformedIs400AndEmptyGroupIs200AtOnce) {
    MakeCommitter(100);
    testing::Headers h{{"Authorization", std::string("Bearer ") + kAmKey}};
    auto res = Post("/integrations/alertmanager", R"({"version":"4","alerts":[]})", h);
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.Body().find("groupKey"), std::string::npos);
    res = Post("/integrations/alertmanager", R"({"version":"4","groupKey":"g","alerts":[]})", h);
    EXPECT_EQ(res.status, 200);
    EXPECT_FALSE(res.deferred);
}

TEST_F(IntakeRoutesTest, AlertmanagerNeverGets429ButRetryable503) {
    MakeCommitter(1);
    testing::Headers h{{"Authorization", std::string("Bearer ") + kAmKey}};
    EXPECT_TRUE(Post("/integrations/alertmanager", kAmBody, h).deferred);
    auto res = Post("/integrations/alertmanager", kAmBody, h);  // queue full
    EXPECT_EQ(res.status, 503);
    for (int i = 0; i < 5; ++i) res = Post("/integrations/alertmanager", kAmBody, h);  // over the burst
    EXPECT_EQ(res.status, 503);
    EXPECT_FALSE(HeaderOf(res, "Retry-After").empty());
    auto first = Post("/integrations/alertmanager", kAmBody, h);
    EXPECT_NE(first.status, 429);
}

TEST_F(IntakeRoutesTest, AlertmanagerFailedCommitIs503) {
    MakeCommitter(100);
    auto res = Post("/integrations/alertmanager", kAmBody, {{"Authorization", std::string("Bearer ") + kAmKey}});
    EXPECT_EQ(Finish(*committer_, res).status, 503);
}

TEST_F(IntakeRoutesTest, GenericUsesTheKeysMapping) {
    MakeCommitter(100);
    auto res = Post(std::string("/integrations/generic/") + kGenericKey, R"({"title":"Disk full"})");
    EXPECT_TRUE(res.deferred) << res.status << " " << res.Body();
    res = Post(std::string("/integrations/generic/") + kGenericKey, R"({"summary":"not mapped"})");
    EXPECT_EQ(res.status, 400);
    EXPECT_NE(res.Body().find("/title"), std::string::npos) << res.Body();
    EXPECT_EQ(Post("/integrations/generic/wrong", R"({"title":"x"})").status, 401);
    EXPECT_TRUE(
        Post(
            "/integrations/generic", R"({"title":"x"})", {{"Authorization", std::string("Bearer ") + kGenericKey}}
        ).deferred
    );
}

}  // namespace
}  // namespace tocsin::api
