#include "tocsin/store/sqlite/sqlite_escalation_tables.hpp"

#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

namespace tocsin::store::sqlite {
namespace {

namespace json = boost::json;

std::optional<std::int64_t> OptMs(const std::optional<TimePoint>& t) {
    if (!t) return std::nullopt;
    return ToMillis(*t);
}

std::optional<TimePoint> OptTp(const std::optional<std::int64_t>& ms) {
    if (!ms) return std::nullopt;
    return FromMillis(*ms);
}

json::array LevelsArray(const std::vector<oncall::EscalationLevel>& levels) {
    json::array out;
    for (const auto& level : levels) {
        json::array targets;
        for (const auto& t : level.targets) {
            targets.push_back(json::object{{"type", oncall::ToString(t.kind)}, {"id", t.id}});
        }
        out.push_back(json::object{{"targets", std::move(targets)}, {"delay_minutes", level.delay.count()}});
    }
    return out;
}

std::vector<oncall::EscalationLevel> LevelsFrom(const json::value& v) {
    std::vector<oncall::EscalationLevel> out;
    if (!v.is_array()) return out;
    for (const auto& l : v.as_array()) {
        if (!l.is_object()) continue;
        oncall::EscalationLevel level;
        if (const auto* d = l.as_object().if_contains("delay_minutes"); d && d->is_int64()) {
            level.delay = std::chrono::minutes(d->as_int64());
        }
        if (const auto* ts = l.as_object().if_contains("targets"); ts && ts->is_array()) {
            for (const auto& t : ts->as_array()) {
                if (!t.is_object()) continue;
                const auto* type = t.as_object().if_contains("type");
                const auto* id = t.as_object().if_contains("id");
                if (!type || !id || !type->is_string() || !id->is_string()) continue;
                auto kind = oncall::ParseTargetKind(type->as_string());
                if (!kind) continue;
                level.targets.push_back({*kind, std::string(id->as_string())});
            }
        }
        out.push_back(std::move(level));
    }
    return out;
}

constexpr const char* kPolicyColumns = "id, name, description, levels, repeat_count, created_at, updated_at";

oncall::EscalationPolicy ReadPolicy(const Statement& s) {
    oncall::EscalationPolicy p;
    p.id = s.Text(0);
    p.name = s.Text(1);
    p.description = s.Text(2);
    p.levels = ParseEscalationLevels(s.Text(3));
    p.repeat = static_cast<int>(s.Int(4));
    p.created_at = FromMillis(s.Int(5));
    p.updated_at = FromMillis(s.Int(6));
    return p;
}

// A running escalation keeps its own copy of the policy (name, repeat, levels).
std::string PolicySnapshot(const oncall::EscalationPolicy& p) {
    return json::serialize(json::object{
        {"id", p.id}, {"name", p.name}, {"repeat", p.repeat}, {"levels", LevelsArray(p.levels)}});
}

oncall::EscalationPolicy ParsePolicySnapshot(const std::string& text) {
    oncall::EscalationPolicy p;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return p;
    const auto& o = v.as_object();
    if (const auto* x = o.if_contains("id"); x && x->is_string()) p.id = x->as_string().c_str();
    if (const auto* x = o.if_contains("name"); x && x->is_string()) p.name = x->as_string().c_str();
    if (const auto* x = o.if_contains("repeat"); x && x->is_int64()) p.repeat = static_cast<int>(x->as_int64());
    if (const auto* x = o.if_contains("levels")) p.levels = LevelsFrom(*x);
    return p;
}

constexpr const char* kEscColumns =
    "incident_id, policy_id, policy, epoch, epoch_kind, epoch_started_at, stopped_at, last_level, last_pass";

IncidentEscalation ReadEsc(const Statement& s) {
    IncidentEscalation e;
    e.incident_id = s.Text(0);
    e.policy = ParsePolicySnapshot(s.Text(2));
    e.policy.id = s.Text(1);
    e.epoch = s.Int(3);
    e.epoch_kind = s.Text(4);
    e.epoch_started_at = FromMillis(s.Int(5));
    e.stopped_at = OptTp(s.OptInt(6));
    e.last_level = static_cast<int>(s.Int(7));
    e.last_pass = static_cast<int>(s.Int(8));
    return e;
}

constexpr const char* kTimerColumns =
    "id, incident_id, kind, epoch, level, pass, user_id, contact_method_id, due_at, state, outcome, created_at";

EscalationTimer ReadTimer(const Statement& s) {
    EscalationTimer t;
    t.id = s.Text(0);
    t.incident_id = s.Text(1);
    t.kind = s.Text(2);
    t.epoch = s.Int(3);
    t.level = static_cast<int>(s.Int(4));
    t.pass = static_cast<int>(s.Int(5));
    t.user_id = s.Text(6);
    t.contact_method_id = s.Text(7);
    t.due_at = FromMillis(s.Int(8));
    t.state = s.Text(9);
    t.outcome = s.Text(10);
    t.created_at = FromMillis(s.Int(11));
    return t;
}

constexpr const char* kAttemptColumns =
    "id, incident_id, timer_id, user_id, contact_method_id, channel, state, bundled_into, bundled_count, "
    "reply_code, address, error, status, created_at, sent_at, answered_at, answer";

NotificationAttempt ReadAttempt(const Statement& s) {
    NotificationAttempt a;
    a.id = s.Text(0);
    a.incident_id = s.Text(1);
    a.timer_id = s.Text(2);
    a.user_id = s.Text(3);
    a.contact_method_id = s.Text(4);
    a.channel = s.Text(5);
    a.state = s.Text(6);
    a.bundled_into = s.Text(7);
    a.bundled_count = static_cast<int>(s.Int(8));
    a.reply_code = s.Text(9);
    a.address = s.Text(10);
    a.error = s.Text(11);
    a.status = static_cast<int>(s.Int(12));
    a.created_at = FromMillis(s.Int(13));
    a.sent_at = OptTp(s.OptInt(14));
    a.answered_at = OptTp(s.OptInt(15));
    a.answer = s.Text(16);
    return a;
}

constexpr const char* kRetryColumns = "attempt_id, incident_id, try, due_at, state, retry_attempt_id, created_at";

NotificationRetry ReadRetry(const Statement& s) {
    NotificationRetry r;
    r.attempt_id = s.Text(0);
    r.incident_id = s.Text(1);
    r.try_number = static_cast<int>(s.Int(2));
    r.due_at = FromMillis(s.Int(3));
    r.state = s.Text(4);
    r.retry_attempt_id = s.Text(5);
    r.created_at = FromMillis(s.Int(6));
    return r;
}

}  // namespace

std::string EscalationLevelsJson(const std::vector<oncall::EscalationLevel>& levels) {
    return json::serialize(LevelsArray(levels));
}

std::vector<oncall::EscalationLevel> ParseEscalationLevels(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return {};
    return LevelsFrom(v);
}

Result<std::vector<oncall::EscalationPolicy>> EscalationTables::ListEscalationPolicies() {
    TOCSIN_ASSIGN(
        s, db_.Prepare(std::string("SELECT ") + kPolicyColumns + " FROM escalation_policies ORDER BY name, id")
    );
    return s->All<oncall::EscalationPolicy>(ReadPolicy);
}

Result<std::optional<oncall::EscalationPolicy>> EscalationTables::GetEscalationPolicy(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kPolicyColumns + " FROM escalation_policies WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<oncall::EscalationPolicy> out;
    if (row) out = ReadPolicy(*s);
    s->Reset();
    return out;
}

Result<void> EscalationTables::InsertEscalationPolicy(const oncall::EscalationPolicy& p) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO escalation_policies (") + kPolicyColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        )
    );
    s->Bind(1, p.id).Bind(2, p.name).Bind(3, p.description).Bind(4, EscalationLevelsJson(p.levels));
    s->Bind(5, p.repeat).Bind(6, ToMillis(p.created_at)).Bind(7, ToMillis(p.updated_at));
    auto r = s->Exec();
    if (!r && r.error().kind == ErrorKind::kConflict) {
        return Error::Conflict("an escalation policy named '" + p.name + "' exists");
    }
    return r;
}

