#include "tocsin/api/admin_app.hpp"

#include "tocsin/page/snapshot_builder.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace tocsin::api {
namespace {

struct Asset {
    std::string content_type;
    std::string_view body;  // embedded bytes
    std::string gzip;       // empty when compression does not pay
    std::string etag;
    std::string etag_gzip;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::pair<std::string, std::string>> headers_gzip;
};

struct Assets {
    std::map<std::string, Asset, std::less<>> by_path;  // "/admin/assets/app.js"
    const Asset* index = nullptr;
};

std::string_view ContentTypeOf(std::string_view name) {
    auto dot = name.rfind('.');
    std::string_view ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json" || ext == "map") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "woff2") return "font/woff2";
    if (ext == "txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

/// FNV-1a 64: a content validator, not a security measure.
std::string EtagOf(std::string_view bytes) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string("\"a-") + buf + "\"";
}

bool AcceptsGzip(std::string_view accept_encoding) {
    // "gzip" anywhere, unless refused with q=0.
    auto pos = accept_encoding.find("gzip");
    if (pos == std::string_view::npos) return false;
    auto params = accept_encoding.substr(pos + 4);
    params = params.substr(0, params.find(','));
    auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    auto value = params.substr(q + 2);
    return !(value.rfind('0', 0) == 0 && value.find_first_of("123456789") == std::string_view::npos);
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
    if (if_none_match.empty()) return false;
    if (if_none_match == "*") return true;
    while (!if_none_match.empty()) {
        auto comma = if_none_match.find(',');
        auto one = if_none_match.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (one.rfind("W/", 0) == 0) one.remove_prefix(2);
        if (one == etag) return true;
        if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    }
    return false;
}

Asset MakeAsset(std::string_view name, std::string_view body) {
    Asset a;
    a.content_type = std::string(ContentTypeOf(name));
    a.body = body;
    bool text = a.content_type.rfind("text/", 0) == 0 || a.content_type == "application/json" ||
                a.content_type == "image/svg+xml";
    if (text && body.size() > 256) {
        a.gzip = page::Gzip(body);
        if (a.gzip.size() >= body.size()) a.gzip.clear();
    }
    a.etag = EtagOf(body);
    a.etag_gzip = a.etag.substr(0, a.etag.size() - 1) + "-gz\"";
    std::vector<std::pair<std::string, std::string>> common = {
        {"Cache-Control", "no-cache"},
        {"Content-Security-Policy", std::string(kAdminAppCsp)},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Vary", "Accept-Encoding"},
    };
    a.headers = common;
    a.headers.emplace_back("ETag", a.etag);
    a.headers_gzip = std::move(common);
    a.headers_gzip.emplace_back("ETag", a.etag_gzip);
    a.headers_gzip.emplace_back("Content-Encoding", "gzip");
    return a;
}

// The Web Push service worker: a fixed name at the top of /admin/, so that its default scope
// (its own folder) covers every screen of the app.
constexpr std::string_view kServiceWorkerPath = "/admin/sw.js";

bool IsAdminPath(std::string_view path) {
    return path == "/admin" || path.rfind("/admin/", 0) == 0;
}

void Serve(const std::shared_ptr<const Assets>& assets, const http::Request& req, http::Response& res) {
    if (req.method != http::Method::kGet && req.method != http::Method::kHead) {
        http::WriteProblem(res, 405, "method-not-allowed", "the admin app is read-only; use GET");
        res.SetHeader("Allow", "GET, HEAD");
        return;
    }
    const Asset* a = nullptr;
    if (req.path.rfind("/admin/assets/", 0) == 0 || req.path == kServiceWorkerPath) {
        auto it = assets->by_path.find(req.path);
        if (it == assets->by_path.end()) {
            http::WriteProblem(res, 404, "not-found", "no such admin asset");
            return;
        }
        a = &it->second;
    } else {
        a = assets->index;  // the app routes in the browser
    }
    if (!a) {
        http::WriteProblem(res, 503, "unavailable", "the admin app is not part of this build");
        return;
    }
    bool gzip = !a->gzip.empty() && AcceptsGzip(req.Header("Accept-Encoding"));
    res.content_type = a->content_type;
    res.shared_owner = assets;
    res.shared_headers = gzip ? &a->headers_gzip : &a->headers;
    if (EtagMatches(req.Header("If-None-Match"), gzip ? a->etag_gzip : a->etag)) {
        res.status = 304;
        res.shared_body = {};
        return;
    }
    res.status = 200;
    res.shared_body = gzip ? std::string_view(a->gzip) : a->body;
}

}  // namespace

void RegisterAdminApp(http::Router& router, const AdminAppFiles& files) {
    auto assets = std::make_shared<Assets>();
    for (std::string_view name : files.names) {
        std::string_view bytes = files.find(name);
        if (name == "index.html") {
            assets->by_path.emplace("/admin/index.html", MakeAsset(name, bytes));
        } else if (name.rfind("assets/", 0) == 0 || "/admin/" + std::string(name) == kServiceWorkerPath) {
            assets->by_path.emplace("/admin/" + std::string(name), MakeAsset(name, bytes));
        }
    }
    if (auto it = assets->by_path.find("/admin/index.html"); it != assets->by_path.end()) {
        assets->index = &it->second;
    }
    std::shared_ptr<const Assets> frozen = std::move(assets);

    http::Handler next;
    if (const http::Handler* fb = router.Fallback()) next = *fb;
    router.SetFallback([frozen, next = std::move(next)](const http::Request& req, http::Response& res) {
        if (IsAdminPath(req.path)) {
            Serve(frozen, req, res);
        } else if (next) {
            next(req, res);
        } else {
            http::WriteProblem(res, 404, "not-found", "no such resource");
        }
    });
}

}  // namespace tocsin::api
