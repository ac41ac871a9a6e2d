#include "tocsin/app/opsgenie_import.hpp"

#include "tocsin/alerts/opsgenie.hpp"
#include "tocsin/api/intake_auth.hpp"
#include "tocsin/common/ids.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

namespace tocsin::app {
namespace {

namespace json = boost::json;

constexpr const char* kKinds[] = {
    "teams", "users", "services", "integrations", "heartbeats", "escalations", "schedules"};

// The list of one kind: `{"data": [...]}` as the REST API answers, `{"data": {"heartbeats":
// [...]}}` (the heartbeat list's shape) or a bare array.
json::array Items(const json::object& root, std::string_view kind) {
    const json::value* v = root.if_contains(kind);
    if (!v) return {};
    if (v->is_object()) {
        const auto* data = v->get_object().if_contains("data");
        if (!data) return {};
        v = data;
        if (v->is_object()) {
            const auto* inner = v->get_object().if_contains(kind);
            if (!inner) return {};
            v = inner;
        }
    }
    return v->is_array() ? v->get_array() : json::array{};
}

std::string Str(const json::value& v, std::string_view key) {
    if (!v.is_object()) return {};
    const auto* f = v.get_object().if_contains(key);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
}

// ownerTeam {id, name} or teamId.
std::string TeamIdOf(const json::value& v) {
    std::string id = Str(v, "teamId");
    if (!id.empty() || !v.is_object()) return id;
    if (const auto* t = v.get_object().if_contains("ownerTeam")) {
        id = Str(*t, "id");
        if (id.empty()) id = Str(*t, "name");
    }
    return id;
}

// Opsgenie integration types that send Opsgenie's Alert API (and so work unchanged against
// tocsin with a GenieKey): the generic API integration and the tools that use it.
bool SpeaksAlertApi(std::string_view type) {
    static const char* kTypes[] = {
        "API", "Prometheus", "Grafana", "AlertManager", "Alertmanager", "Terraform", "DefaultAPI"};
    return std::any_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return type == t; });
}

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string RoleOf(const json::value& user) {
    std::string role;
    if (user.is_object()) {
        if (const auto* r = user.get_object().if_contains("role"))
            role = r->is_string() ? std::string(r->get_string()) : Str(*r, "name");
    }
    role = Lower(role);
    if (role == "owner" || role == "admin") return "owner";
    if (role == "stakeholder" || role == "observer") return "stakeholder";
    return "responder";
}

}  // namespace