Result<void> EscalationTables::UpdateEscalationPolicy(const oncall::EscalationPolicy& p) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE escalation_policies SET name = ?2, description = ?3, levels = ?4, repeat_count = ?5, "
                    "updated_at = ?6 WHERE id = ?1")
    );
    s->Bind(1, p.id).Bind(2, p.name).Bind(3, p.description).Bind(4, EscalationLevelsJson(p.levels));
    s->Bind(5, p.repeat).Bind(6, ToMillis(p.updated_at));
    auto r = s->Exec();
    if (!r) {
        if (r.error().kind == ErrorKind::kConflict) {
            return Error::Conflict("an escalation policy named '" + p.name + "' exists");
        }
        return r.error();
    }
    if (s->Changes() == 0) return Error::NotFound("escalation policy " + p.id + " does not exist");
    return {};
}

Result<void> EscalationTables::DeleteEscalationPolicy(const std::string& id) {
    TOCSIN_ASSIGN(u, db_.Prepare("SELECT COUNT(*) FROM services WHERE escalation_policy_id = ?1"));
    u->Bind(1, id);
    TOCSIN_ASSIGN(row, u->Step());
    const std::int64_t users = row ? u->Int(0) : 0;
    u->Reset();
    if (users > 0) {
        return Error::Conflict("escalation policy " + id + " is used by " + std::to_string(users) + " service(s)");
    }
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM escalation_policies WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("escalation policy " + id + " does not exist");
    return {};
}

