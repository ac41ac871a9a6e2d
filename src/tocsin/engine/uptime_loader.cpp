#include "tocsin/engine/uptime_loader.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/engine/snapshot_publisher.hpp"
#include "tocsin/monitor/rollup.hpp"

#include <algorithm>
#include <map>

namespace tocsin::engine {
namespace {

using monitor::Outcome;
using monitor::Rollup;
using monitor::RollupPeriod;
using std::chrono::hours;
using std::chrono::milliseconds;

constexpr int kDays = 90;

domain::LatencyPoint ToPoint(const Rollup& r) {
    return {r.start, r.checks, r.failures, r.p50, r.p95};
}

std::optional<double> Uptime(const std::vector<Rollup>& parts) {
    auto sum = monitor::Combine("", RollupPeriod::kHour, TimePoint{}, parts);
    if (sum.checks == 0) return std::nullopt;
    return sum.UptimePercent();
}

// Fills `count` consecutive periods ending with the one holding `now`, from stored rollups
// plus the live part (`live` covers the newest period).
std::vector<Rollup> Series(
    const std::vector<Rollup>& stored, RollupPeriod period, TimePoint now, int count, const Rollup& live
) {
    auto len = monitor::RollupLength(period);
    auto newest = monitor::RollupStart(period, now);
    std::map<std::int64_t, Rollup> by_start;
    for (const auto& r : stored) by_start[ToMillis(r.start)] = r;
    std::vector<Rollup> out;
    for (int i = count - 1; i >= 0; --i) {
        auto start = newest - len * i;
        if (i == 0) {
            out.push_back(live);
            out.back().start = start;
            continue;
        }
        auto it = by_start.find(ToMillis(start));
        Rollup r;
        if (it != by_start.end()) r = it->second;
        r.start = start;
        r.period = period;
        out.push_back(r);
    }
    return out;
}

}  // namespace

void AccumulateHealth(
    const std::vector<store::MonitorEvent>& events, Outcome initial, TimePoint now, std::vector<domain::DayUptime>& days
) {
    if (days.empty()) return;
    auto day_len = monitor::RollupLength(RollupPeriod::kDay);
    auto window_start = days.front().day_start;
    auto add = [&](Outcome state, TimePoint from, TimePoint to) {
        if (state == Outcome::kUp || to <= from) return;
        from = std::max(from, window_start);
        for (auto& d : days) {
            auto s = std::max(from, d.day_start);
            auto e = std::min(to, d.day_start + day_len);
            if (e <= s) continue;
            auto secs = std::chrono::duration_cast<std::chrono::seconds>(e - s).count();
            (state == Outcome::kDown ? d.outage_seconds : d.degraded_seconds) += std::max<std::int64_t>(secs, 1);
        }
    };
    Outcome state = initial;
    TimePoint since = window_start;
    for (const auto& e : events) {
        add(state, since, e.change.at);
        state = e.change.to;
        since = e.change.at;
    }
    add(state, since, now);
}

Result<domain::UptimeState> LoadUptime(store::Store& store, TimePoint now) {
    domain::UptimeState out;
    out.generated_at = now;
    auto today = monitor::RollupStart(RollupPeriod::kDay, now);
    auto hour = monitor::RollupStart(RollupPeriod::kHour, now);
    auto window_start = today - monitor::RollupLength(RollupPeriod::kDay) * (kDays - 1);
    TOCSIN_TRY(store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(monitors, tx.ListMonitors());
        TOCSIN_ASSIGN(states, tx.ListMonitorStates());
        std::map<std::string, monitor::MonitorState> state_of;
        for (auto& s : states) state_of.emplace(s.monitor_id, std::move(s));
        for (const auto& m : monitors) {
            if (m.components.empty() || !m.enabled) continue;
            domain::MonitorUptime u;
            u.id = m.id;
            u.name = m.name;
            u.type = std::string(monitor::MonitorTypeName(m.spec.type));
            for (const auto& c : m.components) u.component_ids.push_back(c.component_id);
            auto st = state_of.find(m.id);
            Outcome current = st == state_of.end() ? Outcome::kUp : st->second.state;
            u.state = std::string(monitor::OutcomeName(current));

            TOCSIN_ASSIGN(hourly, tx.ListRollups(m.id, RollupPeriod::kHour, hour - hours(24 * 7), hour));
            TOCSIN_ASSIGN(daily, tx.ListRollups(m.id, RollupPeriod::kDay, window_start, today));
            // Hours the rollup engine has not reached yet (it runs once a minute; the current
            // hour is never rolled up) come from raw results, so the page never lags behind.
            TOCSIN_ASSIGN(latest_hour, tx.LatestRollupStart(m.id, RollupPeriod::kHour));
            auto first_raw = latest_hour ? *latest_hour + monitor::RollupLength(RollupPeriod::kHour) : hour - hours(48);
            first_raw = std::max(first_raw, hour - hours(48));
            Rollup live_hour;
            for (auto h = first_raw; h <= hour; h += monitor::RollupLength(RollupPeriod::kHour)) {
                TOCSIN_ASSIGN(samples, tx.ListResultSamples(m.id, h, h + monitor::RollupLength(RollupPeriod::kHour)));
                auto r = monitor::Summarize(m.id, RollupPeriod::kHour, h, std::move(samples));
                if (h == hour) {
                    live_hour = r;
                } else if (r.checks > 0) {
                    hourly.push_back(r);
                }
            }
            // Days without a daily rollup yet (today, and yesterday for the first minutes after
            // midnight) are the sum of their hours.
            TOCSIN_ASSIGN(latest_day, tx.LatestRollupStart(m.id, RollupPeriod::kDay));
            auto day_len = monitor::RollupLength(RollupPeriod::kDay);
            Rollup live_day;
            for (auto d = std::max(latest_day ? *latest_day + day_len : today - day_len, today - day_len); d <= today;
                 d += day_len) {
                std::vector<Rollup> parts;
                for (const auto& h : hourly) {
                    if (h.start >= d && h.start < d + day_len) parts.push_back(h);
                }
                if (d == today) parts.push_back(live_hour);
                auto r = monitor::Combine(m.id, RollupPeriod::kDay, d, parts);
                if (d == today) {
                    live_day = r;
                } else if (r.checks > 0) {
                    daily.push_back(r);
                }
            }

            auto hours_168 = Series(hourly, RollupPeriod::kHour, now, 24 * 7, live_hour);
            auto days_90 = Series(daily, RollupPeriod::kDay, now, kDays, live_day);
            std::vector<Rollup> hours_24(hours_168.end() - 24, hours_168.end());
            std::vector<Rollup> days_30(days_90.end() - 30, days_90.end());
            for (const auto& r : hours_24) u.hours_24.push_back(ToPoint(r));
            for (const auto& r : hours_168) u.hours_168.push_back(ToPoint(r));
            for (const auto& r : days_30) u.days_30.push_back(ToPoint(r));
            u.uptime_24h = Uptime(hours_24);
            u.uptime_7d = Uptime(hours_168);
            u.uptime_30d = Uptime(days_30);
            u.uptime_90d = Uptime(days_90);

            for (const auto& r : days_90) {
                domain::DayUptime d;
                d.day_start = r.start;
                d.checks = r.checks;
                d.failures = r.failures;
                u.days.push_back(d);
            }
            TOCSIN_ASSIGN(events, tx.ListMonitorEvents(m.id, window_start, now + milliseconds(1)));
            Outcome initial = events.empty() ? current : events.front().change.from;
            AccumulateHealth(events, initial, now, u.days);
            for (auto& d : u.days) {
                if (d.outage_seconds > 0)
                    d.health = domain::DayHealth::kOutage;
                else if (d.degraded_seconds > 0)
                    d.health = domain::DayHealth::kDegraded;
                else if (d.checks > 0)
                    d.health = domain::DayHealth::kOperational;
            }
            out.monitors.push_back(std::move(u));
        }
        return {};
    }));
    return out;
}

Result<void> UptimeEngine::RunOnce(TimePoint now) {
    bool due = !last_ || now - *last_ >= std::chrono::minutes(1) || now < *last_;
    if (!poked_.exchange(false) && !due) return {};
    last_ = now;
    TOCSIN_ASSIGN(uptime, LoadUptime(store_, now));
    publisher_.SetUptime(std::make_shared<const domain::UptimeState>(std::move(uptime)));
    return {};
}

}  // namespace tocsin::engine
