#include "tocsin/engine/notification_dispatcher.hpp"

#include "tocsin/common/log.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/notify/mime.hpp"
#include "tocsin/notify/signature.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <random>

namespace tocsin::engine {

using domain::Channel;

namespace {

constexpr std::string_view kManageSentinel = "@@TOCSIN-MANAGE-URL@@";
constexpr std::string_view kUnsubscribeSentinel = "@@TOCSIN-UNSUBSCRIBE-URL@@";
constexpr int kMaxEvents = 32;  // contexts kept in memory

enum class Topic { kUpdate, kReminder, kConfirm, kWelcome, kOther };

Topic ParseTopic(std::string_view t) {
    if (t == "incident.update") return Topic::kUpdate;
    if (t == "maintenance.reminder") return Topic::kReminder;
    if (t == "subscriber.confirm") return Topic::kConfirm;
    if (t == "subscriber.welcome") return Topic::kWelcome;
    return Topic::kOther;
}

std::string JsonString(const boost::json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
    return {};
}

bool JsonBool(const boost::json::object& o, std::string_view key, bool fallback) {
    if (const auto* v = o.if_contains(key); v && v->is_bool()) return v->as_bool();
    return fallback;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
}

// Message ids may carry only atext; delivery keys contain ':' and '/'.
std::string MessageIdPart(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '.');
    return out;
}

std::string TrimSlash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace

/// One outbox message, read once: its kind, the facts its messages show, who it concerns.
struct NotificationDispatcher::EventContext {
    std::int64_t seq = 0;
    Topic topic = Topic::kOther;
    std::string key;
    std::string subscriber_id;  // confirm / welcome
    bool have_incident = false;
    notify::Facts facts;
    notify::EventFacts policy_facts;
    std::vector<std::string> component_ids;  // the incident's
    std::string page_name;
    std::string page_url;
    std::string page_language;
    int minutes_until_start = 0;
    // E-mail renders per language with sentinel links (filled lazily on the engine thread).
    mutable std::map<std::string, notify::EmailContent> email;
};

NotificationDispatcher::NotificationDispatcher(
    store::Store& store,
    notify::Transport& transport,
    std::shared_ptr<const notify::Templates> templates,
    notify::LinkSigner signer,
    Settings settings,
    MetricsRegistry& metrics
)
    : store_(store),
      transport_(transport),
      templates_(std::move(templates)),
      signer_(std::move(signer)),
      settings_(std::move(settings)),
      sent_(metrics.GetCounter("tocsin_notifications_sent_total", "Notifications a destination accepted")),
      failed_(metrics.GetCounter("tocsin_notifications_failed_total", "Failed delivery attempts (retried or dead)")),
      dead_(metrics.GetCounter("tocsin_notifications_dead_total", "Deliveries given up (dead letters)")) {
    auto at = settings_.delivery.from_address.rfind('@');
    mail_domain_ = at == std::string::npos ? "localhost" : settings_.delivery.from_address.substr(at + 1);
}

std::size_t NotificationDispatcher::InFlight() const {
    std::lock_guard lock(mu_);
    return in_flight_count_;
}

Result<void> NotificationDispatcher::RunOnce(TimePoint now) {
    TOCSIN_TRY(Record(now));
    if (now >= next_reminder_check_) {
        TOCSIN_TRY(EnqueueReminders(now));
        next_reminder_check_ = now + std::chrono::seconds(5);
    }
    TOCSIN_TRY(FanOut(now));
    TOCSIN_TRY(Send(now));
    LogProgress(now);
    return {};
}

// ---- maintenance reminders ----------------------------------------------------------------------

Result<void> NotificationDispatcher::EnqueueReminders(TimePoint now) {
    store::IncidentFilter f;
    f.kind = domain::IncidentKind::kMaintenance;
    f.statuses = {domain::IncidentStatus::kScheduled};
    f.limit = 500;
    std::vector<domain::Incident> due;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(list, tx.ListIncidents(f));
        for (auto& inc : list) {
            if (inc.remind_prior_minutes <= 0 || !inc.scheduled_for) continue;
            auto remind_at = *inc.scheduled_for - std::chrono::minutes(inc.remind_prior_minutes);
            if (now >= remind_at && now < *inc.scheduled_for) due.push_back(std::move(inc));
        }
        return {};
    }));
    if (due.empty()) return {};
    return store_.Write([&](store::Tx& tx) -> Result<void> {
        for (const auto& inc : due) {
            auto start_ms = ToMillis(*inc.scheduled_for);
            store::OutboxMessage m;
            m.topic = "maintenance.reminder";
            // One reminder per window start: moving the window reminds again.
            m.idempotency_key = fmt::format("maintenance.reminder:{}:{}", inc.id, start_ms);
            m.created_at = now;
            boost::json::object o;
            o["incident_id"] = inc.id;
            o["minutes"] = inc.remind_prior_minutes;
            m.payload = boost::json::serialize(o);
            TOCSIN_TRY(tx.EnqueueOutbox(m));
        }
        return {};
    });
}

