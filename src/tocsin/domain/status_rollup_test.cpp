#include "tocsin/domain/status_rollup.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {
namespace {

using CS = ComponentStatus;
using IS = IncidentStatus;

Component Leaf(std::string id, CS status, std::optional<std::string> group_id = std::nullopt) {
    Component c;
    c.id = std::move(id);
    c.name = c.id;
    c.status = status;
    c.group_id = std::move(group_id);
    return c;
}

// A group row carries a stored status of its own; the rollup must not count it.
Component Group(std::string id, CS stored_status = CS::kOperational) {
    Component c = Leaf(std::move(id), stored_status);
    c.is_group = true;
    return c;
}

Incident Inc(IS status, Impact impact) {
    Incident i;
    i.id = "inc";
    i.kind = IncidentKind::kIncident;
    i.status = status;
    i.impact = impact;
    return i;
}

Incident Maint(IS status) {
    Incident i;
    i.id = "mnt";
    i.kind = IncidentKind::kMaintenance;
    i.status = status;
    i.impact = Impact::kMaintenance;
    return i;
}

TEST(ComputePageStatus, FollowsStatuspageRollupRules) {
    struct Case {
        std::string_view name;
        std::vector<Component> components;
        std::vector<Incident> incidents;
        Impact indicator;
        PageCondition condition;
    };
    const Case cases[] = {
        {"empty page is operational", {}, {}, Impact::kNone, PageCondition::kAllOperational},
        {"all operational",
         {Leaf("a", CS::kOperational), Leaf("b", CS::kOperational)},
         {},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"a group's own stored status is ignored",
         {Group("g", CS::kMajorOutage), Leaf("a", CS::kOperational, "g"), Leaf("b", CS::kOperational)},
         {},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"every component down is a major system outage",
         {Leaf("a", CS::kMajorOutage), Leaf("b", CS::kMajorOutage)},
         {},
         Impact::kCritical,
         PageCondition::kMajorSystemOutage},
        {"the only component down is a major service outage",
         {Leaf("a", CS::kMajorOutage)},
         {},
         Impact::kCritical,
         PageCondition::kMajorServiceOutage},
        {"groups do not count as components when deciding 'only one'",
         {Group("g"), Leaf("a", CS::kMajorOutage, "g")},
         {},
         Impact::kCritical,
         PageCondition::kMajorServiceOutage},
        {"an operational group does not stop 'every component down'",
         {Group("g"), Leaf("a", CS::kMajorOutage, "g"), Leaf("b", CS::kMajorOutage, "g")},
         {},
         Impact::kCritical,
         PageCondition::kMajorSystemOutage},
        {"some components down is a partial system outage",
         {Leaf("a", CS::kMajorOutage), Leaf("b", CS::kOperational)},
         {},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
        {"major beats partial",
         {Leaf("a", CS::kMajorOutage), Leaf("b", CS::kPartialOutage)},
         {},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
        {"a partial outage is a minor outage",
         {Leaf("a", CS::kPartialOutage), Leaf("b", CS::kOperational)},
         {},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"every component partially down is still minor",
         {Leaf("a", CS::kPartialOutage), Leaf("b", CS::kPartialOutage)},
         {},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"partial beats degraded",
         {Leaf("a", CS::kPartialOutage), Leaf("b", CS::kDegradedPerformance)},
         {},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"degraded performance is partially degraded",
         {Leaf("a", CS::kDegradedPerformance), Leaf("b", CS::kOperational)},
         {},
         Impact::kMinor,
         PageCondition::kPartiallyDegraded},
        {"unresolved minor incident raises an operational page",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kMinor)},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"unresolved major incident",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kIdentified, Impact::kMajor)},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
        {"unresolved critical incident",
         {Leaf("a", CS::kOperational), Leaf("b", CS::kOperational)},
         {Inc(IS::kMonitoring, Impact::kCritical)},
         Impact::kCritical,
         PageCondition::kMajorSystemOutage},
        {"incident without impact changes nothing",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kNone)},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"incident raises degraded components to its impact",
         {Leaf("a", CS::kDegradedPerformance), Leaf("b", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kMajor)},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
        {"a tie keeps the component sentence",
         {Leaf("a", CS::kDegradedPerformance), Leaf("b", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kMinor)},
         Impact::kMinor,
         PageCondition::kPartiallyDegraded},
        {"a critical tie keeps 'major service outage'",
         {Leaf("a", CS::kMajorOutage)},
         {Inc(IS::kInvestigating, Impact::kCritical)},
         Impact::kCritical,
         PageCondition::kMajorServiceOutage},
        {"a lower incident impact does not lower the components",
         {Leaf("a", CS::kMajorOutage), Leaf("b", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kMinor)},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
        {"the worst of several incidents wins",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kMinor),
          Inc(IS::kIdentified, Impact::kCritical),
          Inc(IS::kMonitoring, Impact::kMajor)},
         Impact::kCritical,
         PageCondition::kMajorSystemOutage},
        {"resolved incidents are ignored",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kResolved, Impact::kCritical)},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"postmortem incidents are ignored",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kPostmortem, Impact::kMajor)},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"maintenance in progress shows when nothing is broken",
         {Leaf("a", CS::kOperational)},
         {Maint(IS::kInProgress)},
         Impact::kMaintenance,
         PageCondition::kUnderMaintenance},
        {"maintenance being verified shows too",
         {Leaf("a", CS::kOperational)},
         {Maint(IS::kVerifying)},
         Impact::kMaintenance,
         PageCondition::kUnderMaintenance},
        {"scheduled maintenance does not show yet",
         {Leaf("a", CS::kOperational)},
         {Maint(IS::kScheduled)},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"completed maintenance does not show",
         {Leaf("a", CS::kOperational)},
         {Maint(IS::kCompleted)},
         Impact::kNone,
         PageCondition::kAllOperational},
        {"broken components hide maintenance in progress",
         {Leaf("a", CS::kDegradedPerformance), Leaf("b", CS::kOperational)},
         {Maint(IS::kInProgress)},
         Impact::kMinor,
         PageCondition::kPartiallyDegraded},
        {"an unresolved incident hides maintenance in progress",
         {Leaf("a", CS::kOperational)},
         {Maint(IS::kInProgress), Inc(IS::kInvestigating, Impact::kMinor)},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"an incident without impact does not hide maintenance",
         {Leaf("a", CS::kOperational)},
         {Inc(IS::kInvestigating, Impact::kNone), Maint(IS::kInProgress)},
         Impact::kMaintenance,
         PageCondition::kUnderMaintenance},
        {"a component under maintenance shows maintenance",
         {Leaf("a", CS::kUnderMaintenance), Leaf("b", CS::kOperational)},
         {},
         Impact::kMaintenance,
         PageCondition::kUnderMaintenance},
        {"every component under maintenance is maintenance, not an outage",
         {Leaf("a", CS::kUnderMaintenance), Leaf("b", CS::kUnderMaintenance)},
         {},
         Impact::kMaintenance,
         PageCondition::kUnderMaintenance},
        {"a partial outage hides a component under maintenance",
         {Leaf("a", CS::kUnderMaintenance), Leaf("b", CS::kPartialOutage)},
         {},
         Impact::kMinor,
         PageCondition::kMinorOutage},
        {"a component under maintenance does not count as down",
         {Leaf("a", CS::kUnderMaintenance), Leaf("b", CS::kMajorOutage)},
         {},
         Impact::kMajor,
         PageCondition::kPartialSystemOutage},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        PageStatus got = ComputePageStatus(c.components, c.incidents);
        EXPECT_EQ(ToString(got.indicator), ToString(c.indicator));
        EXPECT_EQ(Description(got.condition), Description(c.condition));
    }
}

