// Checks web/api/openapi.json against what the server really registers and answers:
// every route is documented, every documented operation exists, roles, status codes,
// response shapes and the public snapshot paths.
#include "tocsin/api/openapi.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/admin_api.hpp"
#include "tocsin/api/alert_api.hpp"
#include "tocsin/api/escalation_api.hpp"
#include "tocsin/api/intake_routes.hpp"
#include "tocsin/api/live.hpp"
#include "tocsin/api/monitor_api.hpp"
#include "tocsin/api/opsgenie_api.hpp"
#include "tocsin/api/people_api.hpp"
#include "tocsin/api/public_site.hpp"
#include "tocsin/api/schedule_api.hpp"
#include "tocsin/api/session_api.hpp"
#include "tocsin/api/subscriber_api.hpp"
#include "tocsin/api/template_api.hpp"
#include "tocsin/api/testing/router_call.hpp"
#include "tocsin/api/user_api.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/domain/uptime.hpp"
#include "tocsin/monitor/monitor_json.hpp"
#include "tocsin/monitor/monitor_state.hpp"
#include "tocsin/monitor/rollup.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using http::Method;
using test::At;

std::string MethodName(Method m) {
    return testing::LowerAscii(http::ToString(m));
}

Method ParseMethod(std::string_view lower) {
    for (Method m :
         {Method::kGet,
          Method::kHead,
          Method::kPost,
          Method::kPut,
          Method::kPatch,
          Method::kDelete,
          Method::kOptions}) {
        if (MethodName(m) == lower) return m;
    }
    return Method::kOther;
}

bool IsOperationKey(std::string_view key) {
    static const std::set<std::string_view> kMethods = {
        "get", "put", "post", "delete", "options", "head", "patch", "trace"};
    return kMethods.count(key) > 0;
}

// The public outputs that the snapshot fallback serves (issue 2, "The public outputs").
const std::set<std::string> kSnapshotPaths = {
    "/",
    "/history",
    "/uptime",
    "/incidents/{id}",
    "/api/v2/summary.json",
    "/api/v2/status.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
    "/history.atom",
    "/history.rss",
    "/embed/status.json",
    "/embed/banner",
    "/embed/banner.js",
    "/badge.svg",
    "/maintenance.ics",
};

// The monitoring history of one public monitor, linked to `component_id`, as the uptime
// loader would fill it (90 days, 24 and 168 hours, 30 days).
domain::UptimeState OneMonitorUptime(const std::string& component_id) {
    using namespace std::chrono;
    const TimePoint now = At("2026-03-01T10:00:00Z");
    const TimePoint today = floor<days>(now);
    const TimePoint this_hour = floor<hours>(now);
    domain::MonitorUptime m;
    m.id = "mon000000001";
    m.name = "API web";
    m.type = "http";
    m.component_ids = {component_id};
    m.state = "up";
    m.uptime_24h = m.uptime_7d = m.uptime_30d = m.uptime_90d = 100.0;
    for (int i = 0; i < 90; ++i) {
        domain::DayUptime d;
        d.day_start = today - days(89 - i);
        d.checks = 1440;
        d.health = domain::DayHealth::kOperational;
        m.days.push_back(d);
    }
    auto points = [](int count, milliseconds step, TimePoint last) {
        std::vector<domain::LatencyPoint> out;
        for (int i = 0; i < count; ++i) {
            domain::LatencyPoint p;
            p.start = last - step * (count - 1 - i);
            p.checks = 60;
            p.p50 = 120ms;
            p.p95 = 300ms;
            out.push_back(p);
        }
        return out;
    };
    m.hours_24 = points(24, hours(1), this_hour);
    m.hours_168 = points(168, hours(1), this_hour);
    m.days_30 = points(30, days(1), today);
    domain::UptimeState u;
    u.generated_at = now;
    u.monitors = {m};
    return u;
}

class OpenApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(auth::Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        RegisterAdminRoutes(router_, AdminApiDeps{*store_, clock_, [this] { ++changes_; }});
        RegisterMonitorRoutes(
            router_,
            MonitorApiDeps{
                *store_,
                clock_,
                [this] { ++monitor_changes_; },
                [this](monitor::CheckResult r, bool) { submitted_.push_back(std::move(r)); },
                [this](monitor::CheckPlan plan) -> std::optional<monitor::CheckResult> {
                    if (!check_answer_) return std::nullopt;  // as if the engine did not finish in time
                    auto r = *check_answer_;
                    r.monitor_id = plan.monitor_id;
                    return r;
                },
                [] {}}
        );
        RegisterSubscriberRoutes(router_, SubscriberApiDeps{*store_, clock_});
        sessions_ = std::make_unique<auth::Sessions>(*store_, clock_, auth::SessionOptions{});
        RegisterSessionRoutes(router_, SessionApiDeps{*store_, clock_, *sessions_});
        RegisterUserRoutes(router_, UserApiDeps{*store_, clock_, sessions_.get()});
        auto templates = notify::Templates::Load("");
        ASSERT_TRUE(templates) << templates.error().message;
        RegisterTemplateRoutes(router_, TemplateApiDeps{*store_, clock_, *templates, sessions_.get()});
        RegisterLiveRoutes(router_, *store_, sessions_.get(), live_);
        intake_auth_ = std::make_unique<IntakeAuth>(clock_);
        RegisterAlertRoutes(router_, AlertApiDeps{*store_, clock_, *intake_auth_, sessions_.get()});
        // The intake dialects (a committer that is never started: only key checks answer here).
        committer_ = std::make_unique<engine::IntakeCommitter>(*store_, clock_);
        RegisterIntakeRoutes(router_, IntakeRouteDeps{*intake_auth_, *committer_});
        RegisterOpsgenieRoutes(router_, OpsgenieApiDeps{*store_, clock_, *intake_auth_, {}});
        RegisterEscalationRoutes(
            router_,
            EscalationApiDeps{*store_, clock_, notify::LinkSigner(notify::LinkSigner::NewKey()), "", sessions_.get()}
        );
        RegisterScheduleRoutes(router_, ScheduleApiDeps{*store_, clock_, sessions_.get()});
        // No sender, no VAPID key: /verify and /web-push/key answer 503, which the document lists.
        static const oncall::OncallOptions kPeopleOptions;
        static const oncall::SenderConfig kPeopleSenders;
        RegisterPeopleRoutes(
            router_, PeopleApiDeps{*store_, clock_, kPeopleOptions, kPeopleSenders, {}, {}, sessions_.get()}
        );
        RegisterOpenApi(router_);
        RegisterPublicRoutes(
            router_, [this] { return snapshot_; }, metrics_
        );

        boost::system::error_code ec;
        auto v = json::parse(OpenApiDocument(), ec);
        ASSERT_FALSE(ec) << "openapi.json does not parse: " << ec.message();
        ASSERT_TRUE(v.is_object());
        doc_ = v.as_object();

        for (auto role : {auth::Role::kProbe, auth::Role::kStakeholder, auth::Role::kResponder, auth::Role::kOwner}) {
            auto t = auth::CreateToken(*store_, clock_, std::string(auth::ToString(role)), role);
            ASSERT_TRUE(t) << t.error().message;
            tokens_[role] = *t;
        }
    }

    const json::object& Paths() const { return doc_.at("paths").as_object(); }

    // Resolves a local "$ref" ("#/components/schemas/X"); nullptr when it does not resolve.
    const json::value* Resolve(std::string_view ref) const {
        if (ref.rfind("#/", 0) != 0) return nullptr;
        const json::value* at = nullptr;
        std::string_view rest = ref.substr(2);
        const json::object* obj = &doc_;
        while (!rest.empty()) {
            auto slash = rest.find('/');
            std::string key(rest.substr(0, slash));
            rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
            at = obj->if_contains(key);
            if (!at) return nullptr;
            if (!rest.empty()) {
                if (!at->is_object()) return nullptr;
                obj = &at->as_object();
            }
        }
        return at;
    }

    const json::object& Deref(const json::object& o) const {
        if (auto* r = o.if_contains("$ref")) {
            const json::value* target = Resolve(r->as_string());
            if (target && target->is_object()) return Deref(target->as_object());
        }
        return o;
    }

    // Runs a request through the router the way the server does (typed errors become problems).
    http::Response Call(
        Method method, const std::string& target, const std::string& body = {}, const testing::Headers& headers = {}
    ) {
        return testing::CallRouter(router_, method, target, body, headers);
    }

    testing::Headers As(auth::Role role, std::string content_type = "application/json") {
        testing::Headers h = {{"Authorization", "Bearer " + tokens_[role].secret}};
        if (!content_type.empty()) h.emplace_back("Content-Type", content_type);
        return h;
    }

    json::value Json(const http::Response& res) {
        boost::system::error_code ec;
        auto v = json::parse(res.Body(), ec);
        EXPECT_FALSE(ec) << res.Body();
        return v;
    }

    // A minimal JSON Schema check of the subset openapi.json uses: $ref, allOf, oneOf, nullable,
    // type, enum, required, properties (undocumented keys are errors), additionalProperties, items.
    void ExpectMatches(const json::value& value, const json::object& schema_in, const std::string& at) {
        const json::object& schema = Deref(schema_in);
        if (value.is_null()) {
            bool nullable = schema.contains("nullable") && schema.at("nullable").as_bool();
            EXPECT_TRUE(nullable || schema.empty()) << at << " is null but not nullable";
            return;
        }
        if (auto* all = schema.if_contains("allOf")) {
            json::object merged_props;
            json::array merged_required;
            for (const auto& part : all->as_array()) {
                const auto& p = Deref(part.as_object());
                if (auto* props = p.if_contains("properties")) {
                    for (const auto& kv : props->as_object()) merged_props[kv.key()] = kv.value();
                }
                if (auto* req = p.if_contains("required")) {
                    for (const auto& r : req->as_array()) merged_required.push_back(r);
                }
                if (!p.contains("properties")) ExpectMatches(value, p, at);
            }
            if (!merged_props.empty()) {
                json::object combined{{"type", "object"}, {"properties", merged_props}, {"required", merged_required}};
                ExpectMatches(value, combined, at);
            }
            return;
        }
        if (auto* one = schema.if_contains("oneOf")) {
            EXPECT_FALSE(one->as_array().empty()) << at;
            return;  // alternatives of request bodies; responses do not use oneOf
        }
        if (auto* e = schema.if_contains("enum")) {
            bool found = false;
            for (const auto& option : e->as_array()) found = found || option == value;
            EXPECT_TRUE(found) << at << " = " << json::serialize(value) << " is not in the documented enum";
        }
        std::string type = schema.contains("type") ? std::string(schema.at("type").as_string()) : "";
        if (type == "string") {
            EXPECT_TRUE(value.is_string()) << at << " should be a string: " << json::serialize(value);
        } else if (type == "integer") {
            EXPECT_TRUE(value.is_int64() || value.is_uint64()) << at << " should be an integer";
        } else if (type == "boolean") {
            EXPECT_TRUE(value.is_bool()) << at << " should be a boolean";
        } else if (type == "array") {
            ASSERT_TRUE(value.is_array()) << at << " should be an array";
            const auto& items = schema.at("items").as_object();
            std::size_t i = 0;
            for (const auto& item : value.as_array()) ExpectMatches(item, items, at + "[" + std::to_string(i++) + "]");
        } else if (type == "object") {
            ASSERT_TRUE(value.is_object()) << at << " should be an object";
            const auto& o = value.as_object();
            if (auto* req = schema.if_contains("required")) {
                for (const auto& r : req->as_array()) {
                    EXPECT_TRUE(o.contains(r.as_string())) << at << " lacks required " << r.as_string();
                }
            }
            const json::object* props = schema.contains("properties") ? &schema.at("properties").as_object() : nullptr;
            const json::value* extra = schema.if_contains("additionalProperties");
            for (const auto& kv : o) {
                std::string child = at + "." + std::string(kv.key());
                if (props && props->contains(kv.key())) {
                    ExpectMatches(kv.value(), props->at(kv.key()).as_object(), child);
                } else if (extra && extra->is_object()) {
                    ExpectMatches(kv.value(), extra->as_object(), child);
                } else if (props) {
                    ADD_FAILURE() << child << " is returned but not documented";
                }
            }
        }
    }

    // Checks a response against the operation's documented response for its status.
    void ExpectDocumented(const std::string& path, Method method, const http::Response& res) {
        SCOPED_TRACE(MethodName(method) + " " + path);
        const auto& op = Paths().at(path).at(MethodName(method)).as_object();
        const auto* documented = op.at("responses").as_object().if_contains(std::to_string(res.status));
        ASSERT_NE(documented, nullptr) << "status " << res.status << " is not documented; body: " << res.Body();
        const auto& r = Deref(documented->as_object());
        auto* content = r.if_contains("content");
        if (!content) {
            EXPECT_TRUE(res.Body().empty()) << "undocumented body: " << res.Body();
            return;
        }
        std::string media = res.content_type.substr(0, res.content_type.find(';'));
        auto* media_type = content->as_object().if_contains(media);
        ASSERT_NE(media_type, nullptr) << "content type " << media << " is not documented";
        if (media.find("json") != std::string::npos) {
            ExpectMatches(Json(res), media_type->as_object().at("schema").as_object(), "body");
        }
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::unique_ptr<auth::Sessions> sessions_;
    std::unique_ptr<IntakeAuth> intake_auth_;
    std::unique_ptr<engine::IntakeCommitter> committer_;
    LiveHub live_;
    http::Router router_;
    MetricsRegistry metrics_;
    std::shared_ptr<const page::Snapshot> snapshot_;
    json::object doc_;
    std::map<auth::Role, auth::NewToken> tokens_;
    int changes_ = 0;
    int monitor_changes_ = 0;
    std::vector<monitor::CheckResult> submitted_;
    std::optional<monitor::CheckResult> check_answer_;  // what "check now" answers; nullopt: it times out
};