// ---- fan-out ------------------------------------------------------------------------------------

Result<void> NotificationDispatcher::FanOut(TimePoint now) {
    std::vector<store::OutboxRow> rows;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(r, tx.ListUndispatchedOutbox(20));
        rows = std::move(r);
        return {};
    }));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    for (const auto& row : rows) {
        // Each call writes at most one batch; keep going until the message is done or the
        // round's time is up (the next round continues from the stored cursor).
        while (true) {
            TOCSIN_ASSIGN(done, FanOutOne(row, now));
            if (done || std::chrono::steady_clock::now() > deadline) break;
        }
        if (std::chrono::steady_clock::now() > deadline) break;
    }
    return {};
}

Result<bool> NotificationDispatcher::FanOutOne(const store::OutboxRow& row, TimePoint now) {
    bool done = false;
    auto log = Logger("notify");
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(fresh, tx.GetOutbox(row.seq));
        if (!fresh || fresh->dispatched_at) {
            done = true;
            return {};
        }
        if (fresh->fanout_cursor.empty() && now - fresh->message.created_at > settings_.delivery.max_event_age) {
            log->info(
                "[notify.FanOut] outbox {} ({}) is older than {} h: marked done, nothing sent",
                row.seq,
                fresh->message.idempotency_key,
                settings_.delivery.max_event_age.count()
            );
            TOCSIN_TRY(tx.MarkOutboxDispatched(row.seq, now));
            done = true;
            return {};
        }
        TOCSIN_ASSIGN(ctx, Context(tx, row.seq));
        auto make = [&](const std::string& subscriber_id, Channel channel) {
            store::Delivery d;
            d.idempotency_key =
                ctx->key + "/" + (subscriber_id.empty() ? std::string(ToString(channel)) : subscriber_id);
            d.outbox_seq = row.seq;
            d.subscriber_id = subscriber_id;
            d.channel = channel;
            d.next_attempt_at = now;
            d.created_at = now;
            return d;
        };
        std::vector<store::Delivery> batch;
        switch (ctx->topic) {
            case Topic::kOther:
                break;
            case Topic::kConfirm:
            case Topic::kWelcome: {
                TOCSIN_ASSIGN(sub, tx.GetSubscriber(ctx->subscriber_id));
                bool wanted =
                    sub && (ctx->topic == Topic::kConfirm ? !sub->confirmed_at
                                                          : sub->confirmed_at && sub->channel == Channel::kEmail);
                if (wanted) batch.push_back(make(sub->id, sub->channel));
                break;
            }
            case Topic::kUpdate:
            case Topic::kReminder: {
                if (!ctx->have_incident) break;  // deleted before it was sent: nothing to say
                if (fresh->fanout_cursor.empty() && !settings_.mastodon.instance_url.empty() &&
                    notify::ShouldNotify(settings_.policy, Channel::kMastodon, ctx->policy_facts)) {
                    batch.push_back(make("", Channel::kMastodon));
                }
                store::SubscriberFilter f;
                f.confirmed = true;
                f.after_id = fresh->fanout_cursor;
                f.limit = std::max(1, settings_.delivery.fanout_batch);
                TOCSIN_ASSIGN(subs, tx.ListSubscribers(f));
                for (const auto& s : subs) {
                    if (!notify::ShouldNotify(settings_.policy, s.channel, ctx->policy_facts)) continue;
                    if (!notify::TouchesSubscriber(s.component_ids, ctx->component_ids)) continue;
                    batch.push_back(make(s.id, s.channel));
                }
                if (static_cast<int>(subs.size()) == f.limit) {
                    TOCSIN_TRY(tx.InsertDeliveries(batch));
                    TOCSIN_TRY(tx.SaveFanoutCursor(row.seq, subs.back().id));
                    if (!batch.empty()) active_seqs_.insert(row.seq);
                    return {};  // more to come
                }
                break;
            }
        }
        TOCSIN_ASSIGN(added, tx.InsertDeliveries(batch));
        TOCSIN_TRY(tx.MarkOutboxDispatched(row.seq, now));
        if (!batch.empty()) active_seqs_.insert(row.seq);
        if (ctx->topic == Topic::kUpdate || ctx->topic == Topic::kReminder) {
            log->info(
                "[notify.FanOut] outbox {} ({}) fanned out; {} deliveries in the last batch", row.seq, ctx->key, added
            );
        }
        done = true;
        return {};
    }));
    return done;
}

