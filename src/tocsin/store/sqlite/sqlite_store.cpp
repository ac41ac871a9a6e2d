#include "tocsin/store/sqlite/sqlite_store.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>

namespace tocsin::store::sqlite_migrations {
std::string_view Find(std::string_view name);
std::vector<std::string_view> Names();
}  // namespace tocsin::store::sqlite_migrations

namespace tocsin::store::sqlite {
namespace {

namespace json = boost::json;
using domain::Component;
using domain::Incident;
using domain::IncidentUpdate;

std::string AffectedToJson(const std::vector<domain::AffectedComponent>& list) {
    json::array arr;
    for (const auto& a : list) {
        arr.push_back(json::object{
            {"code", a.code},
            {"name", a.name},
            {"old_status", domain::ToString(a.old_status)},
            {"new_status", domain::ToString(a.new_status)},
        });
    }
    return json::serialize(arr);
}

std::vector<domain::AffectedComponent> AffectedFromJson(const std::string& text) {
    std::vector<domain::AffectedComponent> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;  // written by us; an unreadable cell shows as no change
    for (const auto& item : v.as_array()) {
        if (!item.is_object()) continue;
        const auto& o = item.as_object();
        domain::AffectedComponent a;
        if (auto* p = o.if_contains("code"); p && p->is_string()) a.code = p->as_string().c_str();
        if (auto* p = o.if_contains("name"); p && p->is_string()) a.name = p->as_string().c_str();
        if (auto* p = o.if_contains("old_status"); p && p->is_string()) {
            a.old_status = domain::ParseComponentStatus(p->as_string().c_str()).value_or(a.old_status);
        }
        if (auto* p = o.if_contains("new_status"); p && p->is_string()) {
            a.new_status = domain::ParseComponentStatus(p->as_string().c_str()).value_or(a.new_status);
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string StringsToJson(const std::vector<std::string>& list) {
    json::array arr;
    for (const auto& s : list) arr.emplace_back(s);
    return json::serialize(arr);
}

std::vector<std::string> StringsFromJson(const std::string& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& item : v.as_array()) {
        if (item.is_string()) out.emplace_back(item.as_string().c_str());
    }
    return out;
}

std::string LinksToJson(const std::vector<domain::FooterLink>& links) {
    json::array arr;
    for (const auto& l : links) arr.push_back(json::object{{"label", l.label}, {"url", l.url}});
    return json::serialize(arr);
}

std::vector<domain::FooterLink> LinksFromJson(const std::string& text) {
    std::vector<domain::FooterLink> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& item : v.as_array()) {
        if (!item.is_object()) continue;
        domain::FooterLink l;
        if (auto* p = item.as_object().if_contains("label"); p && p->is_string()) l.label = p->as_string().c_str();
        if (auto* p = item.as_object().if_contains("url"); p && p->is_string()) l.url = p->as_string().c_str();
        out.push_back(std::move(l));
    }
    return out;
}

std::optional<std::int64_t> OptMillis(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToMillis(*t);
}

std::optional<TimePoint> OptTime(const std::optional<std::int64_t>& ms) {
    if (!ms) return std::nullopt;
    return FromMillis(*ms);
}

constexpr const char* kIncidentColumns =
    "id, kind, name, status, impact, impact_override, created_at, updated_at, started_at, monitoring_at, "
    "resolved_at, scheduled_for, scheduled_until, auto_in_progress, auto_completed, remind_prior_minutes, automated";

constexpr const char* kComponentColumns =
    "id, name, description, status, is_group, group_id, position, showcase, only_show_if_degraded, created_at, "
    "updated_at";

Component ReadComponent(const Statement& s) {
    Component c;
    c.id = s.Text(0);
    c.name = s.Text(1);
    c.description = s.Text(2);
    c.status = domain::ParseComponentStatus(s.Text(3)).value_or(domain::ComponentStatus::kOperational);
    c.is_group = s.Int(4) != 0;
    c.group_id = s.OptText(5);
    c.position = static_cast<int>(s.Int(6));
    c.showcase = s.Int(7) != 0;
    c.only_show_if_degraded = s.Int(8) != 0;
    c.created_at = FromMillis(s.Int(9));
    c.updated_at = FromMillis(s.Int(10));
    return c;
}

Incident ReadIncident(const Statement& s) {
    Incident i;
    i.id = s.Text(0);
    i.kind = s.Text(1) == "maintenance" ? domain::IncidentKind::kMaintenance : domain::IncidentKind::kIncident;
    i.name = s.Text(2);
    i.status = domain::ParseIncidentStatus(s.Text(3)).value_or(domain::IncidentStatus::kInvestigating);
    i.impact = domain::ParseImpact(s.Text(4)).value_or(domain::Impact::kNone);
    if (auto o = s.OptText(5)) i.impact_override = domain::ParseImpact(*o);
    i.created_at = FromMillis(s.Int(6));
    i.updated_at = FromMillis(s.Int(7));
    i.started_at = FromMillis(s.Int(8));
    i.monitoring_at = OptTime(s.OptInt(9));
    i.resolved_at = OptTime(s.OptInt(10));
    i.scheduled_for = OptTime(s.OptInt(11));
    i.scheduled_until = OptTime(s.OptInt(12));
    i.auto_in_progress = s.Int(13) != 0;
    i.auto_completed = s.Int(14) != 0;
    i.remind_prior_minutes = static_cast<int>(s.Int(15));
    i.automated = s.Int(16) != 0;
    return i;
}

class SqliteTx final : public Tx {
public:
    explicit SqliteTx(Database& db) : db_(db) {}

    Result<domain::PageSettings> GetPageSettings() override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT page_id, name, url, time_zone, default_language, accent_color, footer_links, "
                        "frame_ancestors, logo_content_type, logo, updated_at FROM page_settings WHERE id = 1")
        );
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return Error::Internal("page settings row is missing");
        domain::PageSettings p;
        p.page_id = s->Text(0);
        p.name = s->Text(1);
        p.url = s->Text(2);
        p.time_zone = s->Text(3);
        p.default_language = s->Text(4);
        p.accent_color = s->Text(5);
        p.footer_links = LinksFromJson(s->Text(6));
        p.frame_ancestors = StringsFromJson(s->Text(7));
        p.logo_content_type = s->Text(8);
        p.logo = s->Text(9);
        p.updated_at = FromMillis(s->Int(10));
        s->Reset();
        return p;
    }

