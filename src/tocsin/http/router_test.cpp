#include "tocsin/http/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// A handler that answers with its own name, so a test can tell which route ran.
Handler Named(std::string name) {
    return [name = std::move(name)](const Request&, Response& res) { res.body = name; };
}

// Runs the matched handler and returns the body it wrote ("" when nothing matched).
std::string Invoke(const Router::Match& m) {
    if (!m.handler) return {};
    Request req;
    Response res;
    (*m.handler)(req, res);
    return res.body;
}

Router ApiRouter() {
    Router r;
    r.Add(Method::kGet, "/api/v1/page", Named("get page"));
    r.Add(Method::kPatch, "/api/v1/page", Named("patch page"));
    r.Add(Method::kGet, "/api/v1/incidents", Named("list incidents"));
    r.Add(Method::kPost, "/api/v1/incidents", Named("create incident"), RouteOptions{.blocking = true});
    r.Add(Method::kGet, "/api/v1/incidents/{id}", Named("get incident"));
    r.Add(Method::kDelete, "/api/v1/incidents/{id}", Named("delete incident"));
    r.Add(Method::kPatch, "/api/v1/incidents/{id}/updates/{update_id}", Named("edit update"));
    r.Add(Method::kPost, "/api/v1/tokens", Named("create token"));
    return r;
}

TEST(Router, FindsExactPathsByMethod) {
    struct Case {
        std::string_view name;
        Method method;
        std::string_view path;
        std::string_view expected;
    };
    const Case cases[] = {
        {"get page", Method::kGet, "/api/v1/page", "get page"},
        {"patch page", Method::kPatch, "/api/v1/page", "patch page"},
        {"list incidents", Method::kGet, "/api/v1/incidents", "list incidents"},
        {"post incidents", Method::kPost, "/api/v1/incidents", "create incident"},
        {"trailing slash is the same path", Method::kGet, "/api/v1/page/", "get page"},
    };
    Router r = ApiRouter();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Params params;
        auto m = r.Find(c.method, c.path, params);
        EXPECT_TRUE(m.path_matched);
        ASSERT_NE(m.handler, nullptr);
        EXPECT_EQ(Invoke(m), c.expected);
        EXPECT_TRUE(params.empty());
    }
}

TEST(Router, CarriesRouteOptionsOfTheMatchedRoute) {
    Router r = ApiRouter();
    Params params;
    EXPECT_TRUE(r.Find(Method::kPost, "/api/v1/incidents", params).options.blocking);
    EXPECT_FALSE(r.Find(Method::kGet, "/api/v1/incidents", params).options.blocking);
}

TEST(Router, CapturesPathParameters) {
    Router r = ApiRouter();
    Params params;
    auto m = r.Find(Method::kPatch, "/api/v1/incidents/abc123/updates/upd9", params);
    ASSERT_NE(m.handler, nullptr);
    EXPECT_EQ(Invoke(m), "edit update");
    EXPECT_EQ(params, (Params{{"id", "abc123"}, {"update_id", "upd9"}}));
}

TEST(Router, PercentDecodesPathParameters) {
    struct Case {
        std::string_view name;
        std::string_view path;
        std::string_view id;
    };
    const Case cases[] = {
        {"space", "/api/v1/incidents/a%20b", "a b"},
        {"encoded slash stays inside the segment", "/api/v1/incidents/a%2Fb", "a/b"},
        {"plus is not a space in a path", "/api/v1/incidents/a+b", "a+b"},
        {"utf-8", "/api/v1/incidents/%C3%A4", "\xC3\xA4"},
        {"invalid escape kept", "/api/v1/incidents/100%zz", "100%zz"},
    };
    Router r = ApiRouter();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Params params;
        auto m = r.Find(Method::kGet, c.path, params);
        ASSERT_NE(m.handler, nullptr);
        ASSERT_EQ(params.size(), 1u);
        EXPECT_EQ(params[0].first, "id");
        EXPECT_EQ(params[0].second, c.id);
    }
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
    Router r = ApiRouter();
    Params params;
    auto m = r.Find(Method::kPost, "/api/v1/incidents/abc", params);
    EXPECT_EQ(m.handler, nullptr);
    EXPECT_TRUE(m.path_matched);
    std::vector<Method> allowed = m.allowed;
    std::sort(allowed.begin(), allowed.end());
    EXPECT_EQ(allowed, (std::vector<Method>{Method::kGet, Method::kDelete}));
}

TEST(Router, HeadIsServedByTheGetHandler) {
    Router r = ApiRouter();
    Params params;
    auto m = r.Find(Method::kHead, "/api/v1/incidents/xyz", params);
    ASSERT_NE(m.handler, nullptr);
    EXPECT_EQ(Invoke(m), "get incident");
    EXPECT_EQ(params, (Params{{"id", "xyz"}}));
}

TEST(Router, HeadWithoutAGetRouteIsNotAllowed) {
    Router r = ApiRouter();
    Params params;
    auto m = r.Find(Method::kHead, "/api/v1/tokens", params);
    EXPECT_EQ(m.handler, nullptr);
    EXPECT_TRUE(m.path_matched);
    EXPECT_EQ(m.allowed, (std::vector<Method>{Method::kPost}));
}

TEST(Router, UnknownPathsMatchNothing) {
    struct Case {
        std::string_view name;
        std::string_view path;
    };
    const Case cases[] = {
        {"root", "/"},
        {"extra segment", "/api/v1/incidents/abc/extra"},
        {"missing segment", "/api/v1/incidents/abc/updates"},
        {"prefix of a literal", "/api/v1/pag"},
        {"different literal", "/api/v2/page"},
    };
    Router r = ApiRouter();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Params params;
        auto m = r.Find(Method::kGet, c.path, params);
        EXPECT_EQ(m.handler, nullptr);
        EXPECT_FALSE(m.path_matched);
        EXPECT_TRUE(m.allowed.empty());
    }
}

TEST(Router, FallbackIsReturnedOnlyOnceSet) {
    Router r = ApiRouter();
    EXPECT_EQ(r.Fallback(), nullptr);
    r.SetFallback(Named("snapshot"));
    ASSERT_NE(r.Fallback(), nullptr);
    Request req;
    Response res;
    (*r.Fallback())(req, res);
    EXPECT_EQ(res.body, "snapshot");
}

TEST(Router, FirstRegisteredRouteWinsWhenPatternsOverlap) {
    Router r;
    r.Add(Method::kGet, "/items/special", Named("literal"));
    r.Add(Method::kGet, "/items/{id}", Named("param"));
    Params params;
    EXPECT_EQ(Invoke(r.Find(Method::kGet, "/items/special", params)), "literal");
    EXPECT_TRUE(params.empty());
    EXPECT_EQ(Invoke(r.Find(Method::kGet, "/items/other", params)), "param");
    EXPECT_EQ(params, (Params{{"id", "other"}}));
}

TEST(Router, ListsRoutesInRegistrationOrder) {
    Router r = ApiRouter();
    auto routes = r.Routes();
    ASSERT_EQ(routes.size(), 8u);
    EXPECT_EQ(routes[0].method, Method::kGet);
    EXPECT_EQ(routes[0].pattern, "/api/v1/page");
    EXPECT_EQ(routes[6].method, Method::kPatch);
    EXPECT_EQ(routes[6].pattern, "/api/v1/incidents/{id}/updates/{update_id}");
}

}  // namespace
}  // namespace tocsin::http
