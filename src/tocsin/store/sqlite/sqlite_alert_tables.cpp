#include "tocsin/store/sqlite/sqlite_alert_tables.hpp"

#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

#include <variant>

namespace tocsin::store::sqlite {
namespace {

namespace json = boost::json;
using Bindable = std::variant<std::string, std::int64_t>;

void BindAll(Statement& s, const std::vector<Bindable>& binds, int first = 1) {
    int i = first;
    for (const auto& b : binds) {
        if (const auto* str = std::get_if<std::string>(&b)) {
            s.Bind(i++, *str);
        } else {
            s.Bind(i++, std::get<std::int64_t>(b));
        }
    }
}

std::optional<std::int64_t> OptMs(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToMillis(*t);
}

std::optional<TimePoint> OptTp(const std::optional<std::int64_t>& ms) {
    if (!ms) return std::nullopt;
    return FromMillis(*ms);
}

std::string StringsJson(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return json::serialize(a);
}

std::vector<std::string> StringsParse(const std::string& text) {
    std::vector<std::string> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& i : v.as_array()) {
        if (i.is_string()) out.emplace_back(i.as_string().c_str());
    }
    return out;
}

std::string IntsJson(const std::vector<int>& v) {
    json::array a;
    for (int i : v) a.emplace_back(i);
    return json::serialize(a);
}

std::vector<int> IntsParse(const std::string& text) {
    std::vector<int> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& i : v.as_array()) {
        if (i.is_int64()) out.push_back(static_cast<int>(i.as_int64()));
    }
    return out;
}

// Labels keep their order: a JSON array of [name, value] pairs.
std::string LabelsJson(const std::vector<std::pair<std::string, std::string>>& labels) {
    json::array a;
    for (const auto& [k, v] : labels) a.push_back(json::array{json::string(k), json::string(v)});
    return json::serialize(a);
}

std::vector<std::pair<std::string, std::string>> LabelsParse(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& i : v.as_array()) {
        if (!i.is_array() || i.as_array().size() != 2) continue;
        const auto& p = i.as_array();
        if (p[0].is_string() && p[1].is_string()) out.emplace_back(p[0].as_string().c_str(), p[1].as_string().c_str());
    }
    return out;
}

std::string MatchersJson(const std::vector<alerts::LabelMatcher>& ms) {
    json::array a;
    for (const auto& m : ms) a.push_back(json::object{{"name", m.name}, {"value", m.value}, {"equal", m.equal}});
    return json::serialize(a);
}

std::vector<alerts::LabelMatcher> MatchersParse(const std::string& text) {
    std::vector<alerts::LabelMatcher> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return out;
    for (const auto& i : v.as_array()) {
        if (!i.is_object()) continue;
        const auto& o = i.as_object();
        alerts::LabelMatcher m;
        if (auto* p = o.if_contains("name"); p && p->is_string()) m.name = p->as_string().c_str();
        if (auto* p = o.if_contains("value"); p && p->is_string()) m.value = p->as_string().c_str();
        if (auto* p = o.if_contains("equal"); p && p->is_bool()) m.equal = p->as_bool();
        out.push_back(std::move(m));
    }
    return out;
}

constexpr const char* kServiceColumns =
    "id, name, description, team, urgency, group_window_seconds, group_labels, ack_timeout_seconds, created_at, "
    "updated_at";

constexpr const char* kKeyColumns =
    "id, service_id, name, dialect, prefix, mapping, created_at, rotated_at, revoked_at, last_used_at";

alerts::IntegrationKey ReadKey(const Statement& s) {
    alerts::IntegrationKey k;
    k.id = s.Text(0);
    k.service_id = s.Text(1);
    k.name = s.Text(2);
    k.dialect = alerts::ParseDialect(s.Text(3)).value_or(alerts::Dialect::kGeneric);
    k.prefix = s.Text(4);
    k.mapping_json = s.Text(5);
    k.created_at = FromMillis(s.Int(6));
    k.rotated_at = OptTp(s.OptInt(7));
    k.revoked_at = OptTp(s.OptInt(8));
    k.last_used_at = OptTp(s.OptInt(9));
    return k;
}

constexpr const char* kAlertColumns =
    "id, tiny_id, service_id, incident_id, integration_key_id, dialect, dedup_key, group_key, state, count, "
    "summary, description, source, entity, severity, priority, urgency, details, labels, tags, links, images, "
    "responders, silenced, snoozed_until, ack_expires_at, acknowledged_by, created_at, updated_at, last_event_at, "
    "acknowledged_at, resolved_at";

alerts::Alert ReadAlert(const Statement& s) {
    alerts::Alert a;
    a.id = s.Text(0);
    a.tiny_id = s.Int(1);
    a.service_id = s.Text(2);
    a.incident_id = s.Text(3);
    a.integration_key_id = s.Text(4);
    a.dialect = alerts::ParseDialect(s.Text(5)).value_or(alerts::Dialect::kGeneric);
    a.dedup_key = s.Text(6);
    a.group_key = s.Text(7);
    a.state = alerts::ParseAlertState(s.Text(8)).value_or(alerts::AlertState::kTriggered);
    a.count = s.Int(9);
    a.summary = s.Text(10);
    a.description = s.Text(11);
    a.source = s.Text(12);
    a.entity = s.Text(13);
    a.severity = s.Text(14);
    a.priority = static_cast<int>(s.Int(15));
    a.urgency = alerts::ParseUrgency(s.Text(16)).value_or(alerts::Urgency::kHigh);
    a.details_json = s.Text(17);
    a.labels = LabelsParse(s.Text(18));
    a.tags = StringsParse(s.Text(19));
    a.links_json = s.Text(20);
    a.images_json = s.Text(21);
    a.responders_json = s.Text(22);
    a.silenced = s.Int(23) != 0;
    a.snoozed_until = OptTp(s.OptInt(24));
    a.ack_expires_at = OptTp(s.OptInt(25));
    a.acknowledged_by = s.Text(26);
    a.created_at = FromMillis(s.Int(27));
    a.updated_at = FromMillis(s.Int(28));
    a.last_event_at = FromMillis(s.Int(29));
    a.acknowledged_at = OptTp(s.OptInt(30));
    a.resolved_at = OptTp(s.OptInt(31));
    return a;
}

