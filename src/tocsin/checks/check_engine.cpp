// The check engine's loop. Duties, all on the one engine thread:
//   - keep the schedule: one entry per monitor, due at `epoch + offset(id) + k * interval`
//     (fixed rate, no drift) plus a fresh jitter of at most 2 % / 1 s per run; a min-heap of
//     due times and one steady_timer for the earliest;
//   - start due checks while fewer than max_in_flight run; queue the rest (FIFO) and start
//     them as others finish; a monitor whose previous check still runs skips that run;
//   - record lateness (actual start - scheduled start) of every scheduled run;
//   - dispatch by type: HTTP to HttpChecks (curl multi), TCP/TLS/DNS/ICMP to NetChecks;
//   - judge each observation (monitor::Judge) with the engine's location and the Clock's time
//     at the check's start, then hand it to the sink;
//   - apply SetPlans / CheckNow posted from other threads; Stop() abandons everything.
#include "tocsin/checks/check_engine.hpp"

#include "tocsin/checks/engine_schedule.hpp"
#include "tocsin/checks/http_check.hpp"
#include "tocsin/checks/net_checks.hpp"
#include "tocsin/common/check.hpp"
#include "tocsin/common/log.hpp"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

namespace tocsin::checks {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;
using std::chrono::microseconds;

/// Intervals below this are raised to it (Validate() already demands 10 s; this only keeps a
/// bad plan from spinning the loop).
constexpr std::chrono::seconds kMinInterval{1};

microseconds IntervalOf(const monitor::CheckPlan& plan) {
    return std::max<microseconds>(plan.interval, kMinInterval);
}

}  // namespace

struct CheckEngine::Impl {
    /// One scheduled monitor.
    struct Entry {
        std::shared_ptr<const monitor::CheckPlan> plan;
        std::string fingerprint;
        std::uint64_t generation = 0;  // changes when the plan changes; stale heap items and results
        SteadyTime grid{};             // nominal time of the next run, without jitter
        SteadyTime due{};              // grid plus this run's jitter
        bool running = false;
        bool queued = false;
    };

    struct HeapItem {
        SteadyTime due;
        std::uint64_t generation;
        std::string monitor_id;
        bool operator>(const HeapItem& other) const { return due > other.due; }
    };

    /// A check waiting for a free slot.
    struct Waiting {
        std::string monitor_id;  // empty for CheckNow
        std::uint64_t generation = 0;
        SteadyTime scheduled{};
        std::shared_ptr<const monitor::CheckPlan> now_plan;  // CheckNow only
        std::function<void(monitor::CheckResult)> now_done;  // CheckNow only
    };

    Impl(const Clock& c, CheckEngineOptions o, ResultSink s)
        : clock(c),
          options(std::move(o)),
          sink(std::move(s)),
          io(1),
          work(asio::make_work_guard(io)),
          timer(io),
          http(std::make_unique<detail::HttpChecks>(io, options.location)),
          net(std::make_unique<detail::NetChecks>(io)),
          rng(std::random_device{}()) {
        if (options.max_in_flight == 0) options.max_in_flight = 1;
    }

    // ---- lifecycle ----

    void Run() {
        // An exception escaping a handler (the sink is user code) is logged and the loop goes
        // on; the engine must not die of one bad result.
        for (;;) {
            try {
                io.run();
                return;
            } catch (const std::exception& e) {
                Logger("checks")->error("[checks.CheckEngine.Run] handler threw: {}", e.what());
            }
        }
    }

    /// On the loop (or with the loop not running): abandon everything.
    void Shutdown() {
        stopping = true;
        timer.cancel();
        http->CancelAll();
        net->CancelAll();
        entries.clear();
        heap = {};
        waiting.clear();
        in_flight = 0;
        in_flight_now.store(0);
        work.reset();
        io.stop();
    }

    // ---- schedule ----

