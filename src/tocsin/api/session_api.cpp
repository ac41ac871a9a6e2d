#include "tocsin/api/session_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/api/subscribe_site.hpp"
#include "tocsin/api/user_api.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;

constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kBodyLimit = 16 * 1024;

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string Required(const Fields& f, std::string_view key, std::size_t max_len) {
    auto v = f.String(key, max_len, false);
    if (!v) throw HttpError(400, "invalid-field", std::string(key) + " is required", std::string(key));
    return *v;
}

json::object SessionJson(const store::User& user, const store::Session& s) {
    return json::object{
        {"user", UserJson(user, false)},
        {"csrf_token", s.csrf_token},
        {"expires_at", FormatIso8601(s.expires_at)},
    };
}

class SessionApi : public std::enable_shared_from_this<SessionApi> {
public:
    explicit SessionApi(SessionApiDeps deps) : d_(std::move(deps)), login_(d_.store, d_.clock, d_.sessions.Options()) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto open = [&](Method m, const std::string& path, void (SessionApi::*fn)(const Request&, Response&)) {
            r.Add(m, path, [self, fn](const Request& q, Response& s) { ((*self).*fn)(q, s); }, {.blocking = true});
        };
        auto guarded = [&](Method m,
                           const std::string& path,
                           void (SessionApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, &d_.sessions, self, m, path, Role::kStakeholder, fn);
        };
        open(Method::kGet, "/api/v1/setup", &SessionApi::GetSetup);
        open(Method::kPost, "/api/v1/setup", &SessionApi::PostSetup);
        open(Method::kPost, "/api/v1/session", &SessionApi::SignIn);
        guarded(Method::kGet, "/api/v1/session", &SessionApi::Current);
        guarded(Method::kDelete, "/api/v1/session", &SessionApi::SignOut);
        guarded(Method::kPost, "/api/v1/session/password", &SessionApi::ChangePassword);
    }