// ---- the document itself ---------------------------------------------------------------------

TEST_F(OpenApiTest, IsAnOpenApi303Document) {
    EXPECT_EQ(doc_.at("openapi").as_string(), "3.0.3");
    EXPECT_FALSE(doc_.at("info").at("title").as_string().empty());
    EXPECT_FALSE(doc_.at("info").at("version").as_string().empty());
    EXPECT_FALSE(Paths().empty());
    const auto& bearer = doc_.at("components").at("securitySchemes").at("bearerAuth").as_object();
    EXPECT_EQ(bearer.at("type").as_string(), "http");
    EXPECT_EQ(bearer.at("scheme").as_string(), "bearer");
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
    std::vector<std::string> broken;
    std::function<void(const json::value&)> walk = [&](const json::value& v) {
        if (v.is_object()) {
            for (const auto& kv : v.as_object()) {
                if (kv.key() == "$ref" && (!kv.value().is_string() || !Resolve(kv.value().as_string()))) {
                    broken.push_back(json::serialize(kv.value()));
                }
                walk(kv.value());
            }
        } else if (v.is_array()) {
            for (const auto& item : v.as_array()) walk(item);
        }
    };
    walk(doc_);
    EXPECT_TRUE(broken.empty()) << "unresolved: " << broken.front();
}

TEST_F(OpenApiTest, OperationIdsAreUnique) {
    std::set<std::string> seen;
    for (const auto& path : Paths()) {
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            std::string id(kv.value().at("operationId").as_string());
            EXPECT_TRUE(seen.insert(id).second) << "duplicate operationId " << id;
        }
    }
}

TEST_F(OpenApiTest, PathParametersAreDeclared) {
    for (const auto& path : Paths()) {
        std::string p(path.key());
        SCOPED_TRACE(p);
        std::set<std::string> in_template;
        for (auto open = p.find('{'); open != std::string::npos; open = p.find('{', open + 1)) {
            in_template.insert(p.substr(open + 1, p.find('}', open) - open - 1));
        }
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            std::set<std::string> declared;
            for (const auto* list :
                 {path.value().as_object().if_contains("parameters"),
                  kv.value().as_object().if_contains("parameters")}) {
                if (!list) continue;
                for (const auto& param : list->as_array()) {
                    const auto& pr = Deref(param.as_object());
                    if (pr.at("in").as_string() != "path") continue;
                    EXPECT_TRUE(pr.at("required").as_bool());
                    declared.insert(std::string(pr.at("name").as_string()));
                }
            }
            EXPECT_EQ(declared, in_template) << kv.key();
        }
    }
}

// ---- routes <-> document -------------------------------------------------------------------------

TEST_F(OpenApiTest, EveryRegisteredRouteIsDocumented) {
    auto routes = router_.Routes();
    ASSERT_GE(routes.size(), 30u);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& r : routes) {
        SCOPED_TRACE(MethodName(r.method) + " " + r.pattern);
        EXPECT_TRUE(seen.insert({MethodName(r.method), r.pattern}).second) << "registered twice";
        const auto* path = Paths().if_contains(r.pattern);
        ASSERT_NE(path, nullptr) << "path not documented";
        const auto* op = path->as_object().if_contains(MethodName(r.method));
        ASSERT_NE(op, nullptr) << "method not documented";
        EXPECT_FALSE(op->as_object().contains("x-tocsin-snapshot")) << "a route is not a snapshot output";
    }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRegistered) {
    std::set<std::pair<Method, std::string>> registered;
    for (const auto& r : router_.Routes()) registered.insert({r.method, r.pattern});
    int operations = 0;
    for (const auto& path : Paths()) {
        std::string p(path.key());
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            SCOPED_TRACE(std::string(kv.key()) + " " + p);
            const auto& op = kv.value().as_object();
            if (op.contains("x-tocsin-snapshot")) {
                EXPECT_TRUE(op.at("x-tocsin-snapshot").as_bool());
                continue;
            }
            ++operations;
            Method m = ParseMethod(kv.key());
            // HEAD is served by the GET handler.
            if (m == Method::kHead) m = Method::kGet;
            EXPECT_TRUE(registered.count({m, p})) << "documented but not registered";
        }
    }
    EXPECT_EQ(operations, static_cast<int>(registered.size()));
}

TEST_F(OpenApiTest, SnapshotPathsAreExactlyThePublicOutputs) {
    std::set<std::string> documented;
    for (const auto& path : Paths()) {
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            const auto& op = kv.value().as_object();
            if (!op.contains("x-tocsin-snapshot")) continue;
            SCOPED_TRACE(std::string(path.key()));
            EXPECT_EQ(kv.key(), "get");
            EXPECT_EQ(op.at("tags"), json::value(json::array{"public"}));
            documented.insert(std::string(path.key()));
        }
    }
    EXPECT_EQ(documented, kSnapshotPaths);
}

// ---- security and roles ---------------------------------------------------------------------------

