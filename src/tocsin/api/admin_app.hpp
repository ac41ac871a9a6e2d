/// @file
/// @brief Serves the admin web app (web/admin, built by Vite and embedded) at /admin.
///
/// `GET /admin`, `/admin/` and every other `/admin/...` path answer index.html (the app
/// routes in the browser); `/admin/assets/<name>` answers that file or 404; `/admin/sw.js`
/// answers the Web Push service worker (build output "sw.js"; scope /admin/) or 404. Bodies are
/// prepared once at start-up: gzip when the client accepts it, ETag/304, `Cache-Control:
/// no-cache` (the names carry no hash, so the browser revalidates), and a strict CSP that
/// allows only this origin's scripts, styles and API.
#pragma once

#include "tocsin/http/router.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace tocsin::api {

struct AdminAppFiles {
    /// Paths relative to the build output ("index.html", "assets/app.js").
    std::vector<std::string_view> names;
    /// Bytes of one file; they must outlive the router (embedded data does).
    std::function<std::string_view(std::string_view name)> find;
};

/// The Content-Security-Policy sent with every admin app response.
inline constexpr std::string_view kAdminAppCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Installs the /admin handler in front of the router's current fallback (call it after
/// RegisterPublicRoutes, which sets the fallback that serves the public page).
void RegisterAdminApp(http::Router& router, const AdminAppFiles& files);

}  // namespace tocsin::api