// Binds every column of kAlertColumns in order (1..32).
void BindAlert(Statement& s, const alerts::Alert& a) {
    s.Bind(1, a.id).Bind(2, a.tiny_id).Bind(3, a.service_id).Bind(4, a.incident_id).Bind(5, a.integration_key_id);
    s.Bind(6, alerts::ToString(a.dialect)).Bind(7, a.dedup_key).Bind(8, a.group_key);
    s.Bind(9, alerts::ToString(a.state)).Bind(10, a.count).Bind(11, a.summary).Bind(12, a.description);
    s.Bind(13, a.source).Bind(14, a.entity).Bind(15, a.severity).Bind(16, a.priority);
    s.Bind(17, alerts::ToString(a.urgency)).Bind(18, a.details_json.empty() ? std::string("{}") : a.details_json);
    s.Bind(19, LabelsJson(a.labels)).Bind(20, StringsJson(a.tags));
    s.Bind(21, a.links_json.empty() ? std::string("[]") : a.links_json);
    s.Bind(22, a.images_json.empty() ? std::string("[]") : a.images_json);
    s.Bind(23, a.responders_json.empty() ? std::string("[]") : a.responders_json).Bind(24, a.silenced);
    s.BindOpt(25, OptMs(a.snoozed_until)).BindOpt(26, OptMs(a.ack_expires_at)).Bind(27, a.acknowledged_by);
    s.Bind(28, ToMillis(a.created_at)).Bind(29, ToMillis(a.updated_at)).Bind(30, ToMillis(a.last_event_at));
    s.BindOpt(31, OptMs(a.acknowledged_at)).BindOpt(32, OptMs(a.resolved_at));
}

constexpr const char* kIncidentColumns =
    "id, number, service_id, group_key, title, state, urgency, alert_count, open_count, silenced, created_at, "
    "updated_at, last_alert_at, acknowledged_at, resolved_at, merged_into";

alerts::AlertIncident ReadIncident(const Statement& s) {
    alerts::AlertIncident i;
    i.id = s.Text(0);
    i.number = s.Int(1);
    i.service_id = s.Text(2);
    i.group_key = s.Text(3);
    i.title = s.Text(4);
    i.state = alerts::ParseAlertState(s.Text(5)).value_or(alerts::AlertState::kTriggered);
    i.urgency = alerts::ParseUrgency(s.Text(6)).value_or(alerts::Urgency::kHigh);
    i.alert_count = s.Int(7);
    i.open_count = s.Int(8);
    i.silenced = s.Int(9) != 0;
    i.created_at = FromMillis(s.Int(10));
    i.updated_at = FromMillis(s.Int(11));
    i.last_alert_at = FromMillis(s.Int(12));
    i.acknowledged_at = OptTp(s.OptInt(13));
    i.resolved_at = OptTp(s.OptInt(14));
    i.merged_into = s.Text(15);
    return i;
}

constexpr const char* kLogColumns = "seq, alert_id, incident_id, at, actor, dialect, action, text, data";

constexpr const char* kSilenceColumns =
    "id, service_id, matchers, comment, created_by, maintenance_id, starts_at, ends_at, weekly_days, start_minute, "
    "end_minute, created_at";

alerts::Silence ReadSilence(const Statement& s) {
    alerts::Silence x;
    x.id = s.Text(0);
    x.service_id = s.Text(1);
    x.matchers = MatchersParse(s.Text(2));
    x.comment = s.Text(3);
    x.created_by = s.Text(4);
    x.maintenance_id = s.Text(5);
    x.starts_at = FromMillis(s.Int(6));
    x.ends_at = OptTp(s.OptInt(7));
    x.weekly_days = IntsParse(s.Text(8));
    x.start_minute = static_cast<int>(s.Int(9));
    x.end_minute = static_cast<int>(s.Int(10));
    x.created_at = FromMillis(s.Int(11));
    return x;
}

void BindSilence(Statement& s, const alerts::Silence& x) {
    s.Bind(1, x.id).Bind(2, x.service_id).Bind(3, MatchersJson(x.matchers)).Bind(4, x.comment);
    s.Bind(5, x.created_by).Bind(6, x.maintenance_id).Bind(7, ToMillis(x.starts_at)).BindOpt(8, OptMs(x.ends_at));
    s.Bind(9, IntsJson(x.weekly_days)).Bind(10, x.start_minute).Bind(11, x.end_minute);
    s.Bind(12, ToMillis(x.created_at));
}

constexpr const char* kHeartbeatColumns =
    "id, integration_key_id, name, description, interval, interval_unit, enabled, expired, last_ping_at, "
    "created_at, updated_at, alerting";