Result<std::shared_ptr<const NotificationDispatcher::EventContext>> NotificationDispatcher::Context(
    store::Tx& tx, std::int64_t seq
) {
    if (auto it = contexts_.find(seq); it != contexts_.end()) return it->second;
    TOCSIN_ASSIGN(row, tx.GetOutbox(seq));
    auto ctx = std::make_shared<EventContext>();
    ctx->seq = seq;
    if (!row) return std::shared_ptr<const EventContext>(ctx);
    ctx->topic = ParseTopic(row->message.topic);
    ctx->key = row->message.idempotency_key;
    TOCSIN_ASSIGN(page, tx.GetPageSettings());
    ctx->page_name = page.name;
    ctx->page_language = page.default_language;
    ctx->page_url = TrimSlash(
        !settings_.delivery.public_url.empty() ? settings_.delivery.public_url
        : !page.url.empty()                    ? page.url
                                               : settings_.fallback_url
    );
    boost::system::error_code ec;
    auto parsed = boost::json::parse(row->message.payload, ec);
    boost::json::object payload;
    if (!ec && parsed.is_object()) payload = parsed.as_object();
    ctx->subscriber_id = JsonString(payload, "subscriber_id");

    if (ctx->topic == Topic::kUpdate || ctx->topic == Topic::kReminder) {
        TOCSIN_ASSIGN(inc, tx.GetIncident(JsonString(payload, "incident_id")));
        if (inc) {
            ctx->have_incident = true;
            auto& f = ctx->facts;
            f.occasion =
                ctx->topic == Topic::kReminder ? notify::Occasion::kMaintenanceReminder : notify::Occasion::kUpdate;
            f.page_name = page.name;
            f.page_url = ctx->page_url;
            f.time_zone = page.time_zone;
            f.incident_id = inc->id;
            f.incident_name = inc->name;
            f.kind = inc->kind;
            f.status = inc->status;
            f.impact = inc->impact;
            f.started_at = inc->started_at;
            f.resolved_at = inc->resolved_at;
            f.scheduled_for = inc->scheduled_for;
            f.scheduled_until = inc->scheduled_until;
            ctx->component_ids = inc->component_ids;
            const domain::IncidentUpdate* update = nullptr;
            auto update_id = JsonString(payload, "update_id");
            for (const auto& u : inc->updates) {
                if (u.id == update_id) update = &u;
            }
            if (!update && ctx->topic == Topic::kReminder && !inc->updates.empty()) update = &inc->updates.front();
            if (update) {
                f.update_id = update->id;
                f.update_markdown = update->body;
                f.update_at = update->display_at;
                f.status = ctx->topic == Topic::kUpdate ? update->status : inc->status;
            }
            f.first_update = JsonBool(payload, "first", false);
            if (ctx->topic == Topic::kReminder) {
                if (const auto* m = payload.if_contains("minutes"); m && m->is_int64()) {
                    ctx->minutes_until_start = static_cast<int>(m->as_int64());
                }
                f.minutes_until_start = ctx->minutes_until_start;
            }
            TOCSIN_ASSIGN(components, tx.ListComponents());
            for (const auto& c : components) {
                if (std::find(inc->component_ids.begin(), inc->component_ids.end(), c.id) == inc->component_ids.end())
                    continue;
                notify::ComponentFact cf{c.id, c.name, c.status};
                if (update) {
                    for (const auto& a : update->affected_components) {
                        if (a.code == c.id) cf.status = a.new_status;
                    }
                }
                f.components.push_back(std::move(cf));
            }
            auto& p = ctx->policy_facts;
            p.kind = inc->kind;
            p.impact = inc->impact;
            p.deliver_notifications =
                ctx->topic == Topic::kReminder || JsonBool(payload, "deliver_notifications", true);
            p.automated_first = JsonBool(payload, "automated", false) && JsonBool(payload, "first", false);
        }
    }
    while (static_cast<int>(contexts_.size()) >= kMaxEvents) contexts_.erase(contexts_.begin());
    contexts_[seq] = ctx;
    return std::shared_ptr<const EventContext>(ctx);
}

