#include "tocsin/engine/monitor_automation.hpp"

#include "tocsin/common/log.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/engine/snapshot_publisher.hpp"
#include "tocsin/service/monitor_ops.hpp"

#include <algorithm>
#include <set>

namespace tocsin::engine {

using monitor::CheckResult;
using monitor::MonitorType;
using monitor::Outcome;

MonitorAutomation::MonitorAutomation(
    store::Store& store, SnapshotPublisher* publisher, MetricsRegistry& metrics, MonitorAutomationOptions options
)
    : store_(store),
      publisher_(publisher),
      options_(std::move(options)),
      results_stored_(metrics.GetCounter("tocsin_check_results_total", "Check results stored")),
      results_dropped_(
          metrics.GetCounter("tocsin_check_results_dropped_total", "Check results dropped because the queue was full")
      ),
      state_changes_(metrics.GetCounter("tocsin_monitor_state_changes_total", "Confirmed monitor state changes")) {}

void MonitorAutomation::Submit(CheckResult result, bool stored) {
    std::lock_guard lock(mu_);
    if (queue_.size() >= options_.max_queue) {
        queue_.pop_front();
        results_dropped_.Add();
    }
    queue_.push_back({std::move(result), stored});
}

void MonitorAutomation::MonitorsChanged() {
    std::lock_guard lock(mu_);
    dirty_ = true;
}

std::vector<monitor::CheckPlan> MonitorAutomation::PlansFor(const std::string& location) const {
    std::lock_guard lock(mu_);
    std::vector<monitor::CheckPlan> out;
    for (const auto& p : plans_) {
        auto it = plan_locations_.find(p.monitor_id);
        if (it != plan_locations_.end() &&
            std::find(it->second.begin(), it->second.end(), location) != it->second.end()) {
            out.push_back(p);
        }
    }
    return out;
}

std::size_t MonitorAutomation::QueueLength() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

Result<void> MonitorAutomation::Reload() {
    std::vector<monitor::Monitor> list;
    std::vector<monitor::MonitorState> states;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListMonitors());
        TOCSIN_ASSIGN(s, tx.ListMonitorStates());
        list = std::move(l);
        states = std::move(s);
        return {};
    }));
    monitors_.clear();
    states_.clear();
    std::vector<monitor::CheckPlan> plans;
    std::map<std::string, std::vector<std::string>> locations;
    for (auto& m : list) {
        if (m.enabled && m.spec.type != MonitorType::kHeartbeat) {
            auto plan = monitor::MakePlan(m);
            if (plan) {
                plans.push_back(std::move(*plan));
                locations[m.id] = m.locations;
            } else {
                Logger("monitor")->error(
                    "[engine.MonitorAutomation] monitor {} cannot run: {}", m.id, plan.error().message
                );
            }
        }
        monitors_.emplace(m.id, std::move(m));
    }
    for (auto& s : states) {
        if (monitors_.contains(s.monitor_id)) states_.emplace(s.monitor_id, std::move(s));
    }
    std::vector<monitor::CheckPlan> local;
    for (const auto& p : plans) {
        const auto& locs = locations[p.monitor_id];
        if (!options_.local_location.empty() &&
            std::find(locs.begin(), locs.end(), options_.local_location) != locs.end()) {
            local.push_back(p);
        }
    }
    {
        std::lock_guard lock(mu_);
        plans_ = std::move(plans);
        plan_locations_ = std::move(locations);
    }
    if (on_plans_) on_plans_(std::move(local));
    return {};
}