alerts::Heartbeat ReadHeartbeat(const Statement& s) {
    alerts::Heartbeat h;
    h.id = s.Text(0);
    h.integration_key_id = s.Text(1);
    h.name = s.Text(2);
    h.description = s.Text(3);
    h.interval = static_cast<int>(s.Int(4));
    h.interval_unit = s.Text(5);
    h.enabled = s.Int(6) != 0;
    h.expired = s.Int(7) != 0;
    h.last_ping_at = OptTp(s.OptInt(8));
    h.created_at = FromMillis(s.Int(9));
    h.updated_at = FromMillis(s.Int(10));
    h.alerting_json = s.Text(11);
    return h;
}

alerts::Service ServiceFromRow(const Statement& s) {
    alerts::Service x;
    x.id = s.Text(0);
    x.name = s.Text(1);
    x.description = s.Text(2);
    x.team = s.Text(3);
    x.urgency = s.Text(4);
    x.grouping.window = std::chrono::seconds(s.Int(5));
    x.grouping.group_labels = StringsParse(s.Text(6));
    x.ack_timeout = std::chrono::seconds(s.Int(7));
    x.created_at = FromMillis(s.Int(8));
    x.updated_at = FromMillis(s.Int(9));
    return x;
}

}  // namespace

// ---- services ----

Result<std::vector<alerts::Service>> AlertTables::ListServices() {
    std::vector<alerts::Service> out;
    {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kServiceColumns + " FROM services ORDER BY name, id"));
        for (;;) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ServiceFromRow(*s));
        }
        s->Reset();
    }
    TOCSIN_ASSIGN(c, db_.Prepare("SELECT service_id, component_id FROM service_components ORDER BY component_id"));
    for (;;) {
        TOCSIN_ASSIGN(row, c->Step());
        if (!row) break;
        const std::string sid = c->Text(0);
        for (auto& x : out) {
            if (x.id == sid) x.component_ids.push_back(c->Text(1));
        }
    }
    c->Reset();
    return out;
}

Result<std::optional<alerts::Service>> AlertTables::GetService(const std::string& id) {
    // By primary key: the intake looks a service up for every request batch.
    std::optional<alerts::Service> out;
    {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kServiceColumns + " FROM services WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (row) out = ServiceFromRow(*s);
        s->Reset();
    }
    if (!out) return out;
    TOCSIN_ASSIGN(
        c, db_.Prepare("SELECT component_id FROM service_components WHERE service_id = ?1 ORDER BY component_id")
    );
    c->Bind(1, id);
    for (;;) {
        TOCSIN_ASSIGN(row, c->Step());
        if (!row) break;
        out->component_ids.push_back(c->Text(0));
    }
    c->Reset();
    return out;
}

Result<void> AlertTables::SaveServiceComponents(const alerts::Service& x) {
    {
        TOCSIN_ASSIGN(d, db_.Prepare("DELETE FROM service_components WHERE service_id = ?1"));
        d->Bind(1, x.id);
        TOCSIN_TRY(d->Exec());
    }
    for (const auto& cid : x.component_ids) {
        TOCSIN_ASSIGN(
            i, db_.Prepare("INSERT OR IGNORE INTO service_components (service_id, component_id) VALUES (?1, ?2)")
        );
        i->Bind(1, x.id).Bind(2, cid);
        TOCSIN_TRY(i->Exec());
    }
    return {};
}

Result<void> AlertTables::InsertService(const alerts::Service& x) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO services (") + kServiceColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        )
    );
    s->Bind(1, x.id).Bind(2, x.name).Bind(3, x.description).Bind(4, x.team).Bind(5, x.urgency);
    s->Bind(6, static_cast<std::int64_t>(x.grouping.window.count())).Bind(7, StringsJson(x.grouping.group_labels));
    s->Bind(8, static_cast<std::int64_t>(x.ack_timeout.count()));
    s->Bind(9, ToMillis(x.created_at)).Bind(10, ToMillis(x.updated_at));
    TOCSIN_TRY(s->Exec());
    return SaveServiceComponents(x);
}

Result<void> AlertTables::UpdateService(const alerts::Service& x) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE services SET name = ?2, description = ?3, team = ?4, urgency = ?5, "
                    "group_window_seconds = ?6, group_labels = ?7, ack_timeout_seconds = ?8, updated_at = ?9 "
                    "WHERE id = ?1")
    );
    s->Bind(1, x.id).Bind(2, x.name).Bind(3, x.description).Bind(4, x.team).Bind(5, x.urgency);
    s->Bind(6, static_cast<std::int64_t>(x.grouping.window.count())).Bind(7, StringsJson(x.grouping.group_labels));
    s->Bind(8, static_cast<std::int64_t>(x.ack_timeout.count())).Bind(9, ToMillis(x.updated_at));
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("service " + x.id + " does not exist");
    return SaveServiceComponents(x);
}

Result<void> AlertTables::DeleteService(const std::string& id) {
    // Alerts and incidents reference the service by value (no cascade for the log: it is
    // append-only and outlives the service).
    for (const char* sql :
         {"DELETE FROM alerts WHERE service_id = ?1",
          "DELETE FROM alert_incidents WHERE service_id = ?1",
          "DELETE FROM silences WHERE service_id = ?1"}) {
        TOCSIN_ASSIGN(d, db_.Prepare(sql));
        d->Bind(1, id);
        TOCSIN_TRY(d->Exec());
    }
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM services WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("service " + id + " does not exist");
    return {};
}