// ---- sending ------------------------------------------------------------------------------------

Result<void> NotificationDispatcher::Send(TimePoint now) {
    std::size_t in_flight = InFlight();
    auto max = static_cast<std::size_t>(std::max(1, settings_.delivery.max_in_flight));
    if (in_flight >= max) return {};
    // Due rows that are in flight come back from the query too; ask for enough to get a
    // full batch of new ones.
    const std::size_t batch = std::min<std::size_t>(1000, max - in_flight);
    struct Job {
        store::Delivery d;
        std::shared_ptr<const EventContext> ctx;
        std::optional<domain::Subscriber> sub;
    };
    std::vector<Job> jobs;
    bool mastodon_picked = false;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(due, tx.ListDueDeliveries(now, static_cast<int>(in_flight_ids_.size() + batch)));
        for (auto& d : due) {
            if (jobs.size() >= batch) break;
            if (in_flight_ids_.count(d.id)) continue;
            if (d.channel == Channel::kMastodon && mastodon_busy_) continue;  // one thread at a time
            Job j;
            TOCSIN_ASSIGN(ctx, Context(tx, d.outbox_seq));
            j.ctx = ctx;
            if (!d.subscriber_id.empty()) {
                TOCSIN_ASSIGN(sub, tx.GetSubscriber(d.subscriber_id));
                j.sub = std::move(sub);
            }
            if (d.channel == Channel::kMastodon) {
                if (mastodon_picked) continue;
                mastodon_picked = true;
            }
            j.d = std::move(d);
            jobs.push_back(std::move(j));
        }
        return {};
    }));
    for (auto& j : jobs) {
        if (j.d.channel == Channel::kMastodon) mastodon_busy_ = true;
        in_flight_ids_.insert(j.d.id);
        active_seqs_.insert(j.d.outbox_seq);
        {
            std::lock_guard lock(mu_);
            ++in_flight_count_;
        }
        Submit(j.d, *j.ctx, j.sub ? &*j.sub : nullptr, now);
    }
    return {};
}

