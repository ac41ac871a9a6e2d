#include "tocsin/engine/intake_committer.hpp"

#include "tocsin/common/log.hpp"
#include "tocsin/service/alert_ops.hpp"

#include <pthread.h>

#include <exception>
#include <memory>
#include <utility>

namespace tocsin::engine {

IntakeCommitter::IntakeCommitter(store::Store& store, const Clock& clock, IntakeCommitterOptions options)
    : store_(store), clock_(clock), options_(options) {}

IntakeCommitter::~IntakeCommitter() {
    Stop();
}

void IntakeCommitter::Start() {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
    thread_ = std::thread([this] { Loop(); });
}

void IntakeCommitter::Stop() {
    std::deque<Pending> left;
    {
        std::lock_guard lock(mu_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    {
        std::unique_lock lock(mu_);
        // Batches committed but not yet answered are answered by the store's syncer.
        in_flight_cv_.wait(lock, [&] { return in_flight_ == 0; });
        left.swap(queue_);
        queued_events_ = 0;
    }
    for (auto& p : left) p.done(Error::Unavailable("the server is shutting down"));
}

bool IntakeCommitter::Submit(std::vector<alerts::IntakeEvent> events, Done done) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        const std::size_t n = events.empty() ? 1 : events.size();
        if (queued_events_ + n > options_.max_queued_events && !queue_.empty()) return false;
        queued_events_ += n;
        queue_.push_back(Pending{std::move(events), std::move(done)});
    }
    cv_.notify_one();
    return true;
}

std::size_t IntakeCommitter::Queued() const {
    std::lock_guard lock(mu_);
    return queued_events_;
}

std::size_t IntakeCommitter::BatchesCommitted() const {
    std::lock_guard lock(mu_);
    return batches_;
}

void IntakeCommitter::Loop() {
    pthread_setname_np(pthread_self(), "intake-commit");
    std::vector<Pending> batch;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping with nothing left
            // Take everything queued, whole requests, up to the batch bound (at least one).
            std::size_t taken = 0;
            while (!queue_.empty()) {
                const std::size_t n = queue_.front().events.empty() ? 1 : queue_.front().events.size();
                if (!batch.empty() && taken + n > options_.max_batch_events) break;
                taken += n;
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            queued_events_ -= taken;
        }
        RunBatch(batch);
    }
}

void IntakeCommitter::RunBatch(std::vector<Pending>& batch) {
    // Moved out: the loop reuses `batch` while this one waits for its sync.
    auto answers = std::make_shared<Answers>();
    answers->requests = std::move(batch);
    batch.clear();
    answers->outcomes.resize(answers->requests.size());
    const TimePoint now = clock_.Now();
    {
        // Bound the batches committed but not yet on disk (their answers wait in memory).
        std::unique_lock lock(mu_);
        in_flight_cv_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
        ++in_flight_;
    }
    Result<void> r = Error::Internal("not run");
    try {
        r = store_.WriteSyncLater(
            [&](store::Tx& tx) -> Result<void> {
                service::IntakeBatch applier(tx, now);
                for (std::size_t i = 0; i < answers->requests.size(); ++i) {
                    auto applied = applier.Apply(answers->requests[i].events);
                    if (!applied) return applied.error();
                    answers->outcomes[i] = std::move(*applied);
                }
                return {};
            },
            [this, answers](Result<void> synced) { Answer(*answers, synced); }
        );
    } catch (const std::exception& e) {
        r = Error::Internal(std::string("intake batch failed: ") + e.what());
    }
    if (!r) Answer(*answers, r);
}

void IntakeCommitter::Answer(Answers& answers, const Result<void>& r) {
    if (r) {
        std::lock_guard lock(mu_);
        ++batches_;
    } else {
        Logger("engine")->warn(
            "[engine.IntakeCommitter] batch of {} requests failed: {}", answers.requests.size(), r.error().message
        );
    }
    for (std::size_t i = 0; i < answers.requests.size(); ++i) {
        auto& done = answers.requests[i].done;
        if (!done) continue;
        try {
            if (r) {
                done(std::move(answers.outcomes[i]));
            } else {
                Error e = r.error();
                if (e.kind != ErrorKind::kUnavailable) e.kind = ErrorKind::kUnavailable;
                done(std::move(e));
            }
        } catch (const std::exception& e) {
            Logger("engine")->error("[engine.IntakeCommitter] a Done callback threw: {}", e.what());
        }
    }
    if (r && options_.on_durable) {
        try {
            options_.on_durable();
        } catch (const std::exception& e) {
            Logger("engine")->error("[engine.IntakeCommitter] on_durable threw: {}", e.what());
        }
    }
    // Notified under the lock: once Stop() sees 0 it may destroy this committer.
    std::lock_guard lock(mu_);
    --in_flight_;
    in_flight_cv_.notify_all();
}

}  // namespace tocsin::engine