Result<std::vector<std::string>> AlertTables::ListServicesOfComponent(const std::string& component_id) {
    std::vector<std::string> out;
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT service_id FROM service_components WHERE component_id = ?1 ORDER BY 1"));
    s->Bind(1, component_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(s->Text(0));
    }
    s->Reset();
    return out;
}

// ---- integration keys ----

Result<void> AlertTables::InsertIntegrationKey(const alerts::IntegrationKey& k, const std::string& hash) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO integration_keys (id, service_id, name, dialect, secret_hash, prefix, mapping, "
                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    );
    s->Bind(1, k.id).Bind(2, k.service_id).Bind(3, k.name).Bind(4, alerts::ToString(k.dialect)).Bind(5, hash);
    s->Bind(6, k.prefix).Bind(7, k.mapping_json.empty() ? std::string("{}") : k.mapping_json);
    s->Bind(8, ToMillis(k.created_at));
    return s->Exec();
}

Result<std::optional<alerts::IntegrationKey>> AlertTables::GetIntegrationKey(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kKeyColumns + " FROM integration_keys WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<alerts::IntegrationKey> out;
    if (row) out = ReadKey(*s);
    s->Reset();
    return out;
}

Result<std::vector<alerts::IntegrationKey>> AlertTables::ListIntegrationKeys(const std::string& service_id) {
    std::vector<alerts::IntegrationKey> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kKeyColumns +
            " FROM integration_keys WHERE service_id = ?1 ORDER BY created_at, id"
        )
    );
    s->Bind(1, service_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadKey(*s));
    }
    s->Reset();
    return out;
}

Result<std::vector<ActiveIntegrationKey>> AlertTables::ListActiveIntegrationKeys() {
    std::vector<ActiveIntegrationKey> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kKeyColumns +
            ", secret_hash FROM integration_keys WHERE revoked_at IS NULL ORDER BY id"
        )
    );
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ActiveIntegrationKey{ReadKey(*s), s->Text(10)});
    }
    s->Reset();
    return out;
}

Result<void> AlertTables::RotateIntegrationKey(
    const std::string& id, const std::string& hash, const std::string& prefix, TimePoint at
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE integration_keys SET secret_hash = ?2, prefix = ?3, rotated_at = ?4 "
                    "WHERE id = ?1 AND revoked_at IS NULL")
    );
    s->Bind(1, id).Bind(2, hash).Bind(3, prefix).Bind(4, ToMillis(at));
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("integration key " + id + " does not exist or is revoked");
    return {};
}

Result<void> AlertTables::RevokeIntegrationKey(const std::string& id, TimePoint at) {
    TOCSIN_ASSIGN(s, db_.Prepare("UPDATE integration_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1"));
    s->Bind(1, id).Bind(2, ToMillis(at));
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("integration key " + id + " does not exist");
    return {};
}

Result<void> AlertTables::TouchIntegrationKey(const std::string& id, TimePoint at) {
    TOCSIN_ASSIGN(s, db_.Prepare("UPDATE integration_keys SET last_used_at = ?2 WHERE id = ?1"));
    s->Bind(1, id).Bind(2, ToMillis(at));
    return s->Exec();
}

// ---- alerts ----

Result<void> AlertTables::InsertAlert(const alerts::Alert& a) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO alerts (") + kAlertColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
            "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)"
        )
    );
    BindAlert(*s, a);
    return s->Exec();
}

Result<void> AlertTables::UpdateAlert(const alerts::Alert& a) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE alerts SET incident_id = ?4, integration_key_id = ?5, dialect = ?6, dedup_key = ?7, "
                    "group_key = ?8, state = ?9, count = ?10, summary = ?11, description = ?12, source = ?13, "
                    "entity = ?14, severity = ?15, priority = ?16, urgency = ?17, details = ?18, labels = ?19, "
                    "tags = ?20, links = ?21, images = ?22, responders = ?23, silenced = ?24, "
                    "snoozed_until = ?25, ack_expires_at = ?26, acknowledged_by = ?27, updated_at = ?29, "
                    "last_event_at = ?30, acknowledged_at = ?31, resolved_at = ?32 "
                    "WHERE id = ?1 AND tiny_id = ?2 AND service_id = ?3 AND created_at = ?28")
    );
    BindAlert(*s, a);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("alert " + a.id + " does not exist");
    return {};
}

Result<std::vector<alerts::Alert>> AlertTables::QueryAlerts(
    const std::string& where_sql, const std::vector<std::string>& binds, int limit
) {
    std::vector<alerts::Alert> out;
    std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts" + where_sql;
    if (limit > 0) sql += " LIMIT " + std::to_string(limit);
    TOCSIN_ASSIGN(s, db_.Prepare(sql));
    int i = 1;
    for (const auto& b : binds) s->Bind(i++, b);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadAlert(*s));
    }
    s->Reset();
    return out;
}

Result<std::optional<alerts::Alert>> AlertTables::GetAlert(const std::string& id) {
    TOCSIN_ASSIGN(v, QueryAlerts(" WHERE id = ?1", {id}, 1));
    if (v.empty()) return std::optional<alerts::Alert>();
    return std::optional<alerts::Alert>(std::move(v.front()));
}

Result<std::optional<alerts::Alert>> AlertTables::GetAlertByTinyId(std::int64_t tiny_id) {
    TOCSIN_ASSIGN(v, QueryAlerts(" WHERE tiny_id = CAST(?1 AS INTEGER)", {std::to_string(tiny_id)}, 1));
    if (v.empty()) return std::optional<alerts::Alert>();
    return std::optional<alerts::Alert>(std::move(v.front()));
}