    Result<void> SavePageSettings(const domain::PageSettings& p) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE page_settings SET name=?1, url=?2, time_zone=?3, default_language=?4, accent_color=?5, "
                        "footer_links=?6, frame_ancestors=?7, logo_content_type=?8, logo=?9, updated_at=?10 WHERE id=1")
        );
        s->Bind(1, p.name).Bind(2, p.url).Bind(3, p.time_zone).Bind(4, p.default_language).Bind(5, p.accent_color);
        s->Bind(6, LinksToJson(p.footer_links)).Bind(7, StringsToJson(p.frame_ancestors));
        s->Bind(8, p.logo_content_type).BindBlob(9, p.logo).Bind(10, ToMillis(p.updated_at));
        return s->Exec();
    }

    Result<std::vector<Component>> ListComponents() override {
        TOCSIN_ASSIGN(
            s, db_.Prepare(std::string("SELECT ") + kComponentColumns + " FROM components ORDER BY position, name, id")
        );
        std::vector<Component> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ReadComponent(*s));
        }
        return out;
    }

    Result<std::optional<Component>> GetComponent(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kComponentColumns + " FROM components WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<Component>();
        auto c = ReadComponent(*s);
        s->Reset();
        return std::optional<Component>(std::move(c));
    }

    Result<void> InsertComponent(const Component& c) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare(std::string("INSERT INTO components (") + kComponentColumns +
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
        );
        BindComponent(*s, c);
        return s->Exec();
    }

    Result<void> UpdateComponent(const Component& c) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE components SET name=?2, description=?3, status=?4, is_group=?5, group_id=?6, "
                        "position=?7, showcase=?8, only_show_if_degraded=?9, created_at=?10, updated_at=?11 WHERE id=?1")
        );
        BindComponent(*s, c);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("component " + c.id + " does not exist");
        return {};
    }

    Result<void> DeleteComponent(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM components WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("component " + id + " does not exist");
        return {};
    }

    Result<std::vector<Incident>> ListIncidents(const IncidentFilter& f) override {
        std::string sql = std::string("SELECT ") + kIncidentColumns + " FROM incidents";
        std::vector<std::string> binds;
        sql += Where(f, binds);
        sql += " ORDER BY started_at DESC, created_at DESC, id DESC LIMIT ? OFFSET ?";
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        int idx = 1;
        for (const auto& b : binds) s->Bind(idx++, b);
        BindTimes(*s, f, idx);
        s->Bind(idx, f.limit);
        s->Bind(idx + 1, f.offset);
        std::vector<Incident> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ReadIncident(*s));
        }
        for (auto& inc : out) TOCSIN_TRY(LoadChildren(inc));
        return out;
    }

    Result<std::int64_t> CountIncidents(const IncidentFilter& f) override {
        std::vector<std::string> binds;
        std::string sql = "SELECT COUNT(*) FROM incidents" + Where(f, binds);
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        int idx = 1;
        for (const auto& b : binds) s->Bind(idx++, b);
        BindTimes(*s, f, idx);
        TOCSIN_ASSIGN(row, s->Step());
        std::int64_t n = row ? s->Int(0) : 0;
        s->Reset();
        return n;
    }

    Result<std::optional<Incident>> GetIncident(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<Incident>();
        Incident inc = ReadIncident(*s);
        s->Reset();
        TOCSIN_TRY(LoadChildren(inc));
        return std::optional<Incident>(std::move(inc));
    }

    Result<void> InsertIncident(const Incident& i) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare(std::string("INSERT INTO incidents (") + kIncidentColumns +
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")
        );
        BindIncident(*s, i);
        TOCSIN_TRY(s->Exec());
        TOCSIN_TRY(WriteComponentLinks(i));
        for (const auto& u : i.updates) TOCSIN_TRY(InsertUpdate(u));
        return {};
    }

    Result<void> UpdateIncident(const Incident& i) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE incidents SET kind=?2, name=?3, status=?4, impact=?5, impact_override=?6, "
                        "created_at=?7, updated_at=?8, started_at=?9, monitoring_at=?10, resolved_at=?11, "
                        "scheduled_for=?12, scheduled_until=?13, auto_in_progress=?14, auto_completed=?15, "
                        "remind_prior_minutes=?16, automated=?17 WHERE id=?1")
        );
        BindIncident(*s, i);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("incident " + i.id + " does not exist");
        return WriteComponentLinks(i);
    }

    Result<void> DeleteIncident(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM incidents WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("incident " + id + " does not exist");
        return {};
    }

    Result<void> InsertUpdate(const IncidentUpdate& u) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO incident_updates (id, incident_id, status, body, created_at, updated_at, "
                        "display_at, deliver_notifications, affected_components) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        );
        s->Bind(1, u.id).Bind(2, u.incident_id).Bind(3, domain::ToString(u.status)).Bind(4, u.body);
        s->Bind(5, ToMillis(u.created_at)).Bind(6, ToMillis(u.updated_at)).Bind(7, ToMillis(u.display_at));
        s->Bind(8, u.deliver_notifications).Bind(9, AffectedToJson(u.affected_components));
        return s->Exec();
    }

    Result<void> UpdateUpdate(const IncidentUpdate& u) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE incident_updates SET status=?3, body=?4, updated_at=?5, display_at=?6, "
                        "deliver_notifications=?7 WHERE id=?1 AND incident_id=?2")
        );
        s->Bind(1, u.id).Bind(2, u.incident_id).Bind(3, domain::ToString(u.status)).Bind(4, u.body);
        s->Bind(5, ToMillis(u.updated_at)).Bind(6, ToMillis(u.display_at)).Bind(7, u.deliver_notifications);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("update " + u.id + " does not exist");
        return {};
    }

    Result<void> DeleteUpdate(const std::string& incident_id, const std::string& update_id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM incident_updates WHERE id=?1 AND incident_id=?2"));
        s->Bind(1, update_id).Bind(2, incident_id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("update " + update_id + " does not exist");
        return {};
    }

    Result<void> EnqueueOutbox(const OutboxMessage& m) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO outbox (topic, idempotency_key, payload, created_at) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT (idempotency_key) DO NOTHING")
        );
        s->Bind(1, m.topic).Bind(2, m.idempotency_key).Bind(3, m.payload).Bind(4, ToMillis(m.created_at));
        return s->Exec();
    }

    Result<std::int64_t> CountOutbox() override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT COUNT(*) FROM outbox"));
        TOCSIN_ASSIGN(row, s->Step());
        std::int64_t n = row ? s->Int(0) : 0;
        s->Reset();
        return n;
    }

    Result<void> InsertToken(const ApiToken& t, const std::string& secret_hash) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO api_tokens (id, name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        );
        s->Bind(1, t.id).Bind(2, t.name).Bind(3, t.role).Bind(4, secret_hash).Bind(5, ToMillis(t.created_at));
        return s->Exec();
    }

    Result<std::optional<ApiToken>> FindTokenByHash(const std::string& secret_hash) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE secret_hash = ?1")
        );
        s->Bind(1, secret_hash);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<ApiToken>();
        ApiToken t{s->Text(0), s->Text(1), s->Text(2), FromMillis(s->Int(3)), OptTime(s->OptInt(4))};
        s->Reset();
        return std::optional<ApiToken>(std::move(t));
    }

    Result<std::vector<ApiToken>> ListTokens() override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, id")
        );
        std::vector<ApiToken> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ApiToken{s->Text(0), s->Text(1), s->Text(2), FromMillis(s->Int(3)), OptTime(s->OptInt(4))});
        }
        return out;
    }

    Result<void> RevokeToken(const std::string& id, TimePoint at) override {
        TOCSIN_ASSIGN(s, db_.Prepare("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"));
        s->Bind(1, id).Bind(2, ToMillis(at));
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("token " + id + " does not exist or is already revoked");
        return {};
    }

    Result<void> InsertUser(const User& u) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO users (id, email, name, role, password_hash, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        );
        s->Bind(1, u.id).Bind(2, u.email).Bind(3, u.name).Bind(4, u.role).Bind(5, u.password_hash);
        s->Bind(6, ToMillis(u.created_at));
        return s->Exec();
    }

    Result<std::optional<User>> FindUserByEmail(const std::string& email) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT id, email, name, role, password_hash, created_at FROM users WHERE email = ?1")
        );
        s->Bind(1, email);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<User>();
        User u{s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4), FromMillis(s->Int(5))};
        s->Reset();
        return std::optional<User>(std::move(u));
    }