    SteadyTime Jittered(SteadyTime grid, microseconds interval) {
        const auto max = detail::MaxJitter(interval).count();
        if (max == 0) return grid;
        std::uniform_int_distribution<std::int64_t> dist(-max, max);
        return grid + microseconds{dist(rng)};
    }

    void ApplyPlans(std::vector<monitor::CheckPlan> plans) {
        if (stopping) return;
        const SteadyTime now = SteadyClock::now();
        std::unordered_map<std::string, Entry> next;
        next.reserve(plans.size());
        for (auto& plan : plans) {
            if (plan.spec.type == monitor::MonitorType::kHeartbeat) continue;  // passive
            std::string fingerprint = detail::PlanFingerprint(plan);
            const std::string id = plan.monitor_id;
            if (next.contains(id)) {
                Logger("checks")->warn("[checks.CheckEngine.SetPlans] monitor {} given twice; the first wins", id);
                continue;
            }
            auto old = entries.find(id);
            if (old != entries.end() && old->second.fingerprint == fingerprint) {
                // Unchanged: keep timing, generation and any check in flight; take the new
                // plan object, whose (opaque) conditions may have changed.
                Entry kept = std::move(old->second);
                kept.plan = std::make_shared<const monitor::CheckPlan>(std::move(plan));
                next.emplace(id, std::move(kept));
                continue;
            }
            Entry e;
            e.generation = ++last_generation;
            const microseconds interval = IntervalOf(plan);
            e.grid = detail::FirstGridPoint(epoch, detail::StableOffset(id, interval), interval, now);
            e.due = std::max(now, Jittered(e.grid, interval));
            e.fingerprint = std::move(fingerprint);
            e.plan = std::make_shared<const monitor::CheckPlan>(std::move(plan));
            heap.push(HeapItem{e.due, e.generation, id});
            next.emplace(id, std::move(e));
        }
        // Monitors not in `next` are gone: their heap items and in-flight results are now stale.
        entries = std::move(next);
        monitors.store(entries.size());
        RunDue();
    }

    /// Starts (or queues) every run that is due, then re-arms the timer.
    void RunDue() {
        const SteadyTime now = SteadyClock::now();
        while (!heap.empty() && heap.top().due <= now) {
            HeapItem item = heap.top();
            heap.pop();
            auto it = entries.find(item.monitor_id);
            if (it == entries.end() || it->second.generation != item.generation || it->second.due != item.due) {
                continue;  // removed or replaced since this item was pushed
            }
            Entry& e = it->second;
            const SteadyTime scheduled = e.due;
            const microseconds interval = IntervalOf(*e.plan);
            // Fixed rate: the next run is one interval after this one's grid point. After a
            // stall (suspend, overload) the missed runs are dropped, not fired in a burst.
            e.grid += interval;
            if (e.grid + interval <= now) e.grid = detail::FirstGridPoint(e.grid, microseconds{0}, interval, now);
            e.due = Jittered(e.grid, interval);
            heap.push(HeapItem{e.due, e.generation, item.monitor_id});

            if (e.running || e.queued) {
                skipped.fetch_add(1);  // the previous run of this monitor has not finished
                continue;
            }
            if (in_flight < options.max_in_flight) {
                Launch(e, scheduled, now);
            } else {
                e.queued = true;
                waiting.push_back(Waiting{item.monitor_id, e.generation, scheduled, nullptr, nullptr});
            }
        }
        ArmTimer();
    }

