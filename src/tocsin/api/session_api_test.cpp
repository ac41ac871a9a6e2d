// Signing in through the router: setup, sign-in, the Guard with a session cookie (CSRF token,
// Origin), users with the last-owner rule, templates and the preview.
#include "tocsin/api/session_api.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/admin_api.hpp"
#include "tocsin/api/guard.hpp"
#include "tocsin/api/template_api.hpp"
#include "tocsin/api/testing/router_call.hpp"
#include "tocsin/api/user_api.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using http::Method;
using testing::HeaderOf;

constexpr const char* kHost = "status.example.com";

class SessionApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(auth::Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        options_.failures_per_email = 3;
        sessions_ = std::make_unique<auth::Sessions>(*store_, clock_, options_);
        auto topic = [this](std::string_view t) { topics_.emplace_back(t); };
        RegisterSessionRoutes(router_, SessionApiDeps{*store_, clock_, *sessions_, topic});
        RegisterUserRoutes(router_, UserApiDeps{*store_, clock_, sessions_.get(), topic});
        auto templates = notify::Templates::Load("");
        ASSERT_TRUE(templates) << templates.error().message;
        RegisterTemplateRoutes(router_, TemplateApiDeps{*store_, clock_, *templates, sessions_.get(), topic});
        RegisterAdminRoutes(router_, AdminApiDeps{*store_, clock_, [] {}, sessions_.get()});
    }

    struct Browser {
        std::string secret;
        std::string csrf;
    };

    http::Response Call(
        Method m, const std::string& target, const std::string& body = {}, testing::Headers extra = {}
    ) {
        testing::Headers h = {{"Host", kHost}, {"Content-Type", "application/json"}};
        for (auto& kv : extra) h.push_back(std::move(kv));
        return testing::CallRouter(router_, m, target, body, h);
    }

    http::Response As(
        const Browser& b,
        Method m,
        const std::string& target,
        const std::string& body = {},
        bool csrf = true,
        testing::Headers extra = {}
    ) {
        extra.emplace_back("Cookie", "theme=dark; tocsin_session=" + b.secret);
        if (csrf) extra.emplace_back("X-CSRF-Token", b.csrf);
        return Call(m, target, body, std::move(extra));
    }

    static json::object Json(const http::Response& res) {
        boost::system::error_code ec;
        auto v = json::parse(res.Body(), ec);
        EXPECT_FALSE(ec) << res.Body();
        return v.is_object() ? v.as_object() : json::object{};
    }

    static std::string ProblemType(const http::Response& res) {
        auto o = Json(res);
        std::string type = o.contains("type") ? std::string(o.at("type").as_string()) : "";
        return type.substr(type.rfind('/') + 1);
    }

    static Browser FromResponse(const http::Response& res) {
        auto cookie = HeaderOf(res, "Set-Cookie");
        auto eq = cookie.find('=');
        auto semi = cookie.find(';');
        Browser b;
        b.secret = cookie.substr(eq + 1, semi - eq - 1);
        auto o = Json(res);
        if (o.contains("csrf_token")) b.csrf = std::string(o.at("csrf_token").as_string());
        return b;
    }

    Browser FirstRun() {
        auto res = Call(
            Method::kPost,
            "/api/v1/setup",
            R"({"email":"olga@example.com","name":"Olga","password":"correct horse battery"})"
        );
        EXPECT_EQ(res.status, 201) << res.Body();
        return FromResponse(res);
    }

    Browser SignIn(const std::string& email, const std::string& password) {
        auto res =
            Call(Method::kPost, "/api/v1/session", R"({"email":")" + email + R"(","password":")" + password + R"("})");
        EXPECT_EQ(res.status, 200) << res.Body();
        return FromResponse(res);
    }

    std::string AddUser(const Browser& owner, const std::string& email, const std::string& role) {
        auto res =
            As(owner,
               Method::kPost,
               "/api/v1/users",
               R"({"email":")" + email + R"(","name":"X","role":")" + role + R"(","password":"a long enough password"})"
            );
        EXPECT_EQ(res.status, 201) << res.Body();
        return std::string(Json(res).at("id").as_string());
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    auth::SessionOptions options_;
    std::unique_ptr<auth::Sessions> sessions_;
    http::Router router_;
    std::vector<std::string> topics_;
};

