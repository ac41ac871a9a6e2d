#include "tocsin/engine/escalation_engine.hpp"

#include "tocsin/common/log.hpp"

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
            TOCSIN_ASSIGN(a, tx.GetNotificationAttempt(o.attempt_id));
            if (!a) continue;
            a->state = o.result.ok ? "sent" : "failed";
            a->status = o.result.status;
            a->error = o.result.error.substr(0, 500);
            TOCSIN_TRY(tx.UpdateNotificationAttempt(*a));
            TOCSIN_ASSIGN(method, tx.GetContactMethod(a->contact_method_id));
            const std::string label = method && !method->label.empty() ? method->label : a->address;
            std::string text = ChannelWords(a->channel) + " to " + label;
            if (a->bundled_count > 0) text += " (with " + std::to_string(a->bundled_count) + " more incidents)";
            text += o.result.ok ? " sent" : " failed: " + a->error;
            TOCSIN_TRY(
                Log(tx,
                    now,
                    a->incident_id,
                    o.result.ok ? "notify.sent" : "notify.failed",
                    text,
                    json::object{
                        {"attempt_id", a->id},
                        {"user_id", a->user_id},
                        {"contact_method_id", a->contact_method_id},
                        {"channel", a->channel},
                        {"status", a->status},
                        {"bundled", a->bundled_count}})
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
            if (!incident || !esc || !service::IsEscalating(*esc, *incident)) {
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
            ++sent;
            if (!last || *h.sent_at > *last) last = h.sent_at;
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
        out.push_back(Prepared{main.id, std::move(*built)});
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
        // A level's rules without delay are due at once: a second pass sends them this round.
        for (int pass = 0; pass < 3; ++pass) {
            TOCSIN_ASSIGN(fired, service::FireDueEscalationTimers(tx, now, 500, options_.timing));
            if (fired.levels == 0) break;
        }
        return {};
    }));
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(prepared, PrepareSends(tx, now));
        sends = std::move(prepared);
        return {};
    }));
    // Committed as sending first: a crash from here on never sends these twice.
    for (auto& p : sends) {
        sender_(p.outgoing, [this, id = p.attempt_id](notify::SendResult r) {
            std::lock_guard lock(mu_);
            outcomes_.push_back(Outcome{id, std::move(r)});
        });
    }
    return {};
}

}  // namespace tocsin::engine