    void ArmTimer() {
        if (heap.empty()) {
            if (timer_armed) timer.cancel();
            timer_armed = false;
            return;
        }
        const SteadyTime due = heap.top().due;
        if (timer_armed && due == timer_due) return;
        timer_armed = true;
        timer_due = due;
        timer.expires_at(due);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;  // re-armed or cancelled
            timer_armed = false;
            RunDue();
        });
    }

    // ---- running checks ----

    void Launch(Entry& e, SteadyTime scheduled, SteadyTime now) {
        e.running = true;
        const auto lateness = std::max(microseconds{0}, std::chrono::duration_cast<microseconds>(now - scheduled));
        {
            std::lock_guard lock(stats_mutex);
            lateness_window.Add(lateness);
        }
        const TimePoint at = clock.Now();
        std::shared_ptr<const monitor::CheckPlan> plan = e.plan;
        Begin(*plan, [this, plan, at, generation = e.generation](monitor::Observation obs) {
            End();
            auto it = entries.find(plan->monitor_id);
            if (it != entries.end() && it->second.generation == generation) {
                it->second.running = false;
                Deliver(sink, *plan, at, obs);
            }
            Drain();
        });
    }

    void LaunchNow(std::shared_ptr<const monitor::CheckPlan> plan, std::function<void(monitor::CheckResult)> done) {
        const TimePoint at = clock.Now();
        Begin(*plan, [this, plan, at, done = std::move(done)](monitor::Observation obs) {
            End();
            Deliver(done, *plan, at, obs);
            Drain();
        });
    }

    /// Judges and hands over one result. The receiver is the embedder's code: an exception from
    /// it is logged here, at the boundary, so that the loop's bookkeeping stays whole.
    void Deliver(
        const std::function<void(monitor::CheckResult)>& receiver,
        const monitor::CheckPlan& plan,
        TimePoint at,
        const monitor::Observation& obs
    ) {
        try {
            receiver(monitor::Judge(plan, options.location, at, obs));
        } catch (const std::exception& e) {
            Logger("checks")->error("[checks.CheckEngine.Deliver] monitor {}: {}", plan.monitor_id, e.what());
        }
    }

    /// Counts the check and hands it to its checker. `done` runs on the loop, exactly once,
    /// unless Stop() abandons the check.
    void Begin(const monitor::CheckPlan& plan, detail::ObservationDone done) {
        ++in_flight;
        in_flight_now.store(in_flight);
        started.fetch_add(1);
        const monitor::CheckSpec& spec = plan.spec;
        switch (spec.type) {
            case monitor::MonitorType::kHttp:
                http->Start(spec, std::move(done));
                return;
            case monitor::MonitorType::kTcp:
                net->StartTcp(spec, std::move(done));
                return;
            case monitor::MonitorType::kTls:
                net->StartTls(spec, std::move(done));
                return;
            case monitor::MonitorType::kDns:
                net->StartDns(spec, std::move(done));
                return;
            case monitor::MonitorType::kIcmp:
                net->StartIcmp(spec, std::move(done));
                return;
            case monitor::MonitorType::kHeartbeat:
                break;
        }
        monitor::Observation obs;
        obs.error = monitor::ErrorClass::kUnsupported;
        obs.error_message = "heartbeat monitors are passive and cannot be checked";
        asio::post(io, [done = std::move(done), obs = std::move(obs)]() mutable { done(std::move(obs)); });
    }

    void End() {
        TOCSIN_CHECK(in_flight > 0, "a check finished that was never counted");
        --in_flight;
        in_flight_now.store(in_flight);
        finished.fetch_add(1);
    }

    /// Starts queued checks while slots are free.
    void Drain() {
        if (stopping) return;
        while (in_flight < options.max_in_flight && !waiting.empty()) {
            Waiting w = std::move(waiting.front());
            waiting.pop_front();
            if (w.now_plan) {
                LaunchNow(std::move(w.now_plan), std::move(w.now_done));
                continue;
            }
            auto it = entries.find(w.monitor_id);
            if (it == entries.end() || it->second.generation != w.generation) continue;  // removed meanwhile
            it->second.queued = false;
            Launch(it->second, w.scheduled, SteadyClock::now());
        }
    }

    void CheckNow(monitor::CheckPlan plan, std::function<void(monitor::CheckResult)> done) {
        if (stopping) return;
        auto shared = std::make_shared<const monitor::CheckPlan>(std::move(plan));
        if (in_flight < options.max_in_flight) {
            LaunchNow(std::move(shared), std::move(done));
        } else {
            // Someone is waiting for this one: ahead of scheduled runs.
            waiting.push_front(Waiting{{}, 0, SteadyClock::now(), std::move(shared), std::move(done)});
        }
    }

    const Clock& clock;
    CheckEngineOptions options;
    ResultSink sink;

    // Declared first among the Asio objects: destroyed last.
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    asio::steady_timer timer;
    std::unique_ptr<detail::HttpChecks> http;
    std::unique_ptr<detail::NetChecks> net;

    std::thread thread;
    std::mutex lifecycle_mutex;
    bool started_thread = false;
    bool stopped = false;

    // Loop-thread state.
    SteadyTime epoch = SteadyClock::now();
    std::unordered_map<std::string, Entry> entries;
    std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<>> heap;
    std::deque<Waiting> waiting;
    std::size_t in_flight = 0;
    std::uint64_t last_generation = 0;
    bool timer_armed = false;
    SteadyTime timer_due{};
    bool stopping = false;
    std::mt19937_64 rng;

    // Read by Stats() from any thread.
    std::atomic<std::uint64_t> started{0};
    std::atomic<std::uint64_t> finished{0};
    std::atomic<std::uint64_t> skipped{0};
    std::atomic<std::size_t> in_flight_now{0};
    std::atomic<std::size_t> monitors{0};
    mutable std::mutex stats_mutex;
    detail::LatenessWindow lateness_window;
};