Result<std::optional<alerts::Alert>> AlertTables::FindOpenAlert(
    const std::string& service_id, const std::string& dedup_key
) {
    TOCSIN_ASSIGN(v, QueryAlerts(std::string(" WHERE ") + kOpenAlertByDedupKey, {service_id, dedup_key}, 1));
    if (v.empty()) return std::optional<alerts::Alert>();
    return std::optional<alerts::Alert>(std::move(v.front()));
}

Result<std::optional<alerts::Alert>> AlertTables::FindLatestAlert(
    const std::string& service_id, const std::string& dedup_key
) {
    TOCSIN_ASSIGN(
        v, QueryAlerts(" WHERE service_id = ?1 AND dedup_key = ?2 ORDER BY tiny_id DESC", {service_id, dedup_key}, 1)
    );
    if (v.empty()) return std::optional<alerts::Alert>();
    return std::optional<alerts::Alert>(std::move(v.front()));
}

Result<std::vector<alerts::Alert>> AlertTables::ListAlerts(const AlertFilter& f) {
    std::string where;
    std::vector<Bindable> binds;
    auto add = [&](const std::string& cond, Bindable b) {
        where += where.empty() ? " WHERE " : " AND ";
        where += cond + std::to_string(binds.size() + 1);
        binds.push_back(std::move(b));
    };
    if (!f.service_id.empty()) add("service_id = ?", f.service_id);
    if (!f.incident_id.empty()) add("incident_id = ?", f.incident_id);
    if (!f.dedup_key.empty()) add("dedup_key = ?", f.dedup_key);
    if (f.state) add("state = ?", std::string(alerts::ToString(*f.state)));
    if (f.since) add("created_at >= ?", ToMillis(*f.since));
    if (f.before_tiny_id > 0) add("tiny_id < ?", f.before_tiny_id);
    if (f.open_only) where += std::string(where.empty() ? " WHERE " : " AND ") + "state != 'resolved'";
    std::vector<alerts::Alert> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kAlertColumns + " FROM alerts" + where + " ORDER BY tiny_id DESC LIMIT " +
            std::to_string(std::max(1, f.limit))
        )
    );
    BindAll(*s, binds);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadAlert(*s));
    }
    s->Reset();
    return out;
}

Result<std::int64_t> AlertTables::NextAlertTinyId() {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT COALESCE(MAX(tiny_id), 0) + 1 FROM alerts"));
    TOCSIN_ASSIGN(row, s->Step());
    std::int64_t n = row ? s->Int(0) : 1;
    s->Reset();
    return n;
}

Result<std::vector<alerts::Alert>> AlertTables::ListDueAlertTimers(TimePoint now, int limit) {
    // Two queries, each answered by its partial index (alerts_snoozed, alerts_ack_expiry); an
    // alert without a timer is in neither, so the intake's inserts do not touch them.
    const std::string ms = std::to_string(ToMillis(now));
    const int n = std::max(1, limit);
    TOCSIN_ASSIGN(
        snoozed,
        QueryAlerts(
            " WHERE snoozed_until IS NOT NULL AND state != 'resolved' AND snoozed_until <= " + ms + " ORDER BY tiny_id",
            {},
            n
        )
    );
    TOCSIN_ASSIGN(
        expired,
        QueryAlerts(
            " WHERE ack_expires_at IS NOT NULL AND state != 'resolved' AND ack_expires_at <= " + ms +
                " ORDER BY tiny_id",
            {},
            n
        )
    );
    for (auto& a : expired) {
        bool seen = false;
        for (const auto& b : snoozed) seen = seen || b.id == a.id;
        if (!seen) snoozed.push_back(std::move(a));
    }
    std::sort(snoozed.begin(), snoozed.end(), [](const auto& x, const auto& y) { return x.tiny_id < y.tiny_id; });
    if (snoozed.size() > static_cast<std::size_t>(n)) snoozed.resize(static_cast<std::size_t>(n));
    return snoozed;
}

Result<std::optional<AlertRepeat>> AlertTables::RepeatOpenAlert(
    const std::string& service_id, const std::string& dedup_key, TimePoint at
) {
    // Found through alerts_dedup_slot, then updated by rowid; sets only columns no index
    // covers, so a repeat rewrites the row and none of the alert's index entries. (One UPDATE
    // ... RETURNING would do both, but SQLite gathers RETURNING rows in a temporary table per
    // call: 8% of the intake's committing thread.)
    TOCSIN_ASSIGN(
        find,
        db_.Prepare(
            std::string("SELECT rowid, id, tiny_id, incident_id, count FROM alerts WHERE ") + kOpenAlertByDedupKey
        )
    );
    find->Bind(1, service_id).Bind(2, dedup_key);
    TOCSIN_ASSIGN(row, find->Step());
    if (!row) {
        find->Reset();
        return std::optional<AlertRepeat>{};
    }
    const std::int64_t rowid = find->Int(0);
    std::optional<AlertRepeat> out(std::in_place);
    out->id = find->Text(1);
    out->tiny_id = find->Int(2);
    out->incident_id = find->Text(3);
    out->count = find->Int(4) + 1;
    find->Reset();
    TOCSIN_ASSIGN(
        update, db_.Prepare("UPDATE alerts SET count = ?2, last_event_at = ?3, updated_at = ?3 WHERE rowid = ?1")
    );
    update->Bind(1, rowid).Bind(2, out->count).Bind(3, ToMillis(at));
    TOCSIN_TRY(update->Exec());
    return out;
}