Result<bool> MonitorAutomation::Process(store::Tx& tx, std::vector<Pending>& batch, TimePoint now) {
    bool page_changed = false;
    std::vector<CheckResult> to_store;
    for (const auto& p : batch) {
        if (!p.stored) to_store.push_back(p.result);
    }
    if (!to_store.empty()) TOCSIN_TRY(tx.InsertCheckResults(to_store));

    auto state_of = [&](const monitor::Monitor& m) -> monitor::MonitorState& {
        auto [it, inserted] = states_.try_emplace(m.id);
        if (inserted) {
            it->second.monitor_id = m.id;
            it->second.since = now;
        }
        return it->second;
    };
    auto apply = [&](const monitor::Monitor& m,
                     monitor::MonitorState& st,
                     const std::optional<monitor::StateChange>& change) -> Result<void> {
        if (!change) return {};
        state_changes_.Add();
        Logger("monitor")->info(
            "[engine.MonitorAutomation] monitor {} ({}) {} -> {}: {}",
            m.id,
            m.name,
            monitor::OutcomeName(change->from),
            monitor::OutcomeName(change->to),
            change->message
        );
        TOCSIN_TRY(service::ApplyMonitorChange(tx, m, st, *change, now));
        page_changed = true;
        return {};
    };
    std::set<std::string> touched;
    for (const auto& p : batch) {
        auto it = monitors_.find(p.result.monitor_id);
        if (it == monitors_.end() || !it->second.enabled) continue;
        auto& m = it->second;
        auto& st = state_of(m);
        if (m.spec.type == MonitorType::kHeartbeat && p.result.outcome == Outcome::kUp) st.last_ping_at = p.result.at;
        TOCSIN_TRY(apply(m, st, monitor::ApplyResult(m, st, p.result)));
        touched.insert(m.id);
    }
    // Missed heartbeats: one down result per interval once period plus grace has passed.
    for (auto& [id, m] : monitors_) {
        if (!m.enabled || m.spec.type != MonitorType::kHeartbeat) continue;
        auto& st = state_of(m);
        TimePoint last = st.last_ping_at.value_or(std::max(m.created_at, m.updated_at));
        auto deadline = last + m.interval + m.heartbeat_grace;
        if (now <= deadline) continue;
        auto& loc = st.locations["local"];
        if (loc.last_at > deadline && now - loc.last_at < m.interval) continue;
        CheckResult r;
        r.monitor_id = id;
        r.location = "local";
        r.at = now;
        r.outcome = Outcome::kDown;
        r.error = monitor::ErrorClass::kMissed;
        r.message =
            st.last_ping_at ? "no heartbeat since " + FormatIso8601(*st.last_ping_at) : "no heartbeat received yet";
        TOCSIN_TRY(tx.InsertCheckResults({r}));
        TOCSIN_TRY(apply(m, st, monitor::ApplyResult(m, st, r)));
        touched.insert(id);
    }
    // Stale locations and finished recoveries.
    for (auto& [id, m] : monitors_) {
        if (!m.enabled) continue;
        auto sit = states_.find(id);
        if (sit == states_.end()) continue;
        auto& st = sit->second;
        auto change = monitor::Reevaluate(m, st, now);
        if (change) touched.insert(id);
        TOCSIN_TRY(apply(m, st, change));
        if (st.pending) {
            TOCSIN_ASSIGN(applied, service::ApplyPending(tx, m, st, now));
            if (applied) page_changed = true;
        }
        if (st.state == Outcome::kUp && (!st.incident_id.empty() || st.owns_components)) {
            TOCSIN_ASSIGN(done, service::CompleteRecovery(tx, m, st, now));
            if (done) page_changed = true;
        }
    }
    for (const auto& id : touched) TOCSIN_TRY(tx.SaveMonitorState(states_.at(id)));
    results_stored_.Add(to_store.size());
    return page_changed;
}

Result<void> MonitorAutomation::RunOnce(TimePoint now) {
    bool reload = false;
    {
        std::lock_guard lock(mu_);
        reload = dirty_;
        dirty_ = false;
    }
    if (reload) {
        auto r = Reload();
        if (!r) {
            MonitorsChanged();
            return r.error();
        }
    }
    std::vector<Pending> batch;
    {
        std::lock_guard lock(mu_);
        std::size_t n = std::min<std::size_t>(queue_.size(), 20'000);
        batch.assign(
            std::make_move_iterator(queue_.begin()),
            std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n))
        );
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    bool page_changed = false;
    auto written = store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(changed, Process(tx, batch, now));
        page_changed = changed;
        return {};
    });
    if (!written) {
        // Rolled back: put the batch back in front and reload the states the round touched.
        {
            std::lock_guard lock(mu_);
            for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
                if (queue_.size() >= options_.max_queue) {
                    results_dropped_.Add();
                    continue;
                }
                queue_.push_front(std::move(*it));
            }
        }
        MonitorsChanged();
        return written.error();
    }
    if (page_changed && publisher_) TOCSIN_TRY(publisher_->Refresh());
    if ((page_changed || reload) && on_change_) on_change_();
    if (!batch.empty() && on_results_) on_results_();
    return {};
}

}  // namespace tocsin::engine