Result<std::optional<ServiceEscalation>> EscalationTables::GetServiceEscalation(const std::string& service_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT COALESCE(escalation_policy_id, ''), reescalate_after_seconds FROM services WHERE id = ?1")
    );
    s->Bind(1, service_id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<ServiceEscalation> out;
    if (row) out = ServiceEscalation{s->Text(0), std::chrono::seconds(s->Int(1))};
    s->Reset();
    return out;
}

Result<void> EscalationTables::SetServiceEscalation(const std::string& service_id, const ServiceEscalation& e) {
    if (!e.policy_id.empty()) {
        TOCSIN_ASSIGN(p, GetEscalationPolicy(e.policy_id));
        if (!p) return Error::Invalid("escalation_policy_id", "escalation policy " + e.policy_id + " does not exist");
    }
    TOCSIN_ASSIGN(
        s, db_.Prepare("UPDATE services SET escalation_policy_id = ?2, reescalate_after_seconds = ?3 WHERE id = ?1")
    );
    s->Bind(1, service_id);
    if (e.policy_id.empty()) {
        s->BindNull(2);
    } else {
        s->Bind(2, e.policy_id);
    }
    s->Bind(3, static_cast<std::int64_t>(e.reescalate_after.count()));
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("service " + service_id + " does not exist");
    return {};
}

Result<void> EscalationTables::InsertIncidentEscalation(const IncidentEscalation& e) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO incident_escalations (") + kEscColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        )
    );
    s->Bind(1, e.incident_id).Bind(2, e.policy.id).Bind(3, PolicySnapshot(e.policy)).Bind(4, e.epoch);
    s->Bind(5, e.epoch_kind).Bind(6, ToMillis(e.epoch_started_at)).BindOpt(7, OptMs(e.stopped_at));
    s->Bind(8, e.last_level).Bind(9, e.last_pass);
    return s->Exec();
}

Result<std::optional<IncidentEscalation>> EscalationTables::GetIncidentEscalation(const std::string& incident_id) {
    TOCSIN_ASSIGN(
        s, db_.Prepare(std::string("SELECT ") + kEscColumns + " FROM incident_escalations WHERE incident_id = ?1")
    );
    s->Bind(1, incident_id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<IncidentEscalation> out;
    if (row) out = ReadEsc(*s);
    s->Reset();
    return out;
}

Result<void> EscalationTables::UpdateIncidentEscalation(const IncidentEscalation& e) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE incident_escalations SET epoch = ?2, epoch_kind = ?3, epoch_started_at = ?4, "
                    "stopped_at = ?5, last_level = ?6, last_pass = ?7 WHERE incident_id = ?1")
    );
    s->Bind(1, e.incident_id).Bind(2, e.epoch).Bind(3, e.epoch_kind).Bind(4, ToMillis(e.epoch_started_at));
    s->BindOpt(5, OptMs(e.stopped_at)).Bind(6, e.last_level).Bind(7, e.last_pass);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("incident " + e.incident_id + " has no escalation");
    return {};
}