// ---- alert incidents ----

Result<void> AlertTables::InsertAlertIncident(const alerts::AlertIncident& i, const std::string& label_signature) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO alert_incidents (") + kIncidentColumns +
            ", label_signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
            "?16, ?17)"
        )
    );
    s->Bind(1, i.id).Bind(2, i.number).Bind(3, i.service_id).Bind(4, i.group_key).Bind(5, i.title);
    s->Bind(6, alerts::ToString(i.state)).Bind(7, alerts::ToString(i.urgency)).Bind(8, i.alert_count);
    s->Bind(9, i.open_count).Bind(10, i.silenced).Bind(11, ToMillis(i.created_at)).Bind(12, ToMillis(i.updated_at));
    s->Bind(13, ToMillis(i.last_alert_at)).BindOpt(14, OptMs(i.acknowledged_at)).BindOpt(15, OptMs(i.resolved_at));
    s->Bind(16, i.merged_into).Bind(17, label_signature);
    return s->Exec();
}

Result<void> AlertTables::UpdateAlertIncident(const alerts::AlertIncident& i) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE alert_incidents SET title = ?2, state = ?3, urgency = ?4, alert_count = ?5, "
                    "open_count = ?6, silenced = ?7, updated_at = ?8, last_alert_at = ?9, acknowledged_at = ?10, "
                    "resolved_at = ?11, merged_into = ?12 WHERE id = ?1")
    );
    s->Bind(1, i.id).Bind(2, i.title).Bind(3, alerts::ToString(i.state)).Bind(4, alerts::ToString(i.urgency));
    s->Bind(5, i.alert_count).Bind(6, i.open_count).Bind(7, i.silenced).Bind(8, ToMillis(i.updated_at));
    s->Bind(9, ToMillis(i.last_alert_at)).BindOpt(10, OptMs(i.acknowledged_at)).BindOpt(11, OptMs(i.resolved_at));
    s->Bind(12, i.merged_into);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("alert incident " + i.id + " does not exist");
    return {};
}

Result<std::optional<alerts::AlertIncident>> AlertTables::GetAlertIncident(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kIncidentColumns + " FROM alert_incidents WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<alerts::AlertIncident> out;
    if (row) out = ReadIncident(*s);
    s->Reset();
    return out;
}

Result<std::vector<alerts::AlertIncident>> AlertTables::ListAlertIncidents(const AlertIncidentFilter& f) {
    std::string where;
    std::vector<Bindable> binds;
    auto add = [&](const std::string& cond, Bindable b) {
        where += where.empty() ? " WHERE " : " AND ";
        where += cond + std::to_string(binds.size() + 1);
        binds.push_back(std::move(b));
    };
    if (!f.service_id.empty()) add("service_id = ?", f.service_id);
    if (f.state) add("state = ?", std::string(alerts::ToString(*f.state)));
    if (f.since) add("created_at >= ?", ToMillis(*f.since));
    if (f.before_number > 0) add("number < ?", f.before_number);
    if (f.open_only) where += std::string(where.empty() ? " WHERE " : " AND ") + "state != 'resolved'";
    std::vector<alerts::AlertIncident> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kIncidentColumns + " FROM alert_incidents" + where +
            " ORDER BY number DESC LIMIT " + std::to_string(std::max(1, f.limit))
        )
    );
    BindAll(*s, binds);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadIncident(*s));
    }
    s->Reset();
    return out;
}

Result<std::vector<alerts::GroupCandidate>> AlertTables::ListGroupCandidates(const std::string& service_id) {
    std::vector<alerts::GroupCandidate> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT id, group_key, label_signature, last_alert_at FROM alert_incidents "
                    "WHERE service_id = ?1 AND state != 'resolved' ORDER BY number")
    );
    s->Bind(1, service_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(alerts::GroupCandidate{s->Text(0), s->Text(1), s->Text(2), FromMillis(s->Int(3))});
    }
    s->Reset();
    return out;
}

Result<std::int64_t> AlertTables::NextAlertIncidentNumber() {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT COALESCE(MAX(number), 0) + 1 FROM alert_incidents"));
    TOCSIN_ASSIGN(row, s->Step());
    std::int64_t n = row ? s->Int(0) : 1;
    s->Reset();
    return n;
}

Result<IncidentAlertCounts> AlertTables::CountIncidentAlerts(const std::string& incident_id) {
    IncidentAlertCounts c;
    TOCSIN_ASSIGN(
        s, db_.Prepare("SELECT state, silenced, COUNT(*) FROM alerts WHERE incident_id = ?1 GROUP BY state, silenced")
    );
    s->Bind(1, incident_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        const std::string state = s->Text(0);
        const std::int64_t n = s->Int(2);
        if (state == "triggered") c.triggered += n;
        if (state == "acknowledged") c.acknowledged += n;
        if (state == "resolved") c.resolved += n;
        if (state != "resolved" && s->Int(1) == 0) c.open_not_silenced += n;
    }
    s->Reset();
    return c;
}

