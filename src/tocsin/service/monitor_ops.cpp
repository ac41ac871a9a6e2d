#include "tocsin/service/monitor_ops.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/service/alert_ops.hpp"
#include "tocsin/service/incident_ops.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tocsin::service {
namespace {

using domain::ComponentStatus;
using domain::IncidentStatus;
using monitor::Outcome;

struct Texts {
    std::string_view outage_name;
    std::string_view degraded_name;
    std::string_view outage_body;
    std::string_view degraded_body;
    std::string_view worse_body;
    std::string_view better_body;
    std::string_view reopened_body;
    std::string_view resolved_body;
};

// Generic messages in both page languages; the page's default language comes first.
constexpr Texts kEnglish{
    "Outage: {}",
    "Degraded performance: {}",
    "Our monitoring detected that {} is not available. We are looking into it.",
    "Our monitoring detected that {} is responding slowly. We are looking into it.",
    "The problem has become worse: {} is now not available.",
    "{} is responding again, but slowly.",
    "The problem is back: {} is affected again.",
    "{} is working normally again. This incident is resolved.",
};
constexpr Texts kGerman{
    "Störung: {}",
    "Eingeschränkte Leistung: {}",
    "Unsere Überwachung hat festgestellt, dass {} nicht erreichbar ist. Wir kümmern uns darum.",
    "Unsere Überwachung hat festgestellt, dass {} langsam antwortet. Wir kümmern uns darum.",
    "Das Problem hat sich verschärft: {} ist jetzt nicht erreichbar.",
    "{} antwortet wieder, aber langsam.",
    "Das Problem ist zurück: {} ist wieder betroffen.",
    "{} arbeitet wieder normal. Die Störung ist behoben.",
};

struct Bilingual {
    const Texts* first;
    const Texts* second;
};

Result<Bilingual> Languages(store::Tx& tx) {
    TOCSIN_ASSIGN(settings, tx.GetPageSettings());
    if (settings.default_language == "de") return Bilingual{&kGerman, &kEnglish};
    return Bilingual{&kEnglish, &kGerman};
}

template <class... Args>
std::string Body(const Bilingual& b, std::string_view Texts::*text, const Args&... args) {
    return fmt::format(fmt::runtime(b.first->*text), args...) + "\n\n" +
           fmt::format(fmt::runtime(b.second->*text), args...);
}

// The linked components that exist and are not under a maintenance window now.
Result<std::vector<domain::Component>> AffectedComponents(store::Tx& tx, const monitor::Monitor& m, TimePoint now) {
    store::IncidentFilter f;
    f.kind = domain::IncidentKind::kMaintenance;
    f.statuses = {IncidentStatus::kScheduled, IncidentStatus::kInProgress, IncidentStatus::kVerifying};
    f.limit = 1000;
    TOCSIN_ASSIGN(maintenances, tx.ListIncidents(f));
    std::vector<domain::Component> out;
    for (const auto& link : m.components) {
        TOCSIN_ASSIGN(c, tx.GetComponent(link.component_id));
        if (!c || c->is_group) continue;
        bool in_window = c->status == ComponentStatus::kUnderMaintenance;
        for (const auto& mt : maintenances) {
            if (std::find(mt.component_ids.begin(), mt.component_ids.end(), c->id) == mt.component_ids.end()) continue;
            bool active =
                mt.status == IncidentStatus::kInProgress || mt.status == IncidentStatus::kVerifying ||
                (mt.scheduled_for && mt.scheduled_until && *mt.scheduled_for <= now && now < *mt.scheduled_until);
            if (active) in_window = true;
        }
        if (!in_window) out.push_back(std::move(*c));
    }
    return out;
}

std::string JoinNames(const std::vector<domain::Component>& comps, const std::string& fallback) {
    if (comps.empty()) return fallback;
    std::string out;
    for (std::size_t i = 0; i < comps.size(); ++i) {
        if (i > 0) out += ", ";
        out += comps[i].name;
    }
    return out;
}

std::vector<ComponentChange> Changes(
    const monitor::Monitor& m, const std::vector<domain::Component>& comps, Outcome to
) {
    std::vector<ComponentChange> out;
    for (const auto& c : comps) {
        auto link = std::find_if(m.components.begin(), m.components.end(), [&](const auto& l) {
            return l.component_id == c.id;
        });
        const auto& name = to == Outcome::kDown ? link->down_status : link->degraded_status;
        out.push_back({c.id, domain::ParseComponentStatus(name).value_or(ComponentStatus::kMajorOutage)});
    }
    return out;
}

Result<void> RecordEvent(store::Tx& tx, const monitor::StateChange& change, TimePoint now) {
    TOCSIN_ASSIGN(event_id, tx.InsertMonitorEvent(change));
    store::OutboxMessage msg;
    msg.topic = "monitor.state_changed";
    msg.idempotency_key = fmt::format("monitor.state_changed:{}:{}", change.monitor_id, event_id);
    msg.created_at = now;
    std::string locations;
    for (const auto& l : change.locations_down) locations += fmt::format("{}\"{}\"", locations.empty() ? "" : ",", l);
    std::string message;
    for (char c : change.message) {
        if (c == '"' || c == '\\') message += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            message += ' ';
            continue;
        }
        message += c;
    }
    msg.payload = fmt::format(
        R"({{"monitor_id":"{}","event_id":{},"from":"{}","to":"{}","at":{},"message":"{}","locations":[{}]}})",
        change.monitor_id,
        event_id,
        monitor::OutcomeName(change.from),
        monitor::OutcomeName(change.to),
        ToMillis(change.at),
        message,
        locations
    );
    return tx.EnqueueOutbox(msg);
}

