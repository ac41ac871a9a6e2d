#include "tocsin/api/public_site.hpp"

#include <algorithm>
#include <charconv>

namespace tocsin::api {
namespace {

bool AcceptsGzip(std::string_view accept_encoding) {
    // "gzip" anywhere, unless it is explicitly refused with q=0.
    auto pos = accept_encoding.find("gzip");
    if (pos == std::string_view::npos) return false;
    auto rest = accept_encoding.substr(pos + 4);
    auto comma = rest.find(',');
    auto params = rest.substr(0, comma);
    auto q = params.find("q=");
    if (q == std::string_view::npos) return true;
    auto value = params.substr(q + 2);
    return !(value.rfind("0", 0) == 0 && value.find_first_of("123456789") == std::string_view::npos);
}

// Returns true if the client's validator matches, so a 304 can be sent.
bool Matches(std::string_view if_none_match, const std::string& etag) {
    if (if_none_match.empty()) return false;
    if (if_none_match == "*") return true;
    std::string_view rest = if_none_match;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto one = rest.substr(0, comma);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
        if (one.rfind("W/", 0) == 0) one.remove_prefix(2);
        if (one == etag) return true;
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return false;
}

std::string HistoryKeyPath(const http::Request& req) {
    auto page = req.QueryParam("page");
    if (!page || page->empty() || *page == "1") return "/history";
    int n = 0;
    auto [p, ec] = std::from_chars(page->data(), page->data() + page->size(), n);
    if (ec != std::errc() || p != page->data() + page->size() || n < 1) return "/history?page=invalid";
    return "/history?page=" + std::to_string(n);
}

// /uptime shows 24 hours; ?range=7d and ?range=30d are their own entries; any other range
// is a 404 (an entry that does not exist), not a silent fallback.
std::string UptimeKeyPath(const http::Request& req) {
    auto range = req.QueryParam("range");
    if (!range || range->empty() || *range == "24h") return "/uptime";
    if (*range == "7d" || *range == "30d") return "/uptime?range=" + *range;
    return "/uptime?range=invalid";
}

// /badge/monitors/{id}/uptime.svg takes ?days=1|7|30|90 (30 without it); other values are
// entries that do not exist (404).
std::string BadgeKeyPath(const http::Request& req, std::string path) {
    auto days = req.QueryParam("days");
    if (!days) return path;
    if (*days == "1" || *days == "7" || *days == "30" || *days == "90") return path + "?days=" + *days;
    return path + "?days=invalid";
}

bool IsMonitorBadge(std::string_view path) {
    constexpr std::string_view prefix = "/badge/monitors/", suffix = "/uptime.svg";
    return path.size() > prefix.size() + suffix.size() && path.rfind(prefix, 0) == 0 &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The public outputs other sites may read from scripts (the snapshot sets the same header).
bool IsCorsPath(std::string_view path) {
    return path.rfind("/api/v2/", 0) == 0 || path == "/embed/status.json" || path == "/embed/banner.js" ||
           path == "/badge.svg" || path.rfind("/badge/", 0) == 0;
}

}  // namespace

std::string_view ChooseLanguage(const http::Request& req, const page::Snapshot& snap) {
    auto has = [&](std::string_view l) {
        return std::find(snap.languages.begin(), snap.languages.end(), l) != snap.languages.end();
    };
    if (!req.query.empty()) {
        if (auto lang = req.QueryParam("lang"); lang && has(*lang)) {
            for (const auto& l : snap.languages) {
                if (l == *lang) return l;
            }
        }
    }
    // Accept-Language: pick the supported tag with the highest q (first wins on ties).
    std::string_view header = req.Header("Accept-Language");
    std::string_view best;
    double best_q = 0;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        auto semi = item.find(';');
        auto tag = item.substr(0, semi);
        double q = 1.0;
        if (semi != std::string_view::npos) {
            auto qpos = item.find("q=", semi);
            if (qpos != std::string_view::npos) {
                std::string qs(item.substr(qpos + 2));
                q = std::atof(qs.c_str());
            }
        }
        auto primary = tag.substr(0, tag.find('-'));
        for (const auto& l : snap.languages) {
            if (primary.size() == l.size() && std::equal(primary.begin(), primary.end(), l.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == b;
                })) {
                if (q > best_q) {
                    best = l;
                    best_q = q;
                }
            }
        }
    }
    if (!best.empty()) return best;
    return snap.default_language;
}