Result<IncidentAlertPresence> AlertTables::ProbeIncidentAlerts(const std::string& incident_id) {
    IncidentAlertPresence p;
    // Each probe is one seek in alerts_incident_state (incident_id, state, silenced).
    auto exists = [&](const char* sql) -> Result<bool> {
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        s->Bind(1, incident_id);
        TOCSIN_ASSIGN(row, s->Step());
        s->Reset();
        return row;
    };
    TOCSIN_ASSIGN(t, exists("SELECT 1 FROM alerts WHERE incident_id = ?1 AND state = 'triggered' LIMIT 1"));
    TOCSIN_ASSIGN(a, exists("SELECT 1 FROM alerts WHERE incident_id = ?1 AND state = 'acknowledged' LIMIT 1"));
    TOCSIN_ASSIGN(
        u,
        exists(
            "SELECT 1 FROM alerts WHERE incident_id = ?1 AND state IN ('triggered', 'acknowledged') AND silenced = 0 "
            "LIMIT 1"
        )
    );
    p.triggered = t;
    p.acknowledged = a;
    p.open_not_silenced = u;
    return p;
}

// ---- log ----

Result<std::int64_t> AlertTables::InsertAlertLog(const alerts::AlertLogEntry& e) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO alert_log (alert_id, incident_id, at, actor, dialect, action, text, data) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    );
    s->Bind(1, e.alert_id).Bind(2, e.incident_id).Bind(3, ToMillis(e.at)).Bind(4, e.actor).Bind(5, e.dialect);
    s->Bind(6, e.action).Bind(7, e.text).Bind(8, e.data_json.empty() ? std::string("{}") : e.data_json);
    TOCSIN_TRY(s->Exec());
    return db_.LastInsertRowId();
}

Result<std::vector<alerts::AlertLogEntry>> AlertTables::ListAlertLog(
    const std::string& alert_id, const std::string& incident_id, int limit
) {
    std::vector<alerts::AlertLogEntry> out;
    std::string sql = std::string("SELECT ") + kLogColumns + " FROM alert_log WHERE ";
    sql += alert_id.empty() ? "incident_id = ?1 OR alert_id IN (SELECT id FROM alerts WHERE incident_id = ?1)"
                            : "alert_id = ?1";
    sql += " ORDER BY seq LIMIT " + std::to_string(std::max(1, limit));
    TOCSIN_ASSIGN(s, db_.Prepare(sql));
    s->Bind(1, alert_id.empty() ? incident_id : alert_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        alerts::AlertLogEntry e;
        e.seq = s->Int(0);
        e.alert_id = s->Text(1);
        e.incident_id = s->Text(2);
        e.at = FromMillis(s->Int(3));
        e.actor = s->Text(4);
        e.dialect = s->Text(5);
        e.action = s->Text(6);
        e.text = s->Text(7);
        e.data_json = s->Text(8);
        out.push_back(std::move(e));
    }
    s->Reset();
    return out;
}

// ---- change events ----

Result<void> AlertTables::InsertChangeEvent(const alerts::ChangeEvent& e) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO change_events (id, service_id, integration_key_id, summary, source, details, "
                    "links, occurred_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
    );
    s->Bind(1, e.id).Bind(2, e.service_id).Bind(3, e.integration_key_id).Bind(4, e.summary).Bind(5, e.source);
    s->Bind(6, e.details_json.empty() ? std::string("{}") : e.details_json);
    s->Bind(7, e.links_json.empty() ? std::string("[]") : e.links_json);
    s->Bind(8, ToMillis(e.occurred_at)).Bind(9, ToMillis(e.created_at));
    return s->Exec();
}

Result<std::vector<alerts::ChangeEvent>> AlertTables::ListChangeEvents(const std::string& service_id, int limit) {
    std::vector<alerts::ChangeEvent> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT id, service_id, integration_key_id, summary, source, details, links, occurred_at, "
                    "created_at FROM change_events WHERE service_id = ?1 ORDER BY occurred_at DESC, id LIMIT ?2")
    );
    s->Bind(1, service_id).Bind(2, std::max(1, limit));
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(alerts::ChangeEvent{
            s->Text(0),
            s->Text(1),
            s->Text(2),
            s->Text(3),
            s->Text(4),
            s->Text(5),
            s->Text(6),
            FromMillis(s->Int(7)),
            FromMillis(s->Int(8))});
    }
    s->Reset();
    return out;
}

// ---- Opsgenie request records ----

Result<void> AlertTables::SaveIntakeRequest(const alerts::IntakeRequestRecord& r) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT OR REPLACE INTO intake_requests (id, integration_key_id, action, success, status, "
                    "alert_id, alias, processed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
    );
    s->Bind(1, r.id).Bind(2, r.integration_key_id).Bind(3, r.action).Bind(4, r.success).Bind(5, r.status);
    s->Bind(6, r.alert_id).Bind(7, r.alias).Bind(8, ToMillis(r.processed_at));
    return s->Exec();
}

Result<std::optional<alerts::IntakeRequestRecord>> AlertTables::GetIntakeRequest(const std::string& id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT id, integration_key_id, action, success, status, alert_id, alias, processed_at "
                    "FROM intake_requests WHERE id = ?1")
    );
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<alerts::IntakeRequestRecord> out;
    if (row) {
        out = alerts::IntakeRequestRecord{
            s->Text(0),
            s->Text(1),
            s->Text(2),
            s->Int(3) != 0,
            s->Text(4),
            s->Text(5),
            s->Text(6),
            FromMillis(s->Int(7))};
    }
    s->Reset();
    return out;
}

Result<std::int64_t> AlertTables::DeleteIntakeRequestsBefore(TimePoint before) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM intake_requests WHERE processed_at < ?1"));
    s->Bind(1, ToMillis(before));
    TOCSIN_TRY(s->Exec());
    return static_cast<std::int64_t>(s->Changes());
}

