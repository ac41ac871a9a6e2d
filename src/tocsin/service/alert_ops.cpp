#include "tocsin/service/alert_ops.hpp"

#include "tocsin/alerts/grouping.hpp"
#include "tocsin/alerts/severity.hpp"
#include "tocsin/alerts/silence.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/service/escalation_ops.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>

namespace tocsin::service {

// What one batch of intake requests reads once: the severity map, silences and services do
// not change through the intake, so every request of a group commit shares them.
struct IntakeBatch::State {
    store::Tx& tx;
    TimePoint now;
    std::optional<alerts::SeverityTable> table;
    std::optional<std::vector<alerts::Silence>> silences;
    std::map<std::string, std::optional<alerts::Service>> services;
    std::vector<std::string> touched_keys;  // integration keys whose last use is already recorded

    Result<const alerts::SeverityTable*> Table() {
        if (!table) {
            TOCSIN_ASSIGN(t, tx.GetSeverityMap());
            table = std::move(t);
        }
        return &*table;
    }
    Result<const std::vector<alerts::Silence>*> Silences() {
        if (!silences) {
            TOCSIN_ASSIGN(s, tx.ListSilences());
            silences = std::move(s);
        }
        return &*silences;
    }
    Result<const alerts::Service*> ServiceOf(const std::string& id) {
        auto it = services.find(id);
        if (it == services.end()) {
            TOCSIN_ASSIGN(s, tx.GetService(id));
            it = services.emplace(id, std::move(s)).first;
        }
        return it->second ? &*it->second : nullptr;
    }
};

namespace {

namespace json = boost::json;
using alerts::Alert;
using alerts::AlertIncident;
using alerts::AlertState;
using alerts::IntakeAction;
using alerts::IntakeEvent;
using alerts::IntakeOutcome;

constexpr std::size_t kMaxNote = 25000;

using Context = IntakeBatch::State;

std::string AlertPayload(const Alert& a, std::string_view extra_key = {}, std::string_view extra = {}) {
    json::object o{
        {"alert_id", a.id},
        {"tiny_id", a.tiny_id},
        {"incident_id", a.incident_id},
        {"service_id", a.service_id},
        {"dedup_key", a.dedup_key},
        {"summary", a.summary},
        {"severity", a.severity},
        {"priority", a.priority},
        {"urgency", alerts::ToString(a.urgency)},
        {"state", alerts::ToString(a.state)},
        {"silenced", a.silenced},
    };
    if (!extra_key.empty()) o[extra_key] = extra;
    return json::serialize(o);
}

std::string IncidentPayload(const AlertIncident& i) {
    return json::serialize(json::object{
        {"incident_id", i.id},
        {"number", i.number},
        {"service_id", i.service_id},
        {"title", i.title},
        {"state", alerts::ToString(i.state)},
        {"urgency", alerts::ToString(i.urgency)},
        {"alert_count", i.alert_count},
        {"silenced", i.silenced},
    });
}

Result<std::int64_t> Log(
    store::Tx& tx,
    TimePoint now,
    const std::string& alert_id,
    const std::string& incident_id,
    const Actor& by,
    std::string action,
    std::string text,
    std::string data = "{}"
) {
    alerts::AlertLogEntry e;
    e.alert_id = alert_id;
    e.incident_id = incident_id;
    e.at = now;
    e.actor = by.name;
    e.dialect = by.via;
    e.action = std::move(action);
    e.text = std::move(text);
    e.data_json = std::move(data);
    return tx.InsertAlertLog(e);
}

Result<void> Outbox(store::Tx& tx, TimePoint now, const std::string& topic, std::int64_t log_seq, std::string payload) {
    store::OutboxMessage m;
    m.topic = topic;
    m.idempotency_key = topic + "/" + std::to_string(log_seq);
    m.payload = std::move(payload);
    m.created_at = now;
    return tx.EnqueueOutbox(m);
}

/// Re-derives an incident's counts and state from its alerts; logs and announces a change of state.
Result<void> Recompute(store::Tx& tx, TimePoint now, const std::string& incident_id, const Actor& by) {
    if (incident_id.empty()) return {};
    TOCSIN_ASSIGN(found, tx.GetAlertIncident(incident_id));
    if (!found) return {};
    AlertIncident inc = *found;
    TOCSIN_ASSIGN(c, tx.CountIncidentAlerts(incident_id));
    const AlertState before = inc.state;
    inc.alert_count = c.triggered + c.acknowledged + c.resolved;
    inc.open_count = c.triggered + c.acknowledged;
    inc.silenced = inc.open_count > 0 && c.open_not_silenced == 0;
    inc.state = c.triggered > 0      ? AlertState::kTriggered
                : c.acknowledged > 0 ? AlertState::kAcknowledged
                                     : AlertState::kResolved;
    inc.updated_at = now;
    if (inc.state == AlertState::kAcknowledged && before != AlertState::kAcknowledged) inc.acknowledged_at = now;
    if (inc.state == AlertState::kResolved && before != AlertState::kResolved) inc.resolved_at = now;
    if (inc.state != AlertState::kResolved) inc.resolved_at.reset();
    TOCSIN_TRY(tx.UpdateAlertIncident(inc));
    if (inc.state != before) {
        const std::string action = std::string(alerts::ToString(inc.state));
        TOCSIN_ASSIGN(seq, Log(tx, now, "", inc.id, by, "incident." + action, "Incident " + action));
        TOCSIN_TRY(Outbox(tx, now, "incident." + action, seq, IncidentPayload(inc)));
    }
    return {};
}

/// After one alert of the incident moved from `from` to `to`: adjusts the open count and
/// re-derives state and silenced with index probes (no count over the incident's alerts, so a
/// resolve costs the same in an incident of 10 alerts or of 10,000). Same log and outbox
/// messages as Recompute.
Result<void> Reconcile(
    store::Tx& tx, TimePoint now, const std::string& incident_id, AlertState from, AlertState to, const Actor& by
) {
    if (incident_id.empty()) return {};
    TOCSIN_ASSIGN(found, tx.GetAlertIncident(incident_id));
    if (!found) return {};
    AlertIncident inc = *found;
    const bool was_open = from != AlertState::kResolved, is_open = to != AlertState::kResolved;
    if (was_open && !is_open) inc.open_count = std::max<std::int64_t>(0, inc.open_count - 1);
    if (!was_open && is_open) inc.open_count += 1;
    TOCSIN_ASSIGN(p, tx.ProbeIncidentAlerts(incident_id));
    const AlertState before = inc.state;
    inc.state = p.triggered      ? AlertState::kTriggered
                : p.acknowledged ? AlertState::kAcknowledged
                                 : AlertState::kResolved;
    if (inc.state == AlertState::kResolved) inc.open_count = 0;
    inc.silenced = inc.state != AlertState::kResolved && !p.open_not_silenced;
    inc.updated_at = now;
    if (inc.state == AlertState::kAcknowledged && before != AlertState::kAcknowledged) inc.acknowledged_at = now;
    if (inc.state == AlertState::kResolved && before != AlertState::kResolved) inc.resolved_at = now;
    if (inc.state != AlertState::kResolved) inc.resolved_at.reset();
    TOCSIN_TRY(tx.UpdateAlertIncident(inc));
    if (inc.state != before) {
        const std::string action = std::string(alerts::ToString(inc.state));
        TOCSIN_ASSIGN(seq, Log(tx, now, "", inc.id, by, "incident." + action, "Incident " + action));
        TOCSIN_TRY(Outbox(tx, now, "incident." + action, seq, IncidentPayload(inc)));
    }
    return {};
}

struct Found {
    std::optional<Alert> alert;
    std::string why;  // when not found
};

Result<Found> FindAlert(store::Tx& tx, const IntakeEvent& ev) {
    Found f;
    if (ev.identifier.empty()) {
        f.why = "identifier is required";
        return f;
    }
    switch (ev.identifier_type) {
        case alerts::IdentifierType::kDedupKey: {
            TOCSIN_ASSIGN(a, tx.FindOpenAlert(ev.service_id, ev.identifier));
            if (!a) {
                TOCSIN_ASSIGN(latest, tx.FindLatestAlert(ev.service_id, ev.identifier));
                a = std::move(latest);
            }
            f.alert = std::move(a);
            break;
        }
        case alerts::IdentifierType::kId: {
            TOCSIN_ASSIGN(a, tx.GetAlert(ev.identifier));
            f.alert = std::move(a);
            break;
        }
        case alerts::IdentifierType::kTinyId: {
            std::int64_t n = 0;
            for (char ch : ev.identifier) {
                if (ch < '0' || ch > '9' || n > 1'000'000'000'000) {
                    n = -1;
                    break;
                }
                n = n * 10 + (ch - '0');
            }
            if (n > 0) {
                TOCSIN_ASSIGN(a, tx.GetAlertByTinyId(n));
                f.alert = std::move(a);
            }
            break;
        }
    }
    // An alert of another service is not visible through this key.
    if (f.alert && !ev.service_id.empty() && f.alert->service_id != ev.service_id) f.alert.reset();
    if (!f.alert) f.why = "Alert does not exist";
    return f;
}

Actor EventActor(const IntakeEvent& ev) {
    Actor a;
    a.name = !ev.user.empty() ? ev.user : !ev.source.empty() ? ev.source : ev.integration_key_id;
    a.via = std::string(alerts::ToString(ev.dialect));
    return a;
}

IntakeOutcome Outcome(const Alert& a, bool applied, std::string status) {
    IntakeOutcome o;
    o.applied = applied;
    o.status = std::move(status);
    o.alert_id = a.id;
    o.incident_id = a.incident_id;
    o.dedup_key = a.dedup_key;
    o.tiny_id = a.tiny_id;
    o.count = a.count;
    return o;
}

IntakeOutcome Dropped(const IntakeEvent& ev, std::string status) {
    IntakeOutcome o;
    o.status = std::move(status);
    o.dedup_key = ev.identifier_type == alerts::IdentifierType::kDedupKey ? ev.identifier : std::string();
    return o;
}

Result<IntakeOutcome> Trigger(Context& ctx, const IntakeEvent& ev) {
    auto& tx = ctx.tx;
    const TimePoint now = ctx.now;
    TOCSIN_ASSIGN(service, ctx.ServiceOf(ev.service_id));
    if (!service) return Dropped(ev, "Service does not exist");
    const Actor by = EventActor(ev);
    std::string dedup = ev.identifier;
    if (ev.identifier_type != alerts::IdentifierType::kDedupKey) dedup.clear();
    if (dedup.empty()) dedup = NewId();
    if (dedup.size() > 512) return Dropped(ev, "dedup key is longer than 512 characters");

    TOCSIN_ASSIGN(repeat, tx.RepeatOpenAlert(service->id, dedup, now));
    if (repeat) {
        json::object data{{"count", repeat->count}};
        if (!ev.summary.empty()) data["summary"] = ev.summary;
        TOCSIN_TRY(Log(
            tx, now, repeat->id, repeat->incident_id, by, "deduplicated", "Repeated while open", json::serialize(data)
        ));
        IntakeOutcome o;
        o.applied = true;
        o.status = "Deduplicated";
        o.alert_id = repeat->id;
        o.incident_id = repeat->incident_id;
        o.dedup_key = dedup;
        o.tiny_id = repeat->tiny_id;
        o.count = repeat->count;
        return o;
    }

    TOCSIN_ASSIGN(table, ctx.Table());
    TOCSIN_ASSIGN(silences, ctx.Silences());
    const auto level = table->Resolve(ev.severity, ev.priority, ev.labels);
    Alert a;
    a.id = NewTimeOrderedId();  // index pages by id: appended, not a random leaf per alert
    TOCSIN_ASSIGN(tiny, tx.NextAlertTinyId());
    a.tiny_id = tiny;
    a.service_id = service->id;
    a.integration_key_id = ev.integration_key_id;
    a.dialect = ev.dialect;
    a.dedup_key = dedup;
    a.group_key = ev.group_key;
    a.state = AlertState::kTriggered;
    a.summary = !ev.summary.empty() ? ev.summary.substr(0, 1024) : dedup.substr(0, 1024);
    a.description = ev.description;
    a.source = ev.source;
    a.entity = ev.entity;
    a.severity = level.severity;
    a.priority = level.priority;
    a.urgency = service->urgency == "high"  ? alerts::Urgency::kHigh
                : service->urgency == "low" ? alerts::Urgency::kLow
                                            : level.urgency;
    a.details_json = ev.details_json.empty() ? "{}" : ev.details_json;
    a.labels = ev.labels;
    a.tags = ev.tags;
    a.links_json = ev.links_json.empty() ? "[]" : ev.links_json;
    a.images_json = ev.images_json.empty() ? "[]" : ev.images_json;
    a.responders_json = ev.responders_json.empty() ? "[]" : ev.responders_json;
    a.silenced = alerts::IsSilenced(*silences, service->id, ev.labels, now);
    a.created_at = a.updated_at = a.last_event_at = now;

    // Grouping: join an open incident or open a new one.
    TOCSIN_ASSIGN(candidates, tx.ListGroupCandidates(service->id));
    const std::string signature = alerts::LabelSignature(service->grouping, ev.labels);
    auto joined = alerts::ChooseIncident(service->grouping, ev.group_key, signature, now, candidates);
    AlertIncident inc;
    bool opened = false;
    if (joined) {
        TOCSIN_ASSIGN(found, tx.GetAlertIncident(*joined));
        if (!found) return Error::Internal("open incident " + *joined + " vanished");
        inc = *found;
    } else {
        opened = true;
        inc.id = NewId();
        TOCSIN_ASSIGN(number, tx.NextAlertIncidentNumber());
        inc.number = number;
        inc.service_id = service->id;
        inc.group_key = ev.group_key;
        inc.title = a.summary;
        inc.state = AlertState::kTriggered;
        inc.urgency = a.urgency;
        inc.silenced = a.silenced;
        inc.created_at = inc.updated_at = inc.last_alert_at = now;
        TOCSIN_TRY(tx.InsertAlertIncident(inc, signature));
        TOCSIN_TRY(StartEscalation(tx, now, inc));  // issue 7: first escalation timer, same transaction
    }
    a.incident_id = inc.id;
    TOCSIN_TRY(tx.InsertAlert(a));

    // The incident: one more open alert; a triggered alert makes it triggered; a high-urgency
    // alert makes it high; silenced only while every open alert is.
    const AlertState before = inc.state;
    inc.alert_count += 1;
    inc.open_count += 1;
    inc.state = AlertState::kTriggered;
    inc.resolved_at.reset();
    if (a.urgency == alerts::Urgency::kHigh) inc.urgency = alerts::Urgency::kHigh;
    inc.silenced = opened ? a.silenced : (inc.silenced && a.silenced);
    inc.last_alert_at = now;
    inc.updated_at = now;
    TOCSIN_TRY(tx.UpdateAlertIncident(inc));

    json::object data{{"severity", a.severity}, {"priority", a.priority}, {"silenced", a.silenced}};
    if (ev.occurred_at)
        data["occurred_at"] =
            std::chrono::duration_cast<std::chrono::milliseconds>(ev.occurred_at->time_since_epoch()).count();
    TOCSIN_TRY(Log(tx, now, a.id, inc.id, by, "trigger", a.summary, json::serialize(data)));
    if (opened) {
        TOCSIN_ASSIGN(iseq, Log(tx, now, "", inc.id, by, "incident.opened", inc.title));
        TOCSIN_TRY(Outbox(tx, now, "incident.opened", iseq, IncidentPayload(inc)));
    } else if (before != AlertState::kTriggered) {
        TOCSIN_ASSIGN(iseq, Log(tx, now, "", inc.id, by, "incident.triggered", "A new alert joined"));
        TOCSIN_TRY(Outbox(tx, now, "incident.triggered", iseq, IncidentPayload(inc)));
    }
    return Outcome(a, true, "Created alert");
}

// Moves one alert to a new state with its log row, outbox message and incident roll-up.
Result<void> Transition(
    store::Tx& tx,
    TimePoint now,
    Alert& a,
    AlertState to,
    const Actor& by,
    const std::string& action,
    const std::string& text,
    std::chrono::seconds ack_timeout = std::chrono::seconds(0)
) {
    const AlertState from = a.state;
    a.state = to;
    a.updated_at = now;
    a.last_event_at = now;
    if (to == AlertState::kAcknowledged) {
        a.acknowledged_at = now;
        a.acknowledged_by = by.name;
        if (ack_timeout.count() > 0) a.ack_expires_at = now + ack_timeout;
    } else {
        a.ack_expires_at.reset();
        if (to == AlertState::kTriggered) {
            a.acknowledged_at.reset();
            a.acknowledged_by.clear();
        }
    }
    if (to == AlertState::kResolved) {
        a.resolved_at = now;
        a.snoozed_until.reset();
    }
    TOCSIN_TRY(tx.UpdateAlert(a));
    TOCSIN_TRY(Log(tx, now, a.id, a.incident_id, by, action, text));
    return Reconcile(tx, now, a.incident_id, from, to, by);
}

Result<std::chrono::seconds> AckTimeout(store::Tx& tx, const std::string& service_id) {
    TOCSIN_ASSIGN(s, tx.GetService(service_id));
    return s ? s->ack_timeout : std::chrono::seconds(0);
}

Result<IntakeOutcome> Act(Context& ctx, const IntakeEvent& ev) {
    auto& tx = ctx.tx;
    const TimePoint now = ctx.now;
    TOCSIN_ASSIGN(found, FindAlert(tx, ev));
    if (!found.alert) return Dropped(ev, found.why);
    Alert a = *found.alert;
    const Actor by = EventActor(ev);
    const bool open = a.IsOpen();
    auto note_after = [&]() -> Result<void> {
        if (ev.note.empty()) return {};
        TOCSIN_ASSIGN(seq, Log(tx, now, a.id, a.incident_id, by, "note", ev.note.substr(0, kMaxNote)));
        (void)seq;
        return {};
    };
    switch (ev.action) {
        case IntakeAction::kAcknowledge: {
            if (!open) return Outcome(a, false, "Alert is already closed");
            if (a.state == AlertState::kAcknowledged) return Outcome(a, true, "Alert is already acknowledged");
            TOCSIN_ASSIGN(timeout, AckTimeout(tx, a.service_id));
            TOCSIN_TRY(Transition(tx, now, a, AlertState::kAcknowledged, by, "acknowledged", "Acknowledged", timeout));
            TOCSIN_TRY(note_after());
            return Outcome(a, true, "Acknowledged");
        }
        case IntakeAction::kUnacknowledge: {
            if (!open) return Outcome(a, false, "Alert is already closed");
            if (a.state != AlertState::kAcknowledged) return Outcome(a, true, "Alert is not acknowledged");
            TOCSIN_TRY(Transition(tx, now, a, AlertState::kTriggered, by, "unacknowledged", "Unacknowledged"));
            TOCSIN_TRY(note_after());
            return Outcome(a, true, "Unacknowledged");
        }
        case IntakeAction::kResolve: {
            if (!open) return Outcome(a, false, "Alert is already closed");
            TOCSIN_TRY(Transition(tx, now, a, AlertState::kResolved, by, "resolved", "Resolved"));
            TOCSIN_TRY(note_after());
            return Outcome(a, true, "Closed");
        }
        case IntakeAction::kNote: {
            if (ev.note.empty()) return Outcome(a, false, "note is required");
            TOCSIN_TRY(Log(tx, now, a.id, a.incident_id, by, "note", ev.note.substr(0, kMaxNote)));
            return Outcome(a, true, "Added note");
        }
        case IntakeAction::kSnooze: {
            if (!open) return Outcome(a, false, "Alert is already closed");
            if (!ev.snooze_until || *ev.snooze_until <= now) return Outcome(a, false, "endTime must be in the future");
            a.snoozed_until = *ev.snooze_until;
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
            TOCSIN_ASSIGN(seq, Log(tx, now, a.id, a.incident_id, by, "snoozed", "Snoozed"));
            TOCSIN_TRY(Outbox(tx, now, "alert.snoozed", seq, AlertPayload(a)));
            TOCSIN_TRY(note_after());
            return Outcome(a, true, "Snoozed");
        }
        case IntakeAction::kEscalate:
        case IntakeAction::kAssign: {
            const std::string action = ev.action == IntakeAction::kEscalate ? "escalated" : "assigned";
            TOCSIN_ASSIGN(
                seq,
                Log(tx,
                    now,
                    a.id,
                    a.incident_id,
                    by,
                    action,
                    ev.note,
                    ev.responders_json.empty() ? "{}" : json::serialize(json::object{{"to", ev.responders_json}}))
            );
            TOCSIN_TRY(Outbox(tx, now, "alert." + action, seq, AlertPayload(a, "to", ev.responders_json)));
            return Outcome(a, true, action == "escalated" ? "Escalated" : "Assigned");
        }
        case IntakeAction::kSetPriority: {
            if (!ev.priority) return Outcome(a, false, "priority is required");
            TOCSIN_ASSIGN(table, ctx.Table());
            auto level = table->ByPriority(*ev.priority);
            if (!level) return Outcome(a, false, "priority must be P1..P5");
            a.priority = level->priority;
            a.severity = level->severity;
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
            TOCSIN_TRY(Log(tx, now, a.id, a.incident_id, by, "priority", "P" + std::to_string(a.priority)));
            return Outcome(a, true, "Updated priority");
        }
        case IntakeAction::kSetMessage:
        case IntakeAction::kSetDescription: {
            const bool message = ev.action == IntakeAction::kSetMessage;
            if (message) {
                if (ev.summary.empty()) return Outcome(a, false, "message is required");
                a.summary = ev.summary.substr(0, 1024);
            } else {
                a.description = ev.description;
            }
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
            TOCSIN_TRY(
                Log(tx,
                    now,
                    a.id,
                    a.incident_id,
                    by,
                    message ? "message" : "description",
                    message ? a.summary : a.description)
            );
            return Outcome(a, true, message ? "Updated message" : "Updated description");
        }
        case IntakeAction::kAddTags: {
            for (const auto& t : ev.tags) {
                if (std::find(a.tags.begin(), a.tags.end(), t) == a.tags.end()) a.tags.push_back(t);
            }
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
            return Outcome(a, true, "Added tags");
        }
        default:
            break;
    }
    return Dropped(ev, "unsupported action");
}

Result<IntakeOutcome> Change(Context& ctx, const IntakeEvent& ev) {
    TOCSIN_ASSIGN(service, ctx.ServiceOf(ev.service_id));
    if (!service) return Dropped(ev, "Service does not exist");
    if (ev.summary.empty()) return Dropped(ev, "summary is required");
    alerts::ChangeEvent c;
    c.id = NewId();
    c.service_id = service->id;
    c.integration_key_id = ev.integration_key_id;
    c.summary = ev.summary.substr(0, 1024);
    c.source = ev.source;
    c.details_json = ev.details_json.empty() ? "{}" : ev.details_json;
    c.links_json = ev.links_json.empty() ? "[]" : ev.links_json;
    c.occurred_at = ev.occurred_at.value_or(ctx.now);
    c.created_at = ctx.now;
    TOCSIN_TRY(ctx.tx.InsertChangeEvent(c));
    IntakeOutcome o;
    o.applied = true;
    o.status = "Change event recorded";
    return o;
}

Result<IntakeOutcome> Ping(Context& ctx, const IntakeEvent& ev) {
    TOCSIN_ASSIGN(hb, ctx.tx.GetHeartbeat(ev.integration_key_id, ev.identifier));
    if (!hb) return Dropped(ev, "Heartbeat does not exist");
    hb->last_ping_at = ctx.now;
    hb->expired = false;
    hb->updated_at = ctx.now;
    TOCSIN_TRY(ctx.tx.UpdateHeartbeat(*hb));
    IntakeOutcome o;
    o.applied = true;
    o.status = "PONG - Heartbeat received";
    return o;
}

std::string OpsgenieAction(IntakeAction a) {
    switch (a) {
        case IntakeAction::kTrigger:
            return "Create";
        case IntakeAction::kAcknowledge:
            return "Acknowledge";
        case IntakeAction::kUnacknowledge:
            return "UnAcknowledge";
        case IntakeAction::kResolve:
            return "Close";
        case IntakeAction::kNote:
            return "AddNote";
        case IntakeAction::kSnooze:
            return "Snooze";
        case IntakeAction::kEscalate:
            return "EscalateToNext";
        case IntakeAction::kAssign:
            return "AssignOwnership";
        case IntakeAction::kSetPriority:
            return "UpdatePriority";
        case IntakeAction::kSetMessage:
            return "UpdateMessage";
        case IntakeAction::kSetDescription:
            return "UpdateDescription";
        case IntakeAction::kAddTags:
            return "AddTags";
        default:
            return std::string(alerts::ToString(a));
    }
}

Result<Alert> LoadAlert(store::Tx& tx, const std::string& id) {
    TOCSIN_ASSIGN(a, tx.GetAlert(id));
    if (!a) return Error::NotFound("alert " + id + " does not exist");
    return std::move(*a);
}

Result<AlertIncident> LoadIncident(store::Tx& tx, const std::string& id) {
    TOCSIN_ASSIGN(i, tx.GetAlertIncident(id));
    if (!i) return Error::NotFound("alert incident " + id + " does not exist");
    return std::move(*i);
}

Result<std::vector<Alert>> AlertsOf(store::Tx& tx, const std::string& incident_id, bool open_only) {
    store::AlertFilter f;
    f.incident_id = incident_id;
    f.open_only = open_only;
    f.limit = 1'000'000;
    return tx.ListAlerts(f);
}

}  // namespace

IntakeBatch::IntakeBatch(store::Tx& tx, TimePoint now)
    : state_(std::make_unique<State>(State{tx, now, {}, {}, {}, {}})) {}

IntakeBatch::~IntakeBatch() = default;

Result<std::vector<IntakeOutcome>> ApplyIntake(store::Tx& tx, TimePoint now, const std::vector<IntakeEvent>& events) {
    IntakeBatch batch(tx, now);
    return batch.Apply(events);
}

Result<std::vector<IntakeOutcome>> IntakeBatch::Apply(const std::vector<IntakeEvent>& events) {
    Context& ctx = *state_;
    store::Tx& tx = ctx.tx;
    const TimePoint now = ctx.now;
    std::vector<IntakeOutcome> out;
    out.reserve(events.size());
    auto& touched = ctx.touched_keys;
    for (const auto& ev : events) {
        IntakeOutcome o;
        switch (ev.action) {
            case IntakeAction::kTrigger: {
                TOCSIN_ASSIGN(r, Trigger(ctx, ev));
                o = std::move(r);
                break;
            }
            case IntakeAction::kChangeEvent: {
                TOCSIN_ASSIGN(r, Change(ctx, ev));
                o = std::move(r);
                break;
            }
            case IntakeAction::kHeartbeatPing: {
                TOCSIN_ASSIGN(r, Ping(ctx, ev));
                o = std::move(r);
                break;
            }
            default: {
                TOCSIN_ASSIGN(r, Act(ctx, ev));
                o = std::move(r);
                break;
            }
        }
        if (!ev.request_id.empty()) {
            alerts::IntakeRequestRecord rec;
            rec.id = ev.request_id;
            rec.integration_key_id = ev.integration_key_id;
            rec.action = OpsgenieAction(ev.action);
            rec.success = o.applied;
            rec.status = o.status;
            rec.alert_id = o.alert_id;
            rec.alias = o.dedup_key;
            rec.processed_at = now;
            TOCSIN_TRY(tx.SaveIntakeRequest(rec));
        }
        if (!ev.integration_key_id.empty() &&
            std::find(touched.begin(), touched.end(), ev.integration_key_id) == touched.end()) {
            touched.push_back(ev.integration_key_id);
            TOCSIN_TRY(tx.TouchIntegrationKey(ev.integration_key_id, now));
        }
        out.push_back(std::move(o));
    }
    return out;
}

Result<Alert> AcknowledgeAlert(store::Tx& tx, TimePoint now, const std::string& id, const Actor& by) {
    TOCSIN_ASSIGN(a, LoadAlert(tx, id));
    if (!a.IsOpen()) return Error::Conflict("alert " + id + " is resolved");
    if (a.state == AlertState::kAcknowledged) return a;
    TOCSIN_ASSIGN(timeout, AckTimeout(tx, a.service_id));
    TOCSIN_TRY(Transition(tx, now, a, AlertState::kAcknowledged, by, "acknowledged", "Acknowledged", timeout));
    return a;
}

Result<Alert> ResolveAlert(store::Tx& tx, TimePoint now, const std::string& id, const Actor& by) {
    TOCSIN_ASSIGN(a, LoadAlert(tx, id));
    if (!a.IsOpen()) return Error::Conflict("alert " + id + " is already resolved");
    TOCSIN_TRY(Transition(tx, now, a, AlertState::kResolved, by, "resolved", "Resolved"));
    return a;
}

Result<void> AddAlertNote(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by, const std::string& text
) {
    if (text.empty() || text.size() > kMaxNote) return Error::Invalid("note", "note must be 1 to 25000 characters");
    TOCSIN_ASSIGN(a, LoadAlert(tx, id));
    TOCSIN_ASSIGN(seq, Log(tx, now, a.id, a.incident_id, by, "note", text));
    (void)seq;
    return {};
}

Result<AlertIncident> AcknowledgeIncident(store::Tx& tx, TimePoint now, const std::string& id, const Actor& by) {
    TOCSIN_ASSIGN(inc, LoadIncident(tx, id));
    if (!inc.IsOpen()) return Error::Conflict("alert incident " + id + " is resolved");
    TOCSIN_ASSIGN(list, AlertsOf(tx, id, true));
    TOCSIN_ASSIGN(timeout, AckTimeout(tx, inc.service_id));
    for (auto& a : list) {
        if (a.state != AlertState::kTriggered) continue;
        TOCSIN_TRY(Transition(tx, now, a, AlertState::kAcknowledged, by, "acknowledged", "Acknowledged", timeout));
    }
    return LoadIncident(tx, id);
}

Result<AlertIncident> ResolveIncident(store::Tx& tx, TimePoint now, const std::string& id, const Actor& by) {
    TOCSIN_ASSIGN(inc, LoadIncident(tx, id));
    if (!inc.IsOpen()) return Error::Conflict("alert incident " + id + " is already resolved");
    TOCSIN_ASSIGN(list, AlertsOf(tx, id, true));
    for (auto& a : list) TOCSIN_TRY(Transition(tx, now, a, AlertState::kResolved, by, "resolved", "Resolved"));
    TOCSIN_TRY(Recompute(tx, now, id, by));  // an incident without open alerts
    return LoadIncident(tx, id);
}

Result<void> AddIncidentNote(
    store::Tx& tx, TimePoint now, const std::string& id, const Actor& by, const std::string& text
) {
    if (text.empty() || text.size() > kMaxNote) return Error::Invalid("note", "note must be 1 to 25000 characters");
    TOCSIN_ASSIGN(inc, LoadIncident(tx, id));
    TOCSIN_ASSIGN(seq, Log(tx, now, "", inc.id, by, "note", text));
    (void)seq;
    return {};
}

Result<AlertIncident> MergeIncidents(
    store::Tx& tx, TimePoint now, const std::string& target, const std::vector<std::string>& sources, const Actor& by
) {
    if (sources.empty()) return Error::Invalid("sources", "name at least one incident to merge");
    TOCSIN_ASSIGN(into, LoadIncident(tx, target));
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const std::string field = "sources[" + std::to_string(i) + "]";
        if (sources[i] == target) return Error::Invalid(field, "an incident cannot be merged into itself");
        TOCSIN_ASSIGN(from, tx.GetAlertIncident(sources[i]));
        if (!from) return Error::Invalid(field, "alert incident " + sources[i] + " does not exist");
        if (from->service_id != into.service_id) {
            return Error::Invalid(field, "only incidents of the same service can be merged");
        }
        TOCSIN_ASSIGN(list, AlertsOf(tx, from->id, false));
        for (auto& a : list) {
            a.incident_id = into.id;
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
        }
        AlertIncident src = *from;
        src.merged_into = into.id;
        TOCSIN_TRY(tx.UpdateAlertIncident(src));
        TOCSIN_TRY(Recompute(tx, now, src.id, by));
        TOCSIN_ASSIGN(seq, Log(tx, now, "", src.id, by, "merged", "Merged into #" + std::to_string(into.number)));
        TOCSIN_TRY(Outbox(
            tx,
            now,
            "incident.merged",
            seq,
            json::serialize(json::object{{"incident_id", src.id}, {"into", into.id}, {"service_id", into.service_id}})
        ));
        TOCSIN_TRY(Log(tx, now, "", into.id, by, "merge", "Merged #" + std::to_string(src.number) + " into this"));
    }
    TOCSIN_TRY(Recompute(tx, now, into.id, by));
    return LoadIncident(tx, target);
}

