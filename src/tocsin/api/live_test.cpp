#include "tocsin/api/live.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace tocsin::api {
namespace {

using namespace std::chrono_literals;

// Takes what the stream holds (as the server would), waiting up to 5 s for something.
std::string TakeWithin(http::EventStream& s) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        s.Take(out);
        if (!out.empty()) return out;
        std::this_thread::sleep_for(5ms);
    }
    return out;
}

TEST(LiveHub, GreetsThenCoalescesTopicsIntoOneEvent) {
    LiveHub hub(LiveHub::Options{.min_interval = 100ms});
    auto s = hub.Subscribe();
    EXPECT_EQ(TakeWithin(*s), "event: hello\ndata: {\"seq\":0}\n\n");
    hub.Publish("page");
    hub.Publish("subscribers");
    hub.Publish("page");
    // The hub may wake between the first publish and the others: then a second event, at
    // least one interval later, carries the rest. Never one event per publish.
    auto first = TakeWithin(*s);
    EXPECT_EQ(first.rfind("event: change\ndata: {\"seq\":1,\"topics\":[\"page\"", 0), 0u) << first;
    std::string all = first;
    if (first.find("subscribers") == std::string::npos) {
        auto second = TakeWithin(*s);
        EXPECT_EQ(second, "event: change\ndata: {\"seq\":2,\"topics\":[\"page\",\"subscribers\"]}\n\n");
        all += second;
    }
    EXPECT_NE(all.find("subscribers"), std::string::npos);
    s->Finish();
}

TEST(LiveHub, KeepsTopicsPendingWhileTheClientLags) {
    LiveHub hub(LiveHub::Options{.min_interval = 50ms});
    auto s = hub.Subscribe();  // the hello stays buffered: the "client" has not read it
    hub.Publish("page");
    std::this_thread::sleep_for(200ms);
    hub.Publish("monitors");
    std::this_thread::sleep_for(200ms);
    EXPECT_LT(s->Buffered(), 40u);  // only the hello: nothing queued behind it
    std::string hello;
    s->Take(hello);
    // Once read, both topics arrive in one event.
    auto merged = TakeWithin(*s);
    EXPECT_NE(merged.find("\"topics\":[\"monitors\",\"page\"]"), std::string::npos) << merged;
    s->Finish();
}

TEST(LiveHub, LimitsTheEventRate) {
    LiveHub hub(LiveHub::Options{.min_interval = 250ms});
    auto s = hub.Subscribe();
    std::string ignored;
    s->Take(ignored);
    int events = 0;
    auto until = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < until) {
        hub.Publish("page");
        std::string got;
        s->Take(got);
        for (auto at = got.find("event: change"); at != std::string::npos; at = got.find("event: change", at + 1))
            ++events;
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_GE(events, 2);
    EXPECT_LE(events, 5);
    s->Finish();
}

TEST(LiveHub, AnEndedStreamLeavesTheHub) {
    LiveHub hub;
    auto a = hub.Subscribe();
    auto b = hub.Subscribe();
    EXPECT_EQ(hub.Subscribers(), 2u);
    a->Finish();  // what the server does when the client goes
    EXPECT_EQ(hub.Subscribers(), 1u);
    b->Finish();
    EXPECT_EQ(hub.Subscribers(), 0u);
}

}  // namespace
}  // namespace tocsin::api
