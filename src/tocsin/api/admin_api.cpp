#include "tocsin/api/admin_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/v2_json.hpp"
#include "tocsin/service/incident_ops.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using domain::IncidentKind;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;

constexpr int kMaxPerPage = 100;

std::optional<domain::ComponentStatus> ParseComponentStatusField(const Fields& f, std::string_view key) {
    auto s = f.String(key, 64);
    if (!s) return std::nullopt;
    auto st = domain::ParseComponentStatus(*s);
    if (!st) {
        throw HttpError(
            400,
            "invalid-field",
            f.Name(key) +
                " must be one of operational, degraded_performance, partial_outage, major_outage, under_maintenance",
            f.Name(key)
        );
    }
    return st;
}

class AdminApi : public std::enable_shared_from_this<AdminApi> {
public:
    explicit AdminApi(AdminApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (AdminApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/page", Role::kStakeholder, &AdminApi::GetPage);
        add(Method::kPatch, "/api/v1/page", Role::kOwner, &AdminApi::PatchPage);
        add(Method::kPut, "/api/v1/page/logo", Role::kOwner, &AdminApi::PutLogo);
        add(Method::kDelete, "/api/v1/page/logo", Role::kOwner, &AdminApi::DeleteLogo);

        add(Method::kGet, "/api/v1/components", Role::kStakeholder, &AdminApi::ListComponents);
        add(Method::kPost, "/api/v1/components", Role::kResponder, &AdminApi::CreateComponent);
        add(Method::kGet, "/api/v1/components/{id}", Role::kStakeholder, &AdminApi::GetComponent);
        add(Method::kPatch, "/api/v1/components/{id}", Role::kResponder, &AdminApi::PatchComponent);
        add(Method::kDelete, "/api/v1/components/{id}", Role::kResponder, &AdminApi::DeleteComponent);

        for (const char* base : {"/api/v1/incidents", "/api/v1/maintenances"}) {
            std::string b = base;
            add(Method::kGet, b, Role::kStakeholder, &AdminApi::ListIncidents);
            add(Method::kPost, b, Role::kResponder, &AdminApi::CreateIncident);
            add(Method::kGet, b + "/{id}", Role::kStakeholder, &AdminApi::GetIncident);
            add(Method::kPatch, b + "/{id}", Role::kResponder, &AdminApi::PatchIncident);
            add(Method::kDelete, b + "/{id}", Role::kResponder, &AdminApi::DeleteIncident);
            add(Method::kPost, b + "/{id}/updates", Role::kResponder, &AdminApi::PostUpdate);
            add(Method::kPatch, b + "/{id}/updates/{update_id}", Role::kResponder, &AdminApi::EditUpdate);
            add(Method::kDelete, b + "/{id}/updates/{update_id}", Role::kResponder, &AdminApi::DeleteUpdate);
        }

        add(Method::kGet, "/api/v1/tokens", Role::kOwner, &AdminApi::ListTokens);
        add(Method::kPost, "/api/v1/tokens", Role::kOwner, &AdminApi::CreateToken);
        add(Method::kDelete, "/api/v1/tokens/{id}", Role::kOwner, &AdminApi::RevokeToken);
    }

private:
    static IncidentKind KindOf(const Request& req) {
        return req.path.rfind("/api/v1/maintenances", 0) == 0 ? IncidentKind::kMaintenance : IncidentKind::kIncident;
    }

    void Changed() {
        if (d_.on_change) d_.on_change();
    }

    void Write(const std::function<Result<void>(store::Tx&)>& fn) {
        ValueOrThrow(d_.store.Write(fn));
        Changed();
    }

    // ---- page ---------------------------------------------------------------------------

    static json::object PageToJson(const domain::PageSettings& s) {
        json::array links, ancestors;
        for (const auto& l : s.footer_links) links.push_back(json::object{{"label", l.label}, {"url", l.url}});
        for (const auto& a : s.frame_ancestors) ancestors.emplace_back(a);
        return json::object{
            {"id", s.page_id},
            {"name", s.name},
            {"url", s.url},
            {"time_zone", s.time_zone},
            {"default_language", s.default_language},
            {"accent_color", s.accent_color},
            {"footer_links", std::move(links)},
            {"frame_ancestors", std::move(ancestors)},
            {"has_logo", !s.logo.empty()},
            {"updated_at", FormatIso8601(s.updated_at)},
        };
    }

    domain::PageSettings LoadSettings() {
        domain::PageSettings s;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(v, tx.GetPageSettings());
            s = std::move(v);
            return {};
        }));
        return s;
    }

    void GetPage(const Request&, Response& res, const auth::Principal&) { WriteJson(res, PageToJson(LoadSettings())); }

    void PatchPage(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "page");
        Fields f(body);
        f.RejectUnknown(
            {"name", "url", "time_zone", "default_language", "accent_color", "footer_links", "frame_ancestors"}
        );
        domain::PageSettings result;
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(s, tx.GetPageSettings());
            if (auto v = f.String("name", 200)) s.name = *v;
            if (auto v = f.String("url", 500)) {
                s.url = *v;
                while (!s.url.empty() && s.url.back() == '/') s.url.pop_back();
            }
            if (auto v = f.String("time_zone", 64)) {
                if (!page::IsKnownTimeZone(*v))
                    return Error::Invalid("time_zone", "is not an IANA time zone name (e.g. Europe/Berlin)");
                s.time_zone = *v;
            }
            if (auto v = f.String("default_language", 8)) s.default_language = *v;
            if (auto v = f.String("accent_color", 16)) s.accent_color = *v;
            if (f.Has("footer_links")) {
                auto* arr = body.if_contains("footer_links");
                if (!arr->is_array()) return Error::Invalid("footer_links", "must be an array of {label, url}");
                s.footer_links.clear();
                for (std::size_t i = 0; i < arr->as_array().size(); ++i) {
                    const auto& item = arr->as_array()[i];
                    std::string at = "footer_links[" + std::to_string(i) + "]";
                    if (!item.is_object()) return Error::Invalid(at, "must be an object {label, url}");
                    Fields lf(item.as_object(), at + ".");
                    lf.RejectUnknown({"label", "url"});
                    s.footer_links.push_back({lf.String("label", 100).value_or(""), lf.String("url", 500).value_or("")}
                    );
                }
            }
            if (auto v = f.StringArray("frame_ancestors", 20)) s.frame_ancestors = *v;
            TOCSIN_TRY(s.Validate());
            s.updated_at = d_.clock.Now();
            TOCSIN_TRY(tx.SavePageSettings(s));
            result = s;
            return {};
        });
        WriteJson(res, PageToJson(result));
    }

    void PutLogo(const Request& req, Response& res, const auth::Principal&) {
        std::string ct(req.Header("Content-Type"));
        if (ct != "image/png" && ct != "image/jpeg" && ct != "image/webp" && ct != "image/svg+xml") {
            throw HttpError(
                415, "unsupported-media-type", "send the logo as image/png, image/jpeg, image/webp or image/svg+xml"
            );
        }
        if (req.body.empty()) throw HttpError(400, "invalid-body", "the logo is empty");
        if (req.body.size() > 512 * 1024) throw HttpError(413, "body-too-large", "the logo must be at most 512 KiB");
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(s, tx.GetPageSettings());
            s.logo = std::string(req.body);
            s.logo_content_type = ct;
            s.updated_at = d_.clock.Now();
            return tx.SavePageSettings(s);
        });
        res.status = 204;
        res.body.clear();
    }

    void DeleteLogo(const Request&, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(s, tx.GetPageSettings());
            s.logo.clear();
            s.logo_content_type.clear();
            s.updated_at = d_.clock.Now();
            return tx.SavePageSettings(s);
        });
        res.status = 204;
    }

    // ---- components ---------------------------------------------------------------------

    // What every JSON rendering of components and incidents needs besides the object itself.
    struct RenderContext {
        std::vector<domain::Component> components;
        domain::PageSettings settings;
    };

    static Result<void> ReadContext(store::Tx& tx, RenderContext& ctx) {
        TOCSIN_ASSIGN(list, tx.ListComponents());
        TOCSIN_ASSIGN(settings, tx.GetPageSettings());
        ctx.components = std::move(list);
        ctx.settings = std::move(settings);
        return {};
    }

    RenderContext LoadContext() {
        RenderContext ctx;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) { return ReadContext(tx, ctx); }));
        return ctx;
    }

    void ListComponents(const Request&, Response& res, const auth::Principal&) {
        auto ctx = LoadContext();
        json::array arr;
        for (const auto& c : ctx.components)
            arr.push_back(page::ComponentToV2(c, ctx.components, ctx.settings.page_id));
        WriteJson(res, arr);
    }

    void RespondComponent(Response& res, const std::string& id, int status) {
        auto ctx = LoadContext();
        for (const auto& c : ctx.components) {
            if (c.id == id) return WriteJson(res, page::ComponentToV2(c, ctx.components, ctx.settings.page_id), status);
        }
        throw HttpError(404, "not-found", "component " + id + " does not exist");
    }

    static void ApplyComponentFields(const Fields& f, domain::Component& c) {
        if (auto v = f.String("name", 200, false)) c.name = *v;
        if (auto v = f.String("description", 1000)) c.description = *v;
        if (auto v = ParseComponentStatusField(f, "status")) c.status = *v;
        if (f.IsNull("group_id")) c.group_id.reset();
        if (auto v = f.String("group_id", 64)) c.group_id = v->empty() ? std::nullopt : std::optional<std::string>(*v);
        if (auto v = f.Int("position", 0, 100000)) c.position = static_cast<int>(*v);
        if (auto v = f.Bool("showcase")) c.showcase = *v;
        if (auto v = f.Bool("only_show_if_degraded")) c.only_show_if_degraded = *v;
        if (auto v = f.Bool("group")) c.is_group = *v;
    }

    static inline const std::vector<std::string_view> kComponentFields = {
        "name",
        "description",
        "status",
        "group_id",
        "position",
        "showcase",
        "only_show_if_degraded",
        "group",
        "start_date"};

    void CreateComponent(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "component");
        Fields f(body);
        f.RejectUnknown(kComponentFields);
        if (!f.Has("name")) throw HttpError(400, "invalid-field", "name is required", "name");
        domain::Component c;
        c.id = NewId();
        c.created_at = c.updated_at = d_.clock.Now();
        ApplyComponentFields(f, c);
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(service::ValidateComponentPlacement(tx, c));
            if (!f.Has("position")) {
                TOCSIN_ASSIGN(all, tx.ListComponents());
                int max = 0;
                for (const auto& o : all) max = std::max(max, o.position);
                c.position = max + 1;
            }
            return tx.InsertComponent(c);
        });
        RespondComponent(res, c.id, 201);
    }

    void GetComponent(const Request& req, Response& res, const auth::Principal&) {
        RespondComponent(res, std::string(req.Param("id")), 200);
    }

    void PatchComponent(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "component");
        Fields f(body);
        f.RejectUnknown(kComponentFields);
        std::string id(req.Param("id"));
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.GetComponent(id));
            if (!found) return Error::NotFound("component " + id + " does not exist");
            auto before = found->status;
            bool was_group = found->is_group;
            ApplyComponentFields(f, *found);
            if (was_group && !found->is_group) {
                TOCSIN_ASSIGN(all, tx.ListComponents());
                for (const auto& c : all) {
                    if (c.group_id && *c.group_id == id) {
                        return Error::Invalid("group", "the group still has components; move them out first");
                    }
                }
            }
            if (found->is_group && f.Has("status"))
                return Error::Invalid("status", "a group's status follows its components");
            TOCSIN_TRY(service::ValidateComponentPlacement(tx, *found));
            found->updated_at = d_.clock.Now();
            TOCSIN_TRY(tx.UpdateComponent(*found));
            if (before != found->status) {
                store::OutboxMessage m;
                m.topic = "component.status";
                m.idempotency_key =
                    "component.status:" + id + ":" + std::to_string(ToMillis(found->updated_at)) + ":" + NewId();
                m.created_at = found->updated_at;
                m.payload = json::serialize(json::object{
                    {"component_id", id},
                    {"old_status", domain::ToString(before)},
                    {"new_status", domain::ToString(found->status)}});
                TOCSIN_TRY(tx.EnqueueOutbox(m));
            }
            return {};
        });
        RespondComponent(res, id, 200);
    }

    void DeleteComponent(const Request& req, Response& res, const auth::Principal&) {
        std::string id(req.Param("id"));
        Write([&](store::Tx& tx) { return tx.DeleteComponent(id); });
        res.status = 204;
    }

    // ---- incidents and maintenances -----------------------------------------------------

    json::object IncidentJson(const domain::Incident& inc) {
        auto ctx = LoadContext();
        return IncidentJson(inc, ctx.components, ctx.settings);
    }

    static json::object IncidentJson(
        const domain::Incident& inc, const std::vector<domain::Component>& all, const domain::PageSettings& s
    ) {
        json::object o = page::IncidentToV2(inc, all, s);
        o["kind"] = domain::ToString(inc.kind);
        o["impact_override"] =
            inc.impact_override ? json::value(domain::ToString(*inc.impact_override)) : json::value(nullptr);
        json::array ids;
        for (const auto& id : inc.component_ids) ids.emplace_back(id);
        o["component_ids"] = std::move(ids);
        o["automated"] = inc.automated;
        if (inc.kind == IncidentKind::kMaintenance) {
            o["scheduled_auto_in_progress"] = inc.auto_in_progress;
            o["scheduled_auto_completed"] = inc.auto_completed;
            o["scheduled_remind_prior"] = inc.remind_prior_minutes > 0;
            o["scheduled_remind_prior_minutes"] = inc.remind_prior_minutes;
        }
        return o;
    }

    static inline const std::vector<std::string_view> kIncidentFields = {
        "name",
        "status",
        "impact_override",
        "body",
        "components",
        "component_ids",
        "deliver_notifications",
        "backfilled",
        "backfill_date",
        "display_at",
        "started_at",
        "scheduled_for",
        "scheduled_until",
        "scheduled_auto_in_progress",
        "scheduled_auto_completed",
        "scheduled_remind_prior",
        "scheduled_remind_prior_minutes",
        "auto_transition_to_maintenance_state",
        "auto_transition_to_operational_state",
        "metadata"};

    static service::UpdateInput ReadUpdate(const Fields& f) {
        service::UpdateInput u;
        if (auto s = f.String("status", 32)) {
            auto st = domain::ParseIncidentStatus(*s);
            if (!st) {
                throw HttpError(
                    400,
                    "invalid-field",
                    "status must be one of investigating, identified, monitoring, resolved, postmortem (incidents) or "
                    "scheduled, in_progress, verifying, completed (maintenances)",
                    "status"
                );
            }
            u.status = st;
        }
        u.body = f.String("body", 65536).value_or("");
        if (const auto* comps = f.Object("components")) {
            if (comps->size() > 500)
                throw HttpError(400, "invalid-field", "components has more than 500 entries", "components");
            Fields cf(*comps, "components.");
            for (const auto& [k, v] : *comps) {
                std::string key(k);
                auto st = ParseComponentStatusField(cf, key);
                if (!st)
                    throw HttpError(400, "invalid-field", cf.Name(key) + " must be a component status", cf.Name(key));
                u.components.push_back({key, *st});
            }
        }
        u.deliver_notifications = f.Bool("deliver_notifications").value_or(true);
        u.display_at = f.Time("display_at");
        if (auto b = f.Time("backfill_date")) u.display_at = b;
        return u;
    }

    static std::optional<domain::Impact> ReadImpactOverride(const Fields& f) {
        auto s = f.String("impact_override", 16);
        if (!s) return std::nullopt;
        auto i = domain::ParseImpact(*s);
        if (!i || *i == domain::Impact::kMaintenance) {
            throw HttpError(
                400, "invalid-field", "impact_override must be one of none, minor, major, critical", "impact_override"
            );
        }
        return i;
    }

    static int ReadRemindPrior(const Fields& f) {
        if (auto m = f.Int("scheduled_remind_prior_minutes", 0, 7 * 24 * 60)) return static_cast<int>(*m);
        if (auto b = f.Bool("scheduled_remind_prior")) return *b ? 60 : 0;
        return 0;
    }

    void CreateIncident(const Request& req, Response& res, const auth::Principal&) {
        auto kind = KindOf(req);
        auto body = ParseBody(req, kind == IncidentKind::kMaintenance ? "maintenance" : "incident");
        if (kind == IncidentKind::kMaintenance && body.size() == 1 && body.contains("incident") &&
            body["incident"].is_object()) {
            body = body["incident"].as_object();  // Statuspage posts maintenances as incidents
        }
        Fields f(body);
        f.RejectUnknown(kIncidentFields);
        service::IncidentInput in;
        in.kind = kind;
        in.name = f.String("name", 255, false).value_or("");
        if (in.name.empty()) throw HttpError(400, "invalid-field", "name is required", "name");
        in.impact_override = ReadImpactOverride(f);
        in.component_ids = f.StringArray("component_ids", 500).value_or(std::vector<std::string>{});
        in.scheduled_for = f.Time("scheduled_for");
        in.scheduled_until = f.Time("scheduled_until");
        in.auto_in_progress = f.Bool("scheduled_auto_in_progress")
                                  .value_or(f.Bool("auto_transition_to_maintenance_state").value_or(true));
        in.auto_completed =
            f.Bool("scheduled_auto_completed").value_or(f.Bool("auto_transition_to_operational_state").value_or(true));
        in.remind_prior_minutes = ReadRemindPrior(f);
        in.first_update = ReadUpdate(f);
        if (auto started = f.Time("started_at"); started && !in.first_update.display_at)
            in.first_update.display_at = started;
        domain::Incident created;
        Write([&](store::Tx& tx) -> Result<void> {
            for (std::size_t i = 0; i < in.component_ids.size(); ++i) {
                TOCSIN_ASSIGN(c, tx.GetComponent(in.component_ids[i]));
                if (!c)
                    return Error::Invalid(
                        "component_ids[" + std::to_string(i) + "]", "names a component that does not exist"
                    );
            }
            TOCSIN_ASSIGN(inc, service::CreateIncident(tx, in, d_.clock.Now()));
            created = std::move(inc);
            return {};
        });
        WriteJson(res, IncidentJson(created), 201);
        res.SetHeader("Location", std::string(req.path) + "/" + created.id);
    }

    domain::Incident LoadIncident(store::Tx& tx, const Request& req) {
        auto r = tx.GetIncident(std::string(req.Param("id")));
        if (!r) ThrowError(r.error());
        if (!*r || (*r)->kind != KindOf(req)) {
            throw HttpError(
                404,
                "not-found",
                std::string(domain::ToString(KindOf(req))) + " " + std::string(req.Param("id")) + " does not exist"
            );
        }
        return std::move(**r);
    }

    void ListIncidents(const Request& req, Response& res, const auth::Principal&) {
        store::IncidentFilter filter;
        filter.kind = KindOf(req);
        if (auto s = req.QueryParam("status")) {
            std::string_view rest = *s;
            while (!rest.empty()) {
                auto comma = rest.find(',');
                std::string_view one = rest.substr(0, comma);
                auto st = domain::ParseIncidentStatus(one);
                if (!st || !domain::IsValidStatusFor(*filter.kind, *st)) {
                    throw HttpError(
                        400,
                        "invalid-query",
                        "status: '" + std::string(one) + "' is not a status of this kind",
                        "status"
                    );
                }
                filter.statuses.push_back(*st);
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
        }
        for (const char* key : {"since", "until"}) {
            if (auto v = req.QueryParam(key)) {
                auto t = ParseIso8601(*v);
                if (!t)
                    throw HttpError(400, "invalid-query", std::string(key) + " must be an ISO-8601 time or date", key);
                (std::string_view(key) == "since" ? filter.since : filter.until) = t;
            }
        }
        if (auto q = req.QueryParam("q")) filter.query = q->substr(0, 200);
        int page = ParsePositive(req, "page", 1, 1000000);
        int per_page = ParsePositive(req, "per_page", 25, kMaxPerPage);
        filter.limit = per_page;
        filter.offset = (page - 1) * per_page;
        std::vector<domain::Incident> list;
        std::int64_t total = 0;
        RenderContext ctx;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(l, tx.ListIncidents(filter));
            TOCSIN_ASSIGN(n, tx.CountIncidents(filter));
            list = std::move(l);
            total = n;
            return ReadContext(tx, ctx);
        }));
        json::array arr;
        for (const auto& inc : list) arr.push_back(IncidentJson(inc, ctx.components, ctx.settings));
        WriteJson(res, arr);
        res.SetHeader("X-Total-Count", std::to_string(total));
        if (static_cast<std::int64_t>(page) * per_page < total) {
            res.SetHeader(
                "Link",
                "<" + std::string(req.path) + "?page=" + std::to_string(page + 1) +
                    "&per_page=" + std::to_string(per_page) + ">; rel=\"next\""
            );
        }
    }

    static int ParsePositive(const Request& req, const char* key, int def, int max) {
        auto v = req.QueryParam(key);
        if (!v) return def;
        int n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > max) {
            throw HttpError(
                400, "invalid-query", std::string(key) + " must be an integer from 1 to " + std::to_string(max), key
            );
        }
        return n;
    }

    void GetIncident(const Request& req, Response& res, const auth::Principal&) {
        domain::Incident inc;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            inc = LoadIncident(tx, req);
            return {};
        }));
        WriteJson(res, IncidentJson(inc));
    }

    void PatchIncident(const Request& req, Response& res, const auth::Principal&) {
        auto kind = KindOf(req);
        auto body = ParseBody(req, kind == IncidentKind::kMaintenance ? "maintenance" : "incident");
        if (body.size() == 1 && body.contains("incident") && body["incident"].is_object())
            body = body["incident"].as_object();
        Fields f(body);
        f.RejectUnknown(kIncidentFields);
        auto update = ReadUpdate(f);
        auto impact = ReadImpactOverride(f);
        bool clear_impact = f.IsNull("impact_override");
        auto name = f.String("name", 255, false);
        auto ids = f.StringArray("component_ids", 500);
        auto sched_for = f.Time("scheduled_for");
        auto sched_until = f.Time("scheduled_until");
        auto auto_start = f.Bool("scheduled_auto_in_progress");
        auto auto_end = f.Bool("scheduled_auto_completed");
        bool remind_given = f.Has("scheduled_remind_prior") || f.Has("scheduled_remind_prior_minutes");
        int remind = ReadRemindPrior(f);
        // Statuspage semantics: a PATCH that carries status, body or components posts an update.
        bool posts_update = f.Has("status") || f.Has("body") || f.Has("components");
        domain::Incident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            inc = LoadIncident(tx, req);
            if (name) inc.name = *name;
            if (impact) inc.impact_override = impact;
            if (clear_impact && inc.impact_override) {
                // Back to the impact the components imply: the worst status any update set.
                inc.impact_override.reset();
                inc.impact = domain::Impact::kNone;
                for (const auto& u : inc.updates) {
                    for (const auto& a : u.affected_components) {
                        auto derived = domain::ImpactFromComponentStatus(a.new_status);
                        if (static_cast<int>(derived) > static_cast<int>(inc.impact)) inc.impact = derived;
                    }
                }
            }
            if (inc.impact_override && inc.kind == IncidentKind::kIncident) inc.impact = *inc.impact_override;
            if (ids) {
                for (std::size_t i = 0; i < ids->size(); ++i) {
                    TOCSIN_ASSIGN(c, tx.GetComponent((*ids)[i]));
                    if (!c)
                        return Error::Invalid(
                            "component_ids[" + std::to_string(i) + "]", "names a component that does not exist"
                        );
                }
                inc.component_ids = *ids;
            }
            if (kind == IncidentKind::kMaintenance) {
                if (sched_for) inc.scheduled_for = sched_for;
                if (sched_until) inc.scheduled_until = sched_until;
                if (auto_start) inc.auto_in_progress = *auto_start;
                if (auto_end) inc.auto_completed = *auto_end;
                if (remind_given) inc.remind_prior_minutes = remind;
                if (inc.scheduled_for && inc.scheduled_until && *inc.scheduled_until <= *inc.scheduled_for) {
                    return Error::Invalid("scheduled_until", "must be after scheduled_for");
                }
            } else if (sched_for || sched_until) {
                return Error::Invalid("scheduled_for", "belongs to maintenances");
            }
            inc.updated_at = d_.clock.Now();
            if (posts_update) {
                TOCSIN_TRY(service::PostUpdate(tx, inc, update, d_.clock.Now()));
            } else {
                TOCSIN_TRY(tx.UpdateIncident(inc));
            }
            return {};
        });
        WriteJson(res, IncidentJson(inc));
    }

    void DeleteIncident(const Request& req, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) -> Result<void> {
            auto inc = LoadIncident(tx, req);
            return tx.DeleteIncident(inc.id);
        });
        res.status = 204;
    }

    void PostUpdate(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "incident_update");
        Fields f(body);
        f.RejectUnknown({"status", "body", "components", "display_at", "deliver_notifications", "backfill_date"});
        auto update = ReadUpdate(f);
        domain::IncidentUpdate created;
        domain::Incident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            inc = LoadIncident(tx, req);
            TOCSIN_ASSIGN(u, service::PostUpdate(tx, inc, update, d_.clock.Now()));
            created = u;
            return {};
        });
        WriteJson(res, IncidentJson(inc), 201);
    }

    void EditUpdate(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "incident_update");
        Fields f(body);
        f.RejectUnknown({"body", "display_at", "deliver_notifications", "status"});
        auto text = f.String("body", 65536);
        auto display_at = f.Time("display_at");
        auto deliver = f.Bool("deliver_notifications");
        std::optional<domain::IncidentStatus> status;
        if (auto s = f.String("status", 32)) {
            status = domain::ParseIncidentStatus(*s);
            if (!status || !domain::IsValidStatusFor(KindOf(req), *status)) {
                throw HttpError(400, "invalid-field", "status is not a status of this kind", "status");
            }
        }
        std::string update_id(req.Param("update_id"));
        domain::Incident inc;
        Write([&](store::Tx& tx) -> Result<void> {
            inc = LoadIncident(tx, req);
            for (auto& u : inc.updates) {
                if (u.id != update_id) continue;
                if (text) u.body = *text;
                if (display_at) u.display_at = *display_at;
                if (deliver) u.deliver_notifications = *deliver;
                if (status) u.status = *status;
                u.updated_at = d_.clock.Now();
                TOCSIN_TRY(tx.UpdateUpdate(u));
                inc.updated_at = u.updated_at;
                domain::SortUpdatesNewestFirst(inc.updates);
                return tx.UpdateIncident(inc);
            }
            return Error::NotFound("update " + update_id + " does not exist on this incident");
        });
        WriteJson(res, IncidentJson(inc));
    }

    void DeleteUpdate(const Request& req, Response& res, const auth::Principal&) {
        std::string update_id(req.Param("update_id"));
        Write([&](store::Tx& tx) -> Result<void> {
            auto inc = LoadIncident(tx, req);
            if (inc.updates.size() == 1 && inc.updates.front().id == update_id) {
                return Error::Conflict("an incident keeps at least one update; delete the incident instead");
            }
            return tx.DeleteUpdate(inc.id, update_id);
        });
        res.status = 204;
    }

    // ---- tokens -------------------------------------------------------------------------

    static json::object TokenJson(const store::ApiToken& t) {
        return json::object{
            {"id", t.id},
            {"name", t.name},
            {"role", t.role},
            {"created_at", FormatIso8601(t.created_at)},
            {"revoked_at", t.revoked_at ? json::value(FormatIso8601(*t.revoked_at)) : json::value(nullptr)},
        };
    }

    void ListTokens(const Request&, Response& res, const auth::Principal&) {
        std::vector<store::ApiToken> list;
        ValueOrThrow(d_.store.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(l, tx.ListTokens());
            list = std::move(l);
            return {};
        }));
        json::array arr;
        for (const auto& t : list) arr.push_back(TokenJson(t));
        WriteJson(res, arr);
    }

    void CreateToken(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "token");
        Fields f(body);
        f.RejectUnknown({"name", "role"});
        auto role_text = f.String("role", 16).value_or("");
        auto role = auth::ParseRole(role_text);
        if (!role)
            throw HttpError(400, "invalid-field", "role must be one of owner, responder, stakeholder, probe", "role");
        auto created =
            ValueOrThrow(auth::CreateToken(d_.store, d_.clock, f.String("name", 100).value_or("api"), *role));
        auto o = TokenJson(created.token);
        o["token"] = created.secret;
        WriteJson(res, o, 201);
    }

    void RevokeToken(const Request& req, Response& res, const auth::Principal& who) {
        std::string id(req.Param("id"));
        if (id == who.token_id)
            throw HttpError(409, "conflict", "a token cannot revoke itself; use another owner token");
        ValueOrThrow(d_.store.Write([&](store::Tx& tx) { return tx.RevokeToken(id, d_.clock.Now()); }));
        res.status = 204;
    }

    AdminApiDeps d_;
};

}  // namespace

void RegisterAdminRoutes(http::Router& router, AdminApiDeps deps) {
    auto api = std::make_shared<AdminApi>(std::move(deps));
    api->Register(router);
}

}  // namespace tocsin::api