Result<AlertIncident> SplitAlert(store::Tx& tx, TimePoint now, const std::string& alert_id, const Actor& by) {
    TOCSIN_ASSIGN(a, LoadAlert(tx, alert_id));
    const std::string old_incident = a.incident_id;
    AlertIncident inc;
    inc.id = NewId();
    TOCSIN_ASSIGN(number, tx.NextAlertIncidentNumber());
    inc.number = number;
    inc.service_id = a.service_id;
    inc.title = a.summary;
    inc.state = a.state;
    inc.urgency = a.urgency;
    inc.silenced = a.silenced;
    inc.created_at = inc.updated_at = inc.last_alert_at = now;
    TOCSIN_TRY(tx.InsertAlertIncident(inc, ""));
    TOCSIN_TRY(StartEscalation(tx, now, inc));  // issue 7
    a.incident_id = inc.id;
    a.updated_at = now;
    TOCSIN_TRY(tx.UpdateAlert(a));
    TOCSIN_ASSIGN(seq, Log(tx, now, a.id, inc.id, by, "split", "Moved out of its incident into a new one"));
    TOCSIN_TRY(Outbox(tx, now, "incident.opened", seq, IncidentPayload(inc)));
    TOCSIN_TRY(Recompute(tx, now, old_incident, by));
    TOCSIN_TRY(Recompute(tx, now, inc.id, by));
    return LoadIncident(tx, inc.id);
}

