#include "tocsin/store/sqlite/sqlite_store.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/monitor/monitor_json.hpp"
#include "tocsin/store/sqlite/sqlite_alert_tables.hpp"
#include "tocsin/store/sqlite/sqlite_checkpointer.hpp"
#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/sqlite/sqlite_escalation_tables.hpp"
#include "tocsin/store/sqlite/sqlite_people_tables.hpp"
#include "tocsin/store/sqlite/sqlite_schedule_tables.hpp"
#include "tocsin/store/sqlite/sqlite_wal_vfs.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>
#include <set>
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

constexpr const char* kOutboxColumns = "seq, topic, idempotency_key, payload, created_at, fanout_cursor, dispatched_at";

constexpr const char* kSubscriberColumns = "id, channel, target, secret, language, confirmed_at, created_at, source";

constexpr const char* kDeliveryColumns =
    "id, idempotency_key, outbox_seq, subscriber_id, channel, state, attempts, next_attempt_at, last_error, "
    "created_at, sent_at";

}  // namespace

const std::string& queries::DueDeliveries() {
    static const std::string sql = std::string("SELECT ") + kDeliveryColumns +
                                   " FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ?1 "
                                   "ORDER BY next_attempt_at, id LIMIT ?2";
    return sql;
}

const std::string& queries::UndispatchedOutbox() {
    static const std::string sql =
        std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE dispatched_at IS NULL ORDER BY seq LIMIT ?1";
    return sql;
}

namespace {

int OutcomeCode(monitor::Outcome o) {
    return static_cast<int>(o);
}
monitor::Outcome OutcomeFromCode(std::int64_t c) {
    return c == 1 ? monitor::Outcome::kDegraded : c == 2 ? monitor::Outcome::kDown : monitor::Outcome::kUp;
}
std::optional<std::int64_t> OptMicros(const std::optional<std::chrono::microseconds>& d) {
    if (!d) return std::nullopt;
    return d->count();
}
std::optional<std::chrono::microseconds> MicrosOpt(const std::optional<std::int64_t>& v) {
    if (!v) return std::nullopt;
    return std::chrono::microseconds(*v);
}

class SqliteTx final : public Tx {
public:
    SqliteTx(Database& db, const Clock& clock) : db_(db), clock_(clock), alerts_(db) {}

    // Alert intake: sqlite_alert_tables.cpp.
    Result<IncidentAlertCounts> CountIncidentAlerts(const std::string& incident_id) override {
        return alerts_.CountIncidentAlerts(incident_id);
    }
    Result<std::optional<AlertRepeat>> RepeatOpenAlert(
        const std::string& service_id, const std::string& dedup_key, TimePoint at
    ) override {
        return alerts_.RepeatOpenAlert(service_id, dedup_key, at);
    }
    Result<IncidentAlertPresence> ProbeIncidentAlerts(const std::string& incident_id) override {
        return alerts_.ProbeIncidentAlerts(incident_id);
    }
    Result<std::vector<alerts::Service>> ListServices() override { return alerts_.ListServices(); }
    Result<std::optional<alerts::Service>> GetService(const std::string& id) override { return alerts_.GetService(id); }
    Result<void> InsertService(const alerts::Service& s) override { return alerts_.InsertService(s); }
    Result<void> UpdateService(const alerts::Service& s) override { return alerts_.UpdateService(s); }
    Result<void> DeleteService(const std::string& id) override { return alerts_.DeleteService(id); }
    Result<std::vector<std::string>> ListServicesOfComponent(const std::string& component_id) override {
        return alerts_.ListServicesOfComponent(component_id);
    }
    Result<void> InsertIntegrationKey(const alerts::IntegrationKey& k, const std::string& hash) override {
        return alerts_.InsertIntegrationKey(k, hash);
    }
    Result<std::optional<alerts::IntegrationKey>> GetIntegrationKey(const std::string& id) override {
        return alerts_.GetIntegrationKey(id);
    }
    Result<std::vector<alerts::IntegrationKey>> ListIntegrationKeys(const std::string& service_id) override {
        return alerts_.ListIntegrationKeys(service_id);
    }
    Result<std::vector<ActiveIntegrationKey>> ListActiveIntegrationKeys() override {
        return alerts_.ListActiveIntegrationKeys();
    }
    Result<void> RotateIntegrationKey(
        const std::string& id, const std::string& hash, const std::string& prefix, TimePoint at
    ) override {
        return alerts_.RotateIntegrationKey(id, hash, prefix, at);
    }
    Result<void> RevokeIntegrationKey(const std::string& id, TimePoint at) override {
        return alerts_.RevokeIntegrationKey(id, at);
    }
    Result<void> TouchIntegrationKey(const std::string& id, TimePoint at) override {
        return alerts_.TouchIntegrationKey(id, at);
    }
    Result<void> InsertAlert(const alerts::Alert& a) override { return alerts_.InsertAlert(a); }
    Result<void> UpdateAlert(const alerts::Alert& a) override { return alerts_.UpdateAlert(a); }
    Result<std::optional<alerts::Alert>> GetAlert(const std::string& id) override { return alerts_.GetAlert(id); }
    Result<std::optional<alerts::Alert>> GetAlertByTinyId(std::int64_t tiny_id) override {
        return alerts_.GetAlertByTinyId(tiny_id);
    }
    Result<std::optional<alerts::Alert>> FindOpenAlert(const std::string& service_id, const std::string& dedup_key)
        override {
        return alerts_.FindOpenAlert(service_id, dedup_key);
    }
    Result<std::optional<alerts::Alert>> FindLatestAlert(const std::string& service_id, const std::string& dedup_key)
        override {
        return alerts_.FindLatestAlert(service_id, dedup_key);
    }
    Result<std::vector<alerts::Alert>> ListAlerts(const AlertFilter& f) override { return alerts_.ListAlerts(f); }
    Result<std::int64_t> NextAlertTinyId() override { return alerts_.NextAlertTinyId(); }
    Result<std::vector<alerts::Alert>> ListDueAlertTimers(TimePoint now, int limit) override {
        return alerts_.ListDueAlertTimers(now, limit);
    }
    Result<void> InsertAlertIncident(const alerts::AlertIncident& i, const std::string& label_signature) override {
        return alerts_.InsertAlertIncident(i, label_signature);
    }
    Result<void> UpdateAlertIncident(const alerts::AlertIncident& i) override { return alerts_.UpdateAlertIncident(i); }
    Result<std::optional<alerts::AlertIncident>> GetAlertIncident(const std::string& id) override {
        return alerts_.GetAlertIncident(id);
    }
    Result<std::vector<alerts::AlertIncident>> ListAlertIncidents(const AlertIncidentFilter& f) override {
        return alerts_.ListAlertIncidents(f);
    }
    Result<std::vector<alerts::GroupCandidate>> ListGroupCandidates(const std::string& service_id) override {
        return alerts_.ListGroupCandidates(service_id);
    }
    Result<std::int64_t> NextAlertIncidentNumber() override { return alerts_.NextAlertIncidentNumber(); }
    Result<std::int64_t> InsertAlertLog(const alerts::AlertLogEntry& e) override { return alerts_.InsertAlertLog(e); }
    Result<std::vector<alerts::AlertLogEntry>> ListAlertLog(
        const std::string& alert_id, const std::string& incident_id, int limit
    ) override {
        return alerts_.ListAlertLog(alert_id, incident_id, limit);
    }
    Result<void> InsertChangeEvent(const alerts::ChangeEvent& e) override { return alerts_.InsertChangeEvent(e); }
    Result<std::vector<alerts::ChangeEvent>> ListChangeEvents(const std::string& service_id, int limit) override {
        return alerts_.ListChangeEvents(service_id, limit);
    }
    Result<void> SaveIntakeRequest(const alerts::IntakeRequestRecord& r) override {
        return alerts_.SaveIntakeRequest(r);
    }
    Result<std::optional<alerts::IntakeRequestRecord>> GetIntakeRequest(const std::string& id) override {
        return alerts_.GetIntakeRequest(id);
    }
    Result<std::int64_t> DeleteIntakeRequestsBefore(TimePoint before) override {
        return alerts_.DeleteIntakeRequestsBefore(before);
    }
    Result<std::vector<alerts::Silence>> ListSilences() override { return alerts_.ListSilences(); }
    Result<std::optional<alerts::Silence>> GetSilence(const std::string& id) override { return alerts_.GetSilence(id); }
    Result<void> InsertSilence(const alerts::Silence& s) override { return alerts_.InsertSilence(s); }
    Result<void> UpdateSilence(const alerts::Silence& s) override { return alerts_.UpdateSilence(s); }
    Result<void> DeleteSilence(const std::string& id) override { return alerts_.DeleteSilence(id); }
    Result<alerts::SeverityTable> GetSeverityMap() override { return alerts_.GetSeverityMap(); }
    Result<void> SaveSeverityMap(const alerts::SeverityTable& t) override { return alerts_.SaveSeverityMap(t); }
    Result<void> InsertHeartbeat(const alerts::Heartbeat& h) override { return alerts_.InsertHeartbeat(h); }
    Result<std::optional<alerts::Heartbeat>> GetHeartbeat(
        const std::string& integration_key_id, const std::string& name
    ) override {
        return alerts_.GetHeartbeat(integration_key_id, name);
    }
    Result<std::vector<alerts::Heartbeat>> ListHeartbeats(const std::string& integration_key_id) override {
        return alerts_.ListHeartbeats(integration_key_id);
    }
    Result<void> UpdateHeartbeat(const alerts::Heartbeat& h) override { return alerts_.UpdateHeartbeat(h); }
    Result<void> DeleteHeartbeat(const std::string& id) override { return alerts_.DeleteHeartbeat(id); }