private:
    static void BindComponent(Statement& s, const Component& c) {
        s.Bind(1, c.id).Bind(2, c.name).Bind(3, c.description).Bind(4, domain::ToString(c.status));
        s.Bind(5, c.is_group).BindOpt(6, c.group_id).Bind(7, c.position).Bind(8, c.showcase);
        s.Bind(9, c.only_show_if_degraded).Bind(10, ToMillis(c.created_at)).Bind(11, ToMillis(c.updated_at));
    }

    static void BindIncident(Statement& s, const Incident& i) {
        s.Bind(1, i.id).Bind(2, domain::ToString(i.kind)).Bind(3, i.name).Bind(4, domain::ToString(i.status));
        s.Bind(5, domain::ToString(i.impact));
        if (i.impact_override) {
            s.Bind(6, domain::ToString(*i.impact_override));
        } else {
            s.BindNull(6);
        }
        s.Bind(7, ToMillis(i.created_at)).Bind(8, ToMillis(i.updated_at)).Bind(9, ToMillis(i.started_at));
        s.BindOpt(10, OptMillis(i.monitoring_at)).BindOpt(11, OptMillis(i.resolved_at));
        s.BindOpt(12, OptMillis(i.scheduled_for)).BindOpt(13, OptMillis(i.scheduled_until));
        s.Bind(14, i.auto_in_progress).Bind(15, i.auto_completed).Bind(16, i.remind_prior_minutes);
        s.Bind(17, i.automated);
    }

    // Builds the WHERE clause; text binds come first, then the time binds in BindTimes order.
    static std::string Where(const IncidentFilter& f, std::vector<std::string>& binds) {
        std::vector<std::string> parts;
        if (f.kind) {
            parts.emplace_back("kind = ?");
            binds.emplace_back(domain::ToString(*f.kind));
        }
        if (!f.statuses.empty()) {
            std::string in = "status IN (";
            for (std::size_t i = 0; i < f.statuses.size(); ++i) {
                in += i ? ", ?" : "?";
                binds.emplace_back(domain::ToString(f.statuses[i]));
            }
            parts.push_back(in + ")");
        }
        if (!f.query.empty()) {
            parts.emplace_back("instr(lower(name), lower(?)) > 0");
            binds.push_back(f.query);
        }
        if (f.since) parts.emplace_back("started_at >= ?");
        if (f.until) parts.emplace_back("started_at < ?");
        if (parts.empty()) return {};
        std::string out = " WHERE ";
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " AND " : "") + parts[i];
        return out;
    }

    static void BindTimes(Statement& s, const IncidentFilter& f, int& idx) {
        if (f.since) s.Bind(idx++, ToMillis(*f.since));
        if (f.until) s.Bind(idx++, ToMillis(*f.until));
    }

    Result<void> LoadChildren(Incident& inc) {
        TOCSIN_ASSIGN(
            c,
            db_.Prepare("SELECT component_id FROM incident_components WHERE incident_id = ?1 ORDER BY position")
        );
        c->Bind(1, inc.id);
        while (true) {
            TOCSIN_ASSIGN(row, c->Step());
            if (!row) break;
            inc.component_ids.push_back(c->Text(0));
        }
        TOCSIN_ASSIGN(
            u,
            db_.Prepare("SELECT id, status, body, created_at, updated_at, display_at, deliver_notifications, "
                        "affected_components FROM incident_updates WHERE incident_id = ?1")
        );
        u->Bind(1, inc.id);
        while (true) {
            TOCSIN_ASSIGN(row, u->Step());
            if (!row) break;
            IncidentUpdate up;
            up.id = u->Text(0);
            up.incident_id = inc.id;
            up.status = domain::ParseIncidentStatus(u->Text(1)).value_or(inc.status);
            up.body = u->Text(2);
            up.created_at = FromMillis(u->Int(3));
            up.updated_at = FromMillis(u->Int(4));
            up.display_at = FromMillis(u->Int(5));
            up.deliver_notifications = u->Int(6) != 0;
            up.affected_components = AffectedFromJson(u->Text(7));
            inc.updates.push_back(std::move(up));
        }
        domain::SortUpdatesNewestFirst(inc.updates);
        return {};
    }

    Result<void> WriteComponentLinks(const Incident& i) {
        TOCSIN_ASSIGN(d, db_.Prepare("DELETE FROM incident_components WHERE incident_id = ?1"));
        d->Bind(1, i.id);
        TOCSIN_TRY(d->Exec());
        int pos = 0;
        for (const auto& cid : i.component_ids) {
            TOCSIN_ASSIGN(
                s,
                db_.Prepare("INSERT INTO incident_components (incident_id, component_id, position) VALUES (?1, ?2, ?3)")
            );
            s->Bind(1, i.id).Bind(2, cid).Bind(3, pos++);
            auto r = s->Exec();
            if (!r) {
                if (r.error().kind == ErrorKind::kConflict) {
                    return Error::Invalid("components", "component " + cid + " does not exist or is listed twice");
                }
                return r.error();
            }
        }
        return {};
    }

    Database& db_;
};

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Database> db, const Clock& clock) : db_(std::move(db)), clock_(clock) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const Clock& clock) {
    TOCSIN_ASSIGN(db, Database::Open(path));
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db), clock));
    TOCSIN_TRY(store->Migrate());
    return store;
}

