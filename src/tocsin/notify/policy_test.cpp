#include "tocsin/notify/policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tocsin::notify {
namespace {

using domain::Channel;
using domain::Impact;
using domain::IncidentKind;

TEST(Policy, ForReturnsDefaultsForUnlistedChannels) {
    Policy p;
    p.channels[Channel::kSlack] = ChannelPolicy{Impact::kMajor, false};
    EXPECT_EQ(p.For(Channel::kSlack).min_impact, Impact::kMajor);
    EXPECT_FALSE(p.For(Channel::kSlack).maintenance);
    EXPECT_EQ(p.For(Channel::kEmail).min_impact, Impact::kNone);
    EXPECT_TRUE(p.For(Channel::kEmail).maintenance);
}

TEST(ShouldNotify, Table) {
    Policy p;
    p.channels[Channel::kEmail] = ChannelPolicy{Impact::kMinor, true};
    p.channels[Channel::kSlack] = ChannelPolicy{Impact::kMajor, false};
    p.channels[Channel::kTelegram] = ChannelPolicy{Impact::kCritical, true};
    Policy with_auto = p;
    with_auto.automatic_first_update = true;

    struct Case {
        std::string_view name;
        const Policy* policy;
        Channel channel;
        EventFacts event;
        bool want;
    };
    const Case cases[] = {
        {"default channel gets impact none", &p, Channel::kDiscord, {IncidentKind::kIncident, Impact::kNone}, true},
        {"below minimum", &p, Channel::kEmail, {IncidentKind::kIncident, Impact::kNone}, false},
        {"at minimum", &p, Channel::kEmail, {IncidentKind::kIncident, Impact::kMinor}, true},
        {"above minimum", &p, Channel::kEmail, {IncidentKind::kIncident, Impact::kCritical}, true},
        {"major minimum, minor impact", &p, Channel::kSlack, {IncidentKind::kIncident, Impact::kMinor}, false},
        {"major minimum, major impact", &p, Channel::kSlack, {IncidentKind::kIncident, Impact::kMajor}, true},
        {"critical minimum, major impact", &p, Channel::kTelegram, {IncidentKind::kIncident, Impact::kMajor}, false},
        {"critical minimum, critical", &p, Channel::kTelegram, {IncidentKind::kIncident, Impact::kCritical}, true},
        {"maintenance on", &p, Channel::kEmail, {IncidentKind::kMaintenance, Impact::kMaintenance}, true},
        {"maintenance off", &p, Channel::kSlack, {IncidentKind::kMaintenance, Impact::kMaintenance}, false},
        {"maintenance ignores min impact", &p, Channel::kTelegram, {IncidentKind::kMaintenance, Impact::kNone}, true},
        {"update switched off",
         &p,
         Channel::kEmail,
         {IncidentKind::kIncident, Impact::kCritical, /*deliver_notifications=*/false},
         false},
        {"switched off maintenance",
         &p,
         Channel::kEmail,
         {IncidentKind::kMaintenance, Impact::kMaintenance, false},
         false},
        {"automatic first stays on page",
         &p,
         Channel::kEmail,
         {IncidentKind::kIncident, Impact::kCritical, true, /*automated_first=*/true},
         false},
        {"automatic first when enabled",
         &with_auto,
         Channel::kEmail,
         {IncidentKind::kIncident, Impact::kCritical, true, true},
         true},
        {"automatic first still needs impact",
         &with_auto,
         Channel::kSlack,
         {IncidentKind::kIncident, Impact::kMinor, true, true},
         false},
        {"later automated update is sent",
         &p,
         Channel::kEmail,
         {IncidentKind::kIncident, Impact::kMajor, true, false},
         true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ShouldNotify(*c.policy, c.channel, c.event), c.want);
    }
}

TEST(TouchesSubscriber, Table) {
    using V = std::vector<std::string>;
    struct Case {
        std::string_view name;
        V subscriber;
        V incident;
        bool want;
    };
    const Case cases[] = {
        {"whole page gets everything", {}, {"api"}, true},
        {"whole page gets component-less incidents", {}, {}, true},
        {"shared component", {"db", "api"}, {"web", "api"}, true},
        {"no shared component", {"db"}, {"web", "api"}, false},
        {"component subscriber, incident without components", {"db"}, {}, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(TouchesSubscriber(c.subscriber, c.incident), c.want);
    }
}

}  // namespace
}  // namespace tocsin::notify
