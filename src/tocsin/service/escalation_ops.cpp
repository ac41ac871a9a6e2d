#include "tocsin/service/escalation_ops.hpp"

#include "tocsin/alerts/silence.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/oncall/contact.hpp"
#include "tocsin/oncall/schedule.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <random>
#include <set>

namespace tocsin::service {
namespace {

namespace json = boost::json;
using alerts::AlertIncident;
using alerts::AlertState;

Result<std::int64_t> Log(
    store::Tx& tx,
    TimePoint now,
    const std::string& incident_id,
    const std::string& actor,
    const std::string& via,
    std::string action,
    std::string text,
    std::string data = "{}"
) {
    alerts::AlertLogEntry e;
    e.incident_id = incident_id;
    e.at = now;
    e.actor = actor;
    e.dialect = via;
    e.action = std::move(action);
    e.text = std::move(text);
    e.data_json = std::move(data);
    return tx.InsertAlertLog(e);
}

Result<bool> InsertLevelTimer(
    store::Tx& tx,
    TimePoint now,
    const std::string& incident_id,
    std::int64_t epoch,
    oncall::EscalationStep step,
    TimePoint due
) {
    store::EscalationTimer t;
    t.id = NewId();
    t.incident_id = incident_id;
    t.kind = "level";
    t.epoch = epoch;
    t.level = step.level;
    t.pass = step.pass;
    t.due_at = due;
    t.created_at = now;
    return tx.InsertEscalationTimer(t);
}

std::string ReplyCode() {
    // Four digits are enough: a reply is matched on the phone number and the code together.
    thread_local std::mt19937 gen{std::random_device{}()};
    return std::to_string(std::uniform_int_distribution<int>(1000, 9999)(gen));
}

// Everyone a target pages at `now`, in order.
Result<std::vector<std::string>> UsersOf(
    store::Tx& tx, TimePoint now, const oncall::EscalationTarget& target, const AlertIncident& incident, int pass
) {
    std::vector<std::string> out;
    switch (target.kind) {
        case oncall::TargetKind::kUser:
            out.push_back(target.id);
            break;
        case oncall::TargetKind::kSchedule: {
            TOCSIN_ASSIGN(s, tx.GetSchedule(target.id));
            if (s) out = oncall::OnCallAt(*s, now);
            break;
        }
        case oncall::TargetKind::kTeamAll:
        case oncall::TargetKind::kTeamRoundRobin: {
            TOCSIN_ASSIGN(members, tx.ListTeamMembers(target.id));
            std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
                return a.position < b.position;
            });
            std::vector<std::string> ids;
            for (const auto& m : members) ids.push_back(m.user_id);
            if (target.kind == oncall::TargetKind::kTeamAll) {
                out = ids;
            } else if (auto who = oncall::RoundRobinMember(ids, incident.number, pass); !who.empty()) {
                out.push_back(who);
            }
            break;
        }
    }
    return out;
}

oncall::Urgency UrgencyOf(const AlertIncident& i) {
    return i.urgency == alerts::Urgency::kLow ? oncall::Urgency::kLow : oncall::Urgency::kHigh;
}

Result<std::string> UserName(store::Tx& tx, const std::string& user_id) {
    TOCSIN_ASSIGN(u, tx.GetUser(user_id));
    if (!u) return user_id;
    return u->name.empty() ? u->email : u->name;
}

