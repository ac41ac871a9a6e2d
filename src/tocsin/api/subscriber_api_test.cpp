// The subscriber, delivery and notification routes of the admin API, through the router:
// CRUD, keyset pagination, CSV import/export, retries, roles, and the response objects
// against the fields web/api/openapi.json documents.
#include "tocsin/api/subscriber_api.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/openapi.hpp"
#include "tocsin/api/testing/router_call.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using http::Method;
using test::At;
using testing::HeaderOf;

class SubscriberApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(auth::Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        RegisterSubscriberRoutes(router_, SubscriberApiDeps{*store_, clock_, [this] { ++wakeups_; }});
        for (auto role : {auth::Role::kStakeholder, auth::Role::kResponder, auth::Role::kOwner}) {
            auto t = auth::CreateToken(*store_, clock_, std::string(auth::ToString(role)), role);
            ASSERT_TRUE(t) << t.error().message;
            tokens_[role] = t->secret;
        }
        api_ = AddComponent("API");
        db_ = AddComponent("Database");
        boost::system::error_code ec;
        doc_ = json::parse(OpenApiDocument(), ec);
        ASSERT_FALSE(ec);
    }

    std::string AddComponent(const std::string& name) { return test::AddComponent(*store_, clock_.Now(), name); }

    http::Response Call(
        Method m,
        const std::string& target,
        const std::string& body = {},
        auth::Role role = auth::Role::kResponder,
        const std::string& content_type = "application/json"
    ) {
        testing::Headers h = {{"Authorization", "Bearer " + tokens_[role]}};
        if (!content_type.empty()) h.emplace_back("Content-Type", content_type);
        return testing::CallRouter(router_, m, target, body, h);
    }

    static json::value Json(const http::Response& res) {
        boost::system::error_code ec;
        auto v = json::parse(res.Body(), ec);
        EXPECT_FALSE(ec) << res.Body();
        return v;
    }

    json::object Create(const std::string& body, int want = 201) {
        auto res = Call(Method::kPost, "/api/v1/subscribers", body);
        EXPECT_EQ(res.status, want) << res.Body();
        auto v = Json(res);
        return v.is_object() ? v.as_object() : json::object{};
    }

    // Every returned key is documented and every required key is returned.
    void ExpectSchema(const json::object& o, const std::string& schema) {
        SCOPED_TRACE(schema);
        const auto& s = doc_.at("components").at("schemas").at(schema).as_object();
        const auto& props = s.at("properties").as_object();
        for (const auto& kv : o) EXPECT_TRUE(props.contains(kv.key())) << kv.key() << " is not documented";
        for (const auto& r : s.at("required").as_array()) EXPECT_TRUE(o.contains(r.as_string())) << r.as_string();
    }

    std::vector<store::OutboxRow> Outbox() { return test::OutboxRows(*store_); }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    http::Router router_;
    std::map<auth::Role, std::string> tokens_;
    std::string api_;
    std::string db_;
    json::value doc_;
    int wakeups_ = 0;
};

TEST_F(SubscriberApiTest, CreateGetPatchDelete) {
    auto created = Create(
        R"({"subscriber":{"channel":"webhook","target":"https://example.com/hook","language":"de","components":[")" +
        api_ + R"("],"secret":"top-secret-value","skip_confirmation":true}})"
    );
    ExpectSchema(created, "Subscriber");
    std::string id(created.at("id").as_string());
    EXPECT_EQ(created.at("channel"), "webhook");
    EXPECT_EQ(created.at("language"), "de");
    EXPECT_EQ(created.at("components"), (json::array{json::value(api_)}));
    EXPECT_TRUE(created.at("confirmed").as_bool());
    EXPECT_TRUE(created.at("has_secret").as_bool());
    EXPECT_EQ(created.at("source"), "api");
    EXPECT_TRUE(Outbox().empty()) << "skip_confirmation sends nothing";

    auto got = Call(Method::kGet, "/api/v1/subscribers/" + id);
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.Body().find("top-secret-value"), std::string::npos) << "the secret is never returned";
    EXPECT_EQ(Json(got), json::value(created));

    auto patched = Call(
        Method::kPatch,
        "/api/v1/subscribers/" + id,
        R"({"language":"en","components":[],"secret":"","confirmed":false})"
    );
    ASSERT_EQ(patched.status, 200) << patched.Body();
    auto p = Json(patched).as_object();
    EXPECT_EQ(p.at("language"), "en");
    EXPECT_TRUE(p.at("components").as_array().empty());
    EXPECT_FALSE(p.at("has_secret").as_bool());
    EXPECT_FALSE(p.at("confirmed").as_bool());
    EXPECT_TRUE(p.at("confirmed_at").is_null());

    EXPECT_EQ(Call(Method::kPatch, "/api/v1/subscribers/" + id, R"({"target":"x"})").status, 400);
    EXPECT_EQ(Call(Method::kDelete, "/api/v1/subscribers/" + id).status, 204);
    EXPECT_EQ(Call(Method::kGet, "/api/v1/subscribers/" + id).status, 404);
    EXPECT_EQ(Call(Method::kDelete, "/api/v1/subscribers/" + id).status, 404);
    EXPECT_EQ(Call(Method::kPatch, "/api/v1/subscribers/" + id, R"({"language":"de"})").status, 404);
}