TEST_F(OpenApiTest, EveryAdminOperationNeedsABearerToken) {
    for (const auto& path : Paths()) {
        std::string p(path.key());
        if (p.rfind("/api/v1/", 0) != 0) continue;
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            SCOPED_TRACE(std::string(kv.key()) + " " + p);
            const auto& op = kv.value().as_object();
            if (p == "/api/v1/openapi.json") {
                EXPECT_EQ(op.at("security"), json::value(json::array{}));
                auto res = Call(Method::kGet, p);
                EXPECT_EQ(res.status, 200);
                continue;
            }
            if (p == "/api/v1/setup" || (p == "/api/v1/session" && kv.key() == "post")) {
                // How a browser gets its session: no credentials; an empty body is a 400.
                EXPECT_EQ(op.at("security"), json::value(json::array{}));
                EXPECT_FALSE(op.contains("x-tocsin-role"));
                auto res = Call(ParseMethod(kv.key()), p, "{}", {{"Content-Type", "application/json"}});
                EXPECT_EQ(res.status, kv.key() == "get" ? 200 : 400) << res.Body();
                ExpectDocumented(p, ParseMethod(kv.key()), res);
                continue;
            }
            if (p.rfind("/api/v1/session", 0) == 0) {
                // The signed-in user's own session: only the cookie; a token gets 403.
                EXPECT_EQ(op.at("security"), json::value(json::array{json::object{{"cookieAuth", json::array{}}}}));
                EXPECT_FALSE(op.contains("x-tocsin-role"));
                auto anonymous = Call(ParseMethod(kv.key()), p, "{}", {{"Content-Type", "application/json"}});
                EXPECT_EQ(anonymous.status, 401);
                ExpectDocumented(p, ParseMethod(kv.key()), anonymous);
                auto token = Call(ParseMethod(kv.key()), p, "{}", As(auth::Role::kOwner));
                EXPECT_EQ(token.status, 403) << token.Body();
                ExpectDocumented(p, ParseMethod(kv.key()), token);
                continue;
            }
            if (p == "/api/v1/heartbeats/{token}") {
                // The secret in the path is the credential: no bearer token, no role; an
                // unknown secret is a 404 rather than a 401.
                EXPECT_EQ(op.at("security"), json::value(json::array{}));
                EXPECT_FALSE(op.contains("x-tocsin-role"));
                auto res = Call(ParseMethod(kv.key()), "/api/v1/heartbeats/hb_" + std::string(64, '0'));
                EXPECT_EQ(res.status, 404) << res.Body();
                ExpectDocumented(p, ParseMethod(kv.key()), res);
                continue;
            }
            EXPECT_EQ(op.at("security"), json::value(json::array{json::object{{"bearerAuth", json::array{}}}}));
            EXPECT_TRUE(op.at("responses").as_object().contains("401"));
            EXPECT_TRUE(op.at("responses").as_object().contains("403"));
            std::string target = p;
            for (auto [from, to] : {std::pair{"{id}", "nonexistent0"}, std::pair{"{update_id}", "nonexistent1"}}) {
                if (auto pos = target.find(from); pos != std::string::npos)
                    target.replace(pos, std::string_view(from).size(), to);
            }
            auto anonymous = Call(ParseMethod(kv.key()), target, "{}", {{"Content-Type", "application/json"}});
            EXPECT_EQ(anonymous.status, 401);
            EXPECT_EQ(anonymous.content_type, "application/problem+json");
            bool has_challenge = false;
            for (const auto& [k, v] : anonymous.headers) has_challenge = has_challenge || k == "WWW-Authenticate";
            EXPECT_TRUE(has_challenge);
            ExpectDocumented(p, ParseMethod(kv.key()), anonymous);

            auto bad =
                Call(ParseMethod(kv.key()), target, "{}", {{"Authorization", "Bearer tcn_" + std::string(64, '0')}});
            EXPECT_EQ(bad.status, 401);
        }
    }
}

TEST_F(OpenApiTest, DocumentedRolesMatchTheServer) {
    const std::vector<std::pair<std::string, auth::Role>> roles = {
        {"probe", auth::Role::kProbe},
        {"stakeholder", auth::Role::kStakeholder},
        {"responder", auth::Role::kResponder},
        {"owner", auth::Role::kOwner}};
    int checked = 0;
    for (const auto& path : Paths()) {
        std::string p(path.key());
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            const auto& op = kv.value().as_object();
            if (!op.contains("x-tocsin-role")) continue;
            SCOPED_TRACE(std::string(kv.key()) + " " + p);
            auto need = auth::ParseRole(op.at("x-tocsin-role").as_string());
            ASSERT_TRUE(need);
            // The probe role is for /api/v1/probe/* and nothing else; those need no more.
            EXPECT_EQ(*need == auth::Role::kProbe, p.rfind("/api/v1/probe/", 0) == 0);
            std::string target = p;
            for (auto [from, to] : {std::pair{"{id}", "nonexistent0"}, std::pair{"{update_id}", "nonexistent1"}}) {
                if (auto pos = target.find(from); pos != std::string::npos)
                    target.replace(pos, std::string_view(from).size(), to);
            }
            for (const auto& [name, role] : roles) {
                SCOPED_TRACE(name);
                auto res = Call(ParseMethod(kv.key()), target, "", As(role));
                if (auth::Allows(role, *need)) {
                    EXPECT_NE(res.status, 401);
                    EXPECT_NE(res.status, 403) << res.Body();
                } else {
                    EXPECT_EQ(res.status, 403) << res.Body();
                }
                // Whatever the answer, it is one the document promises.
                ExpectDocumented(p, ParseMethod(kv.key()), res);
            }
            ++checked;
        }
    }
    // every admin, monitoring, subscriber, user, template, live and alert route but openapi.json,
    // the heartbeat pings, the session routes and the iCal feeds
    EXPECT_EQ(checked, 64 + 29 + 13 /* schedules */ + 9 /* escalation */ + 21 /* people */ + 1 /* directory */);
}

// ---- the intake routes: integration keys, not admin tokens ------------------------------------------

// Every intake operation (tag "intake", x-tocsin-intake naming its dialect) documents the key as the
// route really takes it, answers the documented status without a key and with a wrong one, and
// never takes an admin token or role.
TEST_F(OpenApiTest, EveryIntakeOperationNeedsItsIntegrationKey) {
    const json::value genie = json::array{json::object{{"genieKey", json::array{}}}};
    const json::value keyed = json::array{
        json::object{{"integrationKeyBearer", json::array{}}},
        json::object{{"integrationKeyBasic", json::array{}}},
        json::object{{"integrationKeyQuery", json::array{}}}};
    const auto owner = As(auth::Role::kOwner);
    std::map<std::string, int> per_dialect;
    for (const auto& path : Paths()) {
        std::string p(path.key());
        for (const auto& kv : path.value().as_object()) {
            if (!IsOperationKey(kv.key())) continue;
            const auto& op = kv.value().as_object();
            const bool tagged = op.contains("tags") && op.at("tags") == json::value(json::array{"intake"});
            const bool is_intake_path = p.rfind("/v2/", 0) == 0 || p.rfind("/integrations/", 0) == 0;
            SCOPED_TRACE(std::string(kv.key()) + " " + p);
            EXPECT_EQ(tagged, is_intake_path) << "intake routes, and only they, carry the intake tag";
            if (!tagged) continue;
            ASSERT_TRUE(op.contains("x-tocsin-intake"));
            EXPECT_FALSE(op.contains("x-tocsin-role"));
            const std::string dialect(op.at("x-tocsin-intake").as_string());
            ++per_dialect[dialect];
            const Method m = ParseMethod(kv.key());
            std::string target = p;
            for (auto [from, to] :
                 {std::pair{"{identifier}", "alert-1"},
                  std::pair{"{action}", "acknowledge"},
                  std::pair{"{detail}", "x"},
                  std::pair{"{requestId}", "r-1"},
                  std::pair{"{name}", "hb"},
                  std::pair{"{verb}", "enable"},
                  std::pair{"{key}", "not-a-key-0123456789"}}) {
                if (auto pos = target.find(from); pos != std::string::npos)
                    target.replace(pos, std::string_view(from).size(), to);
            }
            const std::string body = m == Method::kGet || m == Method::kDelete ? "" : "{}";
            const auto& responses = op.at("responses").as_object();
            if (dialect == "pagerduty") {
                // The key is the body's routing_key: no header scheme; without it, PagerDuty's 400.
                EXPECT_EQ(op.at("security"), json::value(json::array{}));
                auto res = Call(m, target, body, {{"Content-Type", "application/json"}});
                EXPECT_EQ(res.status, 400) << res.Body();
                ExpectDocumented(p, m, res);
                auto token = Call(m, target, body, owner);
                EXPECT_EQ(token.status, 400) << "an admin token is no routing_key";
                continue;
            }
            EXPECT_TRUE(responses.contains("401"));
            if (dialect == "opsgenie") {
                EXPECT_EQ(op.at("security"), genie);
            } else if (p == "/integrations/generic/{key}") {
                EXPECT_EQ(op.at("security"), json::value(json::array{}));  // the path is the credential
            } else {
                EXPECT_EQ(op.at("security"), keyed);
            }
            auto anonymous = Call(m, target, body, {{"Content-Type", "application/json"}});
            EXPECT_EQ(anonymous.status, 401) << anonymous.Body();
            ExpectDocumented(p, m, anonymous);
            // An admin token is not an integration key.
            auto token = Call(m, target, body, owner);
            EXPECT_EQ(token.status, 401) << token.Body();
            ExpectDocumented(p, m, token);
            if (dialect == "opsgenie") {
                auto wrong = Call(m, target, body, {{"Authorization", "GenieKey " + std::string(32, '0')}});
                EXPECT_EQ(wrong.status, 401);
                ExpectDocumented(p, m, wrong);
            } else {
                auto wrong = Call(m, target + "?key=" + std::string(32, '0'), body, {});
                EXPECT_EQ(wrong.status, 401);
                ExpectDocumented(p, m, wrong);
            }
        }
    }
    EXPECT_EQ(per_dialect["pagerduty"], 4);
    EXPECT_EQ(per_dialect["alertmanager"], 1);
    EXPECT_EQ(per_dialect["grafana"], 1);
    EXPECT_EQ(per_dialect["generic"], 2);
    EXPECT_EQ(per_dialect["opsgenie"], 27);
}

