#include "tocsin/domain/maintenance.hpp"

#include "test/support/fake_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {
namespace {

using test::At;
using CS = ComponentStatus;
using IS = IncidentStatus;
constexpr std::chrono::milliseconds kMs{1};

const TimePoint kFrom = At("2026-03-01T10:00:00Z");
const TimePoint kUntil = At("2026-03-01T12:00:00Z");

Incident Window(IS status, bool auto_in_progress = true, bool auto_completed = true) {
    Incident m;
    m.id = "m1";
    m.kind = IncidentKind::kMaintenance;
    m.name = "Database upgrade";
    m.status = status;
    m.impact = Impact::kMaintenance;
    m.scheduled_for = kFrom;
    m.scheduled_until = kUntil;
    m.auto_in_progress = auto_in_progress;
    m.auto_completed = auto_completed;
    return m;
}

std::string Show(const std::optional<IS>& s) {
    return s ? std::string(ToString(*s)) : std::string("(stays)");
}

TEST(MaintenanceTransitions, StartsAtWindowStartWhenAutoInProgress) {
    const Incident m = Window(IS::kScheduled);
    EXPECT_EQ(Show(NextAutomaticStatus(m, kFrom - kMs)), "(stays)");
    EXPECT_EQ(Show(NextAutomaticStatus(m, kFrom)), "in_progress");
}

TEST(MaintenanceTransitions, CompletesAtWindowEndWhenAutoCompleted) {
    const Incident m = Window(IS::kInProgress);
    EXPECT_EQ(Show(NextAutomaticStatus(m, kUntil - kMs)), "(stays)");
    EXPECT_EQ(Show(NextAutomaticStatus(m, kUntil)), "completed");
}

TEST(MaintenanceTransitions, TakesOneStepPerCallWhenTheWholeWindowPassed) {
    Incident m = Window(IS::kScheduled);
    const TimePoint later = kUntil + std::chrono::hours(5);
    auto first = NextAutomaticStatus(m, later);
    ASSERT_EQ(Show(first), "in_progress");
    m.status = *first;
    EXPECT_EQ(Show(NextAutomaticStatus(m, later)), "completed");
}

TEST(MaintenanceTransitions, FollowsWindowEdgesAndAutoFlags) {
    struct Case {
        std::string_view name;
        Incident m;
        TimePoint now;
        std::optional<IS> want;
    };
    Incident no_until = Window(IS::kScheduled);
    no_until.scheduled_until.reset();
    Incident no_from = Window(IS::kInProgress);
    no_from.scheduled_for.reset();
    Incident incident_kind = Window(IS::kInvestigating);
    incident_kind.kind = IncidentKind::kIncident;

    const Case cases[] = {
        // scheduled → in_progress at scheduled_for
        {"scheduled, 1 ms before start", Window(IS::kScheduled), kFrom - kMs, std::nullopt},
        {"scheduled, at start", Window(IS::kScheduled), kFrom, IS::kInProgress},
        {"scheduled, 1 ms after start", Window(IS::kScheduled), kFrom + kMs, IS::kInProgress},
        {"scheduled, auto start off, at start", Window(IS::kScheduled, false, true), kFrom, std::nullopt},
        {"scheduled, auto start off, inside window", Window(IS::kScheduled, false, true), kUntil - kMs, std::nullopt},
        // an unstarted window without auto start is still closed on time
        {"scheduled, auto start off, at end", Window(IS::kScheduled, false, true), kUntil, IS::kCompleted},
        {"scheduled, both auto flags off, after end", Window(IS::kScheduled, false, false), kUntil + kMs, std::nullopt},
        {"scheduled, auto start on, after end starts first", Window(IS::kScheduled), kUntil + kMs, IS::kInProgress},
        // in_progress / verifying → completed at scheduled_until
        {"in progress, 1 ms after start", Window(IS::kInProgress), kFrom + kMs, std::nullopt},
        {"in progress, 1 ms before end", Window(IS::kInProgress), kUntil - kMs, std::nullopt},
        {"in progress, at end", Window(IS::kInProgress), kUntil, IS::kCompleted},
        {"in progress, 1 ms after end", Window(IS::kInProgress), kUntil + kMs, IS::kCompleted},
        {"in progress, auto complete off, after end", Window(IS::kInProgress, true, false), kUntil + kMs, std::nullopt},
        {"verifying, 1 ms before end", Window(IS::kVerifying), kUntil - kMs, std::nullopt},
        {"verifying, at end", Window(IS::kVerifying), kUntil, IS::kCompleted},
        {"verifying, auto complete off, after end", Window(IS::kVerifying, true, false), kUntil + kMs, std::nullopt},
        // nothing moves by itself once completed, nor without a full window, nor for incidents
        {"completed stays completed", Window(IS::kCompleted), kUntil + kMs, std::nullopt},
        {"completed inside the window stays", Window(IS::kCompleted), kFrom + kMs, std::nullopt},
        {"no scheduled_until", no_until, kFrom + kMs, std::nullopt},
        {"no scheduled_for", no_from, kUntil + kMs, std::nullopt},
        {"an incident never moves by itself", incident_kind, kUntil + kMs, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(Show(NextAutomaticStatus(c.m, c.now)), Show(c.want));
    }
}

TEST(MaintenanceActive, CoversTheWindowOrAnyStartedMaintenance) {
    struct Case {
        std::string_view name;
        Incident m;
        TimePoint now;
        bool want;
    };
    Incident no_window = Window(IS::kScheduled);
    no_window.scheduled_for.reset();
    no_window.scheduled_until.reset();
    Incident incident_kind = Window(IS::kInvestigating);
    incident_kind.kind = IncidentKind::kIncident;

    const Case cases[] = {
        {"scheduled, 1 ms before start", Window(IS::kScheduled), kFrom - kMs, false},
        {"scheduled, at start", Window(IS::kScheduled), kFrom, true},
        {"scheduled, 1 ms before end", Window(IS::kScheduled), kUntil - kMs, true},
        {"scheduled, at end (window is half-open)", Window(IS::kScheduled), kUntil, false},
        {"scheduled without auto start, inside window", Window(IS::kScheduled, false, false), kFrom + kMs, true},
        {"started early by hand", Window(IS::kInProgress), kFrom - std::chrono::hours(1), true},
        {"overrunning without auto complete",
         Window(IS::kInProgress, true, false),
         kUntil + std::chrono::hours(1),
         true},
        {"verifying after the window", Window(IS::kVerifying), kUntil + kMs, true},
        {"completed inside the window", Window(IS::kCompleted), kFrom + kMs, false},
        {"scheduled without a window", no_window, kFrom + kMs, false},
        {"an incident is never a maintenance", incident_kind, kFrom + kMs, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(IsMaintenanceActiveAt(c.m, c.now), c.want);
    }
}

AffectedComponent Change(std::string code, CS from, CS to) {
    return AffectedComponent{code, "name of " + code, from, to};
}

IncidentUpdate Update(std::string id, IS status, std::vector<AffectedComponent> changes) {
    IncidentUpdate u;
    u.id = std::move(id);
    u.incident_id = "m1";
    u.status = status;
    u.affected_components = std::move(changes);
    return u;
}

TEST(StatusBeforeMaintenance, ReadsTheStatusTheTimelineRecordedBeforeMaintenance) {
    struct Case {
        std::string_view name;
        std::vector<IncidentUpdate> updates;  // newest first, as stored
        std::string component;
        CS want;
    };
    const Case cases[] = {
        {"empty timeline means operational", {}, "api", CS::kOperational},
        {"degraded before maintenance",
         {Update("u1", IS::kInProgress, {Change("api", CS::kDegradedPerformance, CS::kUnderMaintenance)})},
         "api",
         CS::kDegradedPerformance},
        {"the component is picked by id",
         {Update(
             "u1",
             IS::kInProgress,
             {Change("db", CS::kPartialOutage, CS::kUnderMaintenance),
              Change("api", CS::kMajorOutage, CS::kUnderMaintenance)}
         )},
         "db",
         CS::kPartialOutage},
        {"a component the timeline never mentions is operational",
         {Update("u1", IS::kInProgress, {Change("db", CS::kPartialOutage, CS::kUnderMaintenance)})},
         "api",
         CS::kOperational},
        {"changes that are not into maintenance are ignored",
         {Update("u1", IS::kInProgress, {Change("api", CS::kOperational, CS::kMajorOutage)})},
         "api",
         CS::kOperational},
        {"a later restatement of maintenance does not hide the original status",
         {Update("u3", IS::kVerifying, {Change("api", CS::kUnderMaintenance, CS::kUnderMaintenance)}),
          Update("u2", IS::kInProgress, {}),
          Update("u1", IS::kScheduled, {Change("api", CS::kPartialOutage, CS::kUnderMaintenance)})},
         "api",
         CS::kPartialOutage},
        {"the oldest change into maintenance wins",
         {Update("u3", IS::kInProgress, {Change("api", CS::kDegradedPerformance, CS::kUnderMaintenance)}),
          Update("u2", IS::kInProgress, {Change("api", CS::kUnderMaintenance, CS::kDegradedPerformance)}),
          Update("u1", IS::kInProgress, {Change("api", CS::kOperational, CS::kUnderMaintenance)})},
         "api",
         CS::kOperational},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Incident m = Window(IS::kInProgress);
        m.updates = c.updates;
        EXPECT_EQ(ToString(StatusBeforeMaintenance(m, c.component)), ToString(c.want));
    }
}

}  // namespace
}  // namespace tocsin::domain