    // ---- Escalation (ESC; sqlite_escalation_tables.cpp). EscalationTables holds only the
    // Database reference, so one is made per call instead of another member.
    Result<std::vector<oncall::EscalationPolicy>> ListEscalationPolicies() override {
        return EscalationTables(db_).ListEscalationPolicies();
    }
    Result<std::optional<oncall::EscalationPolicy>> GetEscalationPolicy(const std::string& id) override {
        return EscalationTables(db_).GetEscalationPolicy(id);
    }
    Result<void> InsertEscalationPolicy(const oncall::EscalationPolicy& p) override {
        return EscalationTables(db_).InsertEscalationPolicy(p);
    }
    Result<void> UpdateEscalationPolicy(const oncall::EscalationPolicy& p) override {
        return EscalationTables(db_).UpdateEscalationPolicy(p);
    }
    Result<void> DeleteEscalationPolicy(const std::string& id) override {
        return EscalationTables(db_).DeleteEscalationPolicy(id);
    }
    Result<std::optional<ServiceEscalation>> GetServiceEscalation(const std::string& service_id) override {
        return EscalationTables(db_).GetServiceEscalation(service_id);
    }
    Result<void> SetServiceEscalation(const std::string& service_id, const ServiceEscalation& e) override {
        return EscalationTables(db_).SetServiceEscalation(service_id, e);
    }
    Result<void> InsertIncidentEscalation(const IncidentEscalation& e) override {
        return EscalationTables(db_).InsertIncidentEscalation(e);
    }
    Result<std::optional<IncidentEscalation>> GetIncidentEscalation(const std::string& incident_id) override {
        return EscalationTables(db_).GetIncidentEscalation(incident_id);
    }
    Result<void> UpdateIncidentEscalation(const IncidentEscalation& e) override {
        return EscalationTables(db_).UpdateIncidentEscalation(e);
    }
    Result<std::vector<std::pair<IncidentEscalation, TimePoint>>> ListReescalationDue(TimePoint now, int limit)
        override {
        return EscalationTables(db_).ListReescalationDue(now, limit);
    }
    Result<bool> InsertEscalationTimer(const EscalationTimer& t) override {
        return EscalationTables(db_).InsertEscalationTimer(t);
    }
    Result<std::vector<EscalationTimer>> ListDueEscalationTimers(TimePoint now, int limit) override {
        return EscalationTables(db_).ListDueEscalationTimers(now, limit);
    }
    Result<bool> CompleteEscalationTimer(const std::string& id, const std::string& outcome) override {
        return EscalationTables(db_).CompleteEscalationTimer(id, outcome);
    }
    Result<std::vector<EscalationTimer>> ListEscalationTimers(const std::string& incident_id) override {
        return EscalationTables(db_).ListEscalationTimers(incident_id);
    }
    Result<void> InsertNotificationAttempt(const NotificationAttempt& a) override {
        return EscalationTables(db_).InsertNotificationAttempt(a);
    }
    Result<void> UpdateNotificationAttempt(const NotificationAttempt& a) override {
        return EscalationTables(db_).UpdateNotificationAttempt(a);
    }
    Result<std::optional<NotificationAttempt>> GetNotificationAttempt(const std::string& id) override {
        return EscalationTables(db_).GetNotificationAttempt(id);
    }
    Result<std::vector<NotificationAttempt>> ListNotificationAttempts(const NotificationAttemptFilter& f) override {
        return EscalationTables(db_).ListNotificationAttempts(f);
    }
    Result<std::vector<std::string>> ListQueuedContactMethods(int limit) override {
        return EscalationTables(db_).ListQueuedContactMethods(limit);
    }
    Result<std::optional<NotificationAttempt>> FindAttemptByReply(
        const std::string& address, const std::string& reply_code, TimePoint since
    ) override {
        return EscalationTables(db_).FindAttemptByReply(address, reply_code, since);
    }
    Result<bool> UseEscalationToken(const std::string& token_hash, TimePoint at) override {
        return EscalationTables(db_).UseEscalationToken(token_hash, at);
    }
    Result<std::vector<std::string>> ListHeldBackIncidents(int limit) override {
        return EscalationTables(db_).ListHeldBackIncidents(limit);
    }
    Result<bool> IncidentSnoozedAt(const std::string& incident_id, TimePoint now) override {
        return EscalationTables(db_).IncidentSnoozedAt(incident_id, now);
    }
    Result<bool> InsertNotificationRetry(const NotificationRetry& r) override {
        return EscalationTables(db_).InsertNotificationRetry(r);
    }
    Result<std::vector<NotificationRetry>> ListDueNotificationRetries(TimePoint now, int limit) override {
        return EscalationTables(db_).ListDueNotificationRetries(now, limit);
    }
    Result<bool> CompleteNotificationRetry(const std::string& attempt_id, const std::string& retry_attempt_id)
        override {
        return EscalationTables(db_).CompleteNotificationRetry(attempt_id, retry_attempt_id);
    }
    Result<std::optional<NotificationRetry>> FindRetryQueuing(const std::string& retry_attempt_id) override {
        return EscalationTables(db_).FindRetryQueuing(retry_attempt_id);
    }
    Result<bool> InsertHandoffNotice(const HandoffNotice& n) override {
        return EscalationTables(db_).InsertHandoffNotice(n);
    }
    Result<void> SetHandoffNoticeOutcome(const HandoffNotice& n) override {
        return EscalationTables(db_).SetHandoffNoticeOutcome(n);
    }
    Result<std::vector<HandoffNotice>> ListHandoffNotices(TimePoint since, int limit) override {
        return EscalationTables(db_).ListHandoffNotices(since, limit);
    }

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
            db_.Prepare(
                std::string("INSERT INTO components (") + kComponentColumns +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            )
        );
        BindComponent(*s, c);
        return s->Exec();
    }

    Result<void> UpdateComponent(const Component& c) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE components SET name=?2, description=?3, status=?4, is_group=?5, group_id=?6, "
                        "position=?7, showcase=?8, only_show_if_degraded=?9, created_at=?10, updated_at=?11 WHERE id=?1"
            )
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
            db_.Prepare(
                std::string("INSERT INTO incidents (") + kIncidentColumns +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
            )
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

    // --- outbox reading ---------------------------------------------------------------

    Result<std::vector<OutboxRow>> ListUndispatchedOutbox(int limit) override {
        TOCSIN_ASSIGN(s, db_.Prepare(queries::UndispatchedOutbox()));
        s->Bind(1, std::max(limit, 0));
        return ReadOutboxRows(*s);
    }

    Result<std::optional<OutboxRow>> GetOutbox(std::int64_t seq) override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE seq = ?1"));
        s->Bind(1, seq);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<OutboxRow>();
        auto o = ReadOutboxRow(*s);
        s->Reset();
        return std::optional<OutboxRow>(std::move(o));
    }

    Result<void> SaveFanoutCursor(std::int64_t seq, const std::string& after_subscriber_id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("UPDATE outbox SET fanout_cursor = ?2 WHERE seq = ?1"));
        s->Bind(1, seq).Bind(2, after_subscriber_id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("outbox message " + std::to_string(seq) + " does not exist");
        return {};
    }

    Result<void> MarkOutboxDispatched(std::int64_t seq, TimePoint at) override {
        // The first time counts: a repeated mark (a dispatcher that crashed before it knew
        // its commit landed) keeps it.
        TOCSIN_ASSIGN(s, db_.Prepare("UPDATE outbox SET dispatched_at = COALESCE(dispatched_at, ?2) WHERE seq = ?1"));
        s->Bind(1, seq).Bind(2, ToMillis(at));
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("outbox message " + std::to_string(seq) + " does not exist");
        return {};
    }

    Result<std::vector<OutboxRow>> ListOutbox(std::int64_t before_seq, int limit) override {
        // Two statements rather than "?1 = 0 OR seq < ?1", which would cost the rowid range.
        const std::string sql = std::string("SELECT ") + kOutboxColumns + " FROM outbox" +
                                (before_seq > 0 ? " WHERE seq < ?2" : "") + " ORDER BY seq DESC LIMIT ?1";
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        s->Bind(1, std::max(limit, 0));
        if (before_seq > 0) s->Bind(2, before_seq);
        return ReadOutboxRows(*s);
    }

    // --- subscribers ------------------------------------------------------------------

    Result<void> InsertSubscriber(const domain::Subscriber& sub) override {
        // Checked first for a clear message; the unique indexes stay the last word. One
        // writer at a time, so nothing can slip in between.
        TOCSIN_ASSIGN(existing, FindSubscriber(sub.channel, sub.target));
        if (existing) {
            return Error::Conflict(
                "a " + std::string(domain::ToString(sub.channel)) + " subscriber with this target already exists"
            );
        }
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO subscribers (id, channel, target, secret, language, confirmed_at, created_at, "
                        "source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        );
        s->Bind(1, sub.id).Bind(2, domain::ToString(sub.channel)).Bind(3, sub.target).Bind(4, sub.secret);
        s->Bind(5, sub.language).BindOpt(6, OptMillis(sub.confirmed_at)).Bind(7, ToMillis(sub.created_at));
        s->Bind(8, sub.source);
        auto r = s->Exec();
        if (!r) {
            if (r.error().kind == ErrorKind::kConflict) {
                return Error::Conflict("subscriber " + sub.id + " already exists");
            }
            return r.error();
        }
        return WriteSubscriberComponents(sub);
    }

    Result<std::optional<domain::Subscriber>> GetSubscriber(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kSubscriberColumns + " FROM subscribers WHERE id = ?1"));
        s->Bind(1, id);
        return OneSubscriber(*s);
    }

    Result<std::optional<domain::Subscriber>> FindSubscriber(domain::Channel channel, const std::string& target)
        override {
        // E-mail targets compare ignoring case, with the literal 'email' so that the partial
        // unique index serves the lookup.
        Statement* s = nullptr;
        if (channel == domain::Channel::kEmail) {
            TOCSIN_ASSIGN(
                p,
                db_.Prepare(
                    std::string("SELECT ") + kSubscriberColumns +
                    " FROM subscribers WHERE channel = 'email' AND target = ?1 COLLATE NOCASE"
                )
            );
            s = p;
            s->Bind(1, target);
        } else {
            TOCSIN_ASSIGN(
                p,
                db_.Prepare(
                    std::string("SELECT ") + kSubscriberColumns +
                    " FROM subscribers WHERE channel = ?2 AND channel <> 'email' AND target = ?1"
                )
            );
            s = p;
            s->Bind(1, target).Bind(2, domain::ToString(channel));
        }
        return OneSubscriber(*s);
    }

    Result<void> UpdateSubscriber(const domain::Subscriber& sub) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("UPDATE subscribers SET language = ?2, secret = ?3, confirmed_at = ?4 WHERE id = ?1")
        );
        s->Bind(1, sub.id).Bind(2, sub.language).Bind(3, sub.secret).BindOpt(4, OptMillis(sub.confirmed_at));
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("subscriber " + sub.id + " does not exist");
        return WriteSubscriberComponents(sub);
    }

    Result<void> DeleteSubscriber(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM subscribers WHERE id = ?1"));  // links cascade
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("subscriber " + id + " does not exist");
        TOCSIN_ASSIGN(d, db_.Prepare("DELETE FROM deliveries WHERE subscriber_id = ?1"));
        d->Bind(1, id);
        return d->Exec();
    }

    Result<std::vector<domain::Subscriber>> ListSubscribers(const SubscriberFilter& f) override {
        std::vector<std::string> binds{f.after_id};
        std::string sql = std::string("SELECT ") + kSubscriberColumns + " FROM subscribers WHERE id > ?";
        sql += SubscriberWhere(f, binds);
        sql += " ORDER BY id LIMIT ?";
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        int idx = 1;
        for (const auto& b : binds) s->Bind(idx++, b);
        s->Bind(idx, std::max(f.limit, 0));
        std::vector<domain::Subscriber> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ReadSubscriber(*s));
        }
        if (out.empty()) return out;

        // The component links of the whole page in one query.
        std::vector<std::string> ids;
        ids.reserve(out.size());
        for (const auto& sub : out) ids.push_back(sub.id);
        TOCSIN_ASSIGN(
            c,
            db_.Prepare("SELECT subscriber_id, component_id FROM subscriber_components "
                        "WHERE subscriber_id IN (SELECT value FROM json_each(?1)) ORDER BY subscriber_id, position")
        );
        c->Bind(1, StringsToJson(ids));
        std::size_t at = 0;  // both sides are ordered by subscriber id
        while (true) {
            TOCSIN_ASSIGN(row, c->Step());
            if (!row) break;
            std::string sid = c->Text(0);
            while (at < out.size() && out[at].id < sid) ++at;
            if (at < out.size() && out[at].id == sid) out[at].component_ids.push_back(c->Text(1));
        }
        return out;
    }

    /// Counts what ListSubscribers would page through: after_id and limit do not apply.
    Result<std::int64_t> CountSubscribers(const SubscriberFilter& f) override {
        std::vector<std::string> binds;
        std::string sql = "SELECT COUNT(*) FROM subscribers WHERE 1" + SubscriberWhere(f, binds);
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        int idx = 1;
        for (const auto& b : binds) s->Bind(idx++, b);
        TOCSIN_ASSIGN(row, s->Step());
        std::int64_t n = row ? s->Int(0) : 0;
        s->Reset();
        return n;
    }

    // --- deliveries -------------------------------------------------------------------

    Result<std::int64_t> InsertDeliveries(const std::vector<Delivery>& rows) override {
        // One cached statement for the whole batch; DO NOTHING on the idempotency key only,
        // so any other violation (a bad state or channel) is still an error.
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO deliveries (idempotency_key, outbox_seq, subscriber_id, channel, state, attempts, "
                        "next_attempt_at, last_error, created_at, sent_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (idempotency_key) DO NOTHING")
        );
        std::int64_t inserted = 0;
        for (const auto& d : rows) {
            s->Reset();
            s->Bind(1, d.idempotency_key).Bind(2, d.outbox_seq).Bind(3, d.subscriber_id);
            s->Bind(4, domain::ToString(d.channel)).Bind(5, ToString(d.state)).Bind(6, d.attempts);
            s->Bind(7, ToMillis(d.next_attempt_at)).Bind(8, d.last_error).Bind(9, ToMillis(d.created_at));
            s->BindOpt(10, OptMillis(d.sent_at));
            TOCSIN_TRY(s->Exec());
            inserted += s->Changes();
        }
        s->Reset();
        return inserted;
    }

    Result<std::vector<Delivery>> ListDueDeliveries(TimePoint now, int limit) override {
        TOCSIN_ASSIGN(s, db_.Prepare(queries::DueDeliveries()));
        s->Bind(1, ToMillis(now)).Bind(2, std::max(limit, 0));
        return ReadDeliveries(*s);
    }

    Result<std::optional<Delivery>> GetDelivery(std::int64_t id) override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<Delivery>();
        auto d = ReadDelivery(*s);
        s->Reset();
        return std::optional<Delivery>(std::move(d));
    }

    // A row that vanished while it was being sent (its subscriber was deleted) is no error
    // for the sender: failing here would roll back the marks of the rest of its batch.
    Result<void> MarkDeliverySent(std::int64_t id, int attempts, TimePoint at) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("UPDATE deliveries SET state = 'sent', attempts = ?2, sent_at = ?3 WHERE id = ?1")
        );
        s->Bind(1, id).Bind(2, attempts).Bind(3, ToMillis(at));
        return s->Exec();
    }

    Result<void> MarkDeliveryFailed(
        std::int64_t id, int attempts, TimePoint next_attempt_at, const std::string& error, bool dead
    ) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE deliveries SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5 "
                        "WHERE id = ?1")
        );
        s->Bind(1, id).Bind(2, ToString(dead ? DeliveryState::kDead : DeliveryState::kPending)).Bind(3, attempts);
        s->Bind(4, ToMillis(next_attempt_at)).Bind(5, error);
        return s->Exec();
    }

    Result<void> RetryDelivery(std::int64_t id, TimePoint at) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE deliveries SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1 AND state = 'dead'"
            )
        );
        s->Bind(1, id).Bind(2, ToMillis(at));
        TOCSIN_TRY(s->Exec());
        if (s->Changes() > 0) return {};
        TOCSIN_ASSIGN(d, GetDelivery(id));
        if (!d) return Error::NotFound("delivery " + std::to_string(id) + " does not exist");
        return Error::Conflict(
            "delivery " + std::to_string(id) + " is " + std::string(ToString(d->state)) +
            "; only a dead delivery can be retried"
        );
    }

    Result<std::vector<Delivery>> ListDeliveries(const DeliveryFilter& f) override {
        std::string sql = std::string("SELECT ") + kDeliveryColumns + " FROM deliveries WHERE id > ?1";
        if (f.state) sql += " AND state = ?2";
        if (f.outbox_seq) sql += " AND outbox_seq = ?3";
        if (!f.subscriber_id.empty()) sql += " AND subscriber_id = ?4";
        sql += " ORDER BY id LIMIT ?5";
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        s->Bind(1, f.after_id).Bind(5, std::max(f.limit, 0));
        if (f.state) s->Bind(2, ToString(*f.state));
        if (f.outbox_seq) s->Bind(3, *f.outbox_seq);
        if (!f.subscriber_id.empty()) s->Bind(4, f.subscriber_id);
        return ReadDeliveries(*s);
    }

    Result<DeliveryProgress> GetDeliveryProgress(std::int64_t outbox_seq) override {
        constexpr const char* kCounts =
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'sent'), 0), "
            "COALESCE(SUM(state = 'dead'), 0), COALESCE(SUM(state = 'pending' AND attempts > 0), 0) FROM deliveries";
        TOCSIN_ASSIGN(
            s, db_.Prepare(outbox_seq == 0 ? std::string(kCounts) : std::string(kCounts) + " WHERE outbox_seq = ?1")
        );
        if (outbox_seq != 0) s->Bind(1, outbox_seq);
        TOCSIN_ASSIGN(row, s->Step());
        DeliveryProgress p;
        if (row) {
            p.pending = s->Int(0);
            p.sent = s->Int(1);
            p.dead = s->Int(2);
            p.failing = s->Int(3);
        }
        s->Reset();
        return p;
    }

    // --- secrets and Mastodon threads -------------------------------------------------

    Result<std::optional<std::string>> GetSecret(const std::string& name) override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT value FROM server_secrets WHERE name = ?1"));
        s->Bind(1, name);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<std::string>();
        std::string value = s->Text(0);
        s->Reset();
        return std::optional<std::string>(std::move(value));
    }

    Result<void> InsertSecretIfAbsent(const std::string& name, const std::string& value) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("INSERT INTO server_secrets (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")
        );
        s->Bind(1, name).BindBlob(2, value);
        return s->Exec();
    }

    Result<std::optional<std::string>> GetThreadPost(const std::string& incident_id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT status_id FROM thread_posts WHERE incident_id = ?1"));
        s->Bind(1, incident_id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<std::string>();
        std::string id = s->Text(0);
        s->Reset();
        return std::optional<std::string>(std::move(id));
    }

    // An incident deleted while its post was on the way leaves nothing to thread onto: a
    // no-op, not an error that would make the sender post again.
    Result<void> SaveThreadPost(const std::string& incident_id, const std::string& status_id) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO thread_posts (incident_id, status_id, updated_at) SELECT ?1, ?2, ?3 "
                        "WHERE EXISTS (SELECT 1 FROM incidents WHERE id = ?1) "
                        "ON CONFLICT (incident_id) DO UPDATE SET status_id = excluded.status_id, "
                        "updated_at = excluded.updated_at")
        );
        s->Bind(1, incident_id).Bind(2, status_id).Bind(3, ToMillis(clock_.Now()));
        return s->Exec();
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
            s, db_.Prepare("SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE secret_hash = ?1")
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

    // --- monitors ---------------------------------------------------------------------

    Result<std::vector<monitor::Monitor>> ListMonitors() override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT definition FROM monitors ORDER BY name, id"));
        std::vector<monitor::Monitor> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            TOCSIN_ASSIGN(m, monitor::MonitorFromStoredJson(s->Text(0)));
            out.push_back(std::move(m));
        }
        return out;
    }

    Result<std::optional<monitor::Monitor>> GetMonitor(const std::string& id) override {
        return OneMonitor("SELECT definition FROM monitors WHERE id = ?1", id);
    }

    Result<std::optional<monitor::Monitor>> FindMonitorByHeartbeatHash(const std::string& hash) override {
        return OneMonitor("SELECT definition FROM monitors WHERE heartbeat_token_hash = ?1", hash);
    }

    Result<void> InsertMonitor(const monitor::Monitor& m) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO monitors (id, name, type, source, definition, heartbeat_token_hash, created_at, "
                        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        );
        BindMonitorColumns(*s, m);
        s->Bind(7, ToMillis(m.created_at)).Bind(8, ToMillis(m.updated_at));
        return s->Exec();
    }

    Result<void> UpdateMonitor(const monitor::Monitor& m) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE monitors SET name = ?2, type = ?3, source = ?4, definition = ?5, "
                        "heartbeat_token_hash = ?6, updated_at = ?7 WHERE id = ?1")
        );
        BindMonitorColumns(*s, m);
        s->Bind(7, ToMillis(m.updated_at));
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("monitor " + m.id + " does not exist");
        return {};
    }

    Result<void> DeleteMonitor(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM monitors WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("monitor " + id + " does not exist");
        return {};
    }

    Result<std::optional<monitor::MonitorState>> GetMonitorState(const std::string& monitor_id) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("SELECT monitor_id, state, since, message, data FROM monitor_states WHERE monitor_id = ?1")
        );
        s->Bind(1, monitor_id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<monitor::MonitorState>();
        TOCSIN_ASSIGN(st, StateFromRow(*s));
        s->Reset();
        return std::optional<monitor::MonitorState>(std::move(st));
    }

    Result<std::vector<monitor::MonitorState>> ListMonitorStates() override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT monitor_id, state, since, message, data FROM monitor_states"));
        std::vector<monitor::MonitorState> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            TOCSIN_ASSIGN(st, StateFromRow(*s));
            out.push_back(std::move(st));
        }
        return out;
    }

    Result<void> SaveMonitorState(const monitor::MonitorState& st) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare(
                "INSERT INTO monitor_states (monitor_id, state, since, message, data) SELECT ?1, ?2, ?3, ?4, ?5 "
                "WHERE EXISTS (SELECT 1 FROM monitors WHERE id = ?1) "
                "ON CONFLICT (monitor_id) DO UPDATE SET state = excluded.state, since = excluded.since, "
                "message = excluded.message, data = excluded.data"
            )
        );
        s->Bind(1, st.monitor_id).Bind(2, monitor::OutcomeName(st.state)).Bind(3, ToMillis(st.since));
        s->Bind(4, st.message).Bind(5, monitor::MonitorStateToStoredJson(st));
        return s->Exec();
    }

    Result<void> InsertCheckResults(const std::vector<monitor::CheckResult>& results) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO check_results (monitor_id, at, location, outcome, error, message, status_code, "
                        "total_us, dns_us, connect_us, tls_us, first_byte_us, certificate_days_left) "
                        "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 "
                        "WHERE EXISTS (SELECT 1 FROM monitors WHERE id = ?1)")
        );
        for (const auto& r : results) {
            s->Reset();
            s->Bind(1, r.monitor_id).Bind(2, ToMillis(r.at)).Bind(3, r.location).Bind(4, OutcomeCode(r.outcome));
            s->Bind(5, monitor::ErrorClassName(r.error)).Bind(6, r.message).Bind(7, r.status_code);
            s->Bind(8, static_cast<std::int64_t>(r.timings.total.count()));
            s->BindOpt(9, OptMicros(r.timings.dns)).BindOpt(10, OptMicros(r.timings.connect));
            s->BindOpt(11, OptMicros(r.timings.tls)).BindOpt(12, OptMicros(r.timings.first_byte));
            if (r.certificate_days_left)
                s->Bind(13, *r.certificate_days_left);
            else
                s->BindNull(13);
            TOCSIN_TRY(s->Exec());
        }
        return {};
    }

    Result<std::vector<monitor::CheckResult>> ListCheckResults(const ResultFilter& f) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT monitor_id, at, location, outcome, error, message, status_code, total_us, dns_us, "
                        "connect_us, tls_us, first_byte_us, certificate_days_left FROM check_results "
                        "WHERE monitor_id = ?1 AND at >= ?2 AND at < ?3 AND (?4 = '' OR location = ?4) "
                        "ORDER BY at DESC LIMIT ?5")
        );
        s->Bind(1, f.monitor_id).Bind(2, f.since ? ToMillis(*f.since) : std::numeric_limits<std::int64_t>::min());
        s->Bind(3, f.until ? ToMillis(*f.until) : std::numeric_limits<std::int64_t>::max());
        s->Bind(4, f.location).Bind(5, f.limit);
        std::vector<monitor::CheckResult> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            monitor::CheckResult r;
            r.monitor_id = s->Text(0);
            r.at = FromMillis(s->Int(1));
            r.location = s->Text(2);
            r.outcome = OutcomeFromCode(s->Int(3));
            r.error = monitor::ParseErrorClass(s->Text(4)).value_or(monitor::ErrorClass::kInternal);
            r.message = s->Text(5);
            r.status_code = static_cast<int>(s->Int(6));
            r.timings.total = std::chrono::microseconds(s->Int(7));
            r.timings.dns = MicrosOpt(s->OptInt(8));
            r.timings.connect = MicrosOpt(s->OptInt(9));
            r.timings.tls = MicrosOpt(s->OptInt(10));
            r.timings.first_byte = MicrosOpt(s->OptInt(11));
            if (auto d = s->OptInt(12)) r.certificate_days_left = static_cast<int>(*d);
            out.push_back(std::move(r));
        }
        return out;
    }

    Result<std::vector<monitor::ResultSample>> ListResultSamples(
        const std::string& monitor_id, TimePoint since, TimePoint until
    ) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("SELECT outcome, total_us FROM check_results WHERE monitor_id = ?1 AND at >= ?2 AND at < ?3")
        );
        s->Bind(1, monitor_id).Bind(2, ToMillis(since)).Bind(3, ToMillis(until));
        std::vector<monitor::ResultSample> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back({OutcomeFromCode(s->Int(0)), std::chrono::microseconds(s->Int(1))});
        }
        return out;
    }

    Result<std::optional<TimePoint>> OldestResultAt(const std::string& monitor_id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT MIN(at) FROM check_results WHERE monitor_id = ?1"));
        s->Bind(1, monitor_id);
        TOCSIN_ASSIGN(row, s->Step());
        std::optional<TimePoint> out;
        if (row && !s->IsNull(0)) out = FromMillis(s->Int(0));
        s->Reset();
        return out;
    }

    Result<std::int64_t> DeleteResultsBefore(TimePoint before) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM check_results WHERE at < ?1"));
        s->Bind(1, ToMillis(before));
        TOCSIN_TRY(s->Exec());
        return static_cast<std::int64_t>(s->Changes());
    }

    Result<std::int64_t> InsertMonitorEvent(const monitor::StateChange& c) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO monitor_events (monitor_id, at, from_state, to_state, message, locations) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        );
        json::array locations;
        for (const auto& l : c.locations_down) locations.emplace_back(l);
        s->Bind(1, c.monitor_id).Bind(2, ToMillis(c.at)).Bind(3, monitor::OutcomeName(c.from));
        s->Bind(4, monitor::OutcomeName(c.to)).Bind(5, c.message).Bind(6, json::serialize(locations));
        TOCSIN_TRY(s->Exec());
        return db_.LastInsertRowId();
    }

    Result<std::vector<MonitorEvent>> ListMonitorEvents(const std::string& monitor_id, TimePoint since, TimePoint until)
        override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT id, monitor_id, at, from_state, to_state, message, locations FROM monitor_events "
                        "WHERE (?1 = '' OR monitor_id = ?1) AND at >= ?2 AND at < ?3 ORDER BY at, id LIMIT 100000")
        );
        s->Bind(1, monitor_id).Bind(2, ToMillis(since)).Bind(3, ToMillis(until));
        std::vector<MonitorEvent> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            MonitorEvent e;
            e.id = s->Int(0);
            e.change.monitor_id = s->Text(1);
            e.change.at = FromMillis(s->Int(2));
            e.change.from = monitor::ParseOutcome(s->Text(3)).value_or(monitor::Outcome::kUp);
            e.change.to = monitor::ParseOutcome(s->Text(4)).value_or(monitor::Outcome::kUp);
            e.change.message = s->Text(5);
            boost::system::error_code ec;
            auto locations = json::parse(s->Text(6), ec);
            if (!ec && locations.is_array()) {
                for (const auto& l : locations.get_array()) {
                    if (l.is_string()) e.change.locations_down.emplace_back(l.get_string());
                }
            }
            out.push_back(std::move(e));
        }
        return out;
    }

    Result<void> SaveRollup(const monitor::Rollup& r) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT OR REPLACE INTO check_rollups (monitor_id, period, start, checks, failures, degraded, "
                        "p50_us, p95_us, p99_us, mean_us) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 "
                        "WHERE EXISTS (SELECT 1 FROM monitors WHERE id = ?1)")
        );
        s->Bind(1, r.monitor_id).Bind(2, monitor::RollupPeriodName(r.period)).Bind(3, ToMillis(r.start));
        s->Bind(4, r.checks).Bind(5, r.failures).Bind(6, r.degraded);
        s->Bind(7, static_cast<std::int64_t>(r.p50.count())).Bind(8, static_cast<std::int64_t>(r.p95.count()));
        s->Bind(9, static_cast<std::int64_t>(r.p99.count())).Bind(10, static_cast<std::int64_t>(r.mean.count()));
        return s->Exec();
    }

    Result<std::vector<monitor::Rollup>> ListRollups(
        const std::string& monitor_id, monitor::RollupPeriod period, TimePoint since, TimePoint until
    ) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT start, checks, failures, degraded, p50_us, p95_us, p99_us, mean_us FROM check_rollups "
                        "WHERE monitor_id = ?1 AND period = ?2 AND start >= ?3 AND start < ?4 ORDER BY start")
        );
        s->Bind(1, monitor_id)
            .Bind(2, monitor::RollupPeriodName(period))
            .Bind(3, ToMillis(since))
            .Bind(4, ToMillis(until));
        std::vector<monitor::Rollup> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            monitor::Rollup r;
            r.monitor_id = monitor_id;
            r.period = period;
            r.start = FromMillis(s->Int(0));
            r.checks = s->Int(1);
            r.failures = s->Int(2);
            r.degraded = s->Int(3);
            r.p50 = std::chrono::microseconds(s->Int(4));
            r.p95 = std::chrono::microseconds(s->Int(5));
            r.p99 = std::chrono::microseconds(s->Int(6));
            r.mean = std::chrono::microseconds(s->Int(7));
            out.push_back(r);
        }
        return out;
    }

    Result<std::optional<TimePoint>> LatestRollupStart(const std::string& monitor_id, monitor::RollupPeriod period)
        override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT MAX(start) FROM check_rollups WHERE monitor_id = ?1 AND period = ?2"));
        s->Bind(1, monitor_id).Bind(2, monitor::RollupPeriodName(period));
        TOCSIN_ASSIGN(row, s->Step());
        std::optional<TimePoint> out;
        if (row && !s->IsNull(0)) out = FromMillis(s->Int(0));
        s->Reset();
        return out;
    }

    Result<std::int64_t> DeleteRollupsBefore(monitor::RollupPeriod period, TimePoint before) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM check_rollups WHERE period = ?1 AND start < ?2"));
        s->Bind(1, monitor::RollupPeriodName(period)).Bind(2, ToMillis(before));
        TOCSIN_TRY(s->Exec());
        return static_cast<std::int64_t>(s->Changes());
    }

    Result<void> InsertUser(const User& u) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO users (id, email, name, role, password_hash, created_at, language, last_login_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        );
        s->Bind(1, u.id).Bind(2, u.email).Bind(3, u.name).Bind(4, u.role).Bind(5, u.password_hash);
        s->Bind(6, ToMillis(u.created_at)).Bind(7, u.language).BindOpt(8, OptMillis(u.last_login_at));
        return s->Exec();
    }

    Result<std::optional<User>> FindUserByEmail(const std::string& email) override {
        return OneUser(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?1", email);
    }

    Result<std::optional<User>> GetUser(const std::string& id) override {
        return OneUser(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1", id);
    }

    Result<std::vector<User>> ListUsers() override {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY created_at, id"));
        std::vector<User> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ReadUser(*s));
        }
        return out;
    }

    Result<std::int64_t> CountUsers(const std::string& role) override {
        TOCSIN_ASSIGN(s, db_.Prepare("SELECT COUNT(*) FROM users WHERE ?1 = '' OR role = ?1"));
        s->Bind(1, role);
        TOCSIN_ASSIGN(row, s->Step());
        std::int64_t n = row ? s->Int(0) : 0;
        s->Reset();
        return n;
    }

    Result<void> UpdateUser(const User& u) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare("UPDATE users SET name = ?2, role = ?3, language = ?4, password_hash = ?5 WHERE id = ?1")
        );
        s->Bind(1, u.id).Bind(2, u.name).Bind(3, u.role).Bind(4, u.language).Bind(5, u.password_hash);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("user " + u.id + " does not exist");
        return {};
    }

    Result<void> SetUserLastLogin(const std::string& id, TimePoint at) override {
        TOCSIN_ASSIGN(s, db_.Prepare("UPDATE users SET last_login_at = ?2 WHERE id = ?1"));
        s->Bind(1, id).Bind(2, ToMillis(at));
        return s->Exec();
    }

    Result<void> DeleteUser(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM users WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("user " + id + " does not exist");
        return {};
    }

    // --- sessions ---------------------------------------------------------------------

    Result<void> InsertSession(const Session& x) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO sessions (secret_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, "
                        "user_agent, client_address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        );
        s->Bind(1, x.secret_hash).Bind(2, x.user_id).Bind(3, x.csrf_token).Bind(4, ToMillis(x.created_at));
        s->Bind(5, ToMillis(x.last_seen_at)).Bind(6, ToMillis(x.expires_at)).Bind(7, x.user_agent);
        s->Bind(8, x.client_address);
        return s->Exec();
    }

    Result<std::optional<Session>> FindSessionByHash(const std::string& secret_hash) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("SELECT secret_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, user_agent, "
                        "client_address FROM sessions WHERE secret_hash = ?1")
        );
        s->Bind(1, secret_hash);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<Session>();
        Session x{
            s->Text(0),
            s->Text(1),
            s->Text(2),
            FromMillis(s->Int(3)),
            FromMillis(s->Int(4)),
            FromMillis(s->Int(5)),
            s->Text(6),
            s->Text(7)};
        s->Reset();
        return std::optional<Session>(std::move(x));
    }

    Result<void> TouchSession(const std::string& secret_hash, TimePoint at) override {
        TOCSIN_ASSIGN(s, db_.Prepare("UPDATE sessions SET last_seen_at = ?2 WHERE secret_hash = ?1"));
        s->Bind(1, secret_hash).Bind(2, ToMillis(at));
        return s->Exec();
    }

    Result<bool> DeleteSession(const std::string& secret_hash) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM sessions WHERE secret_hash = ?1"));
        s->Bind(1, secret_hash);
        TOCSIN_TRY(s->Exec());
        return s->Changes() > 0;
    }

    Result<std::int64_t> DeleteUserSessions(const std::string& user_id, const std::string& keep_hash) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM sessions WHERE user_id = ?1 AND secret_hash <> ?2"));
        s->Bind(1, user_id).Bind(2, keep_hash);
        TOCSIN_TRY(s->Exec());
        return static_cast<std::int64_t>(s->Changes());
    }

    Result<std::int64_t> DeleteExpiredSessions(TimePoint now, TimePoint idle_before) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at < ?2"));
        s->Bind(1, ToMillis(now)).Bind(2, ToMillis(idle_before));
        TOCSIN_TRY(s->Exec());
        return static_cast<std::int64_t>(s->Changes());
    }

    // --- incident templates -----------------------------------------------------------

    Result<std::vector<IncidentTemplate>> ListTemplates() override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare(std::string("SELECT ") + kTemplateColumns + " FROM incident_templates ORDER BY kind, name, id")
        );
        std::vector<IncidentTemplate> out;
        while (true) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            out.push_back(ReadTemplate(*s));
        }
        return out;
    }

    Result<std::optional<IncidentTemplate>> GetTemplate(const std::string& id) override {
        TOCSIN_ASSIGN(
            s, db_.Prepare(std::string("SELECT ") + kTemplateColumns + " FROM incident_templates WHERE id = ?1")
        );
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<IncidentTemplate>();
        auto t = ReadTemplate(*s);
        s->Reset();
        return std::optional<IncidentTemplate>(std::move(t));
    }

    Result<void> InsertTemplate(const IncidentTemplate& t) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare(
                std::string("INSERT INTO incident_templates (") + kTemplateColumns +
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            )
        );
        BindTemplate(*s, t);
        auto r = s->Exec();
        if (!r && r.error().kind == ErrorKind::kConflict) return TemplateNameTaken(t);
        return r;
    }

    Result<void> UpdateTemplate(const IncidentTemplate& t) override {
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("UPDATE incident_templates SET kind = ?2, name = ?3, title = ?4, status = ?5, body = ?6, "
                        "updated_at = ?8 WHERE id = ?1")
        );
        BindTemplate(*s, t);
        auto r = s->Exec();
        if (!r && r.error().kind == ErrorKind::kConflict) return TemplateNameTaken(t);
        TOCSIN_TRY(r);
        if (s->Changes() == 0) return Error::NotFound("template " + t.id + " does not exist");
        return {};
    }

    Result<void> DeleteTemplate(const std::string& id) override {
        TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM incident_templates WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_TRY(s->Exec());
        if (s->Changes() == 0) return Error::NotFound("template " + id + " does not exist");
        return {};
    }