TEST(PageConditionText, UsesStatuspageSentencesAndStableKeys) {
    struct Case {
        std::string_view name;
        PageCondition condition;
        std::string_view description;
        std::string_view key;
    };
    const Case cases[] = {
        {"all operational", PageCondition::kAllOperational, "All Systems Operational", "status.all_operational"},
        {"degraded", PageCondition::kPartiallyDegraded, "Partially Degraded Service", "status.partially_degraded"},
        {"minor", PageCondition::kMinorOutage, "Minor Service Outage", "status.minor_outage"},
        {"partial system",
         PageCondition::kPartialSystemOutage,
         "Partial System Outage",
         "status.partial_system_outage"},
        {"major service", PageCondition::kMajorServiceOutage, "Major Service Outage", "status.major_service_outage"},
        {"major system", PageCondition::kMajorSystemOutage, "Major System Outage", "status.major_system_outage"},
        {"maintenance", PageCondition::kUnderMaintenance, "Service Under Maintenance", "status.under_maintenance"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(Description(c.condition), c.description);
        EXPECT_EQ(I18nKey(c.condition), c.key);
    }
}

TEST(GroupStatus, IsTheWorstOfItsOwnChildren) {
    const Component group = Group("g", CS::kMajorOutage);
    struct Case {
        std::string_view name;
        std::vector<Component> all;
        CS want;
    };
    const Case cases[] = {
        {"no children is operational", {group}, CS::kOperational},
        {"the group's stored status is ignored", {group, Leaf("a", CS::kOperational, "g")}, CS::kOperational},
        {"degraded beats operational",
         {group, Leaf("a", CS::kOperational, "g"), Leaf("b", CS::kDegradedPerformance, "g")},
         CS::kDegradedPerformance},
        {"partial beats degraded and maintenance",
         {group,
          Leaf("a", CS::kUnderMaintenance, "g"),
          Leaf("b", CS::kPartialOutage, "g"),
          Leaf("c", CS::kDegradedPerformance, "g")},
         CS::kPartialOutage},
        {"major beats everything",
         {group, Leaf("a", CS::kPartialOutage, "g"), Leaf("b", CS::kMajorOutage, "g")},
         CS::kMajorOutage},
        {"maintenance beats operational",
         {group, Leaf("a", CS::kOperational, "g"), Leaf("b", CS::kUnderMaintenance, "g")},
         CS::kUnderMaintenance},
        {"degraded beats maintenance",
         {group, Leaf("a", CS::kUnderMaintenance, "g"), Leaf("b", CS::kDegradedPerformance, "g")},
         CS::kDegradedPerformance},
        {"other groups' children and ungrouped components do not count",
         {group,
          Group("h"),
          Leaf("a", CS::kOperational, "g"),
          Leaf("b", CS::kMajorOutage, "h"),
          Leaf("c", CS::kMajorOutage)},
         CS::kOperational},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ToString(GroupStatus(group, c.all)), ToString(c.want));
    }
}

}  // namespace
}  // namespace tocsin::domain