Result<std::vector<std::pair<IncidentEscalation, TimePoint>>> EscalationTables::ListReescalationDue(
    TimePoint now, int limit
) {
    // Quiet since: the answer of the current epoch, else (a trigger epoch) the acknowledgement.
    // A re-escalated or manual epoch that nobody answered yet is still paging: not due.
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            "SELECT e.incident_id, e.policy_id, e.policy, e.epoch, e.epoch_kind, e.epoch_started_at, e.stopped_at, "
            "e.last_level, e.last_pass, i.acknowledged_at FROM incident_escalations e "
            "JOIN alert_incidents i ON i.id = e.incident_id JOIN services s ON s.id = i.service_id "
            "WHERE i.state = 'acknowledged' AND s.reescalate_after_seconds > 0 AND i.acknowledged_at IS NOT NULL "
            "AND (e.stopped_at IS NOT NULL OR e.epoch_kind = 'trigger') "
            "AND MAX(COALESCE(e.stopped_at, 0), i.acknowledged_at) + s.reescalate_after_seconds * 1000 <= ?1 "
            "ORDER BY i.acknowledged_at LIMIT ?2"
        )
    );
    s->Bind(1, ToMillis(now)).Bind(2, limit);
    std::vector<std::pair<IncidentEscalation, TimePoint>> out;
    while (true) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.emplace_back(ReadEsc(*s), FromMillis(s->Int(9)));
    }
    s->Reset();
    return out;
}

Result<bool> EscalationTables::InsertEscalationTimer(const EscalationTimer& t) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT OR IGNORE INTO escalation_timers (") + kTimerColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        )
    );
    s->Bind(1, t.id).Bind(2, t.incident_id).Bind(3, t.kind).Bind(4, t.epoch).Bind(5, t.level).Bind(6, t.pass);
    s->Bind(7, t.user_id).Bind(8, t.contact_method_id).Bind(9, ToMillis(t.due_at)).Bind(10, t.state);
    s->Bind(11, t.outcome).Bind(12, ToMillis(t.created_at));
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<std::vector<EscalationTimer>> EscalationTables::ListDueEscalationTimers(TimePoint now, int limit) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kTimerColumns +
            " FROM escalation_timers WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2"
        )
    );
    s->Bind(1, ToMillis(now)).Bind(2, limit);
    return s->All<EscalationTimer>(ReadTimer);
}

Result<bool> EscalationTables::CompleteEscalationTimer(const std::string& id, const std::string& outcome) {
    TOCSIN_ASSIGN(
        s, db_.Prepare("UPDATE escalation_timers SET state = 'done', outcome = ?2 WHERE id = ?1 AND state = 'pending'")
    );
    s->Bind(1, id).Bind(2, outcome);
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<std::vector<EscalationTimer>> EscalationTables::ListEscalationTimers(const std::string& incident_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kTimerColumns +
            " FROM escalation_timers WHERE incident_id = ?1 ORDER BY due_at, created_at, id"
        )
    );
    s->Bind(1, incident_id);
    return s->All<EscalationTimer>(ReadTimer);
}

Result<void> EscalationTables::InsertNotificationAttempt(const NotificationAttempt& a) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO notification_attempts (") + kAttemptColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        )
    );
    s->Bind(1, a.id).Bind(2, a.incident_id).Bind(3, a.timer_id).Bind(4, a.user_id).Bind(5, a.contact_method_id);
    s->Bind(6, a.channel).Bind(7, a.state).Bind(8, a.bundled_into).Bind(9, a.bundled_count).Bind(10, a.reply_code);
    s->Bind(11, a.address).Bind(12, a.error).Bind(13, a.status).Bind(14, ToMillis(a.created_at));
    s->BindOpt(15, OptMs(a.sent_at)).BindOpt(16, OptMs(a.answered_at)).Bind(17, a.answer);
    return s->Exec();
}

