#include "tocsin/api/people_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/oncall/senders.hpp"
#include "tocsin/oncall/webpush.hpp"

#include <boost/json.hpp>

#include <future>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;
using Handler = void (*)(const Request&, Response&, const auth::Principal&);

json::value DataJson(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec ? json::value(json::object{}) : v;
}

json::object MethodJson(const oncall::ContactMethod& m) {
    return json::object{
        {"id", m.id},
        {"user_id", m.user_id},
        {"kind", oncall::ToString(m.kind)},
        {"label", m.label},
        {"address", m.address},
        {"data", DataJson(m.data_json)},
        {"verified", m.verified},
        {"created_at", FormatIso8601(m.created_at)},
    };
}

json::object RuleJson(const oncall::NotificationRule& r) {
    return json::object{
        {"id", r.id},
        {"user_id", r.user_id},
        {"contact_method_id", r.contact_method_id},
        {"urgency", oncall::ToString(r.urgency)},
        {"delay_minutes", r.delay.count()},
    };
}

json::object TeamJson(const oncall::Team& t) {
    return json::object{{"id", t.id}, {"name", t.name}, {"description", t.description}};
}

json::object MemberJson(const oncall::TeamMember& m) {
    return json::object{{"user_id", m.user_id}, {"role", m.role}, {"position", m.position}};
}

json::object ProfileJson(const store::UserProfile& p) {
    return json::object{
        {"id", p.id}, {"email", p.email}, {"name", p.name}, {"language", p.language}, {"time_zone", p.time_zone}};
}