TEST_F(SessionApiTest, SetupCreatesTheOwnerOnceAndSignsIn) {
    EXPECT_EQ(json::serialize(Json(Call(Method::kGet, "/api/v1/setup"))), R"({"needs_owner":true})");
    auto owner = FirstRun();
    EXPECT_EQ(owner.secret.size(), 64u);
    EXPECT_EQ(owner.csrf.size(), 64u);
    EXPECT_EQ(json::serialize(Json(Call(Method::kGet, "/api/v1/setup"))), R"({"needs_owner":false})");
    EXPECT_EQ(topics_, std::vector<std::string>{"users"});
    auto again = Call(
        Method::kPost, "/api/v1/setup", R"({"email":"eve@example.com","name":"Eve","password":"correct horse battery"})"
    );
    EXPECT_EQ(again.status, 409);
    auto me = As(owner, Method::kGet, "/api/v1/session");
    ASSERT_EQ(me.status, 200) << me.Body();
    auto o = Json(me);
    EXPECT_EQ(o.at("user").at("role"), "owner");
    EXPECT_EQ(o.at("user").at("language"), "en");
    EXPECT_EQ(o.at("csrf_token"), json::value(owner.csrf));
}

TEST_F(SessionApiTest, SignInFailuresLookTheSameAndAreLimited) {
    FirstRun();
    auto wrong = Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com","password":"nope nope"})");
    auto unknown = Call(Method::kPost, "/api/v1/session", R"({"email":"who@example.com","password":"nope nope"})");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.Body(), unknown.Body());
    EXPECT_EQ(ProblemType(wrong), "invalid-credentials");
    EXPECT_TRUE(HeaderOf(wrong, "Set-Cookie").empty());
    (void)Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com","password":"nope nope"})");
    (void)Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com","password":"nope nope"})");
    auto limited =
        Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com","password":"correct horse battery"})");
    EXPECT_EQ(limited.status, 429) << limited.Body();
    EXPECT_GT(std::stoi(HeaderOf(limited, "Retry-After")), 0);
    clock_.Advance(15min);
    SignIn("olga@example.com", "correct horse battery");

    auto missing = Call(Method::kPost, "/api/v1/session", R"({"email":"olga@example.com"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(Json(missing).at("field"), "password");
}

struct CsrfCase {
    std::string name;
    Method method;
    bool send_token;
    std::string token_override;  // used when not empty
    std::string origin;          // Origin header; empty: none
    int want;
};

TEST_F(SessionApiTest, CookieRequestsNeedTheCsrfTokenAndTheirOwnOrigin) {
    auto owner = FirstRun();
    const std::string same = std::string("https://") + kHost;
    const std::vector<CsrfCase> cases = {
        {"read without token", Method::kGet, false, "", "", 200},
        {"write with token", Method::kPost, true, "", "", 201},
        {"write without token", Method::kPost, false, "", "", 403},
        {"write with another token", Method::kPost, true, std::string(64, 'a'), "", 403},
        {"write with an empty token", Method::kPost, true, " ", "", 403},
        {"write from the same origin", Method::kPost, true, "", same, 201},
        {"write from http on the same host", Method::kPost, true, "", std::string("http://") + kHost, 201},
        {"write from another origin", Method::kPost, true, "", "https://evil.example", 403},
        {"read from another origin", Method::kGet, false, "", "https://evil.example", 403},
        {"read from an opaque origin", Method::kGet, false, "", "null", 403},
        {"read from another port", Method::kGet, false, "", same + ":8443", 403},
    };
    int n = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        testing::Headers extra;
        if (!c.origin.empty()) extra.emplace_back("Origin", c.origin);
        if (c.send_token) extra.emplace_back("X-CSRF-Token", c.token_override.empty() ? owner.csrf : c.token_override);
        std::string body = c.method == Method::kPost ? R"({"name":"C)" + std::to_string(++n) + R"("})" : "";
        auto res = As(owner, c.method, "/api/v1/components", body, false, extra);
        EXPECT_EQ(res.status, c.want) << res.Body();
        if (res.status == 403) {
            EXPECT_EQ(ProblemType(res), "csrf");
        }
    }
}

TEST_F(SessionApiTest, ATokenWinsOverTheCookieAndNeedsNoCsrf) {
    auto owner = FirstRun();
    auto token = auth::CreateToken(*store_, clock_, "ci", auth::Role::kResponder);
    ASSERT_TRUE(token);
    auto res = Call(
        Method::kPost,
        "/api/v1/components",
        R"({"name":"API"})",
        {{"Authorization", "Bearer " + token->secret}, {"Cookie", "tocsin_session=" + owner.secret}}
    );
    EXPECT_EQ(res.status, 201) << res.Body();
    // Session routes want a session, which a token does not have.
    auto me = Call(Method::kGet, "/api/v1/session", {}, {{"Authorization", "Bearer " + token->secret}});
    EXPECT_EQ(me.status, 403);
    EXPECT_EQ(ProblemType(me), "session-required");
}