// With real keys the intake routes answer what the document says: a signed Grafana key, an
// Opsgenie create and its request status, the generic limit.
TEST_F(OpenApiTest, IntakeAnswersMatchTheDocumentedSchemas) {
    const std::string og_key = IntakeAuth::NewSecret();
    const std::string gen_key = IntakeAuth::NewSecret();
    const std::string graf_key = IntakeAuth::NewSecret();
    intake_auth_->Put(IntakeAuth::HashSecret(og_key), "k-og", "svc-none", alerts::Dialect::kOpsgenie, "");
    intake_auth_->Put(IntakeAuth::HashSecret(gen_key), "k-gen", "svc-none", alerts::Dialect::kGeneric, "{}");
    intake_auth_->Put(
        IntakeAuth::HashSecret(graf_key),
        "k-graf",
        "svc-none",
        alerts::Dialect::kGrafana,
        R"({"signing_secret":"0123456789abcdef"})"
    );
    const testing::Headers genie = {{"Authorization", "GenieKey " + og_key}, {"Content-Type", "application/json"}};
    auto bad = Call(Method::kPost, "/v2/alerts", R"({"message":5})", genie);
    EXPECT_EQ(bad.status, 422);
    ExpectDocumented("/v2/alerts", Method::kPost, bad);
    auto unknown = Call(Method::kPost, "/v2/alerts/x/explode", "{}", genie);
    EXPECT_EQ(unknown.status, 404);
    ExpectDocumented("/v2/alerts/{identifier}/{action}", Method::kPost, unknown);
    auto deep = Call(Method::kDelete, "/v2/alerts/x/details/y", "", genie);
    EXPECT_EQ(deep.status, 404);
    ExpectDocumented("/v2/alerts/{identifier}/{action}/{detail}", Method::kDelete, deep);
    auto missing = Call(Method::kGet, "/v2/alerts/requests/nope", "", genie);
    EXPECT_EQ(missing.status, 404);
    ExpectDocumented("/v2/alerts/requests/{requestId}", Method::kGet, missing);
    auto list = Call(Method::kGet, "/v2/alerts?limit=5", "", genie);
    EXPECT_EQ(list.status, 200) << list.Body();
    ExpectDocumented("/v2/alerts", Method::kGet, list);

    std::string many = "[";
    for (int i = 0; i <= 1000; ++i) many += std::string(i ? "," : "") + R"({"summary":"s"})";
    many += "]";
    auto too_many = Call(
        Method::kPost,
        "/integrations/generic",
        many,
        {{"Authorization", "Bearer " + gen_key}, {"Content-Type", "application/json"}}
    );
    EXPECT_EQ(too_many.status, 413) << too_many.Body();
    ExpectDocumented("/integrations/generic", Method::kPost, too_many);

    const testing::Headers graf = {{"Authorization", "Bearer " + graf_key}, {"Content-Type", "application/json"}};
    auto unsigned_delivery = Call(Method::kPost, "/integrations/grafana", "{}", graf);
    EXPECT_EQ(unsigned_delivery.status, 401);
    EXPECT_NE(unsigned_delivery.Body().find("X-Grafana-Alerting-Signature"), std::string::npos);
    ExpectDocumented("/integrations/grafana", Method::kPost, unsigned_delivery);
    testing::Headers signed_headers = graf;
    signed_headers.emplace_back("X-Grafana-Alerting-Signature", grafana_hmac::Sign("0123456789abcdef", "", "{}"));
    auto signed_but_invalid = Call(Method::kPost, "/integrations/grafana", "{}", signed_headers);
    EXPECT_EQ(signed_but_invalid.status, 400) << signed_but_invalid.Body();  // past the signature: not a payload
    ExpectDocumented("/integrations/grafana", Method::kPost, signed_but_invalid);
}

// ---- responses match the schemas --------------------------------------------------------------------

TEST_F(OpenApiTest, ResponsesMatchTheDocumentedSchemas) {
    const auto owner = As(auth::Role::kOwner);
    auto group = Call(Method::kPost, "/api/v1/components", R"({"component":{"name":"Core","group":true}})", owner);
    ASSERT_EQ(group.status, 201) << group.Body();
    ExpectDocumented("/api/v1/components", Method::kPost, group);
    std::string group_id(Json(group).at("id").as_string());

    auto api = Call(
        Method::kPost,
        "/api/v1/components",
        R"({"name":"API","description":"REST","group_id":")" + group_id + R"("})",
        owner
    );
    ASSERT_EQ(api.status, 201) << api.Body();
    ExpectDocumented("/api/v1/components", Method::kPost, api);
    std::string api_id(Json(api).at("id").as_string());

    auto incident = Call(
        Method::kPost,
        "/api/v1/incidents",
        R"({"incident":{"name":"Errors","status":"identified","body":"**Looking**","components":{")" + api_id +
            R"(":"major_outage"},"impact_override":"major"}})",
        owner
    );
    ASSERT_EQ(incident.status, 201) << incident.Body();
    ExpectDocumented("/api/v1/incidents", Method::kPost, incident);
    std::string incident_id(Json(incident).at("id").as_string());

    auto maintenance = Call(
        Method::kPost,
        "/api/v1/maintenances",
        R"({"name":"Upgrade","scheduled_for":"2026-03-02T10:00:00Z","scheduled_until":"2026-03-02T12:00:00Z","component_ids":[")" +
            api_id + R"("],"scheduled_remind_prior":true})",
        owner
    );
    ASSERT_EQ(maintenance.status, 201) << maintenance.Body();
    ExpectDocumented("/api/v1/maintenances", Method::kPost, maintenance);
    EXPECT_TRUE(Json(maintenance).as_object().contains("scheduled_for"));

    auto update = Call(
        Method::kPost,
        "/api/v1/incidents/" + incident_id + "/updates",
        R"({"incident_update":{"status":"resolved","body":"Fixed."}})",
        owner
    );
    ASSERT_EQ(update.status, 201) << update.Body();
    ExpectDocumented("/api/v1/incidents/{id}/updates", Method::kPost, update);
    std::string update_id(Json(update).at("incident_updates").at(0).at("id").as_string());

    struct Case {
        std::string_view name;
        Method method;
        std::string doc_path;
        std::string target;
        std::string body;
        int status;
    };
    const Case cases[] = {
        {"page", Method::kGet, "/api/v1/page", "/api/v1/page", "", 200},
        {"patch page",
         Method::kPatch,
         "/api/v1/page",
         "/api/v1/page",
         R"({"page":{"name":"Example","footer_links":[{"label":"Home","url":"https://example.com"}]}})",
         200},
        {"components", Method::kGet, "/api/v1/components", "/api/v1/components", "", 200},
        {"component", Method::kGet, "/api/v1/components/{id}", "/api/v1/components/" + api_id, "", 200},
        {"patch component",
         Method::kPatch,
         "/api/v1/components/{id}",
         "/api/v1/components/" + api_id,
         R"({"status":"degraded_performance"})",
         200},
        {"incidents", Method::kGet, "/api/v1/incidents", "/api/v1/incidents?status=resolved&per_page=10", "", 200},
        {"maintenances", Method::kGet, "/api/v1/maintenances", "/api/v1/maintenances", "", 200},
        {"incident", Method::kGet, "/api/v1/incidents/{id}", "/api/v1/incidents/" + incident_id, "", 200},
        {"patch incident",
         Method::kPatch,
         "/api/v1/incidents/{id}",
         "/api/v1/incidents/" + incident_id,
         R"({"impact_override":null,"name":"Errors on the API"})",
         200},
        {"edit update",
         Method::kPatch,
         "/api/v1/incidents/{id}/updates/{update_id}",
         "/api/v1/incidents/" + incident_id + "/updates/" + update_id,
         R"({"body":"Fixed for good."})",
         200},
        {"tokens", Method::kGet, "/api/v1/tokens", "/api/v1/tokens", "", 200},
        {"new token",
         Method::kPost,
         "/api/v1/tokens",
         "/api/v1/tokens",
         R"({"token":{"name":"ci","role":"responder"}})",
         201},
        {"unknown field",
         Method::kPost,
         "/api/v1/incidents",
         "/api/v1/incidents",
         R"({"name":"x","colour":"red"})",
         400},
        {"wrong type", Method::kPost, "/api/v1/components", "/api/v1/components", R"({"name":5})", 400},
        {"unknown enum value",
         Method::kPatch,
         "/api/v1/components/{id}",
         "/api/v1/components/" + api_id,
         R"({"status":"broken"})",
         400},
        {"malformed json", Method::kPost, "/api/v1/incidents", "/api/v1/incidents", "{", 400},
        {"bad query", Method::kGet, "/api/v1/incidents", "/api/v1/incidents?per_page=1000", "", 400},
        {"missing incident", Method::kGet, "/api/v1/incidents/{id}", "/api/v1/incidents/nonexistent0", "", 404},
        {"an incident is not a maintenance",
         Method::kGet,
         "/api/v1/maintenances/{id}",
         "/api/v1/maintenances/" + incident_id,
         "",
         404},
        {"body over 256 KiB",
         Method::kPost,
         "/api/v1/incidents",
         "/api/v1/incidents",
         R"({"name":")" + std::string(300 * 1024, 'x') + R"("})",
         413},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto res = Call(c.method, c.target, c.body, owner);
        EXPECT_EQ(res.status, c.status) << res.Body();
        ExpectDocumented(c.doc_path, c.method, res);
    }
}