private:
    static constexpr const char* kUserColumns =
        "id, email, name, role, password_hash, created_at, language, last_login_at";
    static constexpr const char* kTemplateColumns = "id, kind, name, title, status, body, created_at, updated_at";

    static User ReadUser(const Statement& s) {
        User u{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), FromMillis(s.Int(5)), s.Text(6), {}};
        u.last_login_at = OptTime(s.OptInt(7));
        return u;
    }

    Result<std::optional<User>> OneUser(const std::string& sql, const std::string& key) {
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        s->Bind(1, key);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<User>();
        auto u = ReadUser(*s);
        s->Reset();
        return std::optional<User>(std::move(u));
    }

    static IncidentTemplate ReadTemplate(const Statement& s) {
        IncidentTemplate t;
        t.id = s.Text(0);
        t.kind = s.Text(1) == "maintenance" ? domain::IncidentKind::kMaintenance : domain::IncidentKind::kIncident;
        t.name = s.Text(2);
        t.title = s.Text(3);
        // Written only through InsertTemplate/UpdateTemplate, which take the enum.
        t.status = domain::ParseIncidentStatus(s.Text(4)).value_or(domain::IncidentStatus::kInvestigating);
        t.body = s.Text(5);
        t.created_at = FromMillis(s.Int(6));
        t.updated_at = FromMillis(s.Int(7));
        return t;
    }

    static void BindTemplate(Statement& s, const IncidentTemplate& t) {
        s.Bind(1, t.id).Bind(2, domain::ToString(t.kind)).Bind(3, t.name).Bind(4, t.title);
        s.Bind(5, domain::ToString(t.status)).Bind(6, t.body).Bind(7, ToMillis(t.created_at));
        s.Bind(8, ToMillis(t.updated_at));
    }

    static Error TemplateNameTaken(const IncidentTemplate& t) {
        return Error::Conflict(
            "a " + std::string(domain::ToString(t.kind)) + " template named \"" + t.name + "\" exists already"
        );
    }

    static OutboxRow ReadOutboxRow(const Statement& s) {
        OutboxRow o;
        o.seq = s.Int(0);
        o.message.topic = s.Text(1);
        o.message.idempotency_key = s.Text(2);
        o.message.payload = s.Text(3);
        o.message.created_at = FromMillis(s.Int(4));
        o.fanout_cursor = s.Text(5);
        o.dispatched_at = OptTime(s.OptInt(6));
        return o;
    }

    static Result<std::vector<OutboxRow>> ReadOutboxRows(Statement& s) {
        std::vector<OutboxRow> out;
        while (true) {
            TOCSIN_ASSIGN(row, s.Step());
            if (!row) break;
            out.push_back(ReadOutboxRow(s));
        }
        return out;
    }

    static domain::Subscriber ReadSubscriber(const Statement& s) {
        domain::Subscriber sub;
        sub.id = s.Text(0);
        sub.channel = domain::ParseChannel(s.Text(1)).value_or(domain::Channel::kEmail);
        sub.target = s.Text(2);
        sub.secret = s.Text(3);
        sub.language = s.Text(4);
        sub.confirmed_at = OptTime(s.OptInt(5));
        sub.created_at = FromMillis(s.Int(6));
        sub.source = s.Text(7);
        return sub;
    }

    // Reads at most one subscriber from a prepared, bound statement, with its components.
    Result<std::optional<domain::Subscriber>> OneSubscriber(Statement& s) {
        TOCSIN_ASSIGN(row, s.Step());
        if (!row) return std::optional<domain::Subscriber>();
        auto sub = ReadSubscriber(s);
        s.Reset();
        TOCSIN_ASSIGN(
            c, db_.Prepare("SELECT component_id FROM subscriber_components WHERE subscriber_id = ?1 ORDER BY position")
        );
        c->Bind(1, sub.id);
        while (true) {
            TOCSIN_ASSIGN(more, c->Step());
            if (!more) break;
            sub.component_ids.push_back(c->Text(0));
        }
        return std::optional<domain::Subscriber>(std::move(sub));
    }

    // The filter terms after "WHERE <something>", each starting with " AND "; text binds in order.
    static std::string SubscriberWhere(const SubscriberFilter& f, std::vector<std::string>& binds) {
        std::string out;
        if (f.channel) {
            out += " AND channel = ?";
            binds.emplace_back(domain::ToString(*f.channel));
        }
        if (f.confirmed) out += *f.confirmed ? " AND confirmed_at IS NOT NULL" : " AND confirmed_at IS NULL";
        if (!f.query.empty()) {
            out += " AND instr(lower(target), lower(?)) > 0";
            binds.push_back(f.query);
        }
        return out;
    }

    Result<void> WriteSubscriberComponents(const domain::Subscriber& sub) {
        TOCSIN_ASSIGN(d, db_.Prepare("DELETE FROM subscriber_components WHERE subscriber_id = ?1"));
        d->Bind(1, sub.id);
        TOCSIN_TRY(d->Exec());
        TOCSIN_ASSIGN(
            s,
            db_.Prepare("INSERT INTO subscriber_components (subscriber_id, component_id, position) VALUES (?1, ?2, ?3)")
        );
        int pos = 0;
        for (const auto& cid : sub.component_ids) {
            s->Reset();
            s->Bind(1, sub.id).Bind(2, cid).Bind(3, pos++);
            auto r = s->Exec();
            if (!r) {
                if (r.error().kind == ErrorKind::kConflict) {
                    return Error::Invalid("components", "component " + cid + " does not exist or is listed twice");
                }
                return r.error();
            }
        }
        s->Reset();
        return {};
    }

    static Delivery ReadDelivery(const Statement& s) {
        Delivery d;
        d.id = s.Int(0);
        d.idempotency_key = s.Text(1);
        d.outbox_seq = s.Int(2);
        d.subscriber_id = s.Text(3);
        d.channel = domain::ParseChannel(s.Text(4)).value_or(domain::Channel::kEmail);
        d.state = ParseDeliveryState(s.Text(5)).value_or(DeliveryState::kPending);
        d.attempts = static_cast<int>(s.Int(6));
        d.next_attempt_at = FromMillis(s.Int(7));
        d.last_error = s.Text(8);
        d.created_at = FromMillis(s.Int(9));
        d.sent_at = OptTime(s.OptInt(10));
        return d;
    }

    static Result<std::vector<Delivery>> ReadDeliveries(Statement& s) {
        std::vector<Delivery> out;
        while (true) {
            TOCSIN_ASSIGN(row, s.Step());
            if (!row) break;
            out.push_back(ReadDelivery(s));
        }
        return out;
    }

    Result<std::optional<monitor::Monitor>> OneMonitor(const std::string& sql, const std::string& key) {
        TOCSIN_ASSIGN(s, db_.Prepare(sql));
        s->Bind(1, key);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<monitor::Monitor>();
        auto text = s->Text(0);
        s->Reset();
        TOCSIN_ASSIGN(m, monitor::MonitorFromStoredJson(text));
        return std::optional<monitor::Monitor>(std::move(m));
    }

    // ?1 id, ?2 name, ?3 type, ?4 source, ?5 definition, ?6 heartbeat token hash (NULL if none).
    static void BindMonitorColumns(Statement& s, const monitor::Monitor& m) {
        s.Bind(1, m.id).Bind(2, m.name).Bind(3, monitor::MonitorTypeName(m.spec.type)).Bind(4, m.source);
        s.Bind(5, monitor::MonitorToStoredJson(m));
        if (m.heartbeat_token_hash.empty()) {
            s.BindNull(6);
        } else {
            s.Bind(6, m.heartbeat_token_hash);
        }
    }

    static Result<monitor::MonitorState> StateFromRow(const Statement& s) {
        monitor::MonitorState st;
        st.monitor_id = s.Text(0);
        st.state = monitor::ParseOutcome(s.Text(1)).value_or(monitor::Outcome::kUp);
        st.since = FromMillis(s.Int(2));
        st.message = s.Text(3);
        TOCSIN_TRY(monitor::MonitorStateFromStoredJson(s.Text(4), st));
        return st;
    }
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
            c, db_.Prepare("SELECT component_id FROM incident_components WHERE incident_id = ?1 ORDER BY position")
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
    const Clock& clock_;
    AlertTables alerts_;

