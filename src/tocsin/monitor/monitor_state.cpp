#include "tocsin/monitor/monitor_state.hpp"

#include <algorithm>

namespace tocsin::monitor {
namespace {

bool IsListed(const Monitor& m, const std::string& location) {
    return std::find(m.locations.begin(), m.locations.end(), location) != m.locations.end();
}

bool IsFresh(const Monitor& m, const LocationState& l, TimePoint now) {
    // A heartbeat's single location is the server itself: always counts.
    if (m.spec.type == MonitorType::kHeartbeat) return true;
    auto window = std::chrono::duration_cast<std::chrono::milliseconds>(m.interval * 3 + m.spec.timeout);
    return now - l.last_at <= window;
}

// The confirmed state of the whole monitor from its locations as of `now`.
Outcome Vote(
    const Monitor& m, const MonitorState& state, TimePoint now, std::vector<std::string>& voters, std::string& message
) {
    int down = 0;
    int degraded_or_down = 0;
    std::vector<std::string> down_at;
    std::vector<std::string> bad_at;
    std::string down_message;
    std::string bad_message;
    for (const auto& [name, l] : state.locations) {
        if (!IsListed(m, name) || !IsFresh(m, l, now)) continue;
        if (l.confirmed == Outcome::kDown) {
            ++down;
            down_at.push_back(name);
            if (down_message.empty()) down_message = l.last_message;
        }
        if (l.confirmed != Outcome::kUp) {
            ++degraded_or_down;
            bad_at.push_back(name);
            if (bad_message.empty()) bad_message = l.last_message;
        }
    }
    if (down >= m.quorum) {
        voters = std::move(down_at);
        message = std::move(down_message);
        return Outcome::kDown;
    }
    if (degraded_or_down >= m.quorum) {
        voters = std::move(bad_at);
        message = std::move(bad_message);
        return Outcome::kDegraded;
    }
    voters.clear();
    message.clear();
    return Outcome::kUp;
}

std::optional<StateChange> Settle(const Monitor& m, MonitorState& state, TimePoint now) {
    std::vector<std::string> voters;
    std::string message;
    Outcome next = Vote(m, state, now, voters, message);
    if (next == state.state) return std::nullopt;
    StateChange change{m.id, state.state, next, now, message, std::move(voters)};
    state.state = next;
    state.since = now;
    state.message = std::move(message);
    return change;
}

}  // namespace

std::optional<StateChange> ApplyResult(const Monitor& m, MonitorState& state, const CheckResult& r) {
    if (!IsListed(m, r.location)) return std::nullopt;
    auto& l = state.locations[r.location];
    if (r.at < l.last_at) return std::nullopt;
    l.last_at = r.at;
    l.last_outcome = r.outcome;
    l.last_message = r.message;
    switch (r.outcome) {
        case Outcome::kUp:
            l.failures_in_row = 0;
            l.degraded_in_row = 0;
            l.confirmed = Outcome::kUp;
            break;
        case Outcome::kDegraded:
            l.failures_in_row = 0;
            ++l.degraded_in_row;
            if (l.degraded_in_row > m.retries)
                l.confirmed = Outcome::kDegraded;
            else if (l.confirmed == Outcome::kDown)
                l.confirmed = Outcome::kDegraded;  // it answers again
            break;
        case Outcome::kDown:
            ++l.failures_in_row;
            ++l.degraded_in_row;
            if (l.failures_in_row > m.retries) l.confirmed = Outcome::kDown;
            break;
    }
    return Settle(m, state, r.at);
}

std::optional<StateChange> Reevaluate(const Monitor& m, MonitorState& state, TimePoint now) {
    return Settle(m, state, now);
}

}  // namespace tocsin::monitor