// A level fires: page every user of its targets through their notification rules.
Result<std::string> FireLevel(
    store::Tx& tx,
    TimePoint now,
    store::IncidentEscalation& esc,
    const AlertIncident& incident,
    const store::EscalationTimer& timer,
    const EscalationTiming& timing
) {
    const auto& policy = esc.policy;
    if (timer.level < 0 || timer.level >= static_cast<int>(policy.levels.size()))
        return std::string("skipped: no such level");
    const auto& level = policy.levels[static_cast<std::size_t>(timer.level)];
    std::vector<std::string> users;
    std::set<std::string> seen;
    for (const auto& target : level.targets) {
        TOCSIN_ASSIGN(ids, UsersOf(tx, now, target, incident, timer.pass));
        for (auto& id : ids) {
            if (seen.insert(id).second) users.push_back(std::move(id));
        }
    }
    json::array paged;
    std::vector<std::string> names;
    for (const auto& user_id : users) {
        TOCSIN_ASSIGN(name, UserName(tx, user_id));
        names.push_back(name);
        paged.emplace_back(user_id);
        TOCSIN_ASSIGN(rules, tx.ListNotificationRules(user_id));
        int inserted = 0;
        for (const auto& rule : rules) {
            if (rule.urgency != UrgencyOf(incident)) continue;
            store::EscalationTimer t;
            t.id = NewId();
            t.incident_id = incident.id;
            t.kind = "notify";
            t.epoch = timer.epoch;
            t.level = timer.level;
            t.pass = timer.pass;
            t.user_id = user_id;
            t.contact_method_id = rule.contact_method_id;
            t.due_at = now + timing.minute * rule.delay.count();
            t.created_at = now;
            TOCSIN_ASSIGN(fresh, tx.InsertEscalationTimer(t));
            if (fresh) ++inserted;
        }
        if (inserted == 0) {
            TOCSIN_TRY(Log(
                tx,
                now,
                incident.id,
                "system",
                "system",
                "notify.failed",
                name + " has no notification rules for " + std::string(alerts::ToString(incident.urgency)) + " urgency",
                json::serialize(json::object{{"user_id", user_id}})
            ));
        }
    }
    const int shown_level = timer.level + 1;
    std::string text = "Level " + std::to_string(shown_level);
    if (timer.pass > 0) text += " (repeat " + std::to_string(timer.pass) + ")";
    if (names.empty()) {
        text += ": nobody to page";
    } else {
        text += " paged ";
        for (std::size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
    }
    TOCSIN_TRY(
        Log(tx,
            now,
            incident.id,
            "system",
            "system",
            "escalated",
            text,
            json::serialize(json::object{
                {"level", shown_level}, {"pass", timer.pass}, {"epoch", timer.epoch}, {"users", std::move(paged)}}))
    );
    esc.last_level = timer.level;
    esc.last_pass = timer.pass;
    TOCSIN_TRY(tx.UpdateIncidentEscalation(esc));
    if (auto next = oncall::NextStep(policy, {timer.level, timer.pass}, now, timing.minute)) {
        TOCSIN_ASSIGN(fresh, InsertLevelTimer(tx, now, incident.id, timer.epoch, next->step, next->due_at));
        (void)fresh;  // already there: an escalate-now of the same epoch got ahead of it
    }
    return "paged " + std::to_string(users.size()) + " user(s)";
}

// A notification rule is due: queue an attempt for its contact method (the engine sends it).
Result<std::string> FireNotify(
    store::Tx& tx, TimePoint now, const AlertIncident& incident, const store::EscalationTimer& timer
) {
    TOCSIN_ASSIGN(method, tx.GetContactMethod(timer.contact_method_id));
    TOCSIN_ASSIGN(name, UserName(tx, timer.user_id));
    if (!method || !method->verified) {
        const std::string why = !method ? "its contact method was deleted" : "its contact method is not verified";
        TOCSIN_TRY(Log(
            tx,
            now,
            incident.id,
            "system",
            "system",
            "notify.failed",
            "Not sent to " + name + ": " + why,
            json::serialize(json::object{{"user_id", timer.user_id}, {"contact_method_id", timer.contact_method_id}})
        ));
        return "skipped: " + why;
    }
    store::NotificationAttempt a;
    a.id = NewId();
    a.incident_id = incident.id;
    a.timer_id = timer.id;
    a.user_id = timer.user_id;
    a.contact_method_id = method->id;
    a.channel = std::string(oncall::ToString(method->kind));
    a.state = "queued";
    a.address = method->address;
    if (method->kind == oncall::ContactKind::kSms || method->kind == oncall::ContactKind::kVoice) {
        a.reply_code = ReplyCode();
    }
    a.created_at = now;
    TOCSIN_TRY(tx.InsertNotificationAttempt(a));
    return "queued attempt " + a.id;
}

}  // namespace

bool IsEscalating(const store::IncidentEscalation& e, const AlertIncident& incident) {
    if (!incident.IsOpen() || e.stopped_at) return false;
    // The first escalation stops at the acknowledgement; a re-escalation or an escalate-now
    // pages although the incident is acknowledged, until someone answers it.
    return incident.state == AlertState::kTriggered || e.epoch_kind != "trigger";
}