public:
    // Schedules (issue 7, SCHED): sqlite_schedule_tables.cpp.
    Result<std::vector<oncall::Schedule>> ListSchedules() override { return Schedules().ListSchedules(); }
    Result<std::optional<oncall::Schedule>> GetSchedule(const std::string& id) override {
        return Schedules().GetSchedule(id);
    }
    Result<void> InsertSchedule(const oncall::Schedule& s) override { return Schedules().InsertSchedule(s); }
    Result<void> UpdateSchedule(const oncall::Schedule& s) override { return Schedules().UpdateSchedule(s); }
    Result<void> DeleteSchedule(const std::string& id) override { return Schedules().DeleteSchedule(id); }
    Result<void> InsertScheduleOverride(const std::string& schedule_id, const oncall::Override& o) override {
        return Schedules().InsertScheduleOverride(schedule_id, o);
    }
    Result<void> DeleteScheduleOverride(const std::string& schedule_id, const std::string& override_id) override {
        return Schedules().DeleteScheduleOverride(schedule_id, override_id);
    }
    Result<void> SetICalFeedToken(const std::string& kind, const std::string& subject_id, const std::string& token_hash)
        override {
        return Schedules().SetICalFeedToken(kind, subject_id, token_hash);
    }
    Result<std::optional<ICalFeed>> FindICalFeed(const std::string& token_hash) override {
        return Schedules().FindICalFeed(token_hash);
    }