void NotificationDispatcher::Submit(
    const store::Delivery& d, const EventContext& ctx, const domain::Subscriber* s, TimePoint now
) {
    auto fail = [&](std::string why) {
        notify::SendResult r;
        r.permanent = true;
        r.error = std::move(why);
        Finish(d, std::move(r));
    };
    if (ctx.topic == Topic::kOther ||
        ((ctx.topic == Topic::kUpdate || ctx.topic == Topic::kReminder) && !ctx.have_incident)) {
        return fail("the event no longer exists");
    }
    if (d.channel == Channel::kMastodon) {
        const auto& m = settings_.mastodon;
        if (m.instance_url.empty()) return fail("Mastodon is not configured");
        std::string reply_to;
        if (auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
                TOCSIN_ASSIGN(post, tx.GetThreadPost(ctx.facts.incident_id));
                if (post) reply_to = *post;
                return {};
            });
            !r) {
            notify::SendResult res;
            res.error = "store: " + r.error().message;
            return Finish(d, std::move(res));
        }
        auto payload = notify::MastodonPayload(
            ctx.facts, m.language.empty() ? ctx.page_language : m.language, m.visibility, reply_to
        );
        notify::OutgoingHttp req;
        req.url = TrimSlash(m.instance_url) + "/api/v1/statuses";
        req.headers = {
            {"Content-Type", payload.content_type},
            {"Authorization", "Bearer " + m.access_token},
            {"Idempotency-Key", d.idempotency_key},
        };
        req.body = std::move(payload.body);
        std::string incident_id = ctx.facts.incident_id;
        transport_.SendHttp(std::move(req), [this, d, incident_id](notify::SendResult r) {
            Finish(d, std::move(r), incident_id);
        });
        return;
    }
    if (!s) return fail("the subscriber no longer exists");
    const std::string& lang = s->language.empty() ? ctx.page_language : s->language;
    const bool confirm = ctx.topic == Topic::kConfirm;
    std::string confirm_url;
    if (confirm) {
        auto expires =
            now + std::chrono::duration_cast<std::chrono::milliseconds>(settings_.delivery.confirm_link_lifetime);
        confirm_url = notify::ConfirmUrl(ctx.page_url, signer_.Sign(notify::LinkPurpose::kConfirm, s->id, expires));
    }

    if (s->channel == Channel::kEmail) {
        if (!transport_.MailEnabled()) return fail("e-mail is not configured (notifications.smtp.url)");
        notify::EmailLinks links{
            notify::ManageUrl(ctx.page_url, signer_.Sign(notify::LinkPurpose::kManage, s->id, std::nullopt)),
            notify::UnsubscribeUrl(ctx.page_url, signer_.Sign(notify::LinkPurpose::kUnsubscribe, s->id, std::nullopt)),
        };
        notify::EmailContent content;
        if (confirm) {
            content = templates_->RenderConfirm(ctx.page_name, ctx.page_url, lang, confirm_url);
        } else if (ctx.topic == Topic::kWelcome) {
            content = templates_->RenderWelcome(ctx.page_name, ctx.page_url, lang, links);
        } else {
            auto it = ctx.email.find(lang);
            if (it == ctx.email.end()) {
                notify::EmailLinks sentinel{std::string(kManageSentinel), std::string(kUnsubscribeSentinel)};
                it = ctx.email.emplace(lang, templates_->RenderUpdate(ctx.facts, lang, sentinel)).first;
            }
            content = it->second;
            for (auto* part : {&content.text, &content.html}) {
                ReplaceAll(*part, kManageSentinel, links.manage_url);
                ReplaceAll(*part, kUnsubscribeSentinel, links.unsubscribe_url);
            }
        }
        notify::MailMessage msg;
        msg.from = {
            settings_.delivery.from_name.empty() ? ctx.page_name : settings_.delivery.from_name,
            settings_.delivery.from_address};
        msg.to = {"", s->target};
        msg.subject = content.subject;
        msg.text = std::move(content.text);
        msg.html = std::move(content.html);
        msg.date = now;
        msg.idempotency_key = d.idempotency_key;
        msg.list_unsubscribe = links.unsubscribe_url;
        if (ctx.topic == Topic::kUpdate || ctx.topic == Topic::kReminder) {
            // Every message about one incident threads under a root id per recipient.
            std::string root = "<" + ctx.facts.incident_id + "." + s->id + "@" + mail_domain_ + ">";
            if (ctx.topic == Topic::kUpdate && ctx.facts.first_update) {
                msg.message_id = root;
            } else {
                msg.message_id = "<" + MessageIdPart(d.idempotency_key) + "." + s->id + "@" + mail_domain_ + ">";
                msg.in_reply_to = root;
                msg.references = {root};
            }
        } else {
            msg.message_id = "<" + MessageIdPart(d.idempotency_key) + "@" + mail_domain_ + ">";
        }
        auto data = notify::BuildMessage(msg);
        if (!data) return fail("cannot build the message: " + data.error().field + " " + data.error().message);
        transport_.SendMail(
            {settings_.delivery.from_address, s->target, std::move(*data)},
            [this, d](notify::SendResult r) { Finish(d, std::move(r)); }
        );
        return;
    }

    if (ctx.topic == Topic::kWelcome) return fail("welcome messages are e-mail only");
    notify::ChatPayload payload;
    std::string url = s->target;
    if (confirm) {
        payload = notify::ConfirmPayload(s->channel, ctx.page_name, lang, confirm_url, s->target);
    } else {
        // Like an e-mail, every chat message and webhook event carries the subscriber's way
        // to change components or language, or to leave.
        const std::string manage_url =
            notify::ManageUrl(ctx.page_url, signer_.Sign(notify::LinkPurpose::kManage, s->id, std::nullopt));
        switch (s->channel) {
            case Channel::kSlack:
                payload = notify::SlackPayload(ctx.facts, lang, manage_url);
                break;
            case Channel::kTeams:
                payload = notify::TeamsPayload(ctx.facts, lang, manage_url);
                break;
            case Channel::kDiscord:
                payload = notify::DiscordPayload(ctx.facts, lang, manage_url);
                break;
            case Channel::kTelegram:
                payload = notify::TelegramPayload(ctx.facts, lang, s->target, manage_url);
                break;
            default:
                payload = notify::WebhookPayload(ctx.facts, s->id, d.idempotency_key, manage_url);
                break;
        }
    }
    if (s->channel == Channel::kTelegram) {
        if (settings_.telegram.bot_token.empty())
            return fail("Telegram is not configured (notifications.telegram.bot_token)");
        url = TrimSlash(settings_.telegram.api_url) + "/bot" + settings_.telegram.bot_token + "/sendMessage";
    }
    notify::OutgoingHttp req;
    req.url = std::move(url);
    req.headers = {{"Content-Type", payload.content_type}};
    if (s->channel == Channel::kWebhook) {
        auto ts = ToMillis(now) / 1000;
        req.headers.emplace_back("Idempotency-Key", d.idempotency_key);
        req.headers.emplace_back(
            "X-Tocsin-Event",
            confirm                         ? "subscription.confirm"
            : ctx.topic == Topic::kReminder ? "maintenance.reminder"
                                            : "incident.update"
        );
        req.headers.emplace_back("X-Tocsin-Delivery", std::to_string(d.id));
        req.headers.emplace_back("X-Tocsin-Timestamp", std::to_string(ts));
        if (!s->secret.empty())
            req.headers.emplace_back("X-Tocsin-Signature", notify::WebhookSignature(s->secret, ts, payload.body));
    }
    req.body = std::move(payload.body);
    transport_.SendHttp(std::move(req), [this, d](notify::SendResult r) { Finish(d, std::move(r)); });
}