// Equal-time comparison of two hex digests, so the answer time says nothing about the code.
bool SameDigest(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

template <class T>
T Must(store::Store& s, bool write, const std::function<Result<T>(store::Tx&)>& fn) {
    std::optional<T> out;
    auto body = [&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(v, fn(tx));
        out = std::move(v);
        return {};
    };
    ValueOrThrow(write ? s.Write(body) : s.Read(body));
    return std::move(*out);
}

class PeopleApi : public std::enable_shared_from_this<PeopleApi> {
public:
    explicit PeopleApi(PeopleApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (PeopleApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        const std::string user = "/api/v1/users/{id}";
        // Self-service routes: stakeholders read, responders write; Own() then limits both to the
        // caller's own data unless the caller is an owner.
        add(Method::kGet, user + "/profile", Role::kStakeholder, &PeopleApi::GetProfile);
        add(Method::kPatch, user + "/profile", Role::kResponder, &PeopleApi::PatchProfile);
        add(Method::kGet, user + "/contact-methods", Role::kStakeholder, &PeopleApi::ListMethods);
        add(Method::kPost, user + "/contact-methods", Role::kResponder, &PeopleApi::CreateMethod);
        add(Method::kGet, user + "/contact-methods/{mid}", Role::kStakeholder, &PeopleApi::GetMethod);
        add(Method::kPatch, user + "/contact-methods/{mid}", Role::kResponder, &PeopleApi::PatchMethod);
        add(Method::kDelete, user + "/contact-methods/{mid}", Role::kResponder, &PeopleApi::DeleteMethod);
        add(Method::kPost, user + "/contact-methods/{mid}/verify", Role::kResponder, &PeopleApi::Verify);
        add(Method::kPost, user + "/contact-methods/{mid}/confirm", Role::kResponder, &PeopleApi::Confirm);
        add(Method::kGet, user + "/notification-rules", Role::kStakeholder, &PeopleApi::ListRules);
        add(Method::kPost, user + "/notification-rules", Role::kResponder, &PeopleApi::CreateRule);
        add(Method::kPatch, user + "/notification-rules/{rid}", Role::kResponder, &PeopleApi::PatchRule);
        add(Method::kDelete, user + "/notification-rules/{rid}", Role::kResponder, &PeopleApi::DeleteRule);
        add(Method::kGet, "/api/v1/teams", Role::kStakeholder, &PeopleApi::ListTeams);
        add(Method::kPost, "/api/v1/teams", Role::kOwner, &PeopleApi::CreateTeam);
        add(Method::kGet, "/api/v1/teams/{id}", Role::kStakeholder, &PeopleApi::GetTeam);
        add(Method::kPatch, "/api/v1/teams/{id}", Role::kOwner, &PeopleApi::PatchTeam);
        add(Method::kDelete, "/api/v1/teams/{id}", Role::kOwner, &PeopleApi::DeleteTeam);
        add(Method::kPut, "/api/v1/teams/{id}/members/{user_id}", Role::kOwner, &PeopleApi::PutMember);
        add(Method::kDelete, "/api/v1/teams/{id}/members/{user_id}", Role::kOwner, &PeopleApi::DeleteMember);
        add(Method::kGet, "/api/v1/web-push/key", Role::kStakeholder, &PeopleApi::WebPushKey);
    }

private:
    void Changed() {
        if (d_.on_change) d_.on_change("people");
    }

    // The user id of the path, after checking that the user exists (404) and that the caller
    // may act on that user's data (403): owners on everyone's, others on their own only.
    std::string Own(const Request& req, const auth::Principal& who) {
        std::string id(req.Param("id"));
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.GetUserProfile(id));
            return {};
        }));
        if (who.role != Role::kOwner && who.user_id != id) {
            throw HttpError(403, "forbidden", "only owners manage other users' contact settings");
        }
        return id;
    }

    // ---- profile ----

    void GetProfile(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto p = Must<store::UserProfile>(d_.store, false, [&](store::Tx& tx) { return tx.GetUserProfile(id); });
        WriteJson(res, ProfileJson(p));
    }

    void PatchProfile(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto body = ParseBody(req, "profile");
        Fields f(body);
        f.RejectUnknown({"time_zone", "language"});
        auto tz = f.String("time_zone", 64, false);
        if (tz && !oncall::IsTimeZone(*tz)) {
            throw HttpError(400, "invalid-field", "time_zone must be an IANA zone like Europe/Berlin", "time_zone");
        }
        auto language = f.String("language", 2, false);
        if (language && !oncall::IsLanguage(*language)) {
            throw HttpError(400, "invalid-field", "language must be en or de", "language");
        }
        auto p = Must<store::UserProfile>(d_.store, true, [&](store::Tx& tx) -> Result<store::UserProfile> {
            if (tz) TOCSIN_TRY(tx.SetUserTimeZone(id, *tz));
            if (language) {
                TOCSIN_ASSIGN(u, tx.GetUser(id));
                if (!u) return Error::NotFound("user " + id + " does not exist");
                u->language = *language;
                TOCSIN_TRY(tx.UpdateUser(*u));
            }
            return tx.GetUserProfile(id);
        });
        Changed();
        WriteJson(res, ProfileJson(p));
    }

    // ---- contact methods ----

    oncall::ContactMethod FindMethod(store::Tx& tx, const std::string& user_id, const std::string& mid) {
        auto m = ValueOrThrow(tx.GetContactMethod(mid));
        if (!m || m->user_id != user_id) throw HttpError(404, "not-found", "contact method " + mid + " does not exist");
        return std::move(*m);
    }

    // Reads label/address/data into `m`; a web_push method may leave address out and give
    // the subscription's endpoint instead.
    void ReadMethodFields(const Fields& f, const json::object& body, oncall::ContactMethod& m) const {
        if (auto label = f.String("label", 100)) m.label = *label;
        if (const auto* data = body.if_contains("data")) {
            if (!data->is_object()) throw HttpError(400, "invalid-field", "data must be an object", "data");
            if (json::serialize(*data).size() > 4096) {
                throw HttpError(400, "invalid-field", "data must be at most 4096 bytes", "data");
            }
            m.data_json = json::serialize(*data);
            if (m.kind == oncall::ContactKind::kWebPush && !f.Has("address")) {
                const auto* endpoint = data->as_object().if_contains("endpoint");
                if (endpoint != nullptr && endpoint->is_string()) m.address = std::string(endpoint->as_string());
            }
        }
        if (auto address = f.String("address", 2048, false)) m.address = *address;
        if (m.address.empty()) throw HttpError(400, "invalid-field", "address is required", "address");
        ValueOrThrow(oncall::ValidateContactMethod(m, d_.senders.allow_http_urls));
    }

    void ListMethods(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto list = Must<std::vector<oncall::ContactMethod>>(
            d_.store,
            false,
            [&](store::Tx& tx) -> Result<std::vector<oncall::ContactMethod>> {
                TOCSIN_TRY(tx.GetUserProfile(id));
                return tx.ListContactMethods(id);
            }
        );
        json::array data;
        for (const auto& m : list) data.push_back(MethodJson(m));
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateMethod(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto body = ParseBody(req, "contact_method");
        Fields f(body);
        f.RejectUnknown({"kind", "label", "address", "data"});
        auto kind_text = f.String("kind", 20, false);
        if (!kind_text) throw HttpError(400, "invalid-field", "kind is required", "kind");
        auto kind = oncall::ParseContactKind(*kind_text);
        if (!kind) {
            throw HttpError(
                400,
                "invalid-field",
                "kind must be email, sms, voice, ntfy, web_push, slack, teams, telegram or webhook",
                "kind"
            );
        }
        oncall::ContactMethod m;
        m.id = NewId();
        m.user_id = id;
        m.kind = *kind;
        m.created_at = d_.clock.Now();
        ReadMethodFields(f, body, m);
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.GetUserProfile(id));
            return tx.InsertContactMethod(m);
        }));
        Changed();
        WriteJson(res, MethodJson(m), 201);
        res.SetHeader("Location", "/api/v1/users/" + id + "/contact-methods/" + m.id);
    }

    void GetMethod(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string mid(req.Param("mid"));
        oncall::ContactMethod m;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            m = FindMethod(tx, id, mid);
            return {};
        }));
        WriteJson(res, MethodJson(m));
    }

    void PatchMethod(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string mid(req.Param("mid"));
        auto body = ParseBody(req, "contact_method");
        Fields f(body);
        f.RejectUnknown({"label", "address", "data", "verified"});
        auto verified = f.Bool("verified");
        if (verified && *verified && who.role != Role::kOwner) {
            throw HttpError(
                403, "forbidden", "only owners may mark a method verified; use /verify and /confirm", "verified"
            );
        }
        oncall::ContactMethod saved;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            auto m = FindMethod(tx, id, mid);
            const auto before_address = m.address;
            const auto before_data = m.data_json;
            ReadMethodFields(f, body, m);
            if (m.address != before_address || m.data_json != before_data) {
                // A code sent to the old address must not verify the new one.
                m.verified = false;
                TOCSIN_TRY(tx.DeleteContactVerification(m.id));
            }
            if (verified) m.verified = *verified;
            TOCSIN_TRY(tx.UpdateContactMethod(m));
            saved = std::move(m);
            return {};
        }));
        Changed();
        WriteJson(res, MethodJson(saved));
    }

    void DeleteMethod(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string mid(req.Param("mid"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            FindMethod(tx, id, mid);
            return tx.DeleteContactMethod(mid);
        }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    void Verify(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string mid(req.Param("mid"));
        if (!d_.send) throw HttpError(503, "unavailable", "notifications are disabled; no code can be sent");
        const auto now = d_.clock.Now();
        const std::string code = oncall::NewVerificationCode();
        oncall::ContactMethod m;
        store::UserProfile profile;
        const auto expires = now + d_.options.verification_lifetime;
        // The code is stored before it is sent, so a quick reader can always confirm it.
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            m = FindMethod(tx, id, mid);
            TOCSIN_ASSIGN(p, tx.GetUserProfile(id));
            profile = std::move(p);
            TOCSIN_ASSIGN(pending, tx.GetContactVerification(mid));
            if (pending && now < pending->sent_at + d_.options.verification_resend) {
                auto wait = std::chrono::duration_cast<std::chrono::seconds>(
                    pending->sent_at + d_.options.verification_resend - now
                );
                res.SetHeader("Retry-After", std::to_string(std::max<long long>(1, wait.count())));
                throw HttpError(429, "rate-limited", "a code was sent moments ago; wait before asking again");
            }
            return tx.SaveContactVerification(store::ContactVerification{
                mid, oncall::HashVerificationCode(mid, code), now, expires, 0});
        }));
        oncall::PageMessage msg;
        msg.verification_code = code;
        msg.language = profile.language;
        msg.now = now;
        auto out = oncall::BuildOutgoing(m, msg, d_.senders);
        if (!out) {
            if (out.error().kind == ErrorKind::kUnavailable) throw HttpError(503, "unavailable", out.error().message);
            ThrowError(out.error());
        }
        auto promise = std::make_shared<std::promise<notify::SendResult>>();
        auto future = promise->get_future();
        d_.send(std::move(*out), [promise](notify::SendResult r) { promise->set_value(std::move(r)); });
        if (future.wait_for(d_.send_timeout) != std::future_status::ready) {
            throw HttpError(
                504, "delivery-timeout", "the code was handed over but its delivery did not finish in time"
            );
        }
        // Slack and Telegram report some failures inside a 200 ({"ok": false, ...}).
        auto sent = oncall::CheckProviderAnswer(m.kind, future.get());
        if (!sent.ok) {
            Logger("api")->warn("[api.Verify] sending a code to contact method {} failed: {}", mid, sent.error);
            throw HttpError(502, "delivery-failed", "the code could not be delivered: " + sent.error);
        }
        WriteJson(res, json::object{{"sent", true}, {"expires_at", FormatIso8601(expires)}});
    }

    void Confirm(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string mid(req.Param("mid"));
        auto body = ParseBody(req, "");
        Fields f(body);
        f.RejectUnknown({"code"});
        auto code = f.String("code", 6, false);
        if (!code || code->size() != 6 ||
            !std::all_of(code->begin(), code->end(), [](char c) { return c >= '0' && c <= '9'; })) {
            throw HttpError(400, "invalid-field", "code must be the 6 digits that were sent", "code");
        }
        const auto now = d_.clock.Now();
        enum class Outcome { kVerified, kWrong, kUsedUp } outcome = Outcome::kWrong;
        int left = 0;
        oncall::ContactMethod m;
        // Wrong answers are committed (the count must survive), so the error is raised after.
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            m = FindMethod(tx, id, mid);
            TOCSIN_ASSIGN(pending, tx.GetContactVerification(mid));
            if (!pending) return Error::Conflict("no code is pending for this method; request one with /verify");
            if (now >= pending->expires_at) {
                TOCSIN_TRY(tx.DeleteContactVerification(mid));
                outcome = Outcome::kUsedUp;
                return {};
            }
            if (SameDigest(pending->code_hash, oncall::HashVerificationCode(mid, *code))) {
                m.verified = true;
                TOCSIN_TRY(tx.UpdateContactMethod(m));
                TOCSIN_TRY(tx.DeleteContactVerification(mid));
                outcome = Outcome::kVerified;
                return {};
            }
            TOCSIN_ASSIGN(attempts, tx.AddContactVerificationAttempt(mid));
            left = d_.options.verification_attempts - attempts;
            if (left <= 0) {
                TOCSIN_TRY(tx.DeleteContactVerification(mid));
                outcome = Outcome::kUsedUp;
            }
            return {};
        }));
        switch (outcome) {
            case Outcome::kVerified:
                Changed();
                WriteJson(res, MethodJson(m));
                return;
            case Outcome::kWrong:
                throw HttpError(
                    400, "invalid-field", "code is wrong; " + std::to_string(left) + " attempts left", "code"
                );
            case Outcome::kUsedUp:
                throw HttpError(409, "conflict", "the code expired or had too many wrong attempts; request a new one");
        }
    }

    // ---- notification rules ----

    static oncall::NotificationRule ReadRule(const Fields& f, oncall::NotificationRule r, bool create) {
        if (auto mid = f.String("contact_method_id", 64, false)) {
            r.contact_method_id = *mid;
        } else if (create) {
            throw HttpError(400, "invalid-field", "contact_method_id is required", "contact_method_id");
        }
        if (auto u = f.String("urgency", 10, false)) {
            auto parsed = oncall::ParseUrgency(*u);
            if (!parsed) throw HttpError(400, "invalid-field", "urgency must be high or low", "urgency");
            r.urgency = *parsed;
        } else if (create) {
            throw HttpError(400, "invalid-field", "urgency is required", "urgency");
        }
        if (auto d = f.Int("delay_minutes", 0, 1440)) r.delay = std::chrono::minutes(*d);
        return r;
    }

    void ListRules(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto list = Must<std::vector<oncall::NotificationRule>>(
            d_.store,
            false,
            [&](store::Tx& tx) -> Result<std::vector<oncall::NotificationRule>> {
                TOCSIN_TRY(tx.GetUserProfile(id));
                return tx.ListNotificationRules(id);
            }
        );
        json::array data;
        for (const auto& r : list) data.push_back(RuleJson(r));
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateRule(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        auto body = ParseBody(req, "notification_rule");
        Fields f(body);
        f.RejectUnknown({"contact_method_id", "urgency", "delay_minutes"});
        oncall::NotificationRule r;
        r.id = NewId();
        r.user_id = id;
        r = ReadRule(f, r, true);
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.GetUserProfile(id));
            return tx.InsertNotificationRule(r);
        }));
        Changed();
        WriteJson(res, RuleJson(r), 201);
        res.SetHeader("Location", "/api/v1/users/" + id + "/notification-rules/" + r.id);
    }

    void PatchRule(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string rid(req.Param("rid"));
        auto body = ParseBody(req, "notification_rule");
        Fields f(body);
        f.RejectUnknown({"contact_method_id", "urgency", "delay_minutes"});
        oncall::NotificationRule saved;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetNotificationRule(rid));
            if (!found || found->user_id != id) return Error::NotFound("notification rule " + rid + " does not exist");
            saved = ReadRule(f, *found, false);
            return tx.UpdateNotificationRule(saved);
        }));
        Changed();
        WriteJson(res, RuleJson(saved));
    }

    void DeleteRule(const Request& req, Response& res, const auth::Principal& who) {
        auto id = Own(req, who);
        const std::string rid(req.Param("rid"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetNotificationRule(rid));
            if (!found || found->user_id != id) return Error::NotFound("notification rule " + rid + " does not exist");
            return tx.DeleteNotificationRule(rid);
        }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    // ---- teams ----

    static void ReadTeam(const Fields& f, oncall::Team& t, bool create) {
        if (auto name = f.String("name", 100, false)) {
            t.name = *name;
        } else if (create) {
            throw HttpError(400, "invalid-field", "name is required", "name");
        }
        if (auto d = f.String("description", 2000)) t.description = *d;
    }

    json::object TeamWithMembers(store::Tx& tx, const oncall::Team& t) {
        auto o = TeamJson(t);
        json::array members;
        for (const auto& m : ValueOrThrow(tx.ListTeamMembers(t.id))) members.push_back(MemberJson(m));
        o["members"] = std::move(members);
        return o;
    }

    void ListTeams(const Request&, Response& res, const auth::Principal&) {
        json::array data;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(teams, tx.ListTeams());
            for (const auto& t : teams) data.push_back(TeamWithMembers(tx, t));
            return {};
        }));
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void CreateTeam(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "team");
        Fields f(body);
        f.RejectUnknown({"name", "description"});
        oncall::Team t;
        t.id = NewId();
        ReadTeam(f, t, true);
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.InsertTeam(t); }));
        Changed();
        auto o = TeamJson(t);
        o["members"] = json::array{};
        WriteJson(res, o, 201);
        res.SetHeader("Location", "/api/v1/teams/" + t.id);
    }

    void GetTeam(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        json::object o;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(t, tx.GetTeam(id));
            if (!t) return Error::NotFound("team " + id + " does not exist");
            o = TeamWithMembers(tx, *t);
            return {};
        }));
        WriteJson(res, o);
    }

    void PatchTeam(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        auto body = ParseBody(req, "team");
        Fields f(body);
        f.RejectUnknown({"name", "description"});
        json::object o;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(t, tx.GetTeam(id));
            if (!t) return Error::NotFound("team " + id + " does not exist");
            ReadTeam(f, *t, false);
            TOCSIN_TRY(tx.UpdateTeam(*t));
            o = TeamWithMembers(tx, *t);
            return {};
        }));
        Changed();
        WriteJson(res, o);
    }

    void DeleteTeam(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.DeleteTeam(id); }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    void PutMember(const Request& req, Response& res, const auth::Principal&) {
        oncall::TeamMember m;
        m.team_id = std::string(req.Param("id"));
        m.user_id = std::string(req.Param("user_id"));
        auto body = req.body.empty() ? json::object{} : ParseBody(req, "member");
        Fields f(body);
        f.RejectUnknown({"role", "position"});
        if (auto role = f.String("role", 10, false)) {
            if (*role != "manager" && *role != "member") {
                throw HttpError(400, "invalid-field", "role must be manager or member", "role");
            }
            m.role = *role;
        }
        if (auto pos = f.Int("position", 0, 10000)) m.position = static_cast<int>(*pos);
        json::object o;
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.SaveTeamMember(m));
            TOCSIN_ASSIGN(t, tx.GetTeam(m.team_id));
            o = TeamWithMembers(tx, *t);
            return {};
        }));
        Changed();
        WriteJson(res, o);
    }

    void DeleteMember(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        const std::string user_id(req.Param("user_id"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(t, tx.GetTeam(id));
            if (!t) return Error::NotFound("team " + id + " does not exist");
            return tx.DeleteTeamMember(id, user_id);
        }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    void WebPushKey(const Request&, Response& res, const auth::Principal&) {
        if (d_.senders.vapid_private_key_pem.empty()) throw HttpError(503, "unavailable", "Web Push has no key yet");
        auto key = ValueOrThrow(oncall::VapidPublicKey(d_.senders.vapid_private_key_pem));
        WriteJson(res, json::object{{"public_key", key}});
    }

    PeopleApiDeps d_;
};

}  // namespace

void RegisterPeopleRoutes(http::Router& router, PeopleApiDeps deps) {
    std::make_shared<PeopleApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