private:
    ScheduleTables Schedules() { return ScheduleTables(db_, clock_.Now()); }
    PeopleTables people_{db_};

public:
    // People on call (issue 7): sqlite_people_tables.cpp.
    Result<UserProfile> GetUserProfile(const std::string& user_id) override { return people_.GetUserProfile(user_id); }
    Result<void> SetUserTimeZone(const std::string& user_id, const std::string& time_zone) override {
        return people_.SetUserTimeZone(user_id, time_zone);
    }
    Result<std::vector<oncall::ContactMethod>> ListContactMethods(const std::string& user_id) override {
        return people_.ListContactMethods(user_id);
    }
    Result<std::optional<oncall::ContactMethod>> GetContactMethod(const std::string& id) override {
        return people_.GetContactMethod(id);
    }
    Result<void> InsertContactMethod(const oncall::ContactMethod& m) override { return people_.InsertContactMethod(m); }
    Result<void> UpdateContactMethod(const oncall::ContactMethod& m) override { return people_.UpdateContactMethod(m); }
    Result<void> DeleteContactMethod(const std::string& id) override { return people_.DeleteContactMethod(id); }
    Result<void> SaveContactVerification(const ContactVerification& v) override {
        return people_.SaveContactVerification(v);
    }
    Result<std::optional<ContactVerification>> GetContactVerification(const std::string& id) override {
        return people_.GetContactVerification(id);
    }
    Result<int> AddContactVerificationAttempt(const std::string& id) override {
        return people_.AddContactVerificationAttempt(id);
    }
    Result<void> DeleteContactVerification(const std::string& id) override {
        return people_.DeleteContactVerification(id);
    }
    Result<std::vector<oncall::NotificationRule>> ListNotificationRules(const std::string& user_id) override {
        return people_.ListNotificationRules(user_id);
    }
    Result<std::optional<oncall::NotificationRule>> GetNotificationRule(const std::string& id) override {
        return people_.GetNotificationRule(id);
    }
    Result<void> InsertNotificationRule(const oncall::NotificationRule& r) override {
        return people_.InsertNotificationRule(r);
    }
    Result<void> UpdateNotificationRule(const oncall::NotificationRule& r) override {
        return people_.UpdateNotificationRule(r);
    }
    Result<void> DeleteNotificationRule(const std::string& id) override { return people_.DeleteNotificationRule(id); }
    Result<std::vector<oncall::Team>> ListTeams() override { return people_.ListTeams(); }
    Result<std::optional<oncall::Team>> GetTeam(const std::string& id) override { return people_.GetTeam(id); }
    Result<void> InsertTeam(const oncall::Team& t) override { return people_.InsertTeam(t); }
    Result<void> UpdateTeam(const oncall::Team& t) override { return people_.UpdateTeam(t); }
    Result<void> DeleteTeam(const std::string& id) override { return people_.DeleteTeam(id); }
    Result<std::vector<oncall::TeamMember>> ListTeamMembers(const std::string& team_id) override {
        return people_.ListTeamMembers(team_id);
    }
    Result<void> SaveTeamMember(const oncall::TeamMember& m) override { return people_.SaveTeamMember(m); }
    Result<void> DeleteTeamMember(const std::string& team_id, const std::string& user_id) override {
        return people_.DeleteTeamMember(team_id, user_id);
    }
};

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Database> db, const Clock& clock)
    : db_(std::move(db)), clock_(clock), syncer_(std::make_unique<WalSyncer>()) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const Clock& clock) {
    TOCSIN_ASSIGN(db, Database::Open(path));
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db), clock));
    TOCSIN_TRY(store->Migrate());
    Checkpointer::Options checkpoints;
    checkpoints.writer_gate = &store->mu_;
    TOCSIN_ASSIGN(checkpointer, Checkpointer::Start(path, store->db_->Raw(), checkpoints));
    store->checkpointer_ = std::move(checkpointer);
    return store;
}