void RegisterPublicRoutes(http::Router& router, SnapshotSource source, MetricsRegistry& metrics) {
    Counter& hits = metrics.GetCounter("tocsin_page_requests_total", "Public page requests", "result=\"200\"");
    Counter& not_modified = metrics.GetCounter("tocsin_page_requests_total", "Public page requests", "result=\"304\"");
    Counter& misses = metrics.GetCounter("tocsin_page_requests_total", "Public page requests", "result=\"404\"");

    router.Add(http::Method::kGet, "/healthz", [](const http::Request&, http::Response& res) {
        res.content_type = "text/plain; charset=utf-8";
        res.body = "ok\n";
        res.SetHeader("Cache-Control", "no-store");
    });
    router.Add(http::Method::kGet, "/metrics", [&metrics](const http::Request&, http::Response& res) {
        res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        res.body = metrics.Render();
        res.SetHeader("Cache-Control", "no-store");
    });

    router.SetFallback(
        [source = std::move(source), &hits, &not_modified, &misses](const http::Request& req, http::Response& res) {
            if (req.method == http::Method::kOptions && IsCorsPath(req.path)) {
                // A preflight: simple GETs need none, but a script that adds a header asks first.
                res.status = 204;
                res.SetHeader("Access-Control-Allow-Origin", "*");
                res.SetHeader("Access-Control-Allow-Methods", "GET, HEAD");
                res.SetHeader("Access-Control-Allow-Headers", "If-None-Match, Accept-Language");
                res.SetHeader("Access-Control-Max-Age", "86400");
                res.SetHeader("Allow", "GET, HEAD, OPTIONS");
                return;
            }
            if (req.method != http::Method::kGet && req.method != http::Method::kHead) {
                http::WriteProblem(res, 405, "method-not-allowed", "the public page is read-only; use GET");
                res.SetHeader("Allow", "GET, HEAD");
                return;
            }
            auto snap = source();
            if (!snap) {
                http::WriteProblem(res, 503, "unavailable", "the page is starting");
                return;
            }
            std::string_view lang = ChooseLanguage(req, *snap);
            std::string path(req.path);
            if (path.size() > 1 && path.back() == '/') path.pop_back();
            if (path == "/index.html") path = "/";
            if (path == "/history") path = HistoryKeyPath(req);
            if (path == "/uptime") path = UptimeKeyPath(req);
            if (IsMonitorBadge(path)) path = BadgeKeyPath(req, std::move(path));

            const page::Entry* e = snap->Find(page::Snapshot::Key(path, lang));
            if (!e) e = snap->Find(page::Snapshot::Key(path));
            if (!e) {
                misses.Add();
                if (path.rfind("/api/", 0) == 0 || path.find('.') != std::string::npos) {
                    http::WriteProblem(res, 404, "not-found", "no such resource");
                    return;
                }
                e = snap->Find(page::Snapshot::Key("/404", lang));
                if (!e) {
                    http::WriteProblem(res, 404, "not-found", "no such page");
                    return;
                }
            }

            bool gzip = !e->gzip.empty() && AcceptsGzip(req.Header("Accept-Encoding"));
            res.content_type = e->content_type;
            res.shared_headers = gzip ? &e->headers_gzip : &e->headers;
            res.shared_owner = snap;  // keeps the headers and bytes alive until written
            if (e->status == 200 && Matches(req.Header("If-None-Match"), gzip ? e->etag_gzip : e->etag)) {
                not_modified.Add();
                res.status = 304;
                res.shared_body = {};
                return;
            }
            hits.Add();
            res.status = e->status;
            res.shared_body = gzip ? std::string_view(e->gzip) : std::string_view(e->body);
        }
    );
}

}  // namespace tocsin::api
