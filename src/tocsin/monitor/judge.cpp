#include "tocsin/monitor/judge.hpp"

#include <fmt/format.h>

namespace tocsin::monitor {

Result<CheckPlan> MakePlan(const Monitor& m) {
    CheckPlan plan;
    plan.monitor_id = m.id;
    plan.spec = m.spec;
    plan.interval = m.interval;
    plan.degraded_threshold = m.degraded_threshold;
    TOCSIN_ASSIGN(conditions, ConditionSet::Parse(m.conditions));
    plan.conditions = std::move(conditions);
    return plan;
}

CheckResult Judge(const CheckPlan& plan, const std::string& location, TimePoint started_at, const Observation& obs) {
    CheckResult r;
    r.monitor_id = plan.monitor_id;
    r.location = location;
    r.at = started_at;
    r.status_code = obs.status_code;
    r.timings = obs.timings;
    r.certificate_days_left = obs.certificate_days_left;

    if (!obs.reached) {
        r.outcome = Outcome::kDown;
        r.error = obs.error == ErrorClass::kNone ? ErrorClass::kInternal : obs.error;
        r.message = obs.error_message.empty() ? std::string(ErrorClassName(r.error)) : obs.error_message;
        return r;
    }
    std::string failure;
    if (!plan.conditions.empty()) {
        failure = plan.conditions.FirstFailure(obs);
    } else if (plan.spec.type == MonitorType::kHttp && (obs.status_code < 100 || obs.status_code >= 400)) {
        failure = fmt::format("[STATUS] < 400 failed: [STATUS] is {}", obs.status_code);
    }
    if (!failure.empty()) {
        r.outcome = Outcome::kDown;
        r.error = ErrorClass::kCondition;
        r.message = std::move(failure);
        return r;
    }
    if (plan.degraded_threshold && obs.timings.total > *plan.degraded_threshold) {
        r.outcome = Outcome::kDegraded;
        r.message = fmt::format(
            "response time {} ms above the degraded threshold of {} ms",
            std::chrono::duration_cast<std::chrono::milliseconds>(obs.timings.total).count(),
            plan.degraded_threshold->count()
        );
        return r;
    }
    r.outcome = Outcome::kUp;
    return r;
}

}  // namespace tocsin::monitor