namespace {

// Records the escalation of `incident` and its first level's timer, due at `now`; false when
// the service has no policy.
Result<bool> BeginEscalation(store::Tx& tx, TimePoint now, const AlertIncident& incident) {
    TOCSIN_ASSIGN(settings, tx.GetServiceEscalation(incident.service_id));
    if (!settings || settings->policy_id.empty()) return false;
    TOCSIN_ASSIGN(policy, tx.GetEscalationPolicy(settings->policy_id));
    if (!policy) return false;
    store::IncidentEscalation e;
    e.incident_id = incident.id;
    e.policy = *policy;
    e.epoch = 0;
    e.epoch_kind = "trigger";
    e.epoch_started_at = now;
    TOCSIN_TRY(tx.InsertIncidentEscalation(e));
    TOCSIN_ASSIGN(fresh, InsertLevelTimer(tx, now, incident.id, 0, {0, 0}, now));
    (void)fresh;
    return true;
}

// Whether an alert of the incident would page now (see StartHeldBackEscalations); `why` says
// what held the escalation back.
Result<bool> WouldPageNow(
    store::Tx& tx,
    TimePoint now,
    const AlertIncident& incident,
    const std::vector<alerts::Silence>& silences,
    std::string& why
) {
    store::AlertFilter f;
    f.incident_id = incident.id;
    f.state = AlertState::kTriggered;
    f.limit = 1000;
    TOCSIN_ASSIGN(alerts, tx.ListAlerts(f));
    bool snoozed = false, silenced = false;
    for (const auto& a : alerts) {
        if (a.IsSnoozedAt(now)) continue;
        if (a.silenced && alerts::IsSilenced(silences, incident.service_id, a.labels, now)) continue;
        snoozed = snoozed || a.snoozed_until.has_value();
        silenced = silenced || a.silenced;
        why = silenced ? "the silence ended" : snoozed ? "the snooze ended" : "an alert that pages joined";
        return true;
    }
    return false;
}

}  // namespace

Result<int> StartHeldBackEscalations(store::Tx& tx, TimePoint now, int limit) {
    TOCSIN_ASSIGN(ids, tx.ListHeldBackIncidents(limit));
    if (ids.empty()) return 0;
    TOCSIN_ASSIGN(silences, tx.ListSilences());
    int started = 0;
    for (const auto& id : ids) {
        TOCSIN_ASSIGN(incident, tx.GetAlertIncident(id));
        if (!incident || incident->state != AlertState::kTriggered) continue;
        std::string why;
        TOCSIN_ASSIGN(pages, WouldPageNow(tx, now, *incident, silences, why));
        if (!pages) continue;
        TOCSIN_ASSIGN(begun, BeginEscalation(tx, now, *incident));
        if (!begun) continue;
        TOCSIN_TRY(
            Log(tx,
                now,
                incident->id,
                "system",
                "system",
                "escalation.started",
                "Escalation starts: " + why + " while the incident is open")
        );
        ++started;
    }
    return started;
}

Result<void> ResumeEscalationAfterSnooze(
    store::Tx& tx, TimePoint now, const std::string& incident_id, bool ack_expired
) {
    TOCSIN_ASSIGN(incident, tx.GetAlertIncident(incident_id));
    if (!incident || incident->state != AlertState::kTriggered) return {};
    TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(incident_id));
    if (!esc) {
        TOCSIN_ASSIGN(settings, tx.GetServiceEscalation(incident->service_id));
        if (!settings || settings->policy_id.empty()) return {};  // nobody to page
        TOCSIN_ASSIGN(silences, tx.ListSilences());
        std::string why;
        TOCSIN_ASSIGN(pages, WouldPageNow(tx, now, *incident, silences, why));
        if (!pages) return {};
        TOCSIN_ASSIGN(begun, BeginEscalation(tx, now, *incident));
        if (begun) {
            TOCSIN_TRY(
                Log(tx,
                    now,
                    incident_id,
                    "system",
                    "system",
                    "escalation.started",
                    ack_expired ? "Escalation starts: an acknowledgement expired while the incident is open"
                                : "Escalation starts: the snooze ended while the incident is open")
            );
        }
        return {};
    }
    TOCSIN_ASSIGN(snoozed, tx.IncidentSnoozedAt(incident_id, now));
    if (snoozed) return {};
    TOCSIN_ASSIGN(timers, tx.ListEscalationTimers(incident_id));
    for (const auto& t : timers) {
        if (t.epoch == esc->epoch && t.kind == "level" && t.state == "pending") return {};  // still running
    }
    esc->epoch += 1;
    esc->epoch_kind = "trigger";
    esc->epoch_started_at = now;
    esc->stopped_at.reset();
    esc->last_level = -1;
    esc->last_pass = 0;
    TOCSIN_TRY(tx.UpdateIncidentEscalation(*esc));
    TOCSIN_ASSIGN(fresh, InsertLevelTimer(tx, now, incident_id, esc->epoch, {0, 0}, now));
    (void)fresh;
    TOCSIN_ASSIGN(
        seq,
        Log(tx,
            now,
            incident_id,
            "system",
            "system",
            "reescalated",
            ack_expired ? "An acknowledgement expired and the incident is open again: escalating again from level 1"
                        : "The snooze ended and the incident is still open: escalating again from level 1",
            json::serialize(json::object{
                {"epoch", esc->epoch}, {"reason", ack_expired ? "ack_expired" : "snooze_ended"}}))
    );
    (void)seq;
    return {};
}