TEST_F(SubscriberApiTest, UnconfirmedAdditionAsksForConfirmation) {
    auto created = Create(R"({"target":"Ops@Example.COM"})");
    EXPECT_EQ(created.at("target"), "Ops@example.com");
    EXPECT_EQ(created.at("channel"), "email");
    EXPECT_FALSE(created.at("confirmed").as_bool());
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].message.topic, "subscriber.confirm");
    EXPECT_EQ(out[0].message.payload, R"({"subscriber_id":")" + std::string(created.at("id").as_string()) + R"("})");
    EXPECT_EQ(wakeups_, 1);
}

TEST_F(SubscriberApiTest, BadInputNamesTheField) {
    struct Case {
        std::string body;
        int status;
        std::string field;
    };
    for (const auto& c : std::vector<Case>{
             {R"({"channel":"email"})", 400, "target"},
             {R"({"target":"not an address"})", 400, "target"},
             {R"({"channel":"pigeon","target":"a@example.com"})", 400, "channel"},
             {R"({"channel":"mastodon","target":"@a@example.social"})", 400, "channel"},
             {R"({"target":"a@example.com","components":["nosuchthing0"]})", 400, "components"},
             {R"({"target":"a@example.com","language":"fr"})", 400, "language"},
             {R"({"target":"a@example.com","secret":"x"})", 400, "secret"},
             {R"({"target":"a@example.com","colour":"red"})", 400, "colour"},
         }) {
        SCOPED_TRACE(c.body);
        auto res = Call(Method::kPost, "/api/v1/subscribers", c.body);
        ASSERT_EQ(res.status, c.status) << res.Body();
        EXPECT_EQ(res.content_type, "application/problem+json");
        EXPECT_EQ(Json(res).at("field"), json::value(c.field)) << res.Body();
    }
    Create(R"({"target":"a@example.com"})");
    auto again = Call(Method::kPost, "/api/v1/subscribers", R"({"target":"a@EXAMPLE.com"})");
    EXPECT_EQ(again.status, 409) << again.Body();
}

