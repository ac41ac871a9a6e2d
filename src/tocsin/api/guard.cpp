#include "tocsin/api/guard.hpp"

#include "tocsin/api/json_input.hpp"

namespace tocsin::api {

using http::Request;
using http::Response;

http::Handler Guard(store::Store& store, auth::Role need, GuardedHandler h) {
    return [&store, need, h = std::move(h)](const Request& req, Response& res) {
        auto header = req.Header("Authorization");
        if (header.empty()) {
            http::WriteProblem(res, 401, "unauthorized", "send an API token as Authorization: Bearer <token>");
            res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin\"");
            return;
        }
        auto who = ValueOrThrow(auth::Authenticate(store, header));
        if (!who) {
            http::WriteProblem(res, 401, "unauthorized", "the API token is unknown, malformed or revoked");
            res.SetHeader("WWW-Authenticate", "Bearer realm=\"tocsin\", error=\"invalid_token\"");
            return;
        }
        if (!auth::Allows(who->role, need)) {
            http::WriteProblem(
                res,
                403,
                "forbidden",
                "this needs the " + std::string(auth::ToString(need)) + " role; the token has " +
                    std::string(auth::ToString(who->role))
            );
            return;
        }
        h(req, res, *who);
    };
}

}  // namespace tocsin::api