Result<void> StartEscalation(store::Tx& tx, TimePoint now, const AlertIncident& incident) {
    if (incident.silenced) return {};  // StartHeldBackEscalations starts it when the silence ends
    TOCSIN_ASSIGN(begun, BeginEscalation(tx, now, incident));
    (void)begun;
    return {};
}

Result<FireCounts> FireDueEscalationTimers(store::Tx& tx, TimePoint now, int limit, const EscalationTiming& timing) {
    FireCounts counts;
    TOCSIN_ASSIGN(due, tx.ListDueEscalationTimers(now, limit));
    for (const auto& timer : due) {
        TOCSIN_ASSIGN(incident, tx.GetAlertIncident(timer.incident_id));
        TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(timer.incident_id));
        std::string outcome;
        if (!incident || !esc) {
            outcome = "skipped: no escalation";
        } else if (timer.epoch != esc->epoch) {
            outcome = "skipped: superseded";
        } else if (!IsEscalating(*esc, *incident)) {
            outcome = !incident->IsOpen() ? "skipped: resolved"
                      : esc->stopped_at   ? "skipped: answered"
                                          : "skipped: acknowledged";
        } else {
            // Every open alert snoozed: nobody is paged; the snooze's end starts it again.
            TOCSIN_ASSIGN(snoozed, tx.IncidentSnoozedAt(incident->id, now));
            if (snoozed) outcome = "skipped: snoozed";
        }
        if (!outcome.empty()) {
            ++counts.skipped;
        } else if (timer.kind == "level") {
            TOCSIN_ASSIGN(o, FireLevel(tx, now, *esc, *incident, timer, timing));
            outcome = std::move(o);
            ++counts.levels;
        } else {
            TOCSIN_ASSIGN(o, FireNotify(tx, now, *incident, timer));
            outcome = std::move(o);
            ++counts.notifies;
        }
        // Claimed in the transaction that wrote what it caused: it can never fire again.
        TOCSIN_ASSIGN(claimed, tx.CompleteEscalationTimer(timer.id, outcome));
        if (!claimed) return Error::Conflict("escalation timer " + timer.id + " was claimed twice");
    }
    return counts;
}

Result<int> ReescalateDue(store::Tx& tx, TimePoint now, int limit) {
    TOCSIN_ASSIGN(due, tx.ListReescalationDue(now, limit));
    int n = 0;
    for (auto& [esc, acked_at] : due) {
        esc.epoch += 1;
        esc.epoch_kind = "reescalate";
        esc.epoch_started_at = now;
        esc.stopped_at.reset();
        esc.last_level = -1;
        esc.last_pass = 0;
        TOCSIN_TRY(tx.UpdateIncidentEscalation(esc));
        TOCSIN_ASSIGN(fresh, InsertLevelTimer(tx, now, esc.incident_id, esc.epoch, {0, 0}, now));
        (void)fresh;
        const auto quiet = std::chrono::duration_cast<std::chrono::minutes>(now - acked_at).count();
        TOCSIN_TRY(
            Log(tx,
                now,
                esc.incident_id,
                "system",
                "system",
                "reescalated",
                "Acknowledged " + std::to_string(quiet) + " min ago and not resolved: escalating again from level 1",
                json::serialize(json::object{{"epoch", esc.epoch}}))
        );
        ++n;
    }
    return n;
}

