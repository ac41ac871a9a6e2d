// Checks web/api/openapi.json against what the server really registers and answers:
// every route is documented, every documented operation exists, roles, status codes,
// response shapes and the public snapshot paths.
#include "tocsin/api/openapi.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/admin_api.hpp"
#include "tocsin/api/public_site.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using http::Method;
using test::At;

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string MethodName(Method m) {
    return Lower(http::ToString(m));
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
    "/maintenance.ics",
};

// Request headers for a handler call: a plain list looked up case-insensitively.
struct FakeHeaders {
    std::vector<std::pair<std::string, std::string>> list;
};

std::string_view LookupFakeHeader(const void* native, std::string_view name) {
    for (const auto& [k, v] : static_cast<const FakeHeaders*>(native)->list) {
        if (Lower(k) == Lower(name)) return v;
    }
    return {};
}

class OpenApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(auth::Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        RegisterAdminRoutes(router_, AdminApiDeps{*store_, clock_, [this] { ++changes_; }});
        RegisterOpenApi(router_);
        RegisterPublicRoutes(
            router_, [this] { return snapshot_; }, metrics_
        );

        boost::system::error_code ec;
        auto v = json::parse(OpenApiDocument(), ec);
        ASSERT_FALSE(ec) << "openapi.json does not parse: " << ec.message();
        ASSERT_TRUE(v.is_object());
        doc_ = v.as_object();

        for (auto role : {auth::Role::kStakeholder, auth::Role::kResponder, auth::Role::kOwner}) {
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
        Method method,
        const std::string& target,
        const std::string& body = {},
        std::vector<std::pair<std::string, std::string>> headers = {}
    ) {
        FakeHeaders h{std::move(headers)};
        http::Request req;
        req.method = method;
        req.target = target;
        auto q = req.target.find('?');
        req.path = req.target.substr(0, q);
        if (q != std::string_view::npos) req.query = req.target.substr(q + 1);
        req.body = body;
        req.native = &h;
        req.header_lookup = &LookupFakeHeader;
        http::Response res;
        auto match = router_.Find(req.method, req.path, req.path_params);
        const http::Handler* handler = match.handler;
        if (!handler && !match.path_matched) handler = router_.Fallback();
        if (!handler) {
            http::WriteProblem(res, match.path_matched ? 405 : 404, "x", "no handler");
            return res;
        }
        try {
            (*handler)(req, res);
        } catch (const http::HttpError& e) {
            res = http::Response{};
            http::WriteProblem(res, e.Status(), e.Type(), e.what(), e.Field());
        } catch (const std::exception& e) {
            res = http::Response{};
            http::WriteProblem(res, 500, "internal", e.what());
        }
        return res;
    }

    std::vector<std::pair<std::string, std::string>> As(
        auth::Role role, std::string content_type = "application/json"
    ) {
        std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + tokens_[role].secret}};
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
    http::Router router_;
    MetricsRegistry metrics_;
    std::shared_ptr<const page::Snapshot> snapshot_;
    json::object doc_;
    std::map<auth::Role, auth::NewToken> tokens_;
    int changes_ = 0;
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
    EXPECT_EQ(checked, 28);  // every admin route but openapi.json
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

TEST_F(OpenApiTest, EverySnapshotPathIsProducedByTheBuilderAndServed) {
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
}

TEST_F(OpenApiTest, PublicPathsAnswer503BeforeTheFirstSnapshot) {
    auto res = Call(Method::kGet, "/api/v2/summary.json");
    EXPECT_EQ(res.status, 503);
    ExpectDocumented("/api/v2/summary.json", Method::kGet, res);
}

}  // namespace
}  // namespace tocsin::api
