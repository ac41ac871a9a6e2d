#include "tocsin/api/guard.hpp"

#include "tocsin/api/json_input.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

namespace tocsin::api {

using http::Request;
using http::Response;

namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool EqualNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Compares without an early exit, so the time taken does not tell how much of a guess was right.
bool EqualSecret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void Forbid(Response& res, auth::Role need, auth::Role have, std::string_view who) {
    http::WriteProblem(
        res,
        403,
        "forbidden",
        "this needs the " + std::string(auth::ToString(need)) + " role; the " + std::string(who) + " has " +
            std::string(auth::ToString(have))
    );
}

}  // namespace

std::optional<std::string> CookieValue(const Request& req, std::string_view name) {
    // Browsers send one Cookie header: name=value pairs separated by "; ".
    std::string_view rest = req.Header("Cookie");
    while (!rest.empty()) {
        auto semi = rest.find(';');
        auto pair = Trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (Trim(pair.substr(0, eq)) != name) continue;
        auto value = Trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        return std::string(value);
    }
    return std::nullopt;
}

bool IsSameOrigin(const Request& req) {
    auto origin = Trim(req.Header("Origin"));
    if (origin.empty()) return true;
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;  // "null" and other opaque origins
    auto authority = origin.substr(scheme_end + 3);
    if (authority.empty() || authority.find('/') != std::string_view::npos) return false;
    return EqualNoCase(authority, Trim(req.Header("Host")));
}

bool IsUnsafeMethod(http::Method m) {
    return m != http::Method::kGet && m != http::Method::kHead && m != http::Method::kOptions;
}

http::Handler Guard(store::Store& store, auth::Role need, GuardedHandler h) {
    return Guard(store, nullptr, need, std::move(h));
}

http::Handler Guard(store::Store& store, const auth::Sessions* sessions, auth::Role need, GuardedHandler h) {
    return [&store, sessions, need, h = std::move(h)](const Request& req, Response& res) {
        auto header = req.Header("Authorization");
        std::optional<std::string> cookie;
        if (header.empty() && sessions) cookie = CookieValue(req, auth::kSessionCookie);
        if (header.empty() && (!cookie || cookie->empty())) {
            http::WriteProblem(
                res, 401, "unauthorized", "sign in, or send an API token as Authorization: Bearer <token>"
            );
            res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin\"");
            return;
        }
        if (!header.empty()) {
            auto who = ValueOrThrow(auth::Authenticate(store, header));
            if (!who) {
                http::WriteProblem(res, 401, "unauthorized", "the API token is unknown, malformed or revoked");
                res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin\", error=\"invalid_token\"");
                return;
            }
            if (!auth::Allows(who->role, need)) return Forbid(res, need, who->role, "token");
            h(req, res, *who);
            return;
        }
        // The cookie rides along on any request the browser makes to us, including ones a
        // foreign page triggers: such a request is refused before anything else happens.
        if (!IsSameOrigin(req)) {
            http::WriteProblem(res, 403, "csrf", "the request comes from another origin");
            return;
        }
        auto signed_in = ValueOrThrow(sessions->Resolve(*cookie));
        if (!signed_in) {
            http::WriteProblem(res, 401, "unauthorized", "the session has ended; sign in again");
            res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin\"");
            return;
        }
        if (IsUnsafeMethod(req.method) && !EqualSecret(req.Header("X-CSRF-Token"), signed_in->session.csrf_token)) {
            http::WriteProblem(
                res, 403, "csrf", "send the session's CSRF token in the X-CSRF-Token header", "X-CSRF-Token"
            );
            return;
        }
        auto role = auth::ParseRole(signed_in->user.role).value_or(auth::Role::kStakeholder);
        if (!auth::Allows(role, need)) return Forbid(res, need, role, "user");
        auth::Principal who{{}, signed_in->user.name, role, signed_in->user.id, signed_in->session.secret_hash};
        h(req, res, who);
    };
}

}  // namespace tocsin::api