Result<AlertIncident> EscalateNow(
    store::Tx& tx, TimePoint now, const std::string& incident_id, std::optional<int> level, const Actor& by
) {
    TOCSIN_ASSIGN(incident, tx.GetAlertIncident(incident_id));
    if (!incident) return Error::NotFound("alert incident " + incident_id + " does not exist");
    if (!incident->IsOpen()) return Error::Conflict("alert incident " + incident_id + " is resolved");
    TOCSIN_ASSIGN(existing, tx.GetIncidentEscalation(incident_id));
    store::IncidentEscalation esc;
    if (existing) {
        esc = *existing;
    } else {
        // Opened before its service had a policy: escalate with the service's policy now.
        TOCSIN_ASSIGN(settings, tx.GetServiceEscalation(incident->service_id));
        if (!settings || settings->policy_id.empty()) {
            return Error::Conflict("the incident's service has no escalation policy");
        }
        TOCSIN_ASSIGN(policy, tx.GetEscalationPolicy(settings->policy_id));
        if (!policy) return Error::Conflict("the incident's service has no escalation policy");
        esc.incident_id = incident_id;
        esc.policy = *policy;
        esc.epoch = -1;
        esc.epoch_started_at = now;
        TOCSIN_TRY(tx.InsertIncidentEscalation(esc));
    }
    oncall::EscalationStep step;
    const int levels = static_cast<int>(esc.policy.levels.size());
    if (level) {
        if (*level < 0 || *level >= levels) {
            return Error::Invalid("level", "must be 1 to " + std::to_string(levels));
        }
        step = {*level, std::min(esc.last_pass, esc.policy.repeat)};
    } else if (esc.last_level >= 0) {
        step = oncall::EscalateNowStep(esc.policy, {esc.last_level, esc.last_pass});
    }
    esc.epoch += 1;
    esc.epoch_kind = "manual";
    esc.epoch_started_at = now;
    esc.stopped_at.reset();
    TOCSIN_TRY(tx.UpdateIncidentEscalation(esc));
    TOCSIN_ASSIGN(fresh, InsertLevelTimer(tx, now, incident_id, esc.epoch, step, now));
    (void)fresh;
    TOCSIN_TRY(
        Log(tx,
            now,
            incident_id,
            by.name,
            by.via,
            "escalate",
            "Escalated now to level " + std::to_string(step.level + 1),
            json::serialize(json::object{{"level", step.level + 1}, {"epoch", esc.epoch}}))
    );
    return *incident;
}

Result<AlertIncident> AnswerPage(
    store::Tx& tx, TimePoint now, const std::string& attempt_id, PageAnswer answer, const std::string& via
) {
    TOCSIN_ASSIGN(attempt, tx.GetNotificationAttempt(attempt_id));
    if (!attempt) return Error::NotFound("this page does not exist any more");
    TOCSIN_ASSIGN(incident, tx.GetAlertIncident(attempt->incident_id));
    if (!incident) return Error::NotFound("the incident does not exist any more");
    if (!incident->IsOpen()) return Error::Conflict("incident #" + std::to_string(incident->number) + " is resolved");
    TOCSIN_ASSIGN(name, UserName(tx, attempt->user_id));
    const Actor by{name, via};
    AlertIncident result = *incident;
    if (answer == PageAnswer::kResolve) {
        TOCSIN_ASSIGN(r, ResolveIncident(tx, now, incident->id, by));
        result = std::move(r);
    } else if (incident->state == AlertState::kTriggered) {
        TOCSIN_ASSIGN(r, AcknowledgeIncident(tx, now, incident->id, by));
        result = std::move(r);
    }
    // The answer also stops the current epoch (a re-escalation of an acknowledged incident
    // would otherwise go on paging).
    TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(incident->id));
    if (esc && !esc->stopped_at) {
        esc->stopped_at = now;
        TOCSIN_TRY(tx.UpdateIncidentEscalation(*esc));
    }
    attempt->answered_at = now;
    attempt->answer = answer == PageAnswer::kResolve ? "resolved" : "acknowledged";
    TOCSIN_TRY(tx.UpdateNotificationAttempt(*attempt));
    const std::string what = answer == PageAnswer::kResolve ? "resolved" : "acknowledged";
    TOCSIN_TRY(
        Log(tx,
            now,
            incident->id,
            name,
            via,
            what + " via " + via,
            name + " " + what + " through the " + (via == "link" ? attempt->channel + " link" : via + " reply"),
            json::serialize(json::object{
                {"attempt_id", attempt->id},
                {"channel", attempt->channel},
                {"contact_method_id", attempt->contact_method_id}}))
    );
    return result;
}

}  // namespace tocsin::service