TEST_F(SessionApiTest, SignOutEndsTheSessionAndClearsTheCookie) {
    auto owner = FirstRun();
    auto res = As(owner, Method::kDelete, "/api/v1/session");
    EXPECT_EQ(res.status, 204);
    EXPECT_EQ(HeaderOf(res, "Set-Cookie"), "tocsin_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
    EXPECT_EQ(As(owner, Method::kGet, "/api/v1/session").status, 401);
}

TEST_F(SessionApiTest, SecureCookieFollowsTheSettingAndTheProxy) {
    FirstRun();
    auto sign_in = [&](testing::Headers extra) {
        return HeaderOf(
            Call(
                Method::kPost,
                "/api/v1/session",
                R"({"email":"olga@example.com","password":"correct horse battery"})",
                std::move(extra)
            ),
            "Set-Cookie"
        );
    };
    EXPECT_EQ(sign_in({}).find("Secure"), std::string::npos);
    EXPECT_NE(sign_in({{"X-Forwarded-Proto", "https"}}).find("; Secure"), std::string::npos);
    http::Request req;
    EXPECT_TRUE(WantsSecureCookie(req, auth::SecureCookie::kAlways));
    EXPECT_FALSE(WantsSecureCookie(req, auth::SecureCookie::kNever));
    EXPECT_FALSE(WantsSecureCookie(req, auth::SecureCookie::kAuto));
}

TEST_F(SessionApiTest, UsersKeepAnOwnerAndLoseSessionsOnRoleChange) {
    auto owner = FirstRun();
    auto me = std::string(Json(As(owner, Method::kGet, "/api/v1/session")).at("user").at("id").as_string());
    EXPECT_EQ(As(owner, Method::kDelete, "/api/v1/users/" + me).status, 409);
    EXPECT_EQ(As(owner, Method::kPatch, "/api/v1/users/" + me, R"({"role":"responder"})").status, 409);

    auto rita_id = AddUser(owner, "rita@example.com", "responder");
    auto rita = SignIn("rita@example.com", "a long enough password");
    EXPECT_EQ(As(rita, Method::kGet, "/api/v1/users").status, 403);
    EXPECT_EQ(As(rita, Method::kPost, "/api/v1/components", R"({"name":"API"})").status, 201);

    auto patched = As(owner, Method::kPatch, "/api/v1/users/" + rita_id, R"({"role":"stakeholder","language":"de"})");
    ASSERT_EQ(patched.status, 200) << patched.Body();
    EXPECT_EQ(Json(patched).at("language"), "de");
    EXPECT_EQ(As(rita, Method::kGet, "/api/v1/session").status, 401) << "a role change ends the sessions";

    auto bad = As(owner, Method::kPatch, "/api/v1/users/" + rita_id, R"({"password":"short"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Json(bad).at("field"), "password");
    auto listed = Json(As(owner, Method::kGet, "/api/v1/users"));
    EXPECT_EQ(listed.at("data").as_array().size(), 2u);
    EXPECT_EQ(listed.at("data").as_array()[0].at("last_login_at").is_string(), true);
    EXPECT_EQ(std::string(json::serialize(listed)).find("argon2"), std::string::npos);
}

TEST_F(SessionApiTest, PreviewRendersPageMailAndChat) {
    auto owner = FirstRun();
    auto res = As(
        owner,
        Method::kPost,
        "/api/v1/preview",
        R"({"kind":"incident","title":"Slow API","status":"monitoring","body":"Fix *deployed*.\n\n<script>x()</script>"})"
    );
    ASSERT_EQ(res.status, 200) << res.Body();
    auto o = Json(res);
    std::string html(o.at("body_html").as_string());
    EXPECT_NE(html.find("<em>deployed</em>"), std::string::npos) << html;
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_NE(std::string(o.at("email").at("de").at("subject").as_string()).find("Slow API"), std::string::npos);
    EXPECT_NE(std::string(o.at("email").at("en").at("subject").as_string()).find("Monitoring"), std::string::npos);
    EXPECT_NE(
        std::string(o.at("chat").at("en").as_string()).find("http://status.example.com/incidents/preview"),
        std::string::npos
    );
}

TEST_F(SessionApiTest, TemplatesChangeTopicsAndValidate) {
    auto owner = FirstRun();
    topics_.clear();
    auto created =
        As(owner,
           Method::kPost,
           "/api/v1/templates",
           R"({"kind":"maintenance","name":"Upgrade","title":"DB upgrade","status":"scheduled","body":"x"})");
    ASSERT_EQ(created.status, 201) << created.Body();
    EXPECT_EQ(topics_, std::vector<std::string>{"templates"});
    auto bad =
        As(owner,
           Method::kPost,
           "/api/v1/templates",
           R"({"kind":"maintenance","name":"U2","title":"t","status":"resolved"})");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Json(bad).at("field"), "status");
}

}  // namespace
}  // namespace tocsin::api
