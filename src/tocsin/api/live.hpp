/// @file
/// @brief Live updates for admin screens: server-sent events that name what changed.
///
/// Producers (API writes, engines) call LiveHub::Publish("page") from any thread; it only
/// records the topic and wakes the hub's thread. That thread sends at most one "change"
/// event per interval (4 per second by default) to every open stream, naming every topic
/// published since the last one. A stream whose client has not yet taken the previous
/// event keeps its topics pending and gets them merged into its next event: memory per
/// stream is one small set, never a queue.
#pragma once

#include "tocsin/http/router.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

namespace tocsin::auth {
class Sessions;
}  // namespace tocsin::auth

namespace tocsin::api {

class LiveHub {
public:
    struct Options {
        std::chrono::milliseconds min_interval{250};  // between two change events
        std::size_t max_buffered = 4096;              // bytes per stream the server may hold
    };

    LiveHub();
    explicit LiveHub(Options options);
    /// Stops the thread and closes every stream.
    ~LiveHub();
    LiveHub(const LiveHub&) = delete;
    LiveHub& operator=(const LiveHub&) = delete;

    /// Records that `topic` changed. Thread-safe, never blocks on clients.
    void Publish(std::string_view topic);

    /// A new stream that starts with `event: hello` `data: {"seq":N}`; it leaves the hub when
    /// the server ends it.
    std::shared_ptr<http::EventStream> Subscribe();

    [[nodiscard]] std::size_t Subscribers() const;
    [[nodiscard]] std::uint64_t Seq() const;

private:
    struct Sub {
        std::shared_ptr<http::EventStream> stream;
        std::set<std::string> pending;
    };

    void Run();
    void Flush();  // under mu_

    Options options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::set<std::string> published_;  // since the last flush
    std::unordered_map<const http::EventStream*, Sub> subs_;
    std::uint64_t seq_ = 0;
    bool stop_ = false;
    std::thread thread_;
};

/// `GET /api/v1/live` (stakeholder; bearer token or, with `sessions`, the session cookie):
/// text/event-stream from `hub`.
void RegisterLiveRoutes(http::Router& router, store::Store& store, const auth::Sessions* sessions, LiveHub& hub);

}  // namespace tocsin::api
