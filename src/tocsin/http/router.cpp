#include "tocsin/http/router.hpp"

namespace tocsin::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace

void Router::Add(Method method, std::string pattern, Handler handler, RouteOptions options) {
    Route r{method, pattern, {}, std::move(handler), options};
    for (auto seg : Split(pattern)) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
}

Router::Match Router::Find(
    Method method, std::string_view path, std::vector<std::pair<std::string, std::string>>& params
) const {
    Match m;
    auto segs = Split(path);
    // HEAD is served by the GET handler; the server drops the body.
    Method lookup = method == Method::kHead ? Method::kGet : method;
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::vector<std::pair<std::string, std::string>> captured;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            const auto& pat = r.segments[i];
            if (pat.size() >= 2 && pat.front() == '{' && pat.back() == '}') {
                if (segs[i].empty()) ok = false;
                captured.emplace_back(pat.substr(1, pat.size() - 2), PercentDecode(segs[i], false));
            } else if (pat != segs[i]) {
                ok = false;
            }
        }
        if (!ok) continue;
        m.path_matched = true;
        m.allowed.push_back(r.method);
        if (r.method == lookup && !m.handler) {
            m.handler = &r.handler;
            m.options = r.options;
            params = std::move(captured);
        }
    }
    return m;
}

std::vector<Router::RouteInfo> Router::Routes() const {
    std::vector<RouteInfo> out;
    for (const auto& r : routes_) out.push_back(RouteInfo{r.method, r.pattern});
    return out;
}

}  // namespace tocsin::http
