#include "tocsin/api/escalation_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/oncall/contact.hpp"
#include "tocsin/page/markdown.hpp"
#include "tocsin/service/escalation_ops.hpp"

#include <sodium.h>
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

std::string Who(const auth::Principal& p) {
    return p.name.empty() ? p.token_id : p.name;
}

json::object PolicyJson(const oncall::EscalationPolicy& p) {
    json::array levels;
    for (const auto& l : p.levels) {
        json::array targets;
        for (const auto& t : l.targets)
            targets.push_back(json::object{{"type", oncall::ToString(t.kind)}, {"id", t.id}});
        levels.push_back(json::object{{"targets", std::move(targets)}, {"delay_minutes", l.delay.count()}});
    }
    return json::object{
        {"id", p.id},
        {"name", p.name},
        {"description", p.description},
        {"levels", std::move(levels)},
        {"repeat", p.repeat},
        {"created_at", FormatIso8601(p.created_at)},
        {"updated_at", FormatIso8601(p.updated_at)},
    };
}

// Reads name, description, levels, repeat into `p`; every error names its field.
void ReadPolicy(const json::object& body, oncall::EscalationPolicy& p, bool create) {
    Fields f(body);
    f.RejectUnknown({"name", "description", "levels", "repeat"});
    if (create && !f.Has("name")) throw HttpError(400, "invalid-field", "name is required", "name");
    if (create && !f.Has("levels")) throw HttpError(400, "invalid-field", "levels is required", "levels");
    if (auto v = f.String("name", 200, false)) p.name = *v;
    if (auto v = f.String("description", 2000)) p.description = *v;
    if (auto v = f.Int("repeat", 0, oncall::kMaxRepeat)) p.repeat = static_cast<int>(*v);
    if (f.Has("levels")) {
        const auto* v = body.if_contains("levels");
        if (!v->is_array()) throw HttpError(400, "invalid-field", "levels must be an array", "levels");
        p.levels.clear();
        int i = 0;
        for (const auto& lv : v->as_array()) {
            const std::string at = "levels[" + std::to_string(i++) + "]";
            if (!lv.is_object()) throw HttpError(400, "invalid-field", "a level is an object", at);
            Fields lf(lv.as_object(), at + ".");
            lf.RejectUnknown({"targets", "delay_minutes"});
            oncall::EscalationLevel level;
            if (auto d = lf.Int("delay_minutes", 1, oncall::kMaxDelay.count())) level.delay = std::chrono::minutes(*d);
            const auto* ts = lv.as_object().if_contains("targets");
            if (!ts || !ts->is_array()) {
                throw HttpError(400, "invalid-field", "targets must be an array", at + ".targets");
            }
            int j = 0;
            for (const auto& tv : ts->as_array()) {
                const std::string tat = at + ".targets[" + std::to_string(j++) + "]";
                if (!tv.is_object()) throw HttpError(400, "invalid-field", "a target is an object", tat);
                Fields tf(tv.as_object(), tat + ".");
                tf.RejectUnknown({"type", "id"});
                auto type = tf.String("type", 40, false);
                auto kind = type ? oncall::ParseTargetKind(*type) : std::nullopt;
                if (!kind) {
                    throw HttpError(
                        400, "invalid-field", "type must be user, schedule, team or team_round_robin", tat + ".type"
                    );
                }
                auto id = tf.String("id", 64, false);
                if (!id) throw HttpError(400, "invalid-field", "id is required", tat + ".id");
                level.targets.push_back({*kind, *id});
            }
            p.levels.push_back(std::move(level));
        }
    }
    ValueOrThrow(oncall::Validate(p));
}

// Targets must exist: a policy naming a deleted user would page nobody without saying so.
Result<void> CheckTargets(store::Tx& tx, const oncall::EscalationPolicy& p) {
    for (std::size_t i = 0; i < p.levels.size(); ++i) {
        for (std::size_t j = 0; j < p.levels[i].targets.size(); ++j) {
            const auto& t = p.levels[i].targets[j];
            const std::string field = "levels[" + std::to_string(i) + "].targets[" + std::to_string(j) + "].id";
            bool found = false;
            if (t.kind == oncall::TargetKind::kUser) {
                TOCSIN_ASSIGN(u, tx.GetUser(t.id));
                found = u.has_value();
            } else if (t.kind == oncall::TargetKind::kSchedule) {
                TOCSIN_ASSIGN(s, tx.GetSchedule(t.id));
                found = s.has_value();
            } else {
                TOCSIN_ASSIGN(team, tx.GetTeam(t.id));
                found = team.has_value();
            }
            if (!found)
                return Error::Invalid(field, std::string(oncall::ToString(t.kind)) + " " + t.id + " does not exist");
        }
    }
    return {};
}