Result<void> SqliteStore::Migrate() {
    std::lock_guard lock(mu_);
    TOCSIN_TRY(db_->ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL)"
    ));
    // Every version not yet applied runs, in order, even one numbered below the newest applied:
    // work on parallel branches may add migrations out of order.
    std::set<int> applied;
    TOCSIN_ASSIGN(q, db_->Prepare("SELECT version FROM schema_migrations"));
    for (;;) {
        TOCSIN_ASSIGN(row, q->Step());
        if (!row) break;
        applied.insert(static_cast<int>(q->Int(0)));
    }
    q->Reset();
    int current = applied.empty() ? 0 : *applied.rbegin();

    auto names = sqlite_migrations::Names();
    std::sort(names.begin(), names.end());
    int latest = 0;
    for (auto name : names) {
        // File names are NNNN_verb_object.sql; the number is the version.
        auto slash = name.rfind('/');
        std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
        int version = std::stoi(std::string(base.substr(0, 4)));
        latest = std::max(latest, version);
        if (applied.contains(version)) continue;
        std::string sql = "BEGIN IMMEDIATE;\n" + std::string(sqlite_migrations::Find(name)) +
                          "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                          std::to_string(version) + ", '" + std::string(base) + "', " +
                          std::to_string(ToMillis(clock_.Now())) + ");\nCOMMIT;";
        auto r = db_->ExecScript(sql);
        if (!r) {
            (void)db_->ExecScript("ROLLBACK");
            return Error::Internal("migration " + std::string(base) + " failed: " + r.error().message);
        }
        current = std::max(current, version);
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

Result<void> SqliteStore::RunTx(const char* begin, const std::function<Result<void>(Tx&)>& fn, bool defer_sync) {
    std::lock_guard lock(mu_);
    TOCSIN_TRY(db_->ExecScript(begin));
    RollbackUnlessCommitted guard(*db_);
    SqliteTx tx(*db_, clock_);
    auto r = fn(tx);
    if (!r) return r.error();
    if (defer_sync) DeferNextWalSync();
    return guard.Commit();
}

Result<void> SqliteStore::Write(const std::function<Result<void>(Tx&)>& fn) {
    return RunTx("BEGIN IMMEDIATE", fn);
}

Result<void> SqliteStore::Read(const std::function<Result<void>(Tx&)>& fn) {
    return RunTx("BEGIN", fn);
}

Result<void> SqliteStore::WriteSyncLater(
    const std::function<Result<void>(Tx&)>& fn, std::function<void(Result<void>)> durable
) {
    auto r = RunTx("BEGIN IMMEDIATE", fn, /*defer_sync=*/true);
    // Always taken, so that the request never outlives this transaction on this thread.
    auto file = TakeDeferredWalSync();
    if (!r) return r;
    syncer_->Enqueue(std::move(file), std::move(durable));
    return {};
}

std::uint64_t SqliteStore::DeferredSyncs() const {
    return syncer_->Syncs();
}

}  // namespace tocsin::store::sqlite