TEST_F(SubscriberApiTest, ListFiltersAndPagesByKeyset) {
    for (int i = 0; i < 5; ++i) {
        Create(
            R"({"target":"user)" + std::to_string(i) + R"(@example.com","skip_confirmation":)" +
            (i % 2 == 0 ? "true" : "false") + "}"
        );
    }
    Create(R"({"channel":"telegram","target":"-1001234567","skip_confirmation":true})");

    auto first = Call(Method::kGet, "/api/v1/subscribers?channel=email&limit=2");
    ASSERT_EQ(first.status, 200) << first.Body();
    EXPECT_EQ(HeaderOf(first, "X-Total-Count"), "5");
    auto page1 = Json(first).as_array();
    ASSERT_EQ(page1.size(), 2u);
    for (const auto& s : page1) ExpectSchema(s.as_object(), "Subscriber");
    auto link = HeaderOf(first, "Link");
    std::string last(page1.back().at("id").as_string());
    EXPECT_EQ(link, "</api/v1/subscribers?channel=email&after=" + last + "&limit=2>; rel=\"next\"");

    std::set<std::string> seen;
    std::string target = "/api/v1/subscribers?channel=email&limit=2";
    for (int pages = 0; pages < 10 && !target.empty(); ++pages) {
        auto res = Call(Method::kGet, target);
        ASSERT_EQ(res.status, 200);
        std::string previous;
        auto items = Json(res);
        for (const auto& s : items.as_array()) {
            std::string id(s.at("id").as_string());
            EXPECT_GT(id, previous) << "ordered by id";
            previous = id;
            EXPECT_TRUE(seen.insert(id).second) << "no subscriber twice";
            EXPECT_EQ(s.at("channel"), "email");
        }
        auto next = HeaderOf(res, "Link");
        target = next.empty() ? std::string() : next.substr(1, next.find('>') - 1);
    }
    EXPECT_EQ(seen.size(), 5u);

    auto confirmed = Json(Call(Method::kGet, "/api/v1/subscribers?confirmed=true")).as_array();
    EXPECT_EQ(confirmed.size(), 4u);  // user0, user2, user4 and the chat
    auto unconfirmed = Json(Call(Method::kGet, "/api/v1/subscribers?confirmed=false")).as_array();
    EXPECT_EQ(unconfirmed.size(), 2u);
    auto query = Json(Call(Method::kGet, "/api/v1/subscribers?q=USER3")).as_array();
    ASSERT_EQ(query.size(), 1u);
    EXPECT_EQ(query[0].at("target"), "user3@example.com");

    for (auto bad : {"channel=pigeon", "confirmed=maybe", "limit=0", "limit=1001", "limit=x"}) {
        SCOPED_TRACE(bad);
        EXPECT_EQ(Call(Method::kGet, std::string("/api/v1/subscribers?") + bad).status, 400);
    }
}

TEST_F(SubscriberApiTest, SubscribersArePersonalData) {
    EXPECT_EQ(Call(Method::kGet, "/api/v1/subscribers", "", auth::Role::kStakeholder).status, 403);
    EXPECT_EQ(Call(Method::kGet, "/api/v1/deliveries", "", auth::Role::kStakeholder).status, 403);
    EXPECT_EQ(
        Call(Method::kPost, "/api/v1/subscribers", R"({"target":"a@example.com"})", auth::Role::kStakeholder).status,
        403
    );
    EXPECT_EQ(Call(Method::kGet, "/api/v1/subscribers/export", "", auth::Role::kResponder).status, 403);
    EXPECT_EQ(
        Call(Method::kPost, "/api/v1/subscribers/import", "target\na@example.com\n", auth::Role::kResponder, "text/csv")
            .status,
        403
    );
    auto anonymous = testing::CallRouter(router_, Method::kGet, "/api/v1/subscribers");
    EXPECT_EQ(anonymous.status, 401);
}