json::object TimerJson(const store::EscalationTimer& t) {
    return json::object{
        {"id", t.id},
        {"kind", t.kind},
        {"epoch", t.epoch},
        {"level", t.level + 1},
        {"pass", t.pass},
        {"user_id", t.user_id},
        {"contact_method_id", t.contact_method_id},
        {"due_at", FormatIso8601(t.due_at)},
        {"state", t.state},
        {"outcome", t.outcome},
    };
}

json::object AttemptJson(const store::NotificationAttempt& a) {
    json::object o{
        {"id", a.id},
        {"user_id", a.user_id},
        {"contact_method_id", a.contact_method_id},
        {"channel", a.channel},
        {"state", a.state},
        {"bundled_into", a.bundled_into},
        {"bundled_count", a.bundled_count},
        {"error", a.error},
        {"status", a.status},
        {"created_at", FormatIso8601(a.created_at)},
        {"sent_at", a.sent_at ? json::value(FormatIso8601(*a.sent_at)) : json::value(nullptr)},
        {"answered_at", a.answered_at ? json::value(FormatIso8601(*a.answered_at)) : json::value(nullptr)},
        {"answer", a.answer},
    };
    return o;
}

std::string TokenHash(std::string_view token) {
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : h) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

void Html(Response& res, int status, const std::string& title, const std::string& body_html) {
    res.status = status;
    res.content_type = "text/html; charset=utf-8";
    res.SetHeader("Cache-Control", "no-store");
    res.SetHeader("Referrer-Policy", "no-referrer");
    res.SetHeader("X-Content-Type-Options", "nosniff");
    res.SetHeader(
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    );
    res.body =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
        "content=\"width=device-width\"><title>" +
        page::EscapeHtml(title) +
        "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
        "button{font-size:1.1rem;padding:.6rem 1.2rem}</style></head><body><h1>" +
        page::EscapeHtml(title) + "</h1>" + body_html + "</body></html>";
}