// True if anyone but automation posted on the incident.
bool TakenOver(const domain::Incident& inc, const monitor::MonitorState& state) {
    return std::any_of(inc.updates.begin(), inc.updates.end(), [&](const auto& u) {
        return std::find(state.auto_update_ids.begin(), state.auto_update_ids.end(), u.id) ==
               state.auto_update_ids.end();
    });
}

}  // namespace

Result<void> ValidateMonitorLinks(store::Tx& tx, const monitor::Monitor& m) {
    for (std::size_t i = 0; i < m.components.size(); ++i) {
        TOCSIN_ASSIGN(c, tx.GetComponent(m.components[i].component_id));
        auto field = fmt::format("components[{}].component_id", i);
        if (!c) return Error::Invalid(field, "names a component that does not exist");
        if (c->is_group) return Error::Invalid(field, "is a group; link the components inside it");
    }
    return {};
}

namespace {

// Puts a down or degraded state on the page: components, and the automatic incident.
Result<void> ApplyBadState(
    store::Tx& tx, const monitor::Monitor& m, monitor::MonitorState& state, Outcome to, TimePoint now
) {
    TOCSIN_ASSIGN(comps, AffectedComponents(tx, m, now));
    TOCSIN_ASSIGN(lang, Languages(tx));
    auto names = JoinNames(comps, m.name);
    auto changes = Changes(m, comps, to);
    // Every linked component is under maintenance: nothing shows now; once a window ends
    // and the monitor is still bad, ApplyPending puts it on the page.
    state.pending = comps.empty() && !m.components.empty();

    std::optional<domain::Incident> open;
    if (!state.incident_id.empty()) {
        TOCSIN_ASSIGN(found, tx.GetIncident(state.incident_id));
        if (found && !found->IsClosed()) open = std::move(*found);
        if (!open) state.incident_id.clear();
    }
    if (open) {
        if (!TakenOver(*open, state) && !changes.empty()) {
            UpdateInput in;
            in.body = Body(lang, to == Outcome::kDown ? &Texts::worse_body : &Texts::better_body, names);
            in.components = changes;
            TOCSIN_ASSIGN(u, PostUpdate(tx, *open, in, now));
            state.auto_update_ids.push_back(u.id);
        }
        return tx.SaveMonitorState(state);
    }
    if (!m.create_incidents || comps.empty()) {
        // No incident: the components alone show the state.
        for (const auto& c : changes) {
            TOCSIN_ASSIGN(comp, tx.GetComponent(c.component_id));
            if (!comp || comp->status == c.status) continue;
            comp->status = c.status;
            comp->updated_at = now;
            TOCSIN_TRY(tx.UpdateComponent(*comp));
        }
        state.owns_components = !changes.empty();
        return tx.SaveMonitorState(state);
    }
    // Flapping: reopen the incident resolved a moment ago instead of opening another.
    if (!state.resolved_incident_id.empty() && state.resolved_at && now - *state.resolved_at < kReopenWindow) {
        TOCSIN_ASSIGN(previous, tx.GetIncident(state.resolved_incident_id));
        if (previous && previous->automated && previous->status == IncidentStatus::kResolved &&
            !TakenOver(*previous, state)) {
            UpdateInput in;
            in.status = IncidentStatus::kInvestigating;
            in.body = Body(lang, &Texts::reopened_body, names);
            in.components = changes;
            TOCSIN_ASSIGN(u, PostUpdate(tx, *previous, in, now));
            state.incident_id = previous->id;
            state.auto_update_ids.push_back(u.id);
            return tx.SaveMonitorState(state);
        }
    }
    IncidentInput in;
    in.name =
        fmt::format(fmt::runtime(to == Outcome::kDown ? lang.first->outage_name : lang.first->degraded_name), names);
    if (in.name.size() > 255) in.name = in.name.substr(0, 252) + "...";
    in.automated = true;
    in.first_update.status = IncidentStatus::kInvestigating;
    in.first_update.body = Body(lang, to == Outcome::kDown ? &Texts::outage_body : &Texts::degraded_body, names);
    in.first_update.components = changes;
    in.first_update.deliver_notifications = false;  // the first message of an automatic incident stays on the page
    TOCSIN_ASSIGN(inc, CreateIncident(tx, in, now));
    state.incident_id = inc.id;
    state.auto_update_ids = {inc.updates.front().id};
    return tx.SaveMonitorState(state);
}

}  // namespace

