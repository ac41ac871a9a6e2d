#include "tocsin/api/template_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/page/markdown.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using domain::IncidentKind;
using domain::IncidentStatus;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;

constexpr std::size_t kMaxName = 100;
constexpr std::size_t kMaxTitle = 200;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr std::size_t kMaxComponents = 500;

json::object TemplateJson(const store::IncidentTemplate& t) {
    return json::object{
        {"id", t.id},
        {"kind", domain::ToString(t.kind)},
        {"name", t.name},
        {"title", t.title},
        {"status", domain::ToString(t.status)},
        {"body", t.body},
        {"created_at", FormatIso8601(t.created_at)},
        {"updated_at", FormatIso8601(t.updated_at)},
    };
}

IncidentKind ParseKind(const Fields& f) {
    auto text = f.String("kind", 20, false);
    if (text == "incident") return IncidentKind::kIncident;
    if (text == "maintenance") return IncidentKind::kMaintenance;
    throw HttpError(400, "invalid-field", "kind must be incident or maintenance", "kind");
}

std::string StatusChoices(IncidentKind kind) {
    return kind == IncidentKind::kMaintenance ? "scheduled, in_progress, verifying or completed"
                                              : "investigating, identified, monitoring or resolved";
}

// An update status for `kind` (postmortem is not something a template or draft starts with).
IncidentStatus ParseStatus(const Fields& f, IncidentKind kind) {
    auto text = f.String("status", 20, false);
    auto status = text ? domain::ParseIncidentStatus(*text) : std::nullopt;
    if (!status || !domain::IsValidStatusFor(kind, *status) || *status == IncidentStatus::kPostmortem) {
        throw HttpError(
            400,
            "invalid-field",
            "status must be " + StatusChoices(kind) + " for a " + std::string(domain::ToString(kind)),
            "status"
        );
    }
    return *status;
}

std::string RequiredText(const Fields& f, std::string_view key, std::size_t max_len) {
    if (!f.Has(key)) throw HttpError(400, "invalid-field", std::string(key) + " is required", std::string(key));
    auto v = f.String(key, max_len, false);
    return v.value_or("");
}

