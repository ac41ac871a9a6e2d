/// @file
/// @brief Maps method and path to a handler; `{name}` segments capture path parameters.
///
/// Routes are registered at start-up on one thread and only read afterwards, so
/// lookups need no lock.
#pragma once

#include "tocsin/http/http_types.hpp"

#include <functional>
#include <string>
#include <vector>

namespace tocsin::http {

using Handler = std::function<void(const Request&, Response&)>;

struct RouteOptions {
    // Runs on the blocking pool (store access, hashing) instead of the I/O thread.
    bool blocking = false;
};

class Router {
public:
    void Add(Method method, std::string pattern, Handler handler, RouteOptions options = {});
    /// Called when no route pattern matches the path (the snapshot lookup).
    void SetFallback(Handler handler) { fallback_ = std::move(handler); }

    struct Match {
        const Handler* handler = nullptr;
        RouteOptions options;
        bool path_matched = false;  // true with handler == nullptr means 405
        std::vector<Method> allowed;
    };
    /// Finds the handler; fills `params` with captured segments.
    [[nodiscard]] Match Find(
        Method method, std::string_view path, std::vector<std::pair<std::string, std::string>>& params
    ) const;
    [[nodiscard]] const Handler* Fallback() const { return fallback_ ? &fallback_ : nullptr; }

    struct RouteInfo {
        Method method;
        std::string pattern;
    };
    [[nodiscard]] std::vector<RouteInfo> Routes() const;

private:
    struct Route {
        Method method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        RouteOptions options;
    };
    std::vector<Route> routes_;
    Handler fallback_;
};

}  // namespace tocsin::http