TEST_F(SubscriberApiTest, ImportThenExportRoundTrips) {
    std::string csv =
        "channel,target,language,components,confirmed,created_at\r\n"
        "email,erika@example.de,de," +
        api_ + " " + db_ +
        ",true,2025-12-24T18:00:00.000Z\r\n"
        "webhook,\"https://example.com/h?a=1,2\",en,,true,\r\n"
        "email,broken address,en,,true,\r\n"
        "email,max@example.de,de,nosuchthing0,true,\r\n"
        "telegram,@status_updates,en,,false,\r\n";
    auto res = Call(Method::kPost, "/api/v1/subscribers/import", csv, auth::Role::kOwner, "text/csv; charset=utf-8");
    ASSERT_EQ(res.status, 200) << res.Body();
    auto report = Json(res).as_object();
    ExpectSchema(report, "SubscriberImportReport");
    EXPECT_EQ(report.at("imported").as_int64(), 3);
    EXPECT_EQ(report.at("skipped_existing").as_int64(), 0);
    EXPECT_EQ(report.at("failed").as_int64(), 2);
    auto errors = report.at("errors").as_array();
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0], (json::object{{"line", 4}, {"field", "target"}, {"message", errors[0].at("message")}}));
    EXPECT_EQ(errors[1].at("line").as_int64(), 5);
    EXPECT_EQ(errors[1].at("field"), "components");
    EXPECT_EQ(wakeups_, 1);  // the telegram chat gets a confirmation request

    auto again = Json(Call(Method::kPost, "/api/v1/subscribers/import", csv, auth::Role::kOwner, "text/csv"));
    EXPECT_EQ(again.at("imported").as_int64(), 0);
    EXPECT_EQ(again.at("skipped_existing").as_int64(), 3);

    auto exported = Call(Method::kGet, "/api/v1/subscribers/export", "", auth::Role::kOwner);
    ASSERT_EQ(exported.status, 200);
    EXPECT_EQ(exported.content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(HeaderOf(exported, "Content-Disposition"), "attachment; filename=\"subscribers.csv\"");
    std::string body(exported.Body());
    EXPECT_EQ(body.rfind("channel,target,language,components,confirmed,created_at\r\n", 0), 0u);
    EXPECT_NE(
        body.find("email,erika@example.de,de," + api_ + " " + db_ + ",true,2025-12-24T18:00:00.000Z\r\n"),
        std::string::npos
    ) << body;
    EXPECT_NE(body.find("webhook,\"https://example.com/h?a=1,2\",en,,true,"), std::string::npos) << body;
    EXPECT_NE(body.find("telegram,@status_updates,en,,false,"), std::string::npos) << body;

    // The export imports into an empty page as the same subscribers.
    auto listed = Json(Call(Method::kGet, "/api/v1/subscribers"));
    for (const auto& s : listed.as_array()) {
        EXPECT_EQ(Call(Method::kDelete, "/api/v1/subscribers/" + std::string(s.at("id").as_string())).status, 204);
    }
    auto reimport = Json(Call(Method::kPost, "/api/v1/subscribers/import", body, auth::Role::kOwner, "text/csv"));
    EXPECT_EQ(reimport.at("imported").as_int64(), 3) << json::serialize(reimport);
    // New ids, so possibly another order: the same lines.
    auto lines = [](std::string_view text) {
        std::multiset<std::string> out;
        while (!text.empty()) {
            auto end = text.find("\r\n");
            out.emplace(text.substr(0, end));
            text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
        }
        return out;
    };
    EXPECT_EQ(lines(Call(Method::kGet, "/api/v1/subscribers/export", "", auth::Role::kOwner).Body()), lines(body));
}

TEST_F(SubscriberApiTest, ImportRefusesOtherMediaTypesAndBadHeaders) {
    auto json_body = Call(Method::kPost, "/api/v1/subscribers/import", R"({"target":"x"})", auth::Role::kOwner);
    EXPECT_EQ(json_body.status, 415);
    auto empty = Call(Method::kPost, "/api/v1/subscribers/import", "", auth::Role::kOwner, "text/csv");
    EXPECT_EQ(empty.status, 400);
    auto header = Call(
        Method::kPost,
        "/api/v1/subscribers/import",
        "target,colour\na@example.com,red\n",
        auth::Role::kOwner,
        "text/csv"
    );
    EXPECT_EQ(header.status, 400);
    EXPECT_EQ(Json(header).at("field"), "header");
}

