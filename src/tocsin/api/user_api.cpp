#include "tocsin/api/user_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

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

Role ParseUserRole(const Fields& f) {
    auto text = f.String("role", 20, false);
    auto role = text ? auth::ParseRole(*text) : std::nullopt;
    if (!role || *role == Role::kProbe) {
        throw HttpError(400, "invalid-field", "role must be owner, responder or stakeholder", "role");
    }
    return *role;
}

std::string ParseLanguage(const Fields& f) {
    auto lang = f.String("language", 2, false);
    if (!lang || !auth::IsUserLanguage(*lang)) {
        throw HttpError(400, "invalid-field", "language must be en or de", "language");
    }
    return *lang;
}

std::string ParseName(const Fields& f) {
    auto name = f.String("name", 200, false);
    if (!name) throw HttpError(400, "invalid-field", "name is required", "name");
    return *name;
}

std::string HashOrThrow(std::string_view password) {
    auto hashed = auth::HashPassword(password);
    if (!hashed) throw HttpError(400, "invalid-field", "password " + hashed.error().message, "password");
    return *hashed;
}

class UserApi : public std::enable_shared_from_this<UserApi> {
public:
    explicit UserApi(UserApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       void (UserApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, Role::kOwner, fn);
        };
        add(Method::kGet, "/api/v1/users", &UserApi::List);
        add(Method::kPost, "/api/v1/users", &UserApi::Create);
        add(Method::kPatch, "/api/v1/users/{id}", &UserApi::Patch);
        add(Method::kDelete, "/api/v1/users/{id}", &UserApi::Delete);
        // Names for pickers and logs (schedule participants, escalation targets, who was
        // paged): every role reads it; no e-mail, role or anything else.
        AddGuarded(
            r, d_.store, d_.sessions, self, Method::kGet, "/api/v1/directory", Role::kStakeholder, &UserApi::Directory
        );
    }

private:
    void Changed() {
        if (d_.on_change) d_.on_change("users");
    }

    void List(const Request&, Response& res, const auth::Principal&) {
        std::vector<store::User> users;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListUsers());
            users = std::move(list);
            return {};
        }));
        json::array data;
        for (const auto& u : users) data.push_back(UserJson(u, true));
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void Directory(const Request&, Response& res, const auth::Principal&) {
        std::vector<store::User> users;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListUsers());
            users = std::move(list);
            return {};
        }));
        json::array data;
        for (const auto& u : users) data.push_back(json::object{{"id", u.id}, {"name", u.name}});
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void Create(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "user");
        Fields f(body);
        f.RejectUnknown({"email", "name", "role", "password", "language"});
        auto email = f.String("email", 254, false);
        if (!email) throw HttpError(400, "invalid-field", "email is required", "email");
        auto name = ParseName(f);
        auto role = ParseUserRole(f);
        auto password = f.String("password", kMaxPassword, false);
        if (!password) throw HttpError(400, "invalid-field", "password is required", "password");
        std::string language = f.Has("language") ? ParseLanguage(f) : "en";
        auto created = ValueOrThrow(auth::CreateUser(d_.store, d_.clock, *email, name, role, *password, language));
        Changed();
        WriteJson(res, UserJson(created, true), 201);
        res.SetHeader("Location", "/api/v1/users/" + created.id);
    }

    void Patch(const Request& req, Response& res, const auth::Principal& who) {
        const std::string id(req.Param("id"));
        auto body = ParseBody(req, "user");
        Fields f(body);
        f.RejectUnknown({"name", "role", "language", "password"});
        std::optional<std::string> name;
        std::optional<Role> role;
        std::optional<std::string> language;
        std::optional<std::string> hash;
        if (f.Has("name")) name = ParseName(f);
        if (f.Has("role")) role = ParseUserRole(f);
        if (f.Has("language")) language = ParseLanguage(f);
        if (f.Has("password")) {
            auto password = f.String("password", kMaxPassword, false);
            hash = HashOrThrow(password.value_or(""));
        }
        store::User saved;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetUser(id));
            if (!found) return Error::NotFound("user " + id + " does not exist");
            auto u = std::move(*found);
            bool ends_sessions = false;
            if (role && std::string(auth::ToString(*role)) != u.role) {
                if (u.role == "owner") {
                    TOCSIN_ASSIGN(owners, tx.CountUsers("owner"));
                    if (owners <= 1) return Error::Conflict("this is the last owner; make someone else owner first");
                }
                u.role = std::string(auth::ToString(*role));
                ends_sessions = true;
            }
            if (name) u.name = *name;
            if (language) u.language = *language;
            if (hash) {
                u.password_hash = *hash;
                ends_sessions = true;
            }
            TOCSIN_TRY(tx.UpdateUser(u));
            if (ends_sessions) {
                // The caller changing their own password stays signed in on this browser.
                const std::string keep = u.id == who.user_id ? who.session_hash : std::string();
                TOCSIN_ASSIGN(ended, tx.DeleteUserSessions(u.id, keep));
                (void)ended;
            }
            saved = std::move(u);
            return {};
        }));
        Changed();
        WriteJson(res, UserJson(saved, true));
    }

    void Delete(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetUser(id));
            if (!found) return Error::NotFound("user " + id + " does not exist");
            if (found->role == "owner") {
                TOCSIN_ASSIGN(owners, tx.CountUsers("owner"));
                if (owners <= 1) return Error::Conflict("this is the last owner; make someone else owner first");
            }
            // The sessions go with the row (foreign key ON DELETE CASCADE).
            return tx.DeleteUser(id);
        }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    UserApiDeps d_;
};

}  // namespace

json::object UserJson(const store::User& u, bool full) {
    json::object o{
        {"id", u.id},
        {"email", u.email},
        {"name", u.name},
        {"role", u.role},
        {"language", u.language},
    };
    if (full) {
        o["created_at"] = FormatIso8601(u.created_at);
        o["last_login_at"] = u.last_login_at ? json::value(FormatIso8601(*u.last_login_at)) : json::value(nullptr);
    }
    return o;
}

void RegisterUserRoutes(http::Router& router, UserApiDeps deps) {
    std::make_shared<UserApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