class TemplateApi : public std::enable_shared_from_this<TemplateApi> {
public:
    explicit TemplateApi(TemplateApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (TemplateApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/templates", Role::kStakeholder, &TemplateApi::List);
        add(Method::kPost, "/api/v1/templates", Role::kResponder, &TemplateApi::Create);
        add(Method::kGet, "/api/v1/templates/{id}", Role::kStakeholder, &TemplateApi::Get);
        add(Method::kPatch, "/api/v1/templates/{id}", Role::kResponder, &TemplateApi::Patch);
        add(Method::kDelete, "/api/v1/templates/{id}", Role::kResponder, &TemplateApi::Delete);
        add(Method::kPost, "/api/v1/preview", Role::kResponder, &TemplateApi::Preview);
    }

private:
    void Changed() {
        if (d_.on_change) d_.on_change("templates");
    }

    void List(const Request&, Response& res, const auth::Principal&) {
        std::vector<store::IncidentTemplate> list;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(l, tx.ListTemplates());
            list = std::move(l);
            return {};
        }));
        json::array data;
        for (const auto& t : list) data.push_back(TemplateJson(t));
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    store::IncidentTemplate Load(const std::string& id) {
        std::optional<store::IncidentTemplate> found;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(t, tx.GetTemplate(id));
            found = std::move(t);
            return {};
        }));
        if (!found) throw HttpError(404, "not-found", "template " + id + " does not exist");
        return std::move(*found);
    }

    void Get(const Request& req, Response& res, const auth::Principal&) {
        WriteJson(res, TemplateJson(Load(std::string(req.Param("id")))));
    }

    void Create(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "template");
        Fields f(body);
        f.RejectUnknown({"kind", "name", "title", "status", "body"});
        store::IncidentTemplate t;
        t.kind = ParseKind(f);
        t.name = RequiredText(f, "name", kMaxName);
        t.title = RequiredText(f, "title", kMaxTitle);
        t.status = ParseStatus(f, t.kind);
        t.body = f.String("body", kMaxBody).value_or("");
        t.id = NewId();
        t.created_at = t.updated_at = d_.clock.Now();
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.InsertTemplate(t); }));
        Changed();
        WriteJson(res, TemplateJson(t), 201);
        res.SetHeader("Location", "/api/v1/templates/" + t.id);
    }

    void Patch(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        auto body = ParseBody(req, "template");
        Fields f(body);
        f.RejectUnknown({"kind", "name", "title", "status", "body"});
        auto t = Load(id);
        if (f.Has("kind")) t.kind = ParseKind(f);
        if (f.Has("name")) t.name = RequiredText(f, "name", kMaxName);
        if (f.Has("title")) t.title = RequiredText(f, "title", kMaxTitle);
        if (f.Has("status")) {
            t.status = ParseStatus(f, t.kind);
        } else if (!domain::IsValidStatusFor(t.kind, t.status)) {
            throw HttpError(
                400, "invalid-field", "status must be " + StatusChoices(t.kind) + " after a change of kind", "status"
            );
        }
        if (f.Has("body")) t.body = f.String("body", kMaxBody).value_or("");
        t.updated_at = d_.clock.Now();
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.UpdateTemplate(t); }));
        Changed();
        WriteJson(res, TemplateJson(t));
    }

    void Delete(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.DeleteTemplate(id); }));
        Changed();
        res.status = 204;
        res.body.clear();
    }

    // ---- preview ----------------------------------------------------------------------

    void Preview(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "preview");
        Fields f(body);
        f.RejectUnknown({"kind", "title", "status", "body", "impact", "components", "incident_id"});
        notify::Facts facts;
        facts.kind = f.Has("kind") ? ParseKind(f) : IncidentKind::kIncident;
        const bool maintenance = facts.kind == IncidentKind::kMaintenance;
        facts.incident_name = f.String("title", kMaxTitle).value_or("");
        facts.status = f.Has("status") ? ParseStatus(f, facts.kind)
                                       : (maintenance ? IncidentStatus::kScheduled : IncidentStatus::kInvestigating);
        facts.update_markdown = f.String("body", kMaxBody).value_or("");
        facts.impact = maintenance ? domain::Impact::kMaintenance : domain::Impact::kNone;
        if (f.Has("impact") && !f.IsNull("impact")) {
            auto text = f.String("impact", 20, false);
            auto impact = text ? domain::ParseImpact(*text) : std::nullopt;
            if (!impact || *impact == domain::Impact::kMaintenance) {
                throw HttpError(400, "invalid-field", "impact must be none, minor, major or critical", "impact");
            }
            if (!maintenance) facts.impact = *impact;
        }
        // Component ids and their wanted statuses, in the order given (checked below).
        std::vector<std::pair<std::string, domain::ComponentStatus>> wanted;
        if (f.Has("components")) {
            const auto* list = body.at("components").if_array();
            if (!list || list->size() > kMaxComponents) {
                throw HttpError(400, "invalid-field", "components must be an array of {id, status}", "components");
            }
            for (std::size_t i = 0; i < list->size(); ++i) {
                const std::string at = "components[" + std::to_string(i) + "]";
                const auto* item = (*list)[i].if_object();
                if (!item) throw HttpError(400, "invalid-field", at + " must be an object", at);
                Fields c(*item, at + ".");
                c.RejectUnknown({"id", "status"});
                auto cid = c.String("id", 100, false);
                if (!cid) throw HttpError(400, "invalid-field", at + ".id is required", at + ".id");
                auto text = c.String("status", 40, false);
                auto st = text ? domain::ParseComponentStatus(*text) : std::nullopt;
                if (!st) {
                    throw HttpError(
                        400,
                        "invalid-field",
                        at + ".status must be operational, degraded_performance, partial_outage, major_outage or "
                             "under_maintenance",
                        at + ".status"
                    );
                }
                wanted.emplace_back(*cid, *st);
            }
        }
        std::string incident_id;
        if (f.Has("incident_id") && !f.IsNull("incident_id")) incident_id = f.String("incident_id", 100).value_or("");

        const TimePoint now = d_.clock.Now();
        facts.update_at = now;
        facts.started_at = now;
        facts.first_update = incident_id.empty();
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(settings, tx.GetPageSettings());
            facts.page_name = settings.name;
            facts.page_url = settings.url;
            facts.time_zone = settings.time_zone;
            TOCSIN_ASSIGN(components, tx.ListComponents());
            // Page order, as the dispatcher lists them.
            for (const auto& comp : components) {
                for (const auto& [cid, st] : wanted) {
                    if (cid == comp.id) facts.components.push_back({comp.id, comp.name, st});
                }
            }
            for (std::size_t i = 0; i < wanted.size(); ++i) {
                bool known = std::any_of(components.begin(), components.end(), [&](const auto& c) {
                    return c.id == wanted[i].first;
                });
                if (!known) {
                    const std::string at = "components[" + std::to_string(i) + "].id";
                    return Error::Invalid(at, "names no component: " + wanted[i].first);
                }
            }
            if (!incident_id.empty()) {
                TOCSIN_ASSIGN(incident, tx.GetIncident(incident_id));
                if (!incident) return Error::Invalid("incident_id", "names no incident or maintenance");
                facts.started_at = incident->started_at;
                facts.scheduled_for = incident->scheduled_for;
                facts.scheduled_until = incident->scheduled_until;
                if (domain::IsClosedStatus(facts.status)) facts.resolved_at = now;
            }
            return {};
        }));
        if (facts.page_url.empty()) {
            // No public URL configured yet: the links point at the host the app talks to.
            auto host = req.Header("Host");
            facts.page_url = "http://" + std::string(host.empty() ? "localhost" : host);
        }
        while (!facts.page_url.empty() && facts.page_url.back() == '/') facts.page_url.pop_back();
        facts.incident_id = incident_id.empty() ? "preview" : incident_id;
        if (maintenance && !facts.scheduled_for) facts.scheduled_for = now;

        // The dispatcher fills these in per recipient; the preview shows where they go.
        notify::EmailLinks links{
            facts.page_url + "/subscribe/manage?token=preview", facts.page_url + "/unsubscribe?token=preview"};
        json::object email;
        json::object chat;
        for (const std::string lang : {"en", "de"}) {
            auto content = d_.templates->RenderUpdate(facts, lang, links);
            email[lang] = json::object{{"subject", content.subject}, {"text", content.text}, {"html", content.html}};
            chat[lang] = notify::ChatText(facts, lang);
        }
        WriteJson(
            res,
            json::object{
                {"body_html", page::RenderMarkdown(facts.update_markdown)},
                {"email", std::move(email)},
                {"chat", std::move(chat)},
            }
        );
    }

    TemplateApiDeps d_;
};

}  // namespace

void RegisterTemplateRoutes(http::Router& router, TemplateApiDeps deps) {
    std::make_shared<TemplateApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