Result<std::string> ReadOpsgenieExport(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto read = [](const fs::path& p) -> std::optional<std::string> {
        std::ifstream in(p, std::ios::binary);
        if (!in) return std::nullopt;
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    if (fs::is_directory(path, ec)) {
        // A folder of <kind>.json files, each one API response.
        json::object root;
        for (const char* kind : kKinds) {
            fs::path p = fs::path(path) / (std::string(kind) + ".json");
            if (!fs::exists(p, ec)) continue;
            auto text = read(p);
            if (!text) return Error::Invalid("export", "cannot read " + p.string());
            boost::system::error_code jec;
            auto v = json::parse(*text, jec);
            if (jec) return Error::Invalid("export", p.string() + " is not JSON: " + jec.message());
            root[kind] = std::move(v);
        }
        if (root.empty())
            return Error::Invalid("export", path + " holds none of teams.json, users.json, services.json, ...");
        return json::serialize(root);
    }
    auto text = read(path);
    if (!text) return Error::Invalid("export", "cannot read " + path);
    return *text;
}

Result<OpsgenieImportReport> ImportOpsgenie(store::Store& store, const Clock& clock, const std::string& export_json) {
    boost::system::error_code jec;
    json::value v = json::parse(export_json, jec);
    if (jec) return Error::Invalid("export", "not JSON: " + jec.message());
    if (!v.is_object()) return Error::Invalid("export", "must be a JSON object with teams, users, services, ...");
    const json::object& root = v.get_object();
    OpsgenieImportReport rep;
    const TimePoint now = clock.Now();

    std::map<std::string, std::string> team_names;  // Opsgenie team id (and name) → name
    for (const auto& t : Items(root, "teams")) {
        std::string id = Str(t, "id"), name = Str(t, "name");
        if (name.empty()) {
            rep.unmapped.push_back("team " + id + ": no name");
            continue;
        }
        team_names[id] = name;
        team_names[name] = name;
        rep.deferred.push_back("team " + name + " (teams and their members become usable with the on-call issue)");
    }
    for (const auto& s : Items(root, "schedules")) {
        rep.deferred.push_back("schedule " + Str(s, "name") + " (usable with the on-call issue)");
    }
    for (const auto& e : Items(root, "escalations")) {
        rep.deferred.push_back("escalation " + Str(e, "name") + " (usable with the on-call issue)");
    }

    auto r = store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(existing_services, tx.ListServices());
        auto find_service = [&](const std::string& name) -> alerts::Service* {
            for (auto& s : existing_services) {
                if (Lower(s.name) == Lower(name)) return &s;
            }
            return nullptr;
        };
        auto ensure_service = [&](const std::string& name, const std::string& description, const std::string& team
                              ) -> Result<alerts::Service*> {
            if (auto* s = find_service(name)) {
                rep.existing.push_back("service " + name);
                return s;
            }
            alerts::Service s;
            s.id = NewId();
            s.name = name;
            s.description = description;
            s.team = team;
            s.created_at = s.updated_at = now;
            TOCSIN_TRY(tx.InsertService(s));
            existing_services.push_back(s);
            rep.created.push_back("service " + name);
            return &existing_services.back();
        };

        // Services; the first service of each team receives that team's integrations.
        std::map<std::string, std::string> service_of_team;  // team name → service id
        for (const auto& s : Items(root, "services")) {
            std::string name = Str(s, "name");
            if (name.empty() || name.size() > 200) {
                rep.unmapped.push_back("service " + Str(s, "id") + ": no usable name");
                continue;
            }
            std::string team_id = TeamIdOf(s);
            std::string team = team_names.count(team_id) ? team_names[team_id] : team_id;
            TOCSIN_ASSIGN(svc, ensure_service(name, Str(s, "description"), team));
            if (!team.empty() && !service_of_team.count(team)) service_of_team[team] = svc->id;
        }

        // Integrations → opsgenie keys, named after the Opsgenie integration so a re-run finds them.
        std::map<std::string, std::string> key_of_team;  // team name → integration key id
        std::string first_key;
        for (const auto& in : Items(root, "integrations")) {
            std::string name = Str(in, "name"), type = Str(in, "type");
            if (name.empty()) name = Str(in, "id");
            if (!SpeaksAlertApi(type)) {
                rep.unmapped.push_back(
                    "integration " + name + " (type " + type +
                    "): not an Alert API integration; point that tool at a tocsin dialect route instead"
                );
                continue;
            }
            std::string team_id = TeamIdOf(in);
            std::string team = team_names.count(team_id) ? team_names[team_id] : team_id;
            alerts::Service* svc = nullptr;
            if (!team.empty() && service_of_team.count(team)) {
                for (auto& s : existing_services) {
                    if (s.id == service_of_team[team]) svc = &s;
                }
            }
            if (!svc) {
                TOCSIN_ASSIGN(created, ensure_service(name, "Imported from the Opsgenie integration " + name, team));
                svc = created;
            }
            const std::string key_name = "opsgenie: " + name;
            TOCSIN_ASSIGN(keys, tx.ListIntegrationKeys(svc->id));
            auto old = std::find_if(keys.begin(), keys.end(), [&](const alerts::IntegrationKey& k) {
                return k.name == key_name && !k.revoked_at;
            });
            std::string key_id;
            if (old != keys.end()) {
                key_id = old->id;
                rep.existing.push_back("integration key " + key_name + " on service " + svc->name);
            } else {
                alerts::IntegrationKey k;
                k.id = NewId();
                k.service_id = svc->id;
                k.name = key_name;
                k.dialect = alerts::Dialect::kOpsgenie;
                const std::string secret = api::IntakeAuth::NewSecret();
                k.prefix = secret.substr(0, 6);
                k.created_at = now;
                TOCSIN_TRY(tx.InsertIntegrationKey(k, api::IntakeAuth::HashSecret(secret)));
                key_id = k.id;
                rep.created.push_back("integration key " + key_name + " on service " + svc->name);
                rep.secrets.push_back(
                    "GenieKey for " + key_name + " (service " + svc->name + "): " + secret +
                    "  (the Opsgenie key cannot be carried over; replace it in the sender)"
                );
            }
            if (!team.empty() && !key_of_team.count(team)) key_of_team[team] = key_id;
            if (first_key.empty()) first_key = key_id;
        }

        for (const auto& h : Items(root, "heartbeats")) {
            if (!h.is_object()) {
                rep.unmapped.push_back("heartbeat: an entry that is not an object");
                continue;
            }
            std::string name = Str(h, "name");
            std::string team_id = TeamIdOf(h);
            std::string team = team_names.count(team_id) ? team_names[team_id] : team_id;
            std::string key_id = key_of_team.count(team) ? key_of_team[team] : first_key;
            if (name.empty() || name.find('/') != std::string::npos) {
                rep.unmapped.push_back("heartbeat " + name + ": the name is empty or has a '/'");
                continue;
            }
            if (key_id.empty()) {
                rep.unmapped.push_back("heartbeat " + name + ": no Alert API integration to ping it through");
                continue;
            }
            // The same rules as POST /v2/heartbeats; Opsgenie's list shape has every field it needs.
            auto parsed = alerts::opsgenie::ParseHeartbeatCreate(json::serialize(h));
            if (auto* err = std::get_if<alerts::opsgenie::ApiError>(&parsed)) {
                rep.unmapped.push_back("heartbeat " + name + ": " + err->message);
                continue;
            }
            TOCSIN_ASSIGN(old, tx.GetHeartbeat(key_id, name));
            if (old) {
                rep.existing.push_back("heartbeat " + name);
                continue;
            }
            alerts::Heartbeat hb;
            hb.id = NewId();
            hb.integration_key_id = key_id;
            alerts::opsgenie::StoreSpec(std::get<alerts::opsgenie::HeartbeatSpec>(parsed), hb);
            hb.created_at = hb.updated_at = now;
            TOCSIN_TRY(tx.InsertHeartbeat(hb));
            rep.created.push_back("heartbeat " + name);
        }

        for (const auto& u : Items(root, "users")) {
            std::string email = Str(u, "username");
            if (email.find('@') == std::string::npos) {
                rep.unmapped.push_back("user " + email + ": the username is not an e-mail address");
                continue;
            }
            TOCSIN_ASSIGN(old, tx.FindUserByEmail(email));
            if (old) {
                rep.existing.push_back("user " + email);
                continue;
            }
            store::User user;
            user.id = NewId();
            user.email = email;
            user.name = Str(u, "fullName").empty() ? email : Str(u, "fullName");
            user.role = RoleOf(u);
            user.created_at = now;
            // No password: nobody can sign in as this user until an owner sets one.
            TOCSIN_TRY(tx.InsertUser(user));
            rep.created.push_back("user " + email + " (" + user.role + ", no password yet)");
        }
        return {};
    });
    if (!r) return r.error();
    return rep;
}

std::string FormatReport(const OpsgenieImportReport& r) {
    std::ostringstream out;
    out << "Opsgenie import: " << r.created.size() << " created, " << r.existing.size() << " already there, "
        << r.deferred.size() << " kept for the on-call issue, " << r.unmapped.size() << " not mapped\n";
    for (const auto& l : r.created) out << "  created: " << l << "\n";
    for (const auto& l : r.existing) out << "  exists:  " << l << "\n";
    if (!r.secrets.empty()) out << "Integration keys (shown once; store them now):\n";
    for (const auto& l : r.secrets) out << "  " << l << "\n";
    for (const auto& l : r.deferred) out << "  later:   " << l << "\n";
    if (!r.unmapped.empty()) out << "Not mapped:\n";
    for (const auto& l : r.unmapped) out << "  " << l << "\n";
    if (std::any_of(r.created.begin(), r.created.end(), [](const std::string& l) {
            return l.rfind("user ", 0) == 0;
        })) {
        out << "Imported users have no password: an owner sets one in the admin app before they can sign in.\n";
    }
    return out.str();
}

}  // namespace tocsin::app
