// The /admin handler: index for the app's paths, assets by name, gzip, ETag/304, strict
// headers, and everything else still reaching the previous fallback.
#include "tocsin/api/admin_app.hpp"

#include "tocsin/api/testing/router_call.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <string>

namespace tocsin::api {
namespace {

using testing::CallRouter;
using testing::Headers;
using testing::LowerAscii;

const std::string kIndex =
    "<!doctype html><title>admin</title><script type=module src=/admin/assets/app.js></script>" + std::string(400, ' ');
const std::string kJs = "console.log('app');" + std::string(2000, ';');
const std::string kCss = "body{margin:0}";
const std::string kWorker = "self.addEventListener('push', () => {});";

std::string Header(const http::Response& res, std::string_view name) {
    if (res.shared_headers) {
        for (const auto& [k, v] : *res.shared_headers) {
            if (LowerAscii(k) == LowerAscii(name)) return v;
        }
    }
    return testing::HeaderOf(res, name);
}

std::string Gunzip(std::string_view in) {
    z_stream zs{};
    EXPECT_EQ(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char buf[4096];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, sizeof buf - zs.avail_out);
    }
    inflateEnd(&zs);
    EXPECT_EQ(rc, Z_STREAM_END);
    return out;
}

class AdminAppTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.SetFallback([](const http::Request&, http::Response& res) {
            res.content_type = "text/plain";
            res.body = "public page";
        });
        files_ = {{"index.html", kIndex}, {"assets/app.js", kJs}, {"assets/app.css", kCss}, {"sw.js", kWorker}};
        AdminAppFiles f;
        for (const auto& [name, bytes] : files_) f.names.push_back(name);
        f.find = [this](std::string_view name) -> std::string_view {
            auto it = files_.find(std::string(name));
            return it == files_.end() ? std::string_view{} : std::string_view(it->second);
        };
        RegisterAdminApp(router_, f);
    }

    http::Response Get(const std::string& target, const Headers& headers = {}) {
        return CallRouter(router_, http::Method::kGet, target, {}, headers);
    }

    std::map<std::string, std::string> files_;
    http::Router router_;
};

TEST_F(AdminAppTest, AppPathsAnswerTheIndexWithStrictHeaders) {
    for (const char* path : {"/admin", "/admin/", "/admin/incidents", "/admin/incidents/abc/x", "/admin/?a=1"}) {
        SCOPED_TRACE(path);
        auto res = Get(path);
        EXPECT_EQ(res.status, 200);
        EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
        EXPECT_EQ(res.Body(), kIndex);
        EXPECT_EQ(Header(res, "Content-Security-Policy"), kAdminAppCsp);
        EXPECT_NE(Header(res, "Content-Security-Policy").find("script-src 'self';"), std::string::npos);
        EXPECT_NE(Header(res, "Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
        EXPECT_EQ(Header(res, "Cache-Control"), "no-cache");
        EXPECT_EQ(Header(res, "Referrer-Policy"), "no-referrer");
        EXPECT_EQ(Header(res, "Content-Encoding"), "");
        EXPECT_FALSE(Header(res, "ETag").empty());
    }
}

TEST_F(AdminAppTest, AssetsByNameWithTheirTypes) {
    auto js = Get("/admin/assets/app.js");
    EXPECT_EQ(js.status, 200);
    EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Body(), kJs);
    auto css = Get("/admin/assets/app.css");
    EXPECT_EQ(css.status, 200);
    EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
    EXPECT_EQ(css.Body(), kCss);
    EXPECT_EQ(Get("/admin/assets/missing.js").status, 404);
    EXPECT_EQ(Get("/admin/assets/../index.html").status, 404);
}

TEST_F(AdminAppTest, ServiceWorkerAtTheTopOfTheAppWithTheAppsCsp) {
    auto res = Get("/admin/sw.js");
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(res.Body(), kWorker);
    EXPECT_EQ(Header(res, "Content-Security-Policy"), kAdminAppCsp);
    // Other file names at the top still route in the browser (the index), never a 404.
    EXPECT_EQ(Get("/admin/other.js").Body(), kIndex);
}

TEST(AdminAppNoWorker, WithoutTheWorkerFileItsPathIs404) {
    const std::string index = "<!doctype html>";
    AdminAppFiles f;
    f.names = {"index.html"};
    f.find = [&](std::string_view) { return std::string_view(index); };
    http::Router router;
    RegisterAdminApp(router, f);
    EXPECT_EQ(CallRouter(router, http::Method::kGet, "/admin/sw.js", {}, {}).status, 404);
}

TEST_F(AdminAppTest, GzipWhenAcceptedAndWorthIt) {
    auto res = Get("/admin/assets/app.js", {{"Accept-Encoding", "br, gzip"}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(Header(res, "Content-Encoding"), "gzip");
    EXPECT_EQ(Header(res, "Vary"), "Accept-Encoding");
    EXPECT_LT(res.Body().size(), kJs.size());
    EXPECT_EQ(Gunzip(res.Body()), kJs);
    EXPECT_EQ(Header(Get("/admin/assets/app.js", {{"Accept-Encoding", "gzip;q=0"}}), "Content-Encoding"), "");
    // A tiny file is sent as is.
    EXPECT_EQ(Header(Get("/admin/assets/app.css", {{"Accept-Encoding", "gzip"}}), "Content-Encoding"), "");
}

TEST_F(AdminAppTest, EtagRevalidationPerEncoding) {
    auto plain = Get("/admin/assets/app.js");
    auto zipped = Get("/admin/assets/app.js", {{"Accept-Encoding", "gzip"}});
    std::string etag = Header(plain, "ETag");
    std::string etag_gz = Header(zipped, "ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_NE(etag, etag_gz);
    auto again = Get("/admin/assets/app.js", {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.Body().empty());
    EXPECT_EQ(Get("/admin/assets/app.js", {{"If-None-Match", "W/" + etag}}).status, 304);
    EXPECT_EQ(
        Get("/admin/assets/app.js", {{"If-None-Match", "\"other\", " + etag_gz}, {"Accept-Encoding", "gzip"}}).status,
        304
    );
    EXPECT_EQ(Get("/admin/assets/app.js", {{"If-None-Match", etag_gz}}).status, 200);
    EXPECT_NE(Header(Get("/admin/"), "ETag"), etag);
}

TEST_F(AdminAppTest, OtherPathsReachThePreviousFallback) {
    for (const char* path : {"/", "/administrator", "/adminx/a", "/incidents/1"}) {
        SCOPED_TRACE(path);
        auto res = Get(path);
        EXPECT_EQ(res.status, 200);
        EXPECT_EQ(res.Body(), "public page");
    }
}

TEST_F(AdminAppTest, OnlyGetAndHead) {
    auto post = CallRouter(router_, http::Method::kPost, "/admin/", "x");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(testing::HeaderOf(post, "Allow"), "GET, HEAD");
    EXPECT_EQ(CallRouter(router_, http::Method::kHead, "/admin/").status, 200);
}

TEST(AdminAppMissing, WithoutFilesTheAppAnswers503NotACrash) {
    http::Router router;
    RegisterAdminApp(router, AdminAppFiles{{}, [](std::string_view) { return std::string_view{}; }});
    EXPECT_EQ(CallRouter(router, http::Method::kGet, "/admin/").status, 503);
    EXPECT_EQ(CallRouter(router, http::Method::kGet, "/admin/assets/app.js").status, 404);
    EXPECT_EQ(CallRouter(router, http::Method::kGet, "/").status, 404);
}

}  // namespace
}  // namespace tocsin::api