Result<void> SqliteStore::Migrate() {
    std::lock_guard lock(mu_);
    TOCSIN_TRY(db_->ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)"
    ));
    TOCSIN_ASSIGN(q, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    TOCSIN_ASSIGN(row, q->Step());
    int current = row ? static_cast<int>(q->Int(0)) : 0;
    q->Reset();

    auto names = sqlite_migrations::Names();
    std::sort(names.begin(), names.end());
    int latest = 0;
    for (auto name : names) {
        // File names are NNNN_verb_object.sql; the number is the version.
        auto slash = name.rfind('/');
        std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
        int version = std::stoi(std::string(base.substr(0, 4)));
        latest = std::max(latest, version);
        if (version <= current) continue;
        std::string sql = "BEGIN IMMEDIATE;\n" + std::string(sqlite_migrations::Find(name)) +
                          "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                          std::to_string(version) + ", '" + std::string(base) + "', " +
                          std::to_string(ToMillis(clock_.Now())) + ");\nCOMMIT;";
        auto r = db_->ExecScript(sql);
        if (!r) {
            (void)db_->ExecScript("ROLLBACK");
            return Error::Internal("migration " + std::string(base) + " failed: " + r.error().message);
        }
        current = version;
    }
    if (current > latest) {
        return Error::Internal(
            "database schema version " + std::to_string(current) + " is newer than this binary (" +
            std::to_string(latest) + "); upgrade tocsin"
        );
    }
    schema_version_ = current;

    TOCSIN_ASSIGN(
        ins,
        db_->Prepare("INSERT OR IGNORE INTO page_settings (id, page_id, name, updated_at) VALUES (1, ?1, 'Status', ?2)")
    );
    ins->Bind(1, NewId()).Bind(2, ToMillis(clock_.Now()));
    return ins->Exec();
}