void NotificationDispatcher::Finish(store::Delivery d, notify::SendResult r, std::string incident_id) {
    std::lock_guard lock(mu_);
    outcomes_.push_back({std::move(d), std::move(r), std::move(incident_id)});
}

// ---- recording ----------------------------------------------------------------------------------

Result<void> NotificationDispatcher::Record(TimePoint now) {
    std::vector<Outcome> batch;
    {
        std::lock_guard lock(mu_);
        batch.swap(outcomes_);
    }
    if (batch.empty()) return {};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    auto log = Logger("notify");
    auto written = store_.Write([&](store::Tx& tx) -> Result<void> {
        for (const auto& o : batch) {
            int attempts = o.delivery.attempts + 1;
            if (o.result.ok) {
                TOCSIN_TRY(tx.MarkDeliverySent(o.delivery.id, attempts, now));
                if (o.delivery.channel == Channel::kMastodon && !o.incident_id.empty()) {
                    boost::system::error_code ec;
                    auto v = boost::json::parse(o.result.response_body, ec);
                    if (!ec && v.is_object()) {
                        auto id = JsonString(v.as_object(), "id");
                        if (!id.empty()) TOCSIN_TRY(tx.SaveThreadPost(o.incident_id, id));
                    }
                }
                continue;
            }
            bool dead = o.result.permanent || attempts >= settings_.delivery.max_attempts;
            auto base = settings_.delivery.retry_base * (1LL << std::min(attempts - 1, 20));
            auto delay = std::min<std::chrono::seconds>(base, settings_.delivery.retry_max);
            // Jitter: somewhere between half and all of the backoff, so a failed burst spreads out.
            std::uniform_real_distribution<double> spread(0.5, 1.0);
            auto wait = std::chrono::milliseconds(
                static_cast<std::int64_t>(std::chrono::duration<double, std::milli>(delay).count() * spread(rng))
            );
            if (o.result.retry_after && *o.result.retry_after > wait) {
                wait = std::chrono::duration_cast<std::chrono::milliseconds>(*o.result.retry_after);
            }
            std::string error = o.result.error.empty() ? "failed" : o.result.error;
            if (error.size() > 500) error.resize(500);
            TOCSIN_TRY(tx.MarkDeliveryFailed(o.delivery.id, attempts, now + wait, error, dead));
        }
        return {};
    });
    if (!written) {
        // Nothing was recorded: put the outcomes back for the next round.
        std::lock_guard lock(mu_);
        outcomes_.insert(outcomes_.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
        return written.error();
    }
    for (const auto& o : batch) {
        in_flight_ids_.erase(o.delivery.id);
        if (o.delivery.channel == Channel::kMastodon) mastodon_busy_ = false;
        int attempts = o.delivery.attempts + 1;
        if (o.result.ok) {
            sent_.Add();
            continue;
        }
        failed_.Add();
        if (o.result.permanent || attempts >= settings_.delivery.max_attempts) {
            dead_.Add();
            log->warn(
                "[notify.Record] delivery {} ({} {}) dead after {} attempts: {}",
                o.delivery.id,
                ToString(o.delivery.channel),
                o.delivery.idempotency_key,
                attempts,
                o.result.error
            );
        }
    }
    std::lock_guard lock(mu_);
    in_flight_count_ -= std::min(in_flight_count_, batch.size());
    return {};
}

void NotificationDispatcher::LogProgress(TimePoint now) {
    if (now < next_progress_log_ || active_seqs_.empty()) return;
    next_progress_log_ = now + std::chrono::seconds(5);
    auto log = Logger("notify");
    std::vector<std::int64_t> finished;
    (void)store_.Read([&](store::Tx& tx) -> Result<void> {
        for (auto seq : active_seqs_) {
            TOCSIN_ASSIGN(p, tx.GetDeliveryProgress(seq));
            log->info(
                "[notify.Progress] outbox {}: sent {}, pending {} ({} failing), dead {}",
                seq,
                p.sent,
                p.pending,
                p.failing,
                p.dead
            );
            if (p.pending == 0) finished.push_back(seq);
        }
        return {};
    });
    for (auto seq : finished) active_seqs_.erase(seq);
}

}  // namespace tocsin::engine