Result<void> EscalationTables::UpdateNotificationAttempt(const NotificationAttempt& a) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE notification_attempts SET state = ?2, bundled_into = ?3, bundled_count = ?4, error = ?5, "
                    "status = ?6, sent_at = ?7, answered_at = ?8, answer = ?9 WHERE id = ?1")
    );
    s->Bind(1, a.id).Bind(2, a.state).Bind(3, a.bundled_into).Bind(4, a.bundled_count).Bind(5, a.error);
    s->Bind(6, a.status).BindOpt(7, OptMs(a.sent_at)).BindOpt(8, OptMs(a.answered_at)).Bind(9, a.answer);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("notification attempt " + a.id + " does not exist");
    return {};
}

Result<std::optional<NotificationAttempt>> EscalationTables::GetNotificationAttempt(const std::string& id) {
    TOCSIN_ASSIGN(
        s, db_.Prepare(std::string("SELECT ") + kAttemptColumns + " FROM notification_attempts WHERE id = ?1")
    );
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<NotificationAttempt> out;
    if (row) out = ReadAttempt(*s);
    s->Reset();
    return out;
}

Result<std::vector<NotificationAttempt>> EscalationTables::ListNotificationAttempts(const NotificationAttemptFilter& f
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kAttemptColumns +
            " FROM notification_attempts WHERE (?1 = '' OR incident_id = ?1) AND (?2 = '' OR "
            "contact_method_id = ?2) AND (?3 = '' OR state = ?3) AND created_at >= ?4 "
            "ORDER BY created_at, id LIMIT ?5"
        )
    );
    s->Bind(1, f.incident_id).Bind(2, f.contact_method_id).Bind(3, f.state);
    s->Bind(4, f.since ? ToMillis(*f.since) : std::int64_t{0}).Bind(5, f.limit);
    return s->All<NotificationAttempt>(ReadAttempt);
}

Result<std::vector<std::string>> EscalationTables::ListQueuedContactMethods(int limit) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT contact_method_id FROM notification_attempts WHERE state = 'queued' "
                    "GROUP BY contact_method_id ORDER BY MIN(created_at) LIMIT ?1")
    );
    s->Bind(1, limit);
    return s->All<std::string>([](const Statement& r) { return r.Text(0); });
}

Result<std::optional<NotificationAttempt>> EscalationTables::FindAttemptByReply(
    const std::string& address, const std::string& reply_code, TimePoint since
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kAttemptColumns +
            " FROM notification_attempts WHERE address = ?1 AND reply_code = ?2 AND created_at >= ?3 "
            "AND state IN ('sending', 'sent') ORDER BY created_at DESC LIMIT 1"
        )
    );
    s->Bind(1, address).Bind(2, reply_code).Bind(3, ToMillis(since));
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<NotificationAttempt> out;
    if (row) out = ReadAttempt(*s);
    s->Reset();
    return out;
}

Result<bool> EscalationTables::UseEscalationToken(const std::string& token_hash, TimePoint at) {
    TOCSIN_ASSIGN(s, db_.Prepare("INSERT OR IGNORE INTO escalation_tokens_used (token_hash, used_at) VALUES (?1, ?2)"));
    s->Bind(1, token_hash).Bind(2, ToMillis(at));
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<std::vector<std::string>> EscalationTables::ListHeldBackIncidents(int limit) {
    TOCSIN_ASSIGN(s, db_.Prepare(kHeldBackIncidentsSql));
    s->Bind(1, limit);
    return s->All<std::string>([](const Statement& r) { return r.Text(0); });
}

Result<bool> EscalationTables::IncidentSnoozedAt(const std::string& incident_id, TimePoint now) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT COUNT(*), COALESCE(SUM(snoozed_until IS NOT NULL AND snoozed_until > ?2), 0) "
                    "FROM alerts WHERE incident_id = ?1 AND state IN ('triggered', 'acknowledged')")
    );
    s->Bind(1, incident_id).Bind(2, ToMillis(now));
    TOCSIN_ASSIGN(row, s->Step());
    bool snoozed = false;
    if (row) snoozed = s->Int(0) > 0 && s->Int(0) == s->Int(1);
    s->Reset();
    return snoozed;
}