Result<int> RunAlertTimers(store::Tx& tx, TimePoint now, int limit) {
    TOCSIN_ASSIGN(due, tx.ListDueAlertTimers(now, limit));
    const Actor system{"system", "system"};
    int changed = 0;
    for (auto& a : due) {
        if (a.snoozed_until && *a.snoozed_until <= now) {
            a.snoozed_until.reset();
            a.updated_at = now;
            TOCSIN_TRY(tx.UpdateAlert(a));
            TOCSIN_ASSIGN(seq, Log(tx, now, a.id, a.incident_id, system, "snooze_ended", "Snooze ended"));
            // Still open: it pages again (the paging issue decides how).
            TOCSIN_TRY(Outbox(tx, now, "alert.retriggered", seq, AlertPayload(a, "reason", "snooze_ended")));
            TOCSIN_TRY(ResumeEscalationAfterSnooze(tx, now, a.incident_id));  // issue 7: pages again
        }
        if (a.ack_expires_at && *a.ack_expires_at <= now && a.state == AlertState::kAcknowledged) {
            TOCSIN_TRY(Transition(tx, now, a, AlertState::kTriggered, system, "retriggered", "Acknowledgement expired")
            );
            TOCSIN_TRY(ResumeEscalationAfterSnooze(tx, now, a.incident_id, /*ack_expired=*/true));  // pages again
        } else if (a.ack_expires_at && *a.ack_expires_at <= now) {
            a.ack_expires_at.reset();
            TOCSIN_TRY(tx.UpdateAlert(a));
        }
        ++changed;
    }
    return changed;
}