TEST_F(OpenApiTest, SessionUserAndTemplateResponsesMatchTheDocumentedSchemas) {
    const testing::Headers json_type = {{"Content-Type", "application/json"}};
    auto setup_state = Call(Method::kGet, "/api/v1/setup");
    ExpectDocumented("/api/v1/setup", Method::kGet, setup_state);
    auto setup = Call(
        Method::kPost,
        "/api/v1/setup",
        R"({"email":"olga@example.com","name":"Olga","password":"correct horse battery","language":"de"})",
        json_type
    );
    ASSERT_EQ(setup.status, 201) << setup.Body();
    ExpectDocumented("/api/v1/setup", Method::kPost, setup);
    ExpectDocumented("/api/v1/setup", Method::kPost, Call(Method::kPost, "/api/v1/setup", setup.body, json_type));

    auto cookie = testing::HeaderOf(setup, "Set-Cookie");
    const std::string secret = cookie.substr(cookie.find('=') + 1, cookie.find(';') - cookie.find('=') - 1);
    const std::string csrf(Json(setup).at("csrf_token").as_string());
    const testing::Headers browser = {
        {"Cookie", "tocsin_session=" + secret}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}};
    ExpectDocumented("/api/v1/session", Method::kGet, Call(Method::kGet, "/api/v1/session", "", browser));
    auto wrong = Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com","password":"nope"})", json_type);
    EXPECT_EQ(wrong.status, 401);
    ExpectDocumented("/api/v1/session", Method::kPost, wrong);
    auto signed_in = Call(
        Method::kPost,
        "/api/v1/session",
        R"({"email":"olga@example.com","password":"correct horse battery"})",
        json_type
    );
    EXPECT_EQ(signed_in.status, 200);
    ExpectDocumented("/api/v1/session", Method::kPost, signed_in);

    const auto owner = As(auth::Role::kOwner);
    auto user = Call(
        Method::kPost,
        "/api/v1/users",
        R"({"email":"rita@example.com","name":"Rita","role":"responder","password":"a long enough password"})",
        owner
    );
    ASSERT_EQ(user.status, 201) << user.Body();
    ExpectDocumented("/api/v1/users", Method::kPost, user);
    std::string user_id(Json(user).at("id").as_string());
    ExpectDocumented("/api/v1/users", Method::kGet, Call(Method::kGet, "/api/v1/users", "", owner));
    auto directory = Call(Method::kGet, "/api/v1/directory", "", As(auth::Role::kStakeholder));
    EXPECT_EQ(directory.status, 200);
    ExpectDocumented("/api/v1/directory", Method::kGet, directory);
    auto patched = Call(Method::kPatch, "/api/v1/users/" + user_id, R"({"language":"de"})", owner);
    EXPECT_EQ(patched.status, 200);
    ExpectDocumented("/api/v1/users/{id}", Method::kPatch, patched);

    auto tpl = Call(
        Method::kPost,
        "/api/v1/templates",
        R"({"kind":"incident","name":"DB","title":"Database down","status":"investigating","body":"Looking."})",
        owner
    );
    ASSERT_EQ(tpl.status, 201) << tpl.Body();
    ExpectDocumented("/api/v1/templates", Method::kPost, tpl);
    ExpectDocumented("/api/v1/templates", Method::kPost, Call(Method::kPost, "/api/v1/templates", tpl.body, owner));
    std::string tpl_id(Json(tpl).at("id").as_string());
    ExpectDocumented("/api/v1/templates", Method::kGet, Call(Method::kGet, "/api/v1/templates", "", owner));
    ExpectDocumented(
        "/api/v1/templates/{id}", Method::kGet, Call(Method::kGet, "/api/v1/templates/" + tpl_id, "", owner)
    );
    auto tpl_patch = Call(Method::kPatch, "/api/v1/templates/" + tpl_id, R"({"status":"identified"})", owner);
    EXPECT_EQ(tpl_patch.status, 200);
    ExpectDocumented("/api/v1/templates/{id}", Method::kPatch, tpl_patch);

    auto preview = Call(
        Method::kPost, "/api/v1/preview", R"({"kind":"incident","title":"x","status":"identified","body":"y"})", owner
    );
    EXPECT_EQ(preview.status, 200) << preview.Body();
    ExpectDocumented("/api/v1/preview", Method::kPost, preview);

    auto password = Call(
        Method::kPost,
        "/api/v1/session/password",
        R"({"current_password":"correct horse battery","new_password":"another long password"})",
        browser
    );
    EXPECT_EQ(password.status, 204) << password.Body();
    ExpectDocumented("/api/v1/session/password", Method::kPost, password);
    auto out = Call(Method::kDelete, "/api/v1/session", "", browser);
    EXPECT_EQ(out.status, 204);
    ExpectDocumented("/api/v1/session", Method::kDelete, out);
}

