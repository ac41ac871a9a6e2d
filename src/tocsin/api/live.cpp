#include "tocsin/api/live.hpp"

#include "tocsin/api/guard.hpp"

#include <fmt/format.h>

namespace tocsin::api {

LiveHub::LiveHub() : LiveHub(Options{}) {}

LiveHub::LiveHub(Options options) : options_(options), thread_([this] { Run(); }) {}

LiveHub::~LiveHub() {
    std::unordered_map<const http::EventStream*, Sub> subs;
    {
        std::lock_guard lock(mu_);
        stop_ = true;
        subs.swap(subs_);
    }
    cv_.notify_all();
    thread_.join();
    // Closed outside the lock: a stream's end runs its OnEnd, which would take mu_.
    for (auto& [_, sub] : subs) {
        sub.stream->OnEnd({});
        sub.stream->Close();
    }
}

void LiveHub::Publish(std::string_view topic) {
    {
        std::lock_guard lock(mu_);
        if (subs_.empty()) return;  // nobody listens; a new stream starts with a fresh fetch anyway
        published_.emplace(topic);
    }
    cv_.notify_all();
}

std::shared_ptr<http::EventStream> LiveHub::Subscribe() {
    auto stream = std::make_shared<http::EventStream>(options_.max_buffered);
    const http::EventStream* key = stream.get();
    stream->OnEnd([this, key] {
        std::lock_guard lock(mu_);
        subs_.erase(key);
    });
    std::lock_guard lock(mu_);
    stream->PushEvent("hello", fmt::format("{{\"seq\":{}}}", seq_));
    subs_.emplace(key, Sub{stream, {}});
    return stream;
}

std::size_t LiveHub::Subscribers() const {
    std::lock_guard lock(mu_);
    return subs_.size();
}

std::uint64_t LiveHub::Seq() const {
    std::lock_guard lock(mu_);
    return seq_;
}

void LiveHub::Run() {
    std::unique_lock lock(mu_);
    auto last = std::chrono::steady_clock::now() - options_.min_interval;
    bool retry = false;  // some stream still holds topics its client has not taken
    while (!stop_) {
        // Wait for something to send, then for the interval since the last event to pass.
        if (published_.empty()) {
            if (retry) {
                cv_.wait_for(lock, options_.min_interval, [this] { return stop_ || !published_.empty(); });
            } else {
                cv_.wait(lock, [this] { return stop_ || !published_.empty(); });
            }
        }
        if (stop_) break;
        auto due = last + options_.min_interval;
        if (std::chrono::steady_clock::now() < due) {
            cv_.wait_until(lock, due, [this] { return stop_; });
            if (stop_) break;
        }
        if (published_.empty() && !retry) continue;
        last = std::chrono::steady_clock::now();
        Flush();
        retry = false;
        for (const auto& [_, sub] : subs_) retry = retry || !sub.pending.empty();
    }
}

void LiveHub::Flush() {
    if (!published_.empty()) ++seq_;
    for (auto& [_, sub] : subs_) {
        sub.pending.insert(published_.begin(), published_.end());
        if (sub.pending.empty() || sub.stream->Buffered() > 0) continue;  // coalesce, do not queue
        std::string topics;
        for (const auto& t : sub.pending) topics += fmt::format("{}\"{}\"", topics.empty() ? "" : ",", t);
        // A full or closed stream refuses; the server ends it and OnEnd removes it later
        // (OnEnd takes mu_, which is held here, so the erase cannot happen inside this loop).
        sub.stream->PushEvent("change", fmt::format("{{\"seq\":{},\"topics\":[{}]}}", seq_, topics));
        sub.pending.clear();
    }
    published_.clear();
}

void RegisterLiveRoutes(http::Router& router, store::Store& store, const auth::Sessions* sessions, LiveHub& hub) {
    router.Add(
        http::Method::kGet,
        "/api/v1/live",
        Guard(
            store,
            sessions,
            auth::Role::kStakeholder,
            [&hub](const http::Request&, http::Response& res, const auth::Principal&) {
                res.content_type = "text/event-stream; charset=utf-8";
                res.SetHeader("Cache-Control", "no-store");
                res.SetHeader("X-Content-Type-Options", "nosniff");
                // Tells nginx not to buffer the stream.
                res.SetHeader("X-Accel-Buffering", "no");
                res.stream = hub.Subscribe();
            }
        ),
        http::RouteOptions{.blocking = true}
    );
}

}  // namespace tocsin::api
