/// @file
/// @brief Calls a Router the way the server does, without sockets, for handler tests.
#pragma once

#include "tocsin/http/router.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::api::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string LowerAscii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// Runs `method target` through `router` with `headers` and `body`; a thrown HttpError
/// becomes its problem response, another exception a 500, as in the server.
inline http::Response CallRouter(
    const http::Router& router,
    http::Method method,
    const std::string& target,
    const std::string& body = {},
    const Headers& headers = {},
    const std::string& remote_address = "192.0.2.10"
) {
    struct Native {
        const Headers* list;
    } native{&headers};
    http::Request req;
    req.method = method;
    req.target = target;
    auto q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string_view::npos) req.query = req.target.substr(q + 1);
    req.body = body;
    req.remote_address = remote_address;
    req.native = &native;
    req.header_lookup = [](const void* n, std::string_view name) -> std::string_view {
        for (const auto& [k, v] : *static_cast<const Native*>(n)->list) {
            if (LowerAscii(k) == LowerAscii(name)) return v;
        }
        return {};
    };
    http::Response res;
    auto match = router.Find(req.method, req.path, req.path_params);
    const http::Handler* handler = match.handler;
    if (!handler && !match.path_matched) handler = router.Fallback();
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

/// The value of a response header, empty if absent.
inline std::string HeaderOf(const http::Response& res, std::string_view name) {
    for (const auto& [k, v] : res.headers) {
        if (LowerAscii(k) == LowerAscii(name)) return v;
    }
    return {};
}

}  // namespace tocsin::api::testing