TEST_F(OpenApiTest, ProblemsNameTheOffendingField) {
    const auto owner = As(auth::Role::kOwner);
    struct Case {
        std::string_view name;
        Method method;
        std::string target;
        std::string body;
        std::string field;
    };
    const Case cases[] = {
        {"missing name", Method::kPost, "/api/v1/incidents", R"({"incident":{"body":"x"}})", "name"},
        {"unknown field", Method::kPost, "/api/v1/incidents", R"({"incident":{"name":"x","colour":"red"}})", "colour"},
        {"bad impact",
         Method::kPost,
         "/api/v1/incidents",
         R"({"name":"x","impact_override":"huge"})",
         "impact_override"},
        {"bad component status",
         Method::kPost,
         "/api/v1/incidents",
         R"({"name":"x","components":{"abc":"down"}})",
         "components.abc"},
        {"bad time",
         Method::kPost,
         "/api/v1/maintenances",
         R"({"name":"x","scheduled_for":"tomorrow","scheduled_until":"2026-03-02T12:00:00Z"})",
         "scheduled_for"},
        {"window the wrong way",
         Method::kPost,
         "/api/v1/maintenances",
         R"({"name":"x","scheduled_for":"2026-03-02T12:00:00Z","scheduled_until":"2026-03-02T10:00:00Z"})",
         "scheduled_until"},
        {"bad status filter", Method::kGet, "/api/v1/incidents?status=scheduled", "", "status"},
        {"bad since", Method::kGet, "/api/v1/incidents?since=yesterday", "", "since"},
        {"bad until", Method::kGet, "/api/v1/incidents?until=later", "", "until"},
        {"bad page", Method::kGet, "/api/v1/incidents?page=0", "", "page"},
        {"bad per_page", Method::kGet, "/api/v1/incidents?per_page=x", "", "per_page"},
        {"bad role", Method::kPost, "/api/v1/tokens", R"({"role":"admin"})", "role"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto res = Call(c.method, c.target, c.body, owner);
        ASSERT_EQ(res.status, 400) << res.Body();
        auto problem = Json(res).as_object();
        EXPECT_EQ(problem.at("field").as_string(), c.field) << res.Body();
        EXPECT_EQ(problem.at("status").as_int64(), 400);
    }
}

TEST_F(OpenApiTest, ListQueryParametersAreTheOnesTheServerReads) {
    for (std::string p : {"/api/v1/incidents", "/api/v1/maintenances"}) {
        SCOPED_TRACE(p);
        std::set<std::string> names;
        for (const auto& param : Paths().at(p).at("get").at("parameters").as_array()) {
            const auto& pr = Deref(param.as_object());
            EXPECT_EQ(pr.at("in").as_string(), "query");
            names.insert(std::string(pr.at("name").as_string()));
        }
        EXPECT_EQ(names, (std::set<std::string>{"status", "since", "until", "q", "page", "per_page"}));
    }
}

TEST_F(OpenApiTest, ConflictsAndMediaTypesAreDocumented) {
    const auto owner = As(auth::Role::kOwner);
    auto created = Call(Method::kPost, "/api/v1/incidents", R"({"name":"Only one update"})", owner);
    ASSERT_EQ(created.status, 201);
    auto inc = Json(created).as_object();
    std::string id(inc.at("id").as_string());
    std::string only_update(inc.at("incident_updates").at(0).at("id").as_string());

    auto last_update = Call(Method::kDelete, "/api/v1/incidents/" + id + "/updates/" + only_update, "", owner);
    EXPECT_EQ(last_update.status, 409);
    ExpectDocumented("/api/v1/incidents/{id}/updates/{update_id}", Method::kDelete, last_update);

    auto self_revoke = Call(Method::kDelete, "/api/v1/tokens/" + tokens_[auth::Role::kOwner].token.id, "", owner);
    EXPECT_EQ(self_revoke.status, 409);
    ExpectDocumented("/api/v1/tokens/{id}", Method::kDelete, self_revoke);

    auto text_body = Call(Method::kPost, "/api/v1/components", "name=x", As(auth::Role::kOwner, "text/plain"));
    EXPECT_EQ(text_body.status, 415);
    ExpectDocumented("/api/v1/components", Method::kPost, text_body);

    auto logo = Call(Method::kPut, "/api/v1/page/logo", "\x89PNG....", As(auth::Role::kOwner, "image/png"));
    EXPECT_EQ(logo.status, 204);
    ExpectDocumented("/api/v1/page/logo", Method::kPut, logo);
    auto gif = Call(Method::kPut, "/api/v1/page/logo", "GIF89a", As(auth::Role::kOwner, "image/gif"));
    EXPECT_EQ(gif.status, 415);
    ExpectDocumented("/api/v1/page/logo", Method::kPut, gif);
    auto page = Call(Method::kGet, "/api/v1/page", "", owner);
    EXPECT_TRUE(Json(page).at("has_logo").as_bool());

    auto revoke = Call(Method::kDelete, "/api/v1/tokens/" + tokens_[auth::Role::kStakeholder].token.id, "", owner);
    EXPECT_EQ(revoke.status, 204);
    ExpectDocumented("/api/v1/tokens/{id}", Method::kDelete, revoke);
    auto again = Call(Method::kDelete, "/api/v1/tokens/" + tokens_[auth::Role::kStakeholder].token.id, "", owner);
    EXPECT_EQ(again.status, 404);
    ExpectDocumented("/api/v1/tokens/{id}", Method::kDelete, again);
    EXPECT_GT(changes_, 0);
}

// ---- meta routes and public outputs ---------------------------------------------------------------------

TEST_F(OpenApiTest, ServesItselfAndTheMetaRoutes) {
    auto self = Call(Method::kGet, "/api/v1/openapi.json");
    EXPECT_EQ(self.status, 200);
    EXPECT_EQ(self.Body(), OpenApiDocument());
    ExpectDocumented("/api/v1/openapi.json", Method::kGet, self);

    auto health = Call(Method::kGet, "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.Body(), "ok\n");
    ExpectDocumented("/healthz", Method::kGet, health);

    auto metrics = Call(Method::kGet, "/metrics");
    EXPECT_EQ(metrics.status, 200);
    ExpectDocumented("/metrics", Method::kGet, metrics);
    EXPECT_NE(metrics.Body().find("tocsin_page_requests_total"), std::string::npos);
}

TEST_F(OpenApiTest, TheRoleEnumsListEveryRole) {
    const json::value every_role = json::array{"owner", "responder", "stakeholder", "probe"};
    const auto& schemas = doc_.at("components").at("schemas");
    EXPECT_EQ(schemas.at("Token").at("properties").at("role").at("enum"), every_role);
    EXPECT_EQ(schemas.at("TokenCreate").at("properties").at("role").at("enum"), every_role);
    for (const auto& role : every_role.as_array()) {
        SCOPED_TRACE(role.as_string());
        EXPECT_TRUE(auth::ParseRole(role.as_string()));
        auto res = Call(
            Method::kPost,
            "/api/v1/tokens",
            R"({"token":{"name":"x","role":)" + json::serialize(role) + "}}",
            As(auth::Role::kOwner)
        );
        EXPECT_EQ(res.status, 201) << res.Body();
        ExpectDocumented("/api/v1/tokens", Method::kPost, res);
    }
    auto list = Call(Method::kGet, "/api/v1/tokens", "", As(auth::Role::kOwner));
    ExpectDocumented("/api/v1/tokens", Method::kGet, list);
}

TEST_F(OpenApiTest, EverySnapshotPathIsProducedByTheBuilderAndServed) {
    // A component with a monitor, so that /uptime exists.
    auto component = Call(Method::kPost, "/api/v1/components", R"({"name":"API"})", As(auth::Role::kOwner));
    ASSERT_EQ(component.status, 201) << component.Body();
    std::string component_id(Json(component).at("id").as_string());
    // A page with an incident, so that /incidents/{id} has something to show.
    std::string incident_id;
    auto written = store_->Write([&](store::Tx& tx) -> Result<void> {
        service::IncidentInput in;
        in.name = "Slow API";
        in.first_update.body = "Investigating.";
        TOCSIN_ASSIGN(inc, service::CreateIncident(tx, in, clock_.Now()));
        incident_id = inc.id;
        return {};
    });
    ASSERT_TRUE(written) << written.error().message;
    auto state = store::LoadPageState(*store_);
    ASSERT_TRUE(state) << state.error().message;
    state->uptime = OneMonitorUptime(component_id);
    page::SnapshotBuilder builder;
    snapshot_ = builder.Build(*state, clock_.Now(), 1);

    for (const auto& documented : kSnapshotPaths) {
        SCOPED_TRACE(documented);
        std::string path = documented;
        if (auto pos = path.find("{id}"); pos != std::string::npos) path.replace(pos, 4, incident_id);

        const auto& op = Paths().at(documented).at("get").as_object();
        bool documents_lang = false;
        if (auto* params = op.if_contains("parameters")) {
            for (const auto& param : params->as_array()) {
                documents_lang = documents_lang || Deref(param.as_object()).at("name").as_string() == "lang";
            }
        }
        const page::Entry* neutral = snapshot_->Find(page::Snapshot::Key(path));
        if (neutral) {
            EXPECT_FALSE(documents_lang) << "a language-neutral output documents ?lang=";
        } else {
            for (const auto& lang : snapshot_->languages) {
                const page::Entry* e = snapshot_->Find(page::Snapshot::Key(path, lang));
                ASSERT_NE(e, nullptr) << "the builder does not produce " << path << " in " << lang;
                EXPECT_TRUE(e->localized);
            }
            EXPECT_TRUE(documents_lang) << "a localized output must document ?lang=";
        }

        // Served by the fallback, in the documented media type.
        auto res = Call(Method::kGet, path);
        EXPECT_EQ(res.status, 200) << res.Body();
        std::string media = res.content_type.substr(0, res.content_type.find(';'));
        EXPECT_TRUE(op.at("responses").at("200").at("content").as_object().contains(media)) << media;
        auto head = Call(Method::kHead, path);
        EXPECT_EQ(head.status, 200);
    }

    // /uptime?range= takes exactly the documented windows; any other is the not-found page.
    std::set<std::string> ranges;
    for (const auto& param : Paths().at("/uptime").at("get").at("parameters").as_array()) {
        const auto& pr = Deref(param.as_object());
        if (pr.at("name").as_string() != "range") continue;
        for (const auto& v : pr.at("schema").at("enum").as_array()) ranges.insert(std::string(v.as_string()));
    }
    EXPECT_EQ(ranges, (std::set<std::string>{"24h", "7d", "30d"}));
    for (const auto& range : ranges) {
        SCOPED_TRACE(range);
        auto res = Call(Method::kGet, "/uptime?range=" + range + "&lang=de");
        EXPECT_EQ(res.status, 200);
        ExpectDocumented("/uptime", Method::kGet, res);
    }
    auto unknown = Call(Method::kGet, "/uptime?range=1y");
    EXPECT_EQ(unknown.status, 404);
    ExpectDocumented("/uptime", Method::kGet, unknown);
}

TEST_F(OpenApiTest, PublicPathsAnswer503BeforeTheFirstSnapshot) {
    auto res = Call(Method::kGet, "/api/v2/summary.json");
    EXPECT_EQ(res.status, 503);
    ExpectDocumented("/api/v2/summary.json", Method::kGet, res);
}

// ---- monitoring ---------------------------------------------------------------------------------------

TEST_F(OpenApiTest, MonitorResponsesMatchTheDocumentedSchemas) {
    const auto owner = As(auth::Role::kOwner);
    const auto probe = As(auth::Role::kProbe);
    auto component = Call(Method::kPost, "/api/v1/components", R"({"name":"API"})", owner);
    ASSERT_EQ(component.status, 201) << component.Body();
    std::string component_id(Json(component).at("id").as_string());

    auto web = Call(
        Method::kPost,
        "/api/v1/monitors",
        R"({"monitor":{"name":"API web","type":"http","url":"https://api.example.com/health",)"
        R"("headers":{"Accept":"application/json"},"basic_auth":{"username":"u","password":"secret-p"},)"
        R"("bearer_token":"secret-t","degraded_threshold_ms":800,"locations":["local","eu-west"],)"
        R"("components":[")" +
            component_id + R"("],"conditions":["[STATUS] == 200","[BODY].status == UP"]}})",
        owner
    );
    ASSERT_EQ(web.status, 201) << web.Body();
    ExpectDocumented("/api/v1/monitors", Method::kPost, web);
    auto web_json = Json(web).as_object();
    std::string web_id(web_json.at("id").as_string());
    EXPECT_EQ(web_json.at("secrets_set"), json::value(json::array{"basic_auth.password", "bearer_token"}));
    EXPECT_EQ(web.Body().find("secret-"), std::string::npos) << "secrets are write-only";
    EXPECT_FALSE(web_json.contains("heartbeat_url"));
    bool has_location = false;
    for (const auto& [k, v] : web.headers)
        has_location = has_location || (k == "Location" && v == "/api/v1/monitors/" + web_id);
    EXPECT_TRUE(has_location);

    auto beat = Call(
        Method::kPost,
        "/api/v1/monitors",
        R"({"name":"Nightly backup","type":"heartbeat","interval_s":86400,"heartbeat_grace_s":3600})",
        owner
    );
    ASSERT_EQ(beat.status, 201) << beat.Body();
    ExpectDocumented("/api/v1/monitors", Method::kPost, beat);
    std::string beat_id(Json(beat).at("id").as_string());
    std::string ping(Json(beat).at("heartbeat_url").as_string());
    EXPECT_EQ(ping.rfind("/api/v1/heartbeats/hb_", 0), 0u) << ping;

    // Every type's own fields are documented.
    for (std::string body :
         {R"({"name":"DB","type":"tcp","host":"db.example.com","port":5432,"locations":["eu-west"]})",
          R"({"name":"Cert","type":"tls","host":"example.com","server_name":"www.example.com","ca_pem":""})",
          R"({"name":"MX","type":"dns","host":"example.com","dns_record_type":"MX","dns_resolver":"192.0.2.53:53"})",
          R"({"name":"Ping","type":"icmp","host":"192.0.2.1","enabled":false})"}) {
        SCOPED_TRACE(body);
        auto res = Call(Method::kPost, "/api/v1/monitors", body, owner);
        EXPECT_EQ(res.status, 201) << res.Body();
        ExpectDocumented("/api/v1/monitors", Method::kPost, res);
    }

    // A monitor from the configuration file, some state, an event and a rollup.
    monitor::Monitor declared;
    declared.id = "declared0001";
    declared.name = "Declared";
    declared.spec.type = monitor::MonitorType::kTcp;
    declared.spec.host = "db.example.com";
    declared.spec.port = 5432;
    declared.source = "config";
    declared.created_at = declared.updated_at = clock_.Now();
    auto written = store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertMonitor(declared));
        monitor::MonitorState st;
        st.monitor_id = web_id;
        st.state = monitor::Outcome::kDown;
        st.since = clock_.Now() - 2min;
        st.message = "[STATUS] == 200 failed: [STATUS] is 503";
        monitor::LocationState l;
        l.confirmed = monitor::Outcome::kDown;
        l.failures_in_row = 2;
        l.last_outcome = monitor::Outcome::kDown;
        l.last_at = clock_.Now() - 1min;
        l.last_message = st.message;
        st.locations["local"] = l;
        TOCSIN_TRY(tx.SaveMonitorState(st));
        monitor::StateChange change;
        change.monitor_id = web_id;
        change.from = monitor::Outcome::kUp;
        change.to = monitor::Outcome::kDown;
        change.at = clock_.Now() - 2min;
        change.message = st.message;
        change.locations_down = {"local"};
        TOCSIN_ASSIGN(event_id, tx.InsertMonitorEvent(change));
        EXPECT_GT(event_id, 0);
        monitor::Rollup r;
        r.monitor_id = web_id;
        r.period = monitor::RollupPeriod::kHour;
        r.start = monitor::RollupStart(monitor::RollupPeriod::kHour, clock_.Now()) - 1h;
        r.checks = 60;
        r.failures = 1;
        r.p50 = 120ms;
        r.p95 = 300ms;
        r.p99 = 450ms;
        r.mean = 150ms;
        return tx.SaveRollup(r);
    });
    ASSERT_TRUE(written) << written.error().message;

    struct Case {
        std::string_view name;
        Method method;
        std::string doc_path;
        std::string target;
        std::string body;
        int status;
        std::string field = {};  // the problem's field, for 400s
    };
    const std::string m = "/api/v1/monitors/";
    const Case cases[] = {
        {"list", Method::kGet, "/api/v1/monitors", "/api/v1/monitors", "", 200},
        {"list by type", Method::kGet, "/api/v1/monitors", "/api/v1/monitors?type=heartbeat", "", 200},
        {"get with state", Method::kGet, "/api/v1/monitors/{id}", m + web_id, "", 200},
        {"get heartbeat", Method::kGet, "/api/v1/monitors/{id}", m + beat_id, "", 200},
        {"get declared", Method::kGet, "/api/v1/monitors/{id}", m + declared.id, "", 200},
        {"missing", Method::kGet, "/api/v1/monitors/{id}", m + "nonexistent0", "", 404},
        {"patch",
         Method::kPatch,
         "/api/v1/monitors/{id}",
         m + web_id,
         R"J({"monitor":{"name":"API web (eu)","basic_auth":{"username":"u2"},"degraded_threshold_ms":null}})J",
         200},
        {"create without a name",
         Method::kPost,
         "/api/v1/monitors",
         "/api/v1/monitors",
         R"({"type":"icmp","host":"a"})",
         400,
         "name"},
        {"create http without url",
         Method::kPost,
         "/api/v1/monitors",
         "/api/v1/monitors",
         R"({"name":"x"})",
         400,
         "url"},
        {"unknown field", Method::kPatch, "/api/v1/monitors/{id}", m + web_id, R"({"colour":"red"})", 400, "colour"},
        {"type cannot change", Method::kPatch, "/api/v1/monitors/{id}", m + web_id, R"({"type":"tcp"})", 400, "type"},
        {"bad link status",
         Method::kPatch,
         "/api/v1/monitors/{id}",
         m + web_id,
         R"({"components":[{"component_id":")" + component_id + R"(","down_status":"operational"}]})",
         400,
         "components[0].down_status"},
        {"link to a missing component",
         Method::kPatch,
         "/api/v1/monitors/{id}",
         m + web_id,
         R"({"components":["nonexistent0"]})",
         400,
         "components[0].component_id"},
        {"bad condition",
         Method::kPatch,
         "/api/v1/monitors/{id}",
         m + web_id,
         R"({"conditions":["[STATUS] = 200"]})",
         400,
         "conditions[0]"},
        {"quorum over the locations",
         Method::kPatch,
         "/api/v1/monitors/{id}",
         m + web_id,
         R"({"quorum":3})",
         400,
         "quorum"},
        {"patch declared", Method::kPatch, "/api/v1/monitors/{id}", m + declared.id, R"({"name":"x"})", 409},
        {"delete declared", Method::kDelete, "/api/v1/monitors/{id}", m + declared.id, "", 409},
        {"check a heartbeat", Method::kPost, "/api/v1/monitors/{id}/check", m + beat_id + "/check", "", 409},
        {"check that times out", Method::kPost, "/api/v1/monitors/{id}/check", m + web_id + "/check", "", 503},
        {"new url for a non-heartbeat",
         Method::kPost,
         "/api/v1/monitors/{id}/heartbeat-token",
         m + web_id + "/heartbeat-token",
         "",
         409},
        {"results",
         Method::kGet,
         "/api/v1/monitors/{id}/results",
         m + web_id + "/results?since=2026-02-01&until=2026-03-02T00:00:00Z&location=local&limit=10",
         "",
         200},
        {"bad limit", Method::kGet, "/api/v1/monitors/{id}/results", m + web_id + "/results?limit=0", "", 400, "limit"},
        {"bad since",
         Method::kGet,
         "/api/v1/monitors/{id}/results",
         m + web_id + "/results?since=today",
         "",
         400,
         "since"},
        {"hourly rollups", Method::kGet, "/api/v1/monitors/{id}/rollups", m + web_id + "/rollups", "", 200},
        {"daily rollups",
         Method::kGet,
         "/api/v1/monitors/{id}/rollups",
         m + web_id + "/rollups?period=day&until=2026-03-01",
         "",
         200},
        {"bad period",
         Method::kGet,
         "/api/v1/monitors/{id}/rollups",
         m + web_id + "/rollups?period=week",
         "",
         400,
         "period"},
        {"uptime", Method::kGet, "/api/v1/monitors/{id}/uptime", m + web_id + "/uptime", "", 200},
        {"uptime without checks",
         Method::kGet,
         "/api/v1/monitors/{id}/uptime",
         m + beat_id + "/uptime?since=2026-02-28",
         "",
         200},
        {"empty window",
         Method::kGet,
         "/api/v1/monitors/{id}/uptime",
         m + web_id + "/uptime?since=2026-03-01&until=2026-03-01",
         "",
         400,
         "since"},
        {"events", Method::kGet, "/api/v1/monitors/{id}/events", m + web_id + "/events", "", 200},
        {"component uptime",
         Method::kGet,
         "/api/v1/components/{id}/uptime",
         "/api/v1/components/" + component_id + "/uptime",
         "",
         200},
        {"missing component uptime",
         Method::kGet,
         "/api/v1/components/{id}/uptime",
         "/api/v1/components/nonexistent0/uptime",
         "",
         404},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto res = Call(c.method, c.target, c.body, owner);
        EXPECT_EQ(res.status, c.status) << res.Body();
        ExpectDocumented(c.doc_path, c.method, res);
        if (!c.field.empty()) {
            EXPECT_EQ(Json(res).at("field"), json::value(c.field)) << res.Body();
        }
    }
    EXPECT_EQ(Json(Call(Method::kGet, "/api/v1/monitors?type=heartbeat", "", owner)).as_array().size(), 1u);
    auto patched = Json(Call(Method::kGet, m + web_id, "", owner)).as_object();
    EXPECT_EQ(patched.at("basic_auth").at("username").as_string(), "u2");
    EXPECT_EQ(patched.at("secrets_set").as_array().size(), 2u) << "a username alone keeps the password";
    EXPECT_TRUE(patched.at("degraded_threshold_ms").is_null());
    EXPECT_FALSE(patched.contains("heartbeat_url"));
    EXPECT_EQ(patched.at("state").at("status").as_string(), "down");
    EXPECT_EQ(Json(Call(Method::kGet, m + web_id + "/events", "", owner)).as_array().size(), 1u);
    EXPECT_EQ(Json(Call(Method::kGet, m + web_id + "/rollups", "", owner)).as_array().size(), 1u);
    EXPECT_TRUE(Json(Call(Method::kGet, m + beat_id + "/uptime", "", owner)).at("uptime_percent").is_null());

    // A GET sent back as a PATCH is accepted unchanged (output-only fields are ignored).
    auto round_trip = Call(Method::kPatch, m + web_id, json::serialize(patched), owner);
    EXPECT_EQ(round_trip.status, 200) << round_trip.Body();
    ExpectDocumented("/api/v1/monitors/{id}", Method::kPatch, round_trip);

    // Check now.
    monitor::CheckResult answer;
    answer.location = "local";
    answer.at = clock_.Now();
    answer.outcome = monitor::Outcome::kUp;
    answer.status_code = 200;
    answer.timings.connect = 3ms;
    answer.timings.total = 42ms;
    answer.certificate_days_left = 60;
    check_answer_ = answer;
    auto checked = Call(Method::kPost, m + web_id + "/check", "", owner);
    EXPECT_EQ(checked.status, 200) << checked.Body();
    ExpectDocumented("/api/v1/monitors/{id}/check", Method::kPost, checked);

    // Heartbeat pings: the secret in the path is the credential.
    for (Method method : {Method::kGet, Method::kPost, Method::kHead}) {
        SCOPED_TRACE(MethodName(method));
        auto res = Call(method, ping);
        EXPECT_EQ(res.status, 200) << res.Body();
        ExpectDocumented("/api/v1/heartbeats/{token}", method, res);
        ASSERT_FALSE(submitted_.empty());
        EXPECT_EQ(submitted_.back().outcome, monitor::Outcome::kUp);
    }
    auto failed = Call(Method::kGet, ping + "?status=down&msg=disk%20full");
    EXPECT_EQ(failed.status, 200);
    EXPECT_EQ(submitted_.back().outcome, monitor::Outcome::kDown);
    EXPECT_EQ(submitted_.back().message, "disk full");
    auto rotated = Call(Method::kPost, m + beat_id + "/heartbeat-token", "", owner);
    EXPECT_EQ(rotated.status, 201) << rotated.Body();
    ExpectDocumented("/api/v1/monitors/{id}/heartbeat-token", Method::kPost, rotated);
    auto old_ping = Call(Method::kGet, ping);
    EXPECT_EQ(old_ping.status, 404);
    ExpectDocumented("/api/v1/heartbeats/{token}", Method::kGet, old_ping);
    ping = std::string(Json(rotated).at("heartbeat_url").as_string());
    EXPECT_EQ(Call(Method::kPatch, m + beat_id, R"({"enabled":false})", owner).status, 200);
    auto disabled = Call(Method::kPost, ping);
    EXPECT_EQ(disabled.status, 409);
    ExpectDocumented("/api/v1/heartbeats/{token}", Method::kPost, disabled);
    auto beat_results = Call(Method::kGet, m + beat_id + "/results", "", owner);
    EXPECT_EQ(Json(beat_results).as_array().size(), 4u);
    ExpectDocumented("/api/v1/monitors/{id}/results", Method::kGet, beat_results);

    // The probe endpoints, with a probe token.
    auto assignments = Call(Method::kGet, "/api/v1/probe/assignments?location=eu-west", "", probe);
    EXPECT_EQ(assignments.status, 200) << assignments.Body();
    ExpectDocumented("/api/v1/probe/assignments", Method::kGet, assignments);
    auto assigned = Json(assignments).at("monitors").as_array();
    ASSERT_EQ(assigned.size(), 2u) << assignments.Body();  // web and DB
    EXPECT_NE(assignments.Body().find("secret-t"), std::string::npos) << "a probe needs the credentials";
    auto local = Call(Method::kGet, "/api/v1/probe/assignments?location=local", "", probe);
    ExpectDocumented("/api/v1/probe/assignments", Method::kGet, local);
    auto no_location = Call(Method::kGet, "/api/v1/probe/assignments", "", probe);
    EXPECT_EQ(no_location.status, 400);
    ExpectDocumented("/api/v1/probe/assignments", Method::kGet, no_location);
    EXPECT_EQ(Json(no_location).at("field").as_string(), "location");

    auto pushed = Call(
        Method::kPost,
        "/api/v1/probe/results?location=eu-west",
        R"({"results":[{"monitor_id":")" + web_id +
            R"(","location":"elsewhere","at":"2026-03-01T09:59:00Z","outcome":"up","status_code":200,"dns_us":900,"total_us":41000},)"
            R"({"monitor_id":")" +
            web_id + R"(","at":"2026-03-01T09:59:30Z","outcome":"down","error":"timeout","message":"no answer"}]})",
        probe
    );
    EXPECT_EQ(pushed.status, 202) << pushed.Body();
    ExpectDocumented("/api/v1/probe/results", Method::kPost, pushed);
    EXPECT_EQ(Json(pushed).at("accepted").to_number<std::int64_t>(), 2);
    auto from_probe = Call(Method::kGet, m + web_id + "/results?location=eu-west", "", owner);
    EXPECT_EQ(Json(from_probe).as_array().size(), 2u);
    ExpectDocumented("/api/v1/monitors/{id}/results", Method::kGet, from_probe);

    std::string too_many = R"({"results":[)";
    for (int i = 0; i < 2001; ++i) too_many += i ? ",{}" : "{}";
    too_many += "]}";
    struct ProbeCase {
        std::string_view name;
        std::string target;
        std::string body;
        int status;
        std::string field;
    };
    const ProbeCase probe_cases[] = {
        {"no location", "/api/v1/probe/results", R"({"results":[]})", 400, "location"},
        {"no results", "/api/v1/probe/results?location=eu-west", R"({"result":[]})", 400, "results"},
        {"bad outcome",
         "/api/v1/probe/results?location=eu-west",
         R"({"results":[{"monitor_id":"x","at":"2026-03-01T09:59:00Z","outcome":"sideways"}]})",
         400,
         "results[0].outcome"},
        {"over 2000 results", "/api/v1/probe/results?location=eu-west", too_many, 413, "results"},
    };
    for (const auto& c : probe_cases) {
        SCOPED_TRACE(c.name);
        auto res = Call(Method::kPost, c.target, c.body, probe);
        EXPECT_EQ(res.status, c.status) << res.Body();
        ExpectDocumented("/api/v1/probe/results", Method::kPost, res);
        EXPECT_EQ(Json(res).at("field"), json::value(c.field)) << res.Body();
    }

    auto deleted = Call(Method::kDelete, m + web_id, "", owner);
    EXPECT_EQ(deleted.status, 204);
    ExpectDocumented("/api/v1/monitors/{id}", Method::kDelete, deleted);
    auto gone = Call(Method::kDelete, m + web_id, "", owner);
    EXPECT_EQ(gone.status, 404);
    ExpectDocumented("/api/v1/monitors/{id}", Method::kDelete, gone);
    EXPECT_GT(monitor_changes_, 0);
}