CheckEngine::CheckEngine(const Clock& clock, CheckEngineOptions options, ResultSink sink)
    : impl_(std::make_unique<Impl>(clock, std::move(options), std::move(sink))) {}

CheckEngine::~CheckEngine() {
    Stop();
}

void CheckEngine::Start() {
    std::lock_guard lock(impl_->lifecycle_mutex);
    TOCSIN_CHECK(!impl_->started_thread && !impl_->stopped, "CheckEngine::Start called twice or after Stop");
    impl_->started_thread = true;
    impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
}

void CheckEngine::Stop() {
    std::lock_guard lock(impl_->lifecycle_mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
    if (!impl_->thread.joinable()) {
        impl_->Shutdown();
        return;
    }
    TOCSIN_CHECK(impl_->thread.get_id() != std::this_thread::get_id(), "CheckEngine::Stop called from its own thread");
    asio::post(impl_->io, [impl = impl_.get()] { impl->Shutdown(); });
    impl_->thread.join();
}

void CheckEngine::SetPlans(std::vector<monitor::CheckPlan> plans) {
    asio::post(impl_->io, [impl = impl_.get(), plans = std::move(plans)]() mutable {
        impl->ApplyPlans(std::move(plans));
    });
}

void CheckEngine::CheckNow(monitor::CheckPlan plan, std::function<void(monitor::CheckResult)> done) {
    asio::post(impl_->io, [impl = impl_.get(), plan = std::move(plan), done = std::move(done)]() mutable {
        impl->CheckNow(std::move(plan), std::move(done));
    });
}

CheckEngineStats CheckEngine::Stats() const {
    CheckEngineStats s;
    s.checks_started = impl_->started.load();
    s.checks_finished = impl_->finished.load();
    s.checks_skipped = impl_->skipped.load();
    s.in_flight = impl_->in_flight_now.load();
    s.monitors = impl_->monitors.load();
    std::optional<detail::LatenessWindow> window;
    {
        // Copy under the lock (80 KB), sort outside it: the loop never waits for a Stats() call.
        std::lock_guard lock(impl_->stats_mutex);
        window.emplace(impl_->lateness_window);
    }
    const detail::LatenessWindow::Summary lateness = window->Summarize();
    s.lateness_p50 = lateness.p50;
    s.lateness_p99 = lateness.p99;
    s.lateness_max = lateness.max;
    return s;
}

}  // namespace tocsin::checks
