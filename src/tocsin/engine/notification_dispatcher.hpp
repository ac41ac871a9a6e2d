/// @file
/// @brief Turns outbox messages into deliveries and deliveries into sent messages.
///
/// Three steps per round, all on the dispatcher's own runner thread:
/// 1. Fan-out: each undispatched outbox message is expanded into delivery rows, streaming
///    subscribers from the store in batches; every batch and the cursor after it commit
///    together, so a restart continues after the last committed batch and the unique
///    idempotency key of each row makes a repeated batch harmless.
/// 2. Send: due pending deliveries are rendered (templates once per event and language)
///    and handed to the Transport, at most `max_in_flight` at a time.
/// 3. Record: outcomes from the Transport are written back in one transaction per round
///    (sent; failed with exponential backoff and jitter; dead after max_attempts or a
///    permanent error, with the last error kept for the API).
///
/// A crash between a destination's acceptance and step 3 leaves the delivery pending; it is
/// sent again with the same idempotency key (e-mail Message-ID and X-Tocsin-Idempotency-Key,
/// webhook Idempotency-Key header, Mastodon Idempotency-Key), so a receiver that honours the
/// key sees it once. Maintenance reminders are enqueued here too (one per window start).
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/metrics.hpp"
#include "tocsin/engine/engine.hpp"
#include "tocsin/notify/content.hpp"
#include "tocsin/notify/links.hpp"
#include "tocsin/notify/options.hpp"
#include "tocsin/notify/transport.hpp"
#include "tocsin/store/store.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace tocsin::engine {

class NotificationDispatcher final : public Engine {
public:
    struct Settings {
        notify::DeliveryOptions delivery;
        notify::Policy policy;
        notify::MastodonOptions mastodon;
        notify::TelegramOptions telegram;
        std::string fallback_url;  // links when neither delivery.public_url nor the page URL is set
        std::chrono::milliseconds interval{100};
    };

    NotificationDispatcher(
        store::Store& store,
        notify::Transport& transport,
        std::shared_ptr<const notify::Templates> templates,
        notify::LinkSigner signer,
        Settings settings,
        MetricsRegistry& metrics
    );

    [[nodiscard]] std::string_view Name() const override { return "notifications"; }
    [[nodiscard]] std::chrono::milliseconds Interval() const override { return settings_.interval; }
    [[nodiscard]] Result<void> RunOnce(TimePoint now) override;

    /// Records the outcomes that have arrived (for shutdown, after the runner and the
    /// transport stopped). Idempotent.
    [[nodiscard]] Result<void> Flush(TimePoint now) { return Record(now); }

    /// Deliveries handed to the transport whose outcome is not recorded yet.
    [[nodiscard]] std::size_t InFlight() const;

    struct EventContext;  // an outbox message with what its messages say (internal)

private:
    struct Outcome {
        store::Delivery delivery;
        notify::SendResult result;
        std::string incident_id;  // Mastodon: the thread the status belongs to
    };

    Result<void> EnqueueReminders(TimePoint now);
    Result<void> FanOut(TimePoint now);
    Result<bool> FanOutOne(const store::OutboxRow& row, TimePoint now);
    Result<void> Send(TimePoint now);
    Result<void> Record(TimePoint now);
    void LogProgress(TimePoint now);
    Result<std::shared_ptr<const EventContext>> Context(store::Tx& tx, std::int64_t seq);
    void Submit(const store::Delivery& d, const EventContext& ctx, const domain::Subscriber* s, TimePoint now);
    void Finish(store::Delivery d, notify::SendResult r, std::string incident_id = {});

    store::Store& store_;
    notify::Transport& transport_;
    std::shared_ptr<const notify::Templates> templates_;
    notify::LinkSigner signer_;
    Settings settings_;
    std::string mail_domain_;

    Counter& sent_;
    Counter& failed_;
    Counter& dead_;

    // Engine thread only.
    std::map<std::int64_t, std::shared_ptr<const EventContext>> contexts_;  // by outbox seq
    std::set<std::int64_t> in_flight_ids_;
    bool mastodon_busy_ = false;
    TimePoint next_reminder_check_{};
    TimePoint next_progress_log_{};
    std::set<std::int64_t> active_seqs_;  // outbox messages with deliveries being sent

    mutable std::mutex mu_;
    std::vector<Outcome> outcomes_;  // filled by transport callbacks
    std::size_t in_flight_count_ = 0;
};

}  // namespace tocsin::engine