TEST_F(OpenApiTest, MonitoringQueryParametersAreTheOnesTheServerReads) {
    const std::vector<std::tuple<std::string, std::string, std::set<std::string>>> expected = {
        {"/api/v1/monitors", "get", {"type"}},
        {"/api/v1/monitors/{id}/results", "get", {"since", "until", "location", "limit"}},
        {"/api/v1/monitors/{id}/rollups", "get", {"period", "since", "until"}},
        {"/api/v1/monitors/{id}/uptime", "get", {"since", "until"}},
        {"/api/v1/monitors/{id}/events", "get", {"since", "until"}},
        {"/api/v1/components/{id}/uptime", "get", {"since", "until"}},
        {"/api/v1/probe/assignments", "get", {"location"}},
        {"/api/v1/probe/results", "post", {"location"}},
        {"/api/v1/heartbeats/{token}", "get", {"status", "msg"}},
        {"/api/v1/heartbeats/{token}", "post", {"status", "msg"}},
        {"/api/v1/heartbeats/{token}", "head", {"status", "msg"}},
    };
    for (const auto& [path, method, want] : expected) {
        SCOPED_TRACE(method + " " + path);
        std::set<std::string> names;
        for (const auto& param : Paths().at(path).at(method).at("parameters").as_array()) {
            const auto& pr = Deref(param.as_object());
            if (pr.at("in").as_string() == "query") names.insert(std::string(pr.at("name").as_string()));
        }
        EXPECT_EQ(names, want);
    }
}