Result<int> SyncMaintenanceSilences(store::Tx& tx, TimePoint now) {
    store::IncidentFilter f;
    f.kind = domain::IncidentKind::kMaintenance;
    f.statuses = {domain::IncidentStatus::kInProgress};
    f.limit = 1000;
    TOCSIN_ASSIGN(maintenances, tx.ListIncidents(f));
    // (maintenance id, service id) pairs that should be silenced now.
    std::vector<std::pair<std::string, std::string>> wanted;
    for (const auto& m : maintenances) {
        for (const auto& cid : m.component_ids) {
            TOCSIN_ASSIGN(services, tx.ListServicesOfComponent(cid));
            for (auto& sid : services) {
                std::pair<std::string, std::string> p{m.id, std::move(sid)};
                if (std::find(wanted.begin(), wanted.end(), p) == wanted.end()) wanted.push_back(std::move(p));
            }
        }
    }
    TOCSIN_ASSIGN(silences, tx.ListSilences());
    int changed = 0;
    for (const auto& s : silences) {
        if (s.maintenance_id.empty()) continue;
        std::pair<std::string, std::string> p{s.maintenance_id, s.service_id};
        auto it = std::find(wanted.begin(), wanted.end(), p);
        if (it != wanted.end()) {
            wanted.erase(it);  // already there
            continue;
        }
        TOCSIN_TRY(tx.DeleteSilence(s.id));
        ++changed;
    }
    for (const auto& [maintenance_id, service_id] : wanted) {
        alerts::Silence s;
        s.id = NewId();
        s.service_id = service_id;
        s.maintenance_id = maintenance_id;
        s.comment = "status-page maintenance in progress";
        s.created_by = "system";
        s.starts_at = now;
        s.created_at = now;
        TOCSIN_TRY(tx.InsertSilence(s));
        ++changed;
    }
    return changed;
}