class EscalationApi : public std::enable_shared_from_this<EscalationApi> {
public:
    explicit EscalationApi(EscalationApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (EscalationApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/escalation-policies", Role::kStakeholder, &EscalationApi::ListPolicies);
        add(Method::kPost, "/api/v1/escalation-policies", Role::kResponder, &EscalationApi::CreatePolicy);
        add(Method::kGet, "/api/v1/escalation-policies/{id}", Role::kStakeholder, &EscalationApi::GetPolicy);
        add(Method::kPut, "/api/v1/escalation-policies/{id}", Role::kResponder, &EscalationApi::PutPolicy);
        add(Method::kDelete, "/api/v1/escalation-policies/{id}", Role::kResponder, &EscalationApi::DeletePolicy);
        add(Method::kGet, "/api/v1/services/{id}/escalation", Role::kStakeholder, &EscalationApi::GetServiceEsc);
        add(Method::kPut, "/api/v1/services/{id}/escalation", Role::kResponder, &EscalationApi::PutServiceEsc);
        add(Method::kPost, "/api/v1/alert-incidents/{id}/escalate", Role::kResponder, &EscalationApi::Escalate);
        add(Method::kGet, "/api/v1/alert-incidents/{id}/escalation", Role::kStakeholder, &EscalationApi::GetEscalation);
        auto pub = [&](Method m, const std::string& path, void (EscalationApi::*fn)(const Request&, Response&)) {
            r.Add(m, path, [self, fn](const Request& q, Response& s) { ((*self).*fn)(q, s); }, {.blocking = true});
        };
        pub(Method::kGet, "/ack/{token}", &EscalationApi::AckPage);
        pub(Method::kPost, "/ack/{token}", &EscalationApi::AckPost);
        pub(Method::kGet, "/resolve/{token}", &EscalationApi::ResolvePage);
        pub(Method::kPost, "/resolve/{token}", &EscalationApi::ResolvePost);
        pub(Method::kPost, std::string(oncall::kSmsInboundPath) + "/{secret}", &EscalationApi::SmsReply);
        pub(Method::kPost, std::string(oncall::kVoiceInboundPath) + "/{secret}", &EscalationApi::VoiceKey);
    }

private:
    template <class F>
    void Read(F&& f) {
        ValueOrThrow(d_.store.Read(std::forward<F>(f)));
    }
    template <class F>
    void Write(F&& f) {
        ValueOrThrow(d_.store.Write(std::forward<F>(f)));
        if (d_.on_change) d_.on_change("alerts");
    }

    // ---- policies ----

    void ListPolicies(const Request&, Response& res, const auth::Principal&) {
        json::array out;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(all, tx.ListEscalationPolicies());
            for (const auto& p : all) out.push_back(PolicyJson(p));
            return {};
        });
        WriteJson(res, json::object{{"escalation_policies", std::move(out)}});
    }

    void CreatePolicy(const Request& req, Response& res, const auth::Principal&) {
        oncall::EscalationPolicy p;
        ReadPolicy(ParseBody(req, "escalation_policy"), p, true);
        p.id = NewId();
        p.created_at = p.updated_at = d_.clock.Now();
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(CheckTargets(tx, p));
            return tx.InsertEscalationPolicy(p);
        });
        WriteJson(res, PolicyJson(p), 201);
    }

    oncall::EscalationPolicy Load(store::Tx& tx, const std::string& id) {
        auto p = ValueOrThrow(tx.GetEscalationPolicy(id));
        if (!p) throw HttpError(404, "not-found", "escalation policy " + id + " does not exist");
        return *p;
    }

    void GetPolicy(const Request& req, Response& res, const auth::Principal&) {
        oncall::EscalationPolicy p;
        Read([&](store::Tx& tx) -> Result<void> {
            p = Load(tx, std::string(req.Param("id")));
            return {};
        });
        WriteJson(res, PolicyJson(p));
    }

    void PutPolicy(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "escalation_policy");
        oncall::EscalationPolicy p;
        Write([&](store::Tx& tx) -> Result<void> {
            p = Load(tx, std::string(req.Param("id")));
            ReadPolicy(body, p, false);
            p.updated_at = d_.clock.Now();
            TOCSIN_TRY(CheckTargets(tx, p));
            return tx.UpdateEscalationPolicy(p);
        });
        WriteJson(res, PolicyJson(p));
    }

    void DeletePolicy(const Request& req, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) { return tx.DeleteEscalationPolicy(std::string(req.Param("id"))); });
        res.status = 204;
        res.content_type.clear();
    }

    // ---- a service's policy ----

    static json::object ServiceEscJson(const std::string& service_id, const store::ServiceEscalation& e) {
        return json::object{
            {"service_id", service_id},
            {"escalation_policy_id", e.policy_id.empty() ? json::value(nullptr) : json::value(e.policy_id)},
            {"reescalate_after_minutes", e.reescalate_after.count() / 60},
        };
    }

    void GetServiceEsc(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        store::ServiceEscalation e;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(got, tx.GetServiceEscalation(id));
            if (!got) return Error::NotFound("service " + id + " does not exist");
            e = *got;
            return {};
        });
        WriteJson(res, ServiceEscJson(id, e));
    }

    void PutServiceEsc(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        auto body = ParseBody(req, "escalation");
        Fields f(body);
        f.RejectUnknown({"escalation_policy_id", "reescalate_after_minutes"});
        store::ServiceEscalation e;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(got, tx.GetServiceEscalation(id));
            if (!got) return Error::NotFound("service " + id + " does not exist");
            e = *got;
            if (f.IsNull("escalation_policy_id")) {
                e.policy_id.clear();
            } else if (auto v = f.String("escalation_policy_id", 64, false)) {
                e.policy_id = *v;
            }
            if (auto v = f.Int("reescalate_after_minutes", 0, 7 * 1440)) e.reescalate_after = std::chrono::minutes(*v);
            return tx.SetServiceEscalation(id, e);
        });
        WriteJson(res, ServiceEscJson(id, e));
    }

    // ---- incidents ----

    void Escalate(const Request& req, Response& res, const auth::Principal& p) {
        std::optional<int> level;
        if (!req.body.empty()) {
            auto body = ParseBody(req, "escalation");
            Fields f(body);
            f.RejectUnknown({"level"});
            if (auto v = f.Int("level", 1, oncall::kMaxLevels)) level = static_cast<int>(*v) - 1;
        }
        const std::string id(req.Param("id"));
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(i, service::EscalateNow(tx, d_.clock.Now(), id, level, {Who(p), "api"}));
            (void)i;
            return {};
        });
        WriteEscalation(res, id, 202);
    }

    void GetEscalation(const Request& req, Response& res, const auth::Principal&) {
        WriteEscalation(res, std::string(req.Param("id")), 200);
    }

    void WriteEscalation(Response& res, const std::string& id, int status) {
        json::object out;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(incident, tx.GetAlertIncident(id));
            if (!incident) return Error::NotFound("alert incident " + id + " does not exist");
            TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(id));
            TOCSIN_ASSIGN(timers, tx.ListEscalationTimers(id));
            store::NotificationAttemptFilter f;
            f.incident_id = id;
            TOCSIN_ASSIGN(attempts, tx.ListNotificationAttempts(f));
            out["incident_id"] = id;
            if (esc) {
                out["policy"] = PolicyJson(esc->policy);
                out["epoch"] = esc->epoch;
                out["epoch_kind"] = esc->epoch_kind;
                out["current_level"] = esc->last_level + 1;
                out["current_pass"] = esc->last_pass;
                out["escalating"] = service::IsEscalating(*esc, *incident);
            } else {
                out["policy"] = nullptr;
                out["escalating"] = false;
            }
            json::array ts, as;
            for (const auto& t : timers) ts.push_back(TimerJson(t));
            for (const auto& a : attempts) as.push_back(AttemptJson(a));
            out["timers"] = std::move(ts);
            out["attempts"] = std::move(as);
            return {};
        });
        WriteJson(res, out, status);
    }

    // ---- answers from the page itself ----

    // The attempt id of a valid token of `purpose`, or a 404 page.
    std::optional<std::string> Verify(const Request& req, Response& res, notify::LinkPurpose purpose) {
        auto id = d_.signer.Verify(purpose, req.Param("token"), d_.clock.Now());
        if (!id) Html(res, 404, "Link not valid", "<p>This link is not valid. Open tocsin to see the incident.</p>");
        return id;
    }

    void ConfirmPage(const Request& req, Response& res, bool resolve) {
        auto id = Verify(req, res, resolve ? notify::LinkPurpose::kPageResolve : notify::LinkPurpose::kPageAcknowledge);
        if (!id) return;
        std::optional<store::NotificationAttempt> attempt;
        std::optional<alerts::AlertIncident> incident;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(a, tx.GetNotificationAttempt(*id));
            attempt = a;
            if (a) {
                TOCSIN_ASSIGN(i, tx.GetAlertIncident(a->incident_id));
                incident = i;
            }
            return {};
        });
        if (!attempt || !incident) {
            Html(res, 404, "Link not valid", "<p>This page no longer exists.</p>");
            return;
        }
        const std::string verb = resolve ? "Resolve" : "Acknowledge";
        std::string body = "<p>Incident #" + std::to_string(incident->number) + ": " +
                           page::EscapeHtml(incident->title) + " (" + std::string(alerts::ToString(incident->state)) +
                           ")</p>";
        if (!incident->IsOpen()) {
            Html(res, 200, "Already resolved", body);
            return;
        }
        body += "<form method=\"post\"><button type=\"submit\">" + verb + "</button></form>";
        Html(res, 200, verb + " incident #" + std::to_string(incident->number) + "?", body);
    }

    void Act(const Request& req, Response& res, bool resolve) {
        auto id = Verify(req, res, resolve ? notify::LinkPurpose::kPageResolve : notify::LinkPurpose::kPageAcknowledge);
        if (!id) return;
        const auto token_hash = TokenHash(req.Param("token"));
        alerts::AlertIncident incident;
        auto r = d_.store.Write([&](store::Tx& tx) -> Result<void> {
            // One-time: the token is spent in the transaction that acts on it.
            TOCSIN_ASSIGN(fresh, tx.UseEscalationToken(token_hash, d_.clock.Now()));
            if (!fresh) return Error::Conflict("this link was already used");
            TOCSIN_ASSIGN(
                i,
                service::AnswerPage(
                    tx,
                    d_.clock.Now(),
                    *id,
                    resolve ? service::PageAnswer::kResolve : service::PageAnswer::kAcknowledge,
                    "link"
                )
            );
            incident = std::move(i);
            return {};
        });
        if (!r) {
            const int status = r.error().kind == ErrorKind::kNotFound   ? 404
                               : r.error().kind == ErrorKind::kConflict ? 409
                                                                        : 500;
            Html(
                res,
                status,
                status == 500 ? "Something went wrong" : "Nothing done",
                "<p>" + page::EscapeHtml(r.error().message) + "</p>"
            );
            return;
        }
        if (d_.on_change) d_.on_change("alerts");
        Html(
            res,
            200,
            resolve ? "Resolved" : "Acknowledged",
            "<p>Incident #" + std::to_string(incident.number) + ": " + page::EscapeHtml(incident.title) + " is " +
                std::string(alerts::ToString(incident.state)) + ".</p>"
        );
    }

    void AckPage(const Request& q, Response& s) { ConfirmPage(q, s, false); }
    void ResolvePage(const Request& q, Response& s) { ConfirmPage(q, s, true); }
    void AckPost(const Request& q, Response& s) { Act(q, s, false); }
    void ResolvePost(const Request& q, Response& s) { Act(q, s, true); }

    bool SecretOk(const Request& req) const {
        const auto given = req.Param("secret");
        if (d_.inbound_secret.empty() || given.size() != d_.inbound_secret.size()) return false;
        return sodium_memcmp(given.data(), d_.inbound_secret.data(), given.size()) == 0;
    }

    void Inbound(const Request& req, Response& res, bool voice) {
        if (!SecretOk(req)) throw HttpError(404, "not-found", "no such route");
        auto parsed = voice ? oncall::ParseVoiceKeyPress(req.body, req.query) : oncall::ParseInboundSms(req.body);
        if (!parsed) {
            throw HttpError(400, "invalid-field", parsed.error().message, parsed.error().field);
        }
        const auto reply = *parsed;
        std::string said;
        auto r = d_.store.Write([&](store::Tx& tx) -> Result<void> {
            // Codes are short: only pages of the last day to this number count.
            TOCSIN_ASSIGN(
                attempt, tx.FindAttemptByReply(reply.from, reply.reply_code, d_.clock.Now() - std::chrono::hours(24))
            );
            if (!attempt) return Error::NotFound("no page with code " + reply.reply_code + " to this number");
            TOCSIN_ASSIGN(
                i,
                service::AnswerPage(
                    tx,
                    d_.clock.Now(),
                    attempt->id,
                    reply.action == oncall::ReplyAction::kResolve ? service::PageAnswer::kResolve
                                                                  : service::PageAnswer::kAcknowledge,
                    voice ? "voice" : "sms"
                )
            );
            said = "Incident #" + std::to_string(i.number) + " " + std::string(alerts::ToString(i.state)) + ".";
            return {};
        });
        if (!r) said = r.error().message;
        if (r && d_.on_change) d_.on_change("alerts");
        // Twilio reads TwiML from the answer: the caller hears it, the SMS sender gets it back.
        res.status = 200;
        res.content_type = "text/xml; charset=utf-8";
        const std::string escaped = page::EscapeHtml(said);
        res.body =
            voice ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + escaped + "</Say></Response>"
                  : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>" + escaped + "</Message></Response>";
    }

    void SmsReply(const Request& q, Response& s) { Inbound(q, s, false); }
    void VoiceKey(const Request& q, Response& s) { Inbound(q, s, true); }

    EscalationApiDeps d_;
};

}  // namespace

void RegisterEscalationRoutes(http::Router& router, EscalationApiDeps deps) {
    std::make_shared<EscalationApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