// MonitorWrite against the parser itself: every documented field is one the parser knows,
// every field a monitor has is documented, and the documented defaults, ranges, lengths,
// item counts and enums are the ones it enforces.
TEST_F(OpenApiTest, MonitorWriteIsWhatTheParserEnforces) {
    const auto& write = doc_.at("components").at("schemas").at("MonitorWrite").as_object();
    EXPECT_EQ(write.at("additionalProperties"), json::value(false));
    const auto& props = write.at("properties").as_object();

    // A valid monitor in which `field` can take every documented value.
    auto base = [](std::string_view field) {
        json::object o{{"name", "x"}, {"url", "https://api.example.com/"}};
        if (field.rfind("dns_", 0) == 0) o = {{"name", "x"}, {"type", "dns"}, {"host", "example.com"}};
        if (field == "degraded_threshold_ms") o["timeout_ms"] = 60000;
        if (field == "quorum") {
            json::array many;
            for (int i = 0; i < 32; ++i) many.emplace_back("l" + std::to_string(i));
            o["locations"] = std::move(many);
        }
        return o;
    };
    auto parse = [](const json::object& o) { return monitor::MonitorFromJson(o, monitor::Monitor{}); };
    auto field_of = [&](const json::object& o) -> std::string {
        auto r = parse(o);
        return r ? std::string("(accepted)") : r.error().field;
    };

    for (const auto& kv : props) {
        std::string key(kv.key());
        SCOPED_TRACE(key);
        const auto& p = kv.value().as_object();
        // Known to the parser: a wrong value is refused for this field, not as unknown
        // (output-only fields are ignored).
        auto o = base(key);
        o[key] = json::array{json::object{}};
        auto r = parse(o);
        if (!r) {
            EXPECT_EQ(r.error().message.find("unknown field"), std::string::npos) << r.error().message;
        }
        bool output_only = !p.contains("type") && !p.contains("allOf");
        EXPECT_EQ(output_only, bool(r)) << "only output-only fields ignore a wrong value";

        if (auto* lo = p.if_contains("minimum")) {
            auto at = base(key);
            at[key] = lo->as_int64();
            EXPECT_EQ(field_of(at), "(accepted)") << "minimum";
            at[key] = lo->as_int64() - 1;
            EXPECT_EQ(field_of(at), key) << "below the minimum";
        }
        if (auto* hi = p.if_contains("maximum")) {
            auto at = base(key);
            at[key] = hi->as_int64();
            EXPECT_EQ(field_of(at), "(accepted)") << "maximum";
            at[key] = hi->as_int64() + 1;
            EXPECT_EQ(field_of(at), key) << "above the maximum";
        }
        if (auto* len = p.if_contains("maxLength")) {
            auto at = base(key);
            at[key] = std::string(static_cast<std::size_t>(len->as_int64()) + 1, 'a');
            EXPECT_EQ(field_of(at), key) << "over maxLength";
        }
        if (auto* items = p.if_contains("maxItems")) {
            auto at = base(key);
            json::array many;
            for (std::int64_t i = 0; i <= items->as_int64(); ++i) many.emplace_back("a" + std::to_string(i));
            at[key] = std::move(many);
            EXPECT_EQ(field_of(at), key) << "over maxItems";
        }
        if (auto* count = p.if_contains("maxProperties")) {
            auto at = base(key);
            json::object many;
            for (std::int64_t i = 0; i <= count->as_int64(); ++i) many["X-H" + std::to_string(i)] = "v";
            at[key] = std::move(many);
            EXPECT_EQ(field_of(at), key) << "over maxProperties";
        }
        if (auto* values = p.if_contains("enum")) {
            for (const auto& v : values->as_array()) {
                auto at = base(key);
                at[key] = v;
                EXPECT_EQ(field_of(at), "(accepted)") << json::serialize(v);
            }
            auto at = base(key);
            at[key] = "bogus";
            EXPECT_EQ(field_of(at), key) << "a value outside the enum";
        }
    }

    // Every field of every type's output is documented, and the documented defaults are
    // what a monitor gets when the field is left out.
    for (std::string body :
         {R"({"name":"x","url":"https://a.example/","basic_auth":{"username":"u","password":"p"},"bearer_token":"t"})",
          R"({"name":"x","type":"tcp","host":"a","port":1})",
          R"({"name":"x","type":"tls","host":"a"})",
          R"({"name":"x","type":"dns","host":"a"})",
          R"({"name":"x","type":"icmp","host":"a"})",
          R"({"name":"x","type":"heartbeat"})"}) {
        SCOPED_TRACE(body);
        auto in = json::parse(body).as_object();
        auto m = parse(in);
        ASSERT_TRUE(m) << m.error().message;
        for (const auto& kv : monitor::MonitorToJson(*m, monitor::Secrets::kInclude)) {
            std::string key(kv.key());
            SCOPED_TRACE(key);
            ASSERT_TRUE(props.contains(key)) << "not documented in MonitorWrite";
            if (in.contains(key) || key == "type") continue;
            if (auto* def = props.at(key).as_object().if_contains("default")) {
                EXPECT_EQ(kv.value(), *def) << "documented default";
            }
        }
    }
    auto tls = parse(json::parse(R"({"name":"x","type":"tls","host":"a"})").as_object());
    ASSERT_TRUE(tls);
    EXPECT_EQ(tls->spec.port, 443);
    EXPECT_EQ(props.at("type").at("default").as_string(), "http");
    EXPECT_EQ(
        parse(json::parse(R"({"name":"x","url":"https://a.example/"})").as_object())->spec.type,
        monitor::MonitorType::kHttp
    );
}

}  // namespace
}  // namespace tocsin::api