TEST_F(SubscriberApiTest, DeliveriesAndNotifications) {
    auto sub = Create(R"({"target":"ops@example.com","skip_confirmation":true})");
    std::string sub_id(sub.at("id").as_string());
    std::int64_t seq = 0;
    std::vector<store::Delivery> rows;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        store::OutboxMessage m{"incident.update", "incident.update:abc", R"({"incident_id":"abc"})", clock_.Now()};
        TOCSIN_TRY(tx.EnqueueOutbox(m));
        TOCSIN_ASSIGN(list, tx.ListOutbox(0, 1));
        seq = list.front().seq;
        for (auto [key, state] :
             {std::pair{"a", store::DeliveryState::kDead},
              std::pair{"b", store::DeliveryState::kSent},
              std::pair{"c", store::DeliveryState::kPending}}) {
            store::Delivery d;
            d.idempotency_key = std::string("incident.update:abc/") + key;
            d.outbox_seq = seq;
            d.subscriber_id = sub_id;
            d.state = state;
            d.attempts = state == store::DeliveryState::kPending ? 0 : 3;
            d.next_attempt_at = d.created_at = clock_.Now();
            if (state == store::DeliveryState::kSent) d.sent_at = clock_.Now();
            if (state == store::DeliveryState::kDead) d.last_error = "550 mailbox unavailable";
            rows.push_back(d);
        }
        TOCSIN_ASSIGN(n, tx.InsertDeliveries(rows));
        if (n != 3) return Error::Internal("not inserted");
        return {};
    }));

    auto all = Call(Method::kGet, "/api/v1/deliveries?outbox_seq=" + std::to_string(seq));
    ASSERT_EQ(all.status, 200) << all.Body();
    auto list = Json(all).as_array();
    ASSERT_EQ(list.size(), 3u);
    for (const auto& d : list) ExpectSchema(d.as_object(), "Delivery");
    auto dead = Json(Call(Method::kGet, "/api/v1/deliveries?state=dead&subscriber_id=" + sub_id)).as_array();
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].at("last_error"), "550 mailbox unavailable");
    std::int64_t dead_id = dead[0].at("id").as_int64();
    auto paged = Call(Method::kGet, "/api/v1/deliveries?limit=1");
    EXPECT_EQ(Json(paged).as_array().size(), 1u);
    EXPECT_NE(HeaderOf(paged, "Link").find("after="), std::string::npos);
    EXPECT_EQ(Json(Call(Method::kGet, "/api/v1/deliveries?after=" + std::to_string(dead_id))).as_array().size(), 2u);
    EXPECT_EQ(Call(Method::kGet, "/api/v1/deliveries?state=lost").status, 400);

    auto progress = Call(Method::kGet, "/api/v1/notifications/" + std::to_string(seq));
    ASSERT_EQ(progress.status, 200) << progress.Body();
    auto n = Json(progress).as_object();
    ExpectSchema(n, "Notification");
    EXPECT_EQ(n.at("topic"), "incident.update");
    EXPECT_EQ(n.at("payload").at("incident_id"), "abc");
    EXPECT_EQ(n.at("progress"), (json::object{{"pending", 1}, {"sent", 1}, {"dead", 1}, {"failing", 0}}));

    int before = wakeups_;
    auto retried = Call(Method::kPost, "/api/v1/deliveries/" + std::to_string(dead_id) + "/retry");
    ASSERT_EQ(retried.status, 200) << retried.Body();
    EXPECT_EQ(Json(retried).at("state"), "pending");
    EXPECT_EQ(Json(retried).at("attempts").as_int64(), 3);
    EXPECT_EQ(wakeups_, before + 1);
    auto again = Call(Method::kPost, "/api/v1/deliveries/" + std::to_string(dead_id) + "/retry");
    EXPECT_EQ(again.status, 409) << again.Body();
    EXPECT_EQ(Call(Method::kPost, "/api/v1/deliveries/999999/retry").status, 404);
    EXPECT_EQ(Call(Method::kPost, "/api/v1/deliveries/abc/retry").status, 404);
    EXPECT_EQ(
        Json(Call(Method::kGet, "/api/v1/notifications/" + std::to_string(seq)))
            .at("progress")
            .at("failing")
            .as_int64(),
        1
    ) << "pending again after 3 failed attempts";

    // A second event; the list is newest first and pages by `before`.
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) {
        return tx.EnqueueOutbox({"component.status", "component.status:x", "{}", clock_.Now()});
    }));
    auto events = Call(Method::kGet, "/api/v1/notifications?limit=1");
    ASSERT_EQ(events.status, 200);
    auto newest = Json(events).as_array();
    ASSERT_EQ(newest.size(), 1u);
    ExpectSchema(newest[0].as_object(), "Notification");
    EXPECT_EQ(newest[0].at("topic"), "component.status");
    EXPECT_FALSE(newest[0].as_object().contains("payload"));
    auto link = HeaderOf(events, "Link");
    ASSERT_FALSE(link.empty());
    auto older = Json(Call(Method::kGet, link.substr(1, link.find('>') - 1))).as_array();
    ASSERT_EQ(older.size(), 1u);
    EXPECT_EQ(older[0].at("seq").as_int64(), seq);
    EXPECT_EQ(Call(Method::kGet, "/api/v1/notifications/999999").status, 404);
    EXPECT_EQ(Call(Method::kGet, "/api/v1/notifications?before=-1").status, 400);
}

}  // namespace
}  // namespace tocsin::api