Result<bool> EscalationTables::InsertNotificationRetry(const NotificationRetry& r) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT OR IGNORE INTO notification_retries (") + kRetryColumns +
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        )
    );
    s->Bind(1, r.attempt_id).Bind(2, r.incident_id).Bind(3, r.try_number).Bind(4, ToMillis(r.due_at));
    s->Bind(5, r.state).Bind(6, r.retry_attempt_id).Bind(7, ToMillis(r.created_at));
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<std::vector<NotificationRetry>> EscalationTables::ListDueNotificationRetries(TimePoint now, int limit) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kRetryColumns +
            " FROM notification_retries WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at, attempt_id LIMIT ?2"
        )
    );
    s->Bind(1, ToMillis(now)).Bind(2, limit);
    return s->All<NotificationRetry>(ReadRetry);
}

Result<bool> EscalationTables::CompleteNotificationRetry(
    const std::string& attempt_id, const std::string& retry_attempt_id
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE notification_retries SET state = 'done', retry_attempt_id = ?2 "
                    "WHERE attempt_id = ?1 AND state = 'pending'")
    );
    s->Bind(1, attempt_id).Bind(2, retry_attempt_id);
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<std::optional<NotificationRetry>> EscalationTables::FindRetryQueuing(const std::string& retry_attempt_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kRetryColumns +
            " FROM notification_retries WHERE retry_attempt_id = ?1 AND retry_attempt_id != '' LIMIT 1"
        )
    );
    s->Bind(1, retry_attempt_id);
    TOCSIN_ASSIGN(row, s->Step());
    std::optional<NotificationRetry> out;
    if (row) out = ReadRetry(*s);
    s->Reset();
    return out;
}

Result<bool> EscalationTables::InsertHandoffNotice(const HandoffNotice& n) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT OR IGNORE INTO handoff_notices (schedule_id, user_id, shift_start, kind, shift_end, "
                    "sent_at, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
    );
    s->Bind(1, n.schedule_id).Bind(2, n.user_id).Bind(3, ToMillis(n.shift_start)).Bind(4, n.kind);
    s->Bind(5, ToMillis(n.shift_end)).Bind(6, ToMillis(n.sent_at)).Bind(7, n.outcome);
    TOCSIN_TRY(s->Exec());
    return s->Changes() > 0;
}

Result<void> EscalationTables::SetHandoffNoticeOutcome(const HandoffNotice& n) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE handoff_notices SET outcome = ?5 WHERE schedule_id = ?1 AND user_id = ?2 AND "
                    "shift_start = ?3 AND kind = ?4")
    );
    s->Bind(1, n.schedule_id).Bind(2, n.user_id).Bind(3, ToMillis(n.shift_start)).Bind(4, n.kind);
    s->Bind(5, n.outcome);
    return s->Exec();
}

Result<std::vector<HandoffNotice>> EscalationTables::ListHandoffNotices(TimePoint since, int limit) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT schedule_id, user_id, shift_start, kind, shift_end, sent_at, outcome FROM handoff_notices "
                    "WHERE sent_at >= ?1 ORDER BY sent_at, schedule_id, user_id LIMIT ?2")
    );
    s->Bind(1, ToMillis(since)).Bind(2, limit);
    std::vector<HandoffNotice> out;
    while (true) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        HandoffNotice n;
        n.schedule_id = s->Text(0);
        n.user_id = s->Text(1);
        n.shift_start = FromMillis(s->Int(2));
        n.kind = s->Text(3);
        n.shift_end = FromMillis(s->Int(4));
        n.sent_at = FromMillis(s->Int(5));
        n.outcome = s->Text(6);
        out.push_back(std::move(n));
    }
    s->Reset();
    return out;
}

}  // namespace tocsin::store::sqlite