// ---- silences ----

Result<std::vector<alerts::Silence>> AlertTables::ListSilences() {
    std::vector<alerts::Silence> out;
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kSilenceColumns + " FROM silences ORDER BY starts_at, id"));
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadSilence(*s));
    }
    s->Reset();
    return out;
}

Result<std::optional<alerts::Silence>> AlertTables::GetSilence(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kSilenceColumns + " FROM silences WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<alerts::Silence> out;
    if (row) out = ReadSilence(*s);
    s->Reset();
    return out;
}

Result<void> AlertTables::InsertSilence(const alerts::Silence& x) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO silences (") + kSilenceColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        )
    );
    BindSilence(*s, x);
    return s->Exec();
}

Result<void> AlertTables::UpdateSilence(const alerts::Silence& x) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE silences SET service_id = ?2, matchers = ?3, comment = ?4, created_by = ?5, "
                    "maintenance_id = ?6, starts_at = ?7, ends_at = ?8, weekly_days = ?9, start_minute = ?10, "
                    "end_minute = ?11 WHERE id = ?1 AND ?12 = ?12")
    );
    BindSilence(*s, x);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("silence " + x.id + " does not exist");
    return {};
}

Result<void> AlertTables::DeleteSilence(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM silences WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("silence " + id + " does not exist");
    return {};
}

// ---- severity map ----

Result<alerts::SeverityTable> AlertTables::GetSeverityMap() {
    std::vector<alerts::SeverityRow> rows;
    TOCSIN_ASSIGN(
        s, db_.Prepare("SELECT severity, priorities, label_values, urgency FROM severity_map ORDER BY position")
    );
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        rows.push_back(alerts::SeverityRow{
            s->Text(0),
            IntsParse(s->Text(1)),
            StringsParse(s->Text(2)),
            alerts::ParseUrgency(s->Text(3)).value_or(alerts::Urgency::kHigh)});
    }
    s->Reset();
    auto t = alerts::SeverityTable::FromRows(std::move(rows));
    if (!t) return alerts::SeverityTable::Default();  // unreadable rows: the built-in table
    return std::move(*t);
}

Result<void> AlertTables::SaveSeverityMap(const alerts::SeverityTable& t) {
    {
        TOCSIN_ASSIGN(d, db_.Prepare("DELETE FROM severity_map"));
        TOCSIN_TRY(d->Exec());
    }
    std::int64_t pos = 0;
    for (const auto& r : t.Rows()) {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO severity_map (severity, position, priorities, label_values, urgency) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)")
        );
        s->Bind(1, r.severity).Bind(2, pos++).Bind(3, IntsJson(r.priorities)).Bind(4, StringsJson(r.label_values));
        s->Bind(5, alerts::ToString(r.urgency));
        TOCSIN_TRY(s->Exec());
    }
    return {};
}

// ---- heartbeats ----

Result<void> AlertTables::InsertHeartbeat(const alerts::Heartbeat& h) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO heartbeats (") + kHeartbeatColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        )
    );
    s->Bind(1, h.id).Bind(2, h.integration_key_id).Bind(3, h.name).Bind(4, h.description).Bind(5, h.interval);
    s->Bind(6, h.interval_unit).Bind(7, h.enabled).Bind(8, h.expired).BindOpt(9, OptMs(h.last_ping_at));
    s->Bind(10, ToMillis(h.created_at)).Bind(11, ToMillis(h.updated_at)).Bind(12, h.alerting_json);
    return s->Exec();
}

Result<std::optional<alerts::Heartbeat>> AlertTables::GetHeartbeat(
    const std::string& integration_key_id, const std::string& name
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kHeartbeatColumns + " FROM heartbeats WHERE integration_key_id = ?1 AND name = ?2"
        )
    );
    s->Bind(1, integration_key_id).Bind(2, name);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<alerts::Heartbeat> out;
    if (row) out = ReadHeartbeat(*s);
    s->Reset();
    return out;
}

Result<std::vector<alerts::Heartbeat>> AlertTables::ListHeartbeats(const std::string& integration_key_id) {
    std::vector<alerts::Heartbeat> out;
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kHeartbeatColumns +
            " FROM heartbeats WHERE ?1 = '' OR integration_key_id = ?1 ORDER BY name, id"
        )
    );
    s->Bind(1, integration_key_id);
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadHeartbeat(*s));
    }
    s->Reset();
    return out;
}

Result<void> AlertTables::UpdateHeartbeat(const alerts::Heartbeat& h) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE heartbeats SET name = ?2, description = ?3, interval = ?4, interval_unit = ?5, "
                    "enabled = ?6, expired = ?7, last_ping_at = ?8, updated_at = ?9, alerting = ?10 WHERE id = ?1")
    );
    s->Bind(1, h.id).Bind(2, h.name).Bind(3, h.description).Bind(4, h.interval).Bind(5, h.interval_unit);
    s->Bind(6, h.enabled).Bind(7, h.expired).BindOpt(8, OptMs(h.last_ping_at)).Bind(9, ToMillis(h.updated_at));
    s->Bind(10, h.alerting_json);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("heartbeat " + h.id + " does not exist");
    return {};
}

Result<void> AlertTables::DeleteHeartbeat(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM heartbeats WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("heartbeat " + id + " does not exist");
    return {};
}

}  // namespace tocsin::store::sqlite
