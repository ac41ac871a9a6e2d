#include "tocsin/engine/rollup_engine.hpp"

#include "tocsin/monitor/rollup.hpp"

#include <algorithm>

namespace tocsin::engine {

using monitor::RollupPeriod;

namespace {

// Rolls up completed periods of one monitor after its newest stored rollup.
Result<TimePoint> RollUp(store::Tx& tx, const std::string& id, RollupPeriod period, TimePoint now, int max_periods) {
    auto len = monitor::RollupLength(period);
    auto current = monitor::RollupStart(period, now);
    TOCSIN_ASSIGN(latest, tx.LatestRollupStart(id, period));
    TimePoint next;
    if (latest) {
        next = *latest + len;
    } else {
        TOCSIN_ASSIGN(oldest, tx.OldestResultAt(id));
        if (!oldest) return current;
        next = monitor::RollupStart(period, *oldest);
    }
    for (int i = 0; i < max_periods && next < current; ++i, next += len) {
        TOCSIN_ASSIGN(samples, tx.ListResultSamples(id, next, next + len));
        TOCSIN_TRY(tx.SaveRollup(monitor::Summarize(id, period, next, std::move(samples))));
    }
    return next;  // the first period not rolled up yet
}

}  // namespace

Result<void> RollupEngine::RunOnce(TimePoint now) {
    std::vector<std::string> ids;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(list, tx.ListMonitors());
        for (const auto& m : list) ids.push_back(m.id);
        return {};
    }));
    // Raw results may go only once every monitor's hours and days before them are rolled up.
    auto raw_cutoff = now - std::max<std::chrono::milliseconds>(retention_.raw, std::chrono::hours(48));
    for (const auto& id : ids) {
        TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(hour_done, RollUp(tx, id, RollupPeriod::kHour, now, 48));
            TOCSIN_ASSIGN(day_done, RollUp(tx, id, RollupPeriod::kDay, now, 2));
            raw_cutoff = std::min({raw_cutoff, hour_done, day_done});
            return {};
        }));
    }
    return store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.DeleteResultsBefore(raw_cutoff));
        TOCSIN_TRY(tx.DeleteRollupsBefore(RollupPeriod::kHour, now - retention_.hourly));
        TOCSIN_TRY(tx.DeleteRollupsBefore(RollupPeriod::kDay, now - retention_.daily));
        return {};
    });
}

}  // namespace tocsin::engine
