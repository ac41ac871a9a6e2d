#include "tocsin/domain/incident.hpp"

#include "test/support/fake_clock.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {
namespace {

using test::At;
using IS = IncidentStatus;

// The spellings are Statuspage's wire format: v2 JSON and the database store them as is.
TEST(IncidentStatusNames, RoundTripWithStatuspageSpelling) {
    struct Case {
        std::string_view name;
        IS status;
    };
    const Case cases[] = {
        {"investigating", IS::kInvestigating},
        {"identified", IS::kIdentified},
        {"monitoring", IS::kMonitoring},
        {"resolved", IS::kResolved},
        {"postmortem", IS::kPostmortem},
        {"scheduled", IS::kScheduled},
        {"in_progress", IS::kInProgress},
        {"verifying", IS::kVerifying},
        {"completed", IS::kCompleted},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(c.status), c.name);
        auto parsed = ParseIncidentStatus(c.name);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, c.status);
    }
}

TEST(ImpactNames, RoundTripWithStatuspageSpelling) {
    struct Case {
        std::string_view name;
        Impact impact;
    };
    const Case cases[] = {
        {"none", Impact::kNone},
        {"minor", Impact::kMinor},
        {"major", Impact::kMajor},
        {"critical", Impact::kCritical},
        {"maintenance", Impact::kMaintenance},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(c.impact), c.name);
        auto parsed = ParseImpact(c.name);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, c.impact);
    }
}

// ComponentStatus is declared in component.hpp; it is tested here because every
// AffectedComponent of an update round-trips through these names.
TEST(ComponentStatusNames, RoundTripWithStatuspageSpelling) {
    struct Case {
        std::string_view name;
        ComponentStatus status;
        int severity;
    };
    const Case cases[] = {
        {"operational", ComponentStatus::kOperational, 0},
        {"under_maintenance", ComponentStatus::kUnderMaintenance, 1},
        {"degraded_performance", ComponentStatus::kDegradedPerformance, 2},
        {"partial_outage", ComponentStatus::kPartialOutage, 3},
        {"major_outage", ComponentStatus::kMajorOutage, 4},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(c.status), c.name);
        auto parsed = ParseComponentStatus(c.name);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, c.status);
        EXPECT_EQ(Severity(c.status), c.severity);
    }
}

TEST(IncidentKindNames, AreIncidentAndMaintenance) {
    EXPECT_EQ(ToString(IncidentKind::kIncident), "incident");
    EXPECT_EQ(ToString(IncidentKind::kMaintenance), "maintenance");
}

TEST(EnumParsing, RejectsAnythingButTheExactSpelling) {
    const std::string_view bad[] = {
        "",
        "Resolved",
        "RESOLVED",
        "resolved ",
        " resolved",
        "in progress",
        "in-progress",
        "unknown",
        "0",
    };
    for (auto text : bad) {
        SCOPED_TRACE(std::string("'") + std::string(text) + "'");
        EXPECT_FALSE(ParseIncidentStatus(text).has_value());
        EXPECT_FALSE(ParseImpact(text).has_value());
        EXPECT_FALSE(ParseComponentStatus(text).has_value());
    }
    EXPECT_FALSE(ParseImpact("Major").has_value());
    EXPECT_FALSE(ParseComponentStatus("major").has_value());
    EXPECT_FALSE(ParseComponentStatus("degraded").has_value());
}

TEST(IncidentStatusRules, EachKindTakesOnlyItsOwnStatuses) {
    struct Case {
        std::string_view name;
        IS status;
        bool for_incident;
        bool for_maintenance;
        bool closed;
    };
    const Case cases[] = {
        {"investigating", IS::kInvestigating, true, false, false},
        {"identified", IS::kIdentified, true, false, false},
        {"monitoring", IS::kMonitoring, true, false, false},
        {"resolved", IS::kResolved, true, false, true},
        {"postmortem", IS::kPostmortem, true, false, true},
        {"scheduled", IS::kScheduled, false, true, false},
        {"in_progress", IS::kInProgress, false, true, false},
        {"verifying", IS::kVerifying, false, true, false},
        {"completed", IS::kCompleted, false, true, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(IsValidStatusFor(IncidentKind::kIncident, c.status), c.for_incident);
        EXPECT_EQ(IsValidStatusFor(IncidentKind::kMaintenance, c.status), c.for_maintenance);
        EXPECT_EQ(IsClosedStatus(c.status), c.closed);
        Incident i;
        i.status = c.status;
        EXPECT_EQ(i.IsClosed(), c.closed);
    }
}

TEST(ImpactFromComponentStatus, MapsTheWorstStatusLikeStatuspage) {
    struct Case {
        std::string_view name;
        ComponentStatus worst;
        Impact want;
    };
    const Case cases[] = {
        {"major outage is critical", ComponentStatus::kMajorOutage, Impact::kCritical},
        {"partial outage is major", ComponentStatus::kPartialOutage, Impact::kMajor},
        {"degraded is minor", ComponentStatus::kDegradedPerformance, Impact::kMinor},
        {"operational is none", ComponentStatus::kOperational, Impact::kNone},
        {"maintenance is not an incident impact", ComponentStatus::kUnderMaintenance, Impact::kNone},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(ImpactFromComponentStatus(c.worst)), ToString(c.want));
    }
}

IncidentUpdate U(std::string id, std::string_view display_at, std::string_view created_at) {
    IncidentUpdate u;
    u.id = std::move(id);
    u.display_at = At(display_at);
    u.created_at = At(created_at);
    return u;
}

std::vector<std::string> Ids(const std::vector<IncidentUpdate>& updates) {
    std::vector<std::string> ids;
    for (const auto& u : updates) ids.push_back(u.id);
    return ids;
}

TEST(SortUpdatesNewestFirst, OrdersByDisplayTimeThenCreationThenId) {
    struct Case {
        std::string_view name;
        std::vector<IncidentUpdate> in;
        std::vector<std::string> want;
    };
    const Case cases[] = {
        {"empty", {}, {}},
        {"newest display time first",
         {U("a", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
          U("c", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"),
          U("b", "2026-03-01T11:00:00Z", "2026-03-01T11:00:00Z")},
         {"c", "b", "a"}},
        {"a back-dated update sorts by when it is displayed, not when it was written",
         {U("written-first", "2026-03-01T11:00:00Z", "2026-03-01T11:00:00Z"),
          U("backdated", "2026-03-01T09:00:00Z", "2026-03-01T12:00:00Z")},
         {"written-first", "backdated"}},
        {"equal display time: newest created first",
         {U("a", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
          U("b", "2026-03-01T10:00:00Z", "2026-03-01T10:05:00Z")},
         {"b", "a"}},
        {"equal times: highest id first",
         {U("a", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
          U("c", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
          U("b", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z")},
         {"c", "b", "a"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto updates = c.in;
        SortUpdatesNewestFirst(updates);
        EXPECT_EQ(Ids(updates), c.want);
    }
}

}  // namespace
}  // namespace tocsin::domain