Result<void> RaiseMonitorAlerts(
    store::Tx& tx, const monitor::Monitor& m, const monitor::StateChange& change, TimePoint now
) {
    std::vector<std::string> services;
    for (const auto& link : m.components) {
        TOCSIN_ASSIGN(ids, tx.ListServicesOfComponent(link.component_id));
        for (auto& id : ids) {
            if (std::find(services.begin(), services.end(), id) == services.end()) services.push_back(std::move(id));
        }
    }
    if (services.empty()) return {};
    std::vector<IntakeEvent> events;
    for (const auto& sid : services) {
        IntakeEvent ev;
        ev.dialect = alerts::Dialect::kMonitor;
        ev.service_id = sid;
        ev.identifier = "monitor:" + m.id;
        ev.user = "monitor " + m.name;
        ev.source = m.name;
        ev.occurred_at = change.at;
        if (change.to == monitor::Outcome::kUp) {
            ev.action = IntakeAction::kResolve;
        } else {
            ev.action = IntakeAction::kTrigger;
            ev.severity = change.to == monitor::Outcome::kDown ? "critical" : "warning";
            ev.summary = m.name + (change.to == monitor::Outcome::kDown ? " is down" : " is degraded");
            if (!change.message.empty()) ev.summary += ": " + change.message;
            ev.details_json = json::serialize(json::object{{"monitor_id", m.id}, {"message", change.message}});
        }
        events.push_back(std::move(ev));
    }
    TOCSIN_ASSIGN(outcomes, ApplyIntake(tx, now, events));
    (void)outcomes;
    return {};
}

}  // namespace tocsin::service
