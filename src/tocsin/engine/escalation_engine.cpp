#include "tocsin/engine/escalation_engine.hpp"

#include "tocsin/common/ids.hpp"
#include "tocsin/common/log.hpp"
#include "tocsin/oncall/schedule.hpp"
#include "tocsin/oncall/senders.hpp"

#include <boost/json.hpp>

#include <set>

namespace tocsin::engine {
namespace {

namespace json = boost::json;

Result<void> Log(
    store::Tx& tx,
    TimePoint now,
    const std::string& incident_id,
    std::string action,
    std::string text,
    json::object data
) {
    alerts::AlertLogEntry e;
    e.incident_id = incident_id;
    e.at = now;
    e.actor = "system";
    e.dialect = "system";
    e.action = std::move(action);
    e.text = std::move(text);
    e.data_json = json::serialize(data);
    TOCSIN_ASSIGN(seq, tx.InsertAlertLog(e));
    (void)seq;
    return {};
}

std::string ChannelWords(const std::string& channel) {
    if (channel == "email") return "E-mail";
    if (channel == "sms") return "SMS";
    if (channel == "voice") return "Voice call";
    if (channel == "ntfy") return "Push (ntfy)";
    if (channel == "web_push") return "Web Push";
    return channel;
}

}  // namespace

PageSender TransportSender(notify::Transport& transport) {
    return [&transport](const oncall::Outgoing& out, notify::SendDone done) {
        if (out.mail) {
            transport.SendMail(*out.mail, std::move(done));
        } else if (out.http) {
            transport.SendHttp(*out.http, std::move(done));
        } else {
            notify::SendResult r;
            r.permanent = true;
            r.error = "nothing to send";
            done(std::move(r));
        }
    };
}

EscalationEngine::EscalationEngine(
    store::Store& store, PageSender sender, notify::LinkSigner signer, EscalationEngineOptions options
)
    : store_(store), sender_(std::move(sender)), signer_(std::move(signer)), options_(std::move(options)) {}

std::string EscalationEngine::AckUrl(const std::string& attempt_id) const {
    return options_.senders.public_url + "/ack/" + signer_.Sign(notify::LinkPurpose::kPageAcknowledge, attempt_id, {});
}

std::string EscalationEngine::ResolveUrl(const std::string& attempt_id) const {
    return options_.senders.public_url + "/resolve/" + signer_.Sign(notify::LinkPurpose::kPageResolve, attempt_id, {});
}

Result<void> EscalationEngine::Flush(TimePoint now) {
    std::deque<Outcome> done;
    {
        std::lock_guard lock(mu_);
        done.swap(outcomes_);
    }
    if (done.empty()) return {};
    return store_.Write([&](store::Tx& tx) -> Result<void> {
        for (const auto& o : done) {
            if (o.handoff) {
                const auto kind = oncall::ParseContactKind(o.channel);
                const auto r = kind ? oncall::CheckProviderAnswer(*kind, o.result) : o.result;
                auto n = *o.handoff;
                n.outcome = o.channel + (r.ok ? " sent" : " failed: " + r.error.substr(0, 200));
                if (!r.ok) Logger("escalation")->warn("handoff notice to {} failed: {}", n.user_id, n.outcome);
                TOCSIN_TRY(tx.SetHandoffNoticeOutcome(n));
                continue;
            }
            TOCSIN_ASSIGN(a, tx.GetNotificationAttempt(o.attempt_id));
            if (!a || a->state != "sending") continue;
            // Some providers report a failure inside a 2xx answer (Slack's {"ok": false}).
            const auto kind = oncall::ParseContactKind(a->channel);
            const notify::SendResult result = kind ? oncall::CheckProviderAnswer(*kind, o.result) : o.result;
            a->state = result.ok ? "sent" : "failed";
            a->status = result.status;
            a->error = result.error.substr(0, 500);
            if (!result.ok && a->error.empty()) a->error = "failed";
            TOCSIN_TRY(tx.UpdateNotificationAttempt(*a));
            TOCSIN_ASSIGN(method, tx.GetContactMethod(a->contact_method_id));
            TOCSIN_ASSIGN(queued_by, tx.FindRetryQueuing(a->id));
            const int try_number = queued_by ? queued_by->try_number : 1;
            const std::string label = method && !method->label.empty() ? method->label : a->address;
            std::string text = ChannelWords(a->channel) + " to " + label;
            if (a->bundled_count > 0) text += " (with " + std::to_string(a->bundled_count) + " more incidents)";
            if (try_number > 1) text += " (try " + std::to_string(try_number) + ")";
            text += result.ok ? " sent" : " failed: " + a->error;
            json::object data{
                {"attempt_id", a->id},
                {"user_id", a->user_id},
                {"contact_method_id", a->contact_method_id},
                {"channel", a->channel},
                {"status", a->status},
                {"bundled", a->bundled_count},
                {"try", try_number}};
            if (!result.ok) {
                std::string why;
                const auto delay = RetryDelay(try_number, result, why);
                if (delay) {
                    store::NotificationRetry retry;
                    retry.attempt_id = a->id;
                    retry.incident_id = a->incident_id;
                    retry.try_number = try_number + 1;
                    retry.due_at = now + *delay;
                    retry.created_at = now;
                    TOCSIN_ASSIGN(fresh, tx.InsertNotificationRetry(retry));
                    (void)fresh;
                    const auto ms = delay->count();
                    text += "; retrying in " +
                            (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") +
                            " (try " + std::to_string(retry.try_number) + " of " +
                            std::to_string(options_.max_retries + 1) + ")";
                    data["retry_at"] =
                        std::chrono::duration_cast<std::chrono::milliseconds>(retry.due_at.time_since_epoch()).count();
                } else {
                    text += "; not retried (" + why + ")";
                }
                data["permanent"] = result.permanent;
            }
            TOCSIN_TRY(Log(tx, now, a->incident_id, result.ok ? "notify.sent" : "notify.failed", text, std::move(data))
            );
        }
        return {};
    });
}

Result<std::vector<EscalationEngine::Prepared>> EscalationEngine::PrepareSends(store::Tx& tx, TimePoint now) {
    std::vector<Prepared> out;
    const auto window = options_.timing.minute * options_.window_minutes;
    const auto gap = options_.timing.minute * options_.min_gap_minutes;
    TOCSIN_ASSIGN(methods, tx.ListQueuedContactMethods(200));
    for (const auto& method_id : methods) {
        store::NotificationAttemptFilter f;
        f.contact_method_id = method_id;
        f.state = "queued";
        TOCSIN_ASSIGN(queued, tx.ListNotificationAttempts(f));
        // Pages of incidents answered or resolved meanwhile are dropped, not sent late.
        std::vector<store::NotificationAttempt> live;
        std::vector<alerts::AlertIncident> incidents;
        for (auto& a : queued) {
            TOCSIN_ASSIGN(incident, tx.GetAlertIncident(a.incident_id));
            TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(a.incident_id));
            bool snoozed = false;
            if (incident && esc && service::IsEscalating(*esc, *incident)) {
                TOCSIN_ASSIGN(z, tx.IncidentSnoozedAt(incident->id, now));
                snoozed = z;
            }
            if (!incident || !esc || !service::IsEscalating(*esc, *incident) || snoozed) {
                a.state = "cancelled";
                TOCSIN_TRY(tx.UpdateNotificationAttempt(a));
                continue;
            }
            live.push_back(a);
            incidents.push_back(*incident);
        }
        if (live.empty()) continue;
        // The rate limit and the gap: what stays queued goes out bundled in a later message.
        store::NotificationAttemptFilter recent;
        recent.contact_method_id = method_id;
        recent.since = now - std::chrono::duration_cast<std::chrono::milliseconds>(window);
        TOCSIN_ASSIGN(history, tx.ListNotificationAttempts(recent));
        int sent = 0;
        std::optional<TimePoint> last;
        for (const auto& h : history) {
            if (h.state != "sending" && h.state != "sent" && h.state != "failed") continue;
            if (!h.sent_at) continue;
            ++sent;  // failed messages count against the window too: retries cannot flood a phone
            // The gap is "the person was just paged": a failed message paged nobody, so its
            // retry is not held back by it.
            if (h.state != "failed" && (!last || *h.sent_at > *last)) last = h.sent_at;
        }
        if (sent >= options_.max_per_window) continue;
        if (last && now - *last < gap) continue;

        auto& main = live.front();
        const auto& incident = incidents.front();
        std::set<std::string> others;
        for (std::size_t i = 1; i < live.size(); ++i) {
            if (live[i].incident_id != main.incident_id) others.insert(live[i].incident_id);
        }
        TOCSIN_ASSIGN(method, tx.GetContactMethod(method_id));
        TOCSIN_ASSIGN(service, tx.GetService(incident.service_id));
        oncall::PageMessage msg;
        msg.incident_id = incident.id;
        msg.incident_title = incident.title;
        msg.incident_number = incident.number;
        msg.service_name = service ? service->name : "";
        msg.urgency = incident.urgency == alerts::Urgency::kLow ? oncall::Urgency::kLow : oncall::Urgency::kHigh;
        if (auto profile = tx.GetUserProfile(main.user_id)) msg.language = profile->language;
        msg.ack_url = AckUrl(main.id);
        msg.resolve_url = ResolveUrl(main.id);
        msg.open_url = options_.senders.public_url + "/admin/alert-incidents/" + incident.id;
        msg.reply_code = main.reply_code;
        msg.bundled = static_cast<int>(others.size());
        Result<oncall::Outgoing> built = method ? oncall::BuildOutgoing(*method, msg, options_.senders)
                                                : Result<oncall::Outgoing>(Error::NotFound("contact method deleted"));
        main.sent_at = now;
        main.bundled_count = msg.bundled;
        if (!built) {
            main.state = "failed";
            main.error = built.error().message;
            TOCSIN_TRY(tx.UpdateNotificationAttempt(main));
            TOCSIN_TRY(
                Log(tx,
                    now,
                    main.incident_id,
                    "notify.failed",
                    ChannelWords(main.channel) + " to " + main.address + " not sent: " + main.error,
                    json::object{{"attempt_id", main.id}, {"user_id", main.user_id}, {"channel", main.channel}})
            );
            continue;
        }
        main.state = "sending";
        TOCSIN_TRY(tx.UpdateNotificationAttempt(main));
        for (std::size_t i = 1; i < live.size(); ++i) {
            auto& b = live[i];
            b.state = "bundled";
            b.bundled_into = main.id;
            TOCSIN_TRY(tx.UpdateNotificationAttempt(b));
            TOCSIN_TRY(
                Log(tx,
                    now,
                    b.incident_id,
                    "notify.bundled",
                    ChannelWords(b.channel) + " to " + b.address + " bundled into the page about #" +
                        std::to_string(incident.number),
                    json::object{{"attempt_id", b.id}, {"bundled_into", main.id}})
            );
        }
        out.push_back(Prepared{main.id, std::move(*built), {}, main.channel});
    }
    return out;
}

std::optional<std::chrono::milliseconds> EscalationEngine::RetryDelay(
    int try_number, const notify::SendResult& r, std::string& why
) const {
    using std::chrono::milliseconds;
    if (r.permanent) {
        why = "permanent failure";
        return std::nullopt;
    }
    if (r.error.starts_with("interrupted")) {
        why = "may have been sent";
        return std::nullopt;
    }
    if (try_number > options_.max_retries) {
        why = "gave up after " + std::to_string(try_number) + " tries";
        return std::nullopt;
    }
    const auto minute = options_.timing.minute;
    milliseconds delay = minute / 2;
    for (int i = 1; i < try_number && delay < minute * 8; ++i) delay *= 2;
    delay = std::min<milliseconds>(delay, minute * 8);
    if (r.retry_after) {
        const auto asked = std::chrono::duration_cast<milliseconds>(*r.retry_after);
        if (asked > std::chrono::hours(1)) {
            why = "Retry-After " + std::to_string(r.retry_after->count()) + " s is too long";
            return std::nullopt;
        }
        delay = std::max(delay, asked);
    }
    return delay;
}

Result<void> EscalationEngine::FireDueRetries(store::Tx& tx, TimePoint now) {
    TOCSIN_ASSIGN(due, tx.ListDueNotificationRetries(now, 200));
    for (const auto& retry : due) {
        TOCSIN_ASSIGN(failed, tx.GetNotificationAttempt(retry.attempt_id));
        TOCSIN_ASSIGN(incident, tx.GetAlertIncident(retry.incident_id));
        TOCSIN_ASSIGN(esc, tx.GetIncidentEscalation(retry.incident_id));
        if (!failed || !incident || !esc || !service::IsEscalating(*esc, *incident)) {
            // Answered or resolved meanwhile: nothing to retry.
            TOCSIN_ASSIGN(claimed, tx.CompleteNotificationRetry(retry.attempt_id, ""));
            (void)claimed;
            continue;
        }
        store::NotificationAttempt a;
        a.id = NewId();
        a.incident_id = failed->incident_id;
        a.timer_id = failed->timer_id;
        a.user_id = failed->user_id;
        a.contact_method_id = failed->contact_method_id;
        a.channel = failed->channel;
        a.state = "queued";
        a.address = failed->address;
        a.reply_code = failed->reply_code;
        a.created_at = now;
        TOCSIN_TRY(tx.InsertNotificationAttempt(a));
        // The pages the failed message carried go out with the retry (bundled again).
        store::NotificationAttemptFilter f;
        f.contact_method_id = failed->contact_method_id;
        f.state = "bundled";
        f.since = failed->created_at - std::chrono::hours(24);
        TOCSIN_ASSIGN(carried, tx.ListNotificationAttempts(f));
        for (auto& b : carried) {
            if (b.bundled_into != failed->id) continue;
            b.state = "queued";
            b.bundled_into.clear();
            TOCSIN_TRY(tx.UpdateNotificationAttempt(b));
        }
        TOCSIN_ASSIGN(claimed, tx.CompleteNotificationRetry(retry.attempt_id, a.id));
        if (!claimed) return Error::Conflict("notification retry of " + retry.attempt_id + " was claimed twice");
        TOCSIN_TRY(
            Log(tx,
                now,
                a.incident_id,
                "notify.retry",
                ChannelWords(a.channel) + " to " + a.address + ": try " + std::to_string(retry.try_number) + " queued",
                json::object{{"attempt_id", a.id}, {"retry_of", failed->id}, {"try", retry.try_number}})
        );
    }
    return {};
}

Result<std::vector<EscalationEngine::Prepared>> EscalationEngine::PrepareHandoffs(store::Tx& tx, TimePoint now) {
    std::vector<Prepared> out;
    const auto lead = options_.timing.minute * options_.handoff_lead_minutes;
    const auto late = options_.timing.minute * 15;  // a notice missed while the server was down
    const auto from = now - late - std::chrono::seconds(1);
    const auto to = now + lead + std::chrono::milliseconds(1);
    TOCSIN_ASSIGN(schedules, tx.ListSchedules());
    for (const auto& schedule : schedules) {
        const auto shifts = oncall::Shifts(schedule, from, to);
        for (const auto& shift : shifts) {
            store::HandoffNotice n;
            n.schedule_id = schedule.id;
            n.user_id = shift.user_id;
            n.sent_at = now;
            // A start inside (from, to) is a real start (Shifts clips at `from`); an end at or
            // before now is a real end (clipped only at `to`).
            if (shift.start > from && shift.start - lead <= now && now < shift.start + late) {
                n.kind = "start";
                n.shift_start = shift.start;
                // The shift's whole length (Shifts clipped it at `to`).
                const auto whole = oncall::Shifts(schedule, shift.start, shift.start + std::chrono::hours(24 * 62));
                n.shift_end = !whole.empty() && whole.front().user_id == shift.user_id ? whole.front().end : shift.end;
            } else if (options_.handoff_end_notice && shift.end <= now && now < shift.end + late) {
                n.kind = "end";
                const auto whole = oncall::Shifts(schedule, shift.end - std::chrono::hours(24 * 62), shift.end);
                n.shift_start =
                    !whole.empty() && whole.back().user_id == shift.user_id ? whole.back().start : shift.start;
                n.shift_end = shift.end;
            } else {
                continue;
            }
            // Claimed before anything is sent: a restart never sends this notice again.
            TOCSIN_ASSIGN(fresh, tx.InsertHandoffNotice(n));
            if (!fresh) continue;
            TOCSIN_ASSIGN(profile, tx.GetUserProfile(n.user_id));
            const std::string zone =
                !profile.time_zone.empty() && profile.time_zone != "UTC" ? profile.time_zone : schedule.time_zone;
            oncall::PageMessage msg;
            msg.language = profile.language;
            msg.urgency = oncall::Urgency::kLow;
            msg.now = now;
            msg.notice =
                oncall::HandoffText(schedule.name, n.shift_start, n.shift_end, zone, profile.language, n.kind == "end");
            TOCSIN_ASSIGN(rules, tx.ListNotificationRules(n.user_id));
            std::set<std::string> methods;
            std::string outcome;
            for (const auto& rule : rules) {
                if (rule.urgency != oncall::Urgency::kLow || !methods.insert(rule.contact_method_id).second) continue;
                TOCSIN_ASSIGN(method, tx.GetContactMethod(rule.contact_method_id));
                if (!method || !method->verified) continue;
                auto built = oncall::BuildOutgoing(*method, msg, options_.senders);
                if (!built) {
                    outcome +=
                        std::string(oncall::ToString(method->kind)) + " not sent: " + built.error().message + "; ";
                    continue;
                }
                out.push_back(Prepared{"", std::move(*built), n, std::string(oncall::ToString(method->kind))});
                outcome += std::string(oncall::ToString(method->kind)) + " handed over; ";
            }
            n.outcome = outcome.empty() ? "no low-urgency notification rules" : outcome;
            TOCSIN_TRY(tx.SetHandoffNoticeOutcome(n));
        }
    }
    return out;
}

Result<void> EscalationEngine::RunOnce(TimePoint now) {
    if (!started_) {
        // Handed to the sender by a process that died before the outcome was recorded: we do
        // not know whether it went out, and sending again could page twice. Fail it.
        TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
            store::NotificationAttemptFilter f;
            f.state = "sending";
            f.limit = 10000;
            TOCSIN_ASSIGN(stuck, tx.ListNotificationAttempts(f));
            for (auto& a : stuck) {
                a.state = "failed";
                a.error = "interrupted by a restart; not sent again";
                TOCSIN_TRY(tx.UpdateNotificationAttempt(a));
                TOCSIN_TRY(
                    Log(tx,
                        now,
                        a.incident_id,
                        "notify.failed",
                        ChannelWords(a.channel) + " to " + a.address + ": " + a.error,
                        json::object{{"attempt_id", a.id}})
                );
            }
            return {};
        }));
        started_ = true;
    }
    TOCSIN_TRY(Flush(now));
    std::vector<Prepared> sends;
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(re, service::ReescalateDue(tx, now, 100));
        (void)re;
        // Escalations a silence or a snooze held back start when it ends (a silence's end has
        // no event of its own, so this looks every few seconds).
        if (!next_held_back_check_ || now >= *next_held_back_check_) {
            TOCSIN_ASSIGN(started, service::StartHeldBackEscalations(tx, now, 200));
            (void)started;
            next_held_back_check_ =
                now + std::min<std::chrono::milliseconds>(std::chrono::seconds(5), options_.timing.minute / 4);
        }
        // A level's rules without delay are due at once: a second pass sends them this round.
        for (int pass = 0; pass < 3; ++pass) {
            TOCSIN_ASSIGN(fired, service::FireDueEscalationTimers(tx, now, 500, options_.timing));
            if (fired.levels == 0) break;
        }
        return FireDueRetries(tx, now);
    }));
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(prepared, PrepareSends(tx, now));
        sends = std::move(prepared);
        return {};
    }));
    if (options_.handoff_lead_minutes >= 0 && (!next_handoff_check_ || now >= *next_handoff_check_)) {
        // Schedules are computed, not stored: looking once a second (a quarter of a test's
        // short minute) keeps a notice at most that late without reading them every round.
        next_handoff_check_ =
            now + std::min<std::chrono::milliseconds>(std::chrono::seconds(1), options_.timing.minute / 4);
        TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(prepared, PrepareHandoffs(tx, now));
            for (auto& p : prepared) sends.push_back(std::move(p));
            return {};
        }));
    }
    // Committed as sending (or claimed) first: a crash from here on never sends these twice.
    for (auto& p : sends) {
        std::optional<store::HandoffNotice> handoff;
        if (p.attempt_id.empty()) handoff = p.handoff;
        sender_(p.outgoing, [this, id = p.attempt_id, handoff, channel = p.channel](notify::SendResult r) {
            std::lock_guard lock(mu_);
            outcomes_.push_back(Outcome{id, std::move(r), handoff, channel});
        });
    }
    return {};
}

}  // namespace tocsin::engine
