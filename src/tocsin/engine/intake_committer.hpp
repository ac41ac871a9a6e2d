/// @file
/// @brief Group commit for alert intake: one thread applies everything queued in ONE write
/// transaction, then answers every request of the batch once it is on disk.
///
/// Intake routes run on I/O threads and must not block: they Submit() the events of one request
/// with a Done callback and return a deferred response. The committer thread takes all queued
/// requests (up to max_batch_events), applies each request's events in order through
/// service::IntakeBatch inside one Store::WriteSyncLater, and goes on with the next batch
/// while the store syncs this one; once it is on disk, every Done gets that request's outcomes
/// (on the store's syncer thread). At most kMaxInFlight batches wait for their sync. A
/// per-event problem (unknown alias, bad field) is an outcome, not a failure; a store error
/// fails the whole batch: every Done gets the error (routes answer 503).
#pragma once

#include "tocsin/alerts/intake.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tocsin::engine {

struct IntakeCommitterOptions {
    std::size_t max_queued_events = 20000;  // Submit() refuses beyond this
    std::size_t max_batch_events = 5000;    // events per transaction (a request is never split)
    std::function<void()> on_durable{};     // after each batch on disk (live admin screens)
};

class IntakeCommitter {
public:
    using Done = std::function<void(Result<std::vector<alerts::IntakeOutcome>>)>;  // called once durable

    IntakeCommitter(store::Store& store, const Clock& clock, IntakeCommitterOptions options = {});
    IntakeCommitter(const IntakeCommitter&) = delete;
    IntakeCommitter& operator=(const IntakeCommitter&) = delete;
    /// Stops (see Stop()).
    ~IntakeCommitter();

    /// Starts the committer thread. Submissions before Start() queue up.
    void Start();
    /// Refuses new submissions, commits everything already accepted (at most max_queued_events),
    /// and joins the thread; anything left (never started) fails with kUnavailable. Idempotent.
    void Stop();

    /// Events of one request are applied together, in order; Done runs once they are on disk
    /// (or failed), on the committer's or the store's syncer thread.
    /// Returns false (and never calls done) when the queue is full → the route answers 429/503.
    bool Submit(std::vector<alerts::IntakeEvent> events, Done done);

    /// Events waiting (not yet in a transaction).
    [[nodiscard]] std::size_t Queued() const;
    /// Transactions committed so far (for tests and metrics).
    [[nodiscard]] std::size_t BatchesCommitted() const;

private:
    struct Pending {
        std::vector<alerts::IntakeEvent> events;
        Done done;
    };
    static constexpr int kMaxInFlight = 4;

    void Loop();
    void RunBatch(std::vector<Pending>& batch);
    // A committed batch waiting for its sync: the requests and what each gets.
    struct Answers {
        std::vector<Pending> requests;
        std::vector<std::vector<alerts::IntakeOutcome>> outcomes;
    };
    void Answer(Answers& answers, const Result<void>& r);

    store::Store& store_;
    const Clock& clock_;
    IntakeCommitterOptions options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    std::size_t queued_events_ = 0;
    std::size_t batches_ = 0;
    int in_flight_ = 0;  // committed (or being committed), not yet answered
    std::condition_variable in_flight_cv_;
    bool stopping_ = false;
    bool started_ = false;
    std::thread thread_;
};

}  // namespace tocsin::engine