Result<void> ApplyMonitorChange(
    store::Tx& tx,
    const monitor::Monitor& m,
    monitor::MonitorState& state,
    const monitor::StateChange& change,
    TimePoint now
) {
    TOCSIN_TRY(RecordEvent(tx, change, now));
    // Services behind the monitor's components get a "monitor" alert raised or resolved.
    TOCSIN_TRY(RaiseMonitorAlerts(tx, m, change, now));
    if (change.to == Outcome::kUp) {
        state.pending = false;
        // Components and the incident wait for the recovery period (CompleteRecovery).
        if (state.incident_id.empty() || m.recovery_period.count() == 0) {
            TOCSIN_ASSIGN(done, CompleteRecovery(tx, m, state, now));
            if (done) return {};
        }
        return tx.SaveMonitorState(state);
    }
    return ApplyBadState(tx, m, state, change.to, now);
}

Result<bool> ApplyPending(store::Tx& tx, const monitor::Monitor& m, monitor::MonitorState& state, TimePoint now) {
    if (!state.pending || state.state == Outcome::kUp) return false;
    TOCSIN_ASSIGN(comps, AffectedComponents(tx, m, now));
    if (comps.empty()) return false;  // still under maintenance
    TOCSIN_TRY(ApplyBadState(tx, m, state, state.state, now));
    return true;
}

Result<bool> CompleteRecovery(store::Tx& tx, const monitor::Monitor& m, monitor::MonitorState& state, TimePoint now) {
    if (state.state != Outcome::kUp || now - state.since < m.recovery_period) return false;
    if (state.incident_id.empty()) {
        if (!state.owns_components) return false;
        state.owns_components = false;
        // No incident (create_incidents off, or every component was under maintenance):
        // put back what the monitor itself set.
        for (const auto& link : m.components) {
            TOCSIN_ASSIGN(comp, tx.GetComponent(link.component_id));
            if (!comp) continue;
            auto down = domain::ParseComponentStatus(link.down_status);
            auto degraded = domain::ParseComponentStatus(link.degraded_status);
            if (comp->status != down && comp->status != degraded) continue;
            comp->status = ComponentStatus::kOperational;
            comp->updated_at = now;
            TOCSIN_TRY(tx.UpdateComponent(*comp));
        }
        TOCSIN_TRY(tx.SaveMonitorState(state));
        return true;
    }
    TOCSIN_ASSIGN(found, tx.GetIncident(state.incident_id));
    if (!found || found->IsClosed()) {
        state.incident_id.clear();
        TOCSIN_TRY(tx.SaveMonitorState(state));
        return true;
    }
    if (TakenOver(*found, state)) return false;  // the human who took it over resolves it
    TOCSIN_ASSIGN(lang, Languages(tx));
    TOCSIN_ASSIGN(comps, AffectedComponents(tx, m, now));
    UpdateInput in;
    in.status = IncidentStatus::kResolved;
    in.body = Body(lang, &Texts::resolved_body, JoinNames(comps, m.name));
    TOCSIN_ASSIGN(u, PostUpdate(tx, *found, in, now));
    state.resolved_incident_id = found->id;
    state.resolved_at = now;
    state.auto_update_ids.push_back(u.id);
    state.incident_id.clear();
    TOCSIN_TRY(tx.SaveMonitorState(state));
    return true;
}

Result<bool> ReleaseMonitor(store::Tx& tx, const monitor::Monitor& m, TimePoint now) {
    TOCSIN_ASSIGN(found, tx.GetMonitorState(m.id));
    if (!found) return false;
    auto& state = *found;
    if (!state.incident_id.empty()) {
        TOCSIN_ASSIGN(inc, tx.GetIncident(state.incident_id));
        if (!inc || inc->IsClosed() || TakenOver(*inc, state)) return false;
        TOCSIN_ASSIGN(lang, Languages(tx));
        UpdateInput in;
        in.status = IncidentStatus::kResolved;
        in.body = fmt::format(
            "{}\n\n{}",
            fmt::format(
                fmt::runtime(
                    lang.first == &kGerman
                        ? "Die Überwachung von {} wurde entfernt; diese automatische Meldung ist damit beendet."
                        : "The monitoring of {} was removed; this automatic incident ends with it."
                ),
                m.name
            ),
            fmt::format(
                fmt::runtime(
                    lang.first == &kGerman
                        ? "The monitoring of {} was removed; this automatic incident ends with it."
                        : "Die Überwachung von {} wurde entfernt; diese automatische Meldung ist damit beendet."
                ),
                m.name
            )
        );
        TOCSIN_TRY(PostUpdate(tx, *inc, in, now));
        return true;
    }
    if (!state.owns_components) return false;
    state.state = Outcome::kUp;
    state.since = now - m.recovery_period;
    TOCSIN_ASSIGN(done, CompleteRecovery(tx, m, state, now));
    return done;
}

}  // namespace tocsin::service