private:
    void Changed(std::string_view topic) {
        if (d_.on_change) d_.on_change(topic);
    }

    static void RequireSameOrigin(const Request& req) {
        if (!IsSameOrigin(req)) throw HttpError(403, "csrf", "the request comes from another origin");
    }

    static void RequireSession(const auth::Principal& who) {
        if (who.user_id.empty()) {
            throw HttpError(403, "session-required", "this needs a signed-in user; an API token has no session");
        }
    }

    // Answers with a new session for `user`: the session object and its cookie.
    void StartSession(const Request& req, Response& res, const store::User& user, int status) {
        auto client = ClientAddress(req, d_.sessions.Options().client_address_header);
        auto created = ValueOrThrow(d_.sessions.Create(user, req.Header("User-Agent"), client));
        store::User shown = user;
        shown.last_login_at = created.session.created_at;
        WriteJson(res, SessionJson(shown, created.session), status);
        res.SetHeader(
            "Set-Cookie",
            d_.sessions.Cookie(created.secret, WantsSecureCookie(req, d_.sessions.Options().secure_cookie))
        );
        res.SetHeader("Cache-Control", "no-store");
    }

    void GetSetup(const Request&, Response& res) {
        std::int64_t users = 0;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(n, tx.CountUsers(""));
            users = n;
            return {};
        }));
        WriteJson(res, json::object{{"needs_owner", users == 0}});
    }

    void PostSetup(const Request& req, Response& res) {
        RequireSameOrigin(req);
        auto body = ParseBody(req, "", kBodyLimit);
        Fields f(body);
        f.RejectUnknown({"email", "name", "password", "language"});
        store::User u;
        u.email = Required(f, "email", 254);
        ValueOrThrow(auth::ValidateEmail(u.email));
        u.name = Required(f, "name", 200);
        auto password = Required(f, "password", kMaxPassword);
        u.language = f.String("language", 2).value_or("en");
        if (!auth::IsUserLanguage(u.language)) {
            throw HttpError(400, "invalid-field", "language must be en or de", "language");
        }
        u.id = NewId();
        u.role = "owner";
        u.created_at = d_.clock.Now();
        // Hashing takes a while; the check that nobody exists and the insert are one
        // transaction, so two racing first-run forms create one owner.
        u.password_hash = ValueOrThrow(auth::HashPassword(password));
        bool created = false;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(n, tx.CountUsers(""));
            if (n > 0) return {};
            TOCSIN_TRY(tx.InsertUser(u));
            created = true;
            return {};
        }));
        if (!created) throw HttpError(409, "conflict", "setup is done: an owner exists; sign in instead");
        Changed("users");
        StartSession(req, res, u, 201);
    }

    void SignIn(const Request& req, Response& res) {
        RequireSameOrigin(req);
        auto body = ParseBody(req, "", kBodyLimit);
        Fields f(body);
        f.RejectUnknown({"email", "password"});
        auto email = Required(f, "email", 1024);
        auto password = Required(f, "password", kMaxPassword);
        auto client = ClientAddress(req, d_.sessions.Options().client_address_header);
        auto outcome = ValueOrThrow(login_.Attempt(std::string(Trim(email)), password, ClientKey(client)));
        if (outcome.retry_after.count() > 0) {
            http::WriteProblem(res, 429, "too-many-attempts", "too many failed sign-ins; try again in a few minutes");
            res.SetHeader("Retry-After", std::to_string(outcome.retry_after.count()));
            return;
        }
        if (!outcome.user) {
            http::WriteProblem(res, 401, "invalid-credentials", "the e-mail address or the password is wrong");
            return;
        }
        // A sign-in replaces the session this browser had, if any.
        if (auto old = CookieValue(req, auth::kSessionCookie)) (void)d_.sessions.End(*old);
        StartSession(req, res, *outcome.user, 200);
    }

    void Current(const Request& req, Response& res, const auth::Principal& who) {
        RequireSession(who);
        auto cookie = CookieValue(req, auth::kSessionCookie).value_or("");
        auto signed_in = ValueOrThrow(d_.sessions.Resolve(cookie));
        if (!signed_in) throw HttpError(401, "unauthorized", "the session has ended; sign in again");
        WriteJson(res, SessionJson(signed_in->user, signed_in->session));
        res.SetHeader("Cache-Control", "no-store");
    }

    void SignOut(const Request& req, Response& res, const auth::Principal& who) {
        RequireSession(who);
        (void)ValueOrThrow(d_.sessions.End(CookieValue(req, auth::kSessionCookie).value_or("")));
        res.status = 204;
        res.body.clear();
        res.SetHeader(
            "Set-Cookie", auth::Sessions::ClearingCookie(WantsSecureCookie(req, d_.sessions.Options().secure_cookie))
        );
    }

    void ChangePassword(const Request& req, Response& res, const auth::Principal& who) {
        RequireSession(who);
        auto body = ParseBody(req, "", kBodyLimit);
        Fields f(body);
        f.RejectUnknown({"current_password", "new_password"});
        auto current = Required(f, "current_password", kMaxPassword);
        auto fresh = Required(f, "new_password", kMaxPassword);
        std::optional<store::User> user;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(u, tx.GetUser(who.user_id));
            user = std::move(u);
            return {};
        }));
        if (!user) throw HttpError(401, "unauthorized", "the session has ended; sign in again");
        if (!auth::PasswordLogin::Verify(*user, current)) {
            throw HttpError(400, "invalid-field", "current_password is not the current password", "current_password");
        }
        auto hashed = auth::HashPassword(fresh);
        if (!hashed) throw HttpError(400, "invalid-field", "new_password " + hashed.error().message, "new_password");
        user->password_hash = *hashed;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.UpdateUser(*user));
            TOCSIN_ASSIGN(ended, tx.DeleteUserSessions(user->id, who.session_hash));
            (void)ended;
            return {};
        }));
        Changed("users");
        res.status = 204;
        res.body.clear();
    }

    SessionApiDeps d_;
    auth::PasswordLogin login_;
};

}  // namespace

bool WantsSecureCookie(const Request& req, auth::SecureCookie mode) {
    switch (mode) {
        case auth::SecureCookie::kAlways:
            return true;
        case auth::SecureCookie::kNever:
            return false;
        case auth::SecureCookie::kAuto:
            break;
    }
    auto proto = req.Header("X-Forwarded-Proto");
    proto = Trim(proto.substr(0, proto.find(',')));
    return proto.size() == 5 && std::equal(proto.begin(), proto.end(), "https", [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

std::string ClientAddress(const Request& req, const std::string& header) {
    if (!header.empty()) {
        auto h = req.Header(header);
        auto comma = h.rfind(',');
        auto last = Trim(comma == std::string_view::npos ? h : h.substr(comma + 1));
        if (!last.empty()) return std::string(last);
    }
    return std::string(req.remote_address);
}

void RegisterSessionRoutes(http::Router& router, SessionApiDeps deps) {
    std::make_shared<SessionApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