namespace {

// Rolls back unless committed, so a callback that throws (an HttpError from a handler,
// Result::value() on an error) cannot leave the connection inside a transaction, where
// every later BEGIN would fail.
class RollbackUnlessCommitted {
public:
    explicit RollbackUnlessCommitted(Database& db) : db_(db) {}
    ~RollbackUnlessCommitted() {
        if (!committed_) (void)db_.ExecScript("ROLLBACK");
    }
    RollbackUnlessCommitted(const RollbackUnlessCommitted&) = delete;
    RollbackUnlessCommitted& operator=(const RollbackUnlessCommitted&) = delete;

    Result<void> Commit() {
        auto c = db_.ExecScript("COMMIT");
        committed_ = c.has_value();
        return c;
    }

private:
    Database& db_;
    bool committed_ = false;
};

}  // namespace

Result<void> SqliteStore::RunTx(const char* begin, const std::function<Result<void>(Tx&)>& fn) {
    std::lock_guard lock(mu_);
    TOCSIN_TRY(db_->ExecScript(begin));
    RollbackUnlessCommitted guard(*db_);
    SqliteTx tx(*db_);
    auto r = fn(tx);
    if (!r) return r.error();
    return guard.Commit();
}

Result<void> SqliteStore::Write(const std::function<Result<void>(Tx&)>& fn) { return RunTx("BEGIN IMMEDIATE", fn); }

Result<void> SqliteStore::Read(const std::function<Result<void>(Tx&)>& fn) { return RunTx("BEGIN", fn); }

}  // namespace tocsin::store::sqlite
