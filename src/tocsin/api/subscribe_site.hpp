/// @file
/// @brief Subscribing on the public page: server-rendered forms in the visitor's language,
/// no JavaScript, no cookies.
///
///   GET  /subscribe                  the forms (e-mail; webhook, Slack, Teams, Discord, Telegram)
///   POST /subscribe                  form post → "check your inbox" (the same page whether or not
///                                    the address was known), 400 naming the problem, 429 over a limit
///   GET  /subscribe/confirm?token=   asks, with a button (mail scanners follow links: a GET
///                                    changes nothing); POST confirms (idempotent) and links
///                                    to the manage page
///   GET  /subscribe/manage?token=    components and language; POST saves them
///   GET  /unsubscribe?token=         asks; POST deletes (also RFC 8058 one-click: 200, no redirect)
///
/// Tokens are notify::LinkSigner tokens; a broken, expired or orphaned one is a 400 page. The
/// routes use the store, so they run on the blocking pool. A form acts only on possession of a
/// signed token or creates an unconfirmed subscription, so no CSRF token is needed; every state
/// change is a POST.
#pragma once

#include "tocsin/api/public_site.hpp"
#include "tocsin/common/clock.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/notify/links.hpp"
#include "tocsin/store/store.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tocsin::api {

struct SubscribeSiteOptions {
    /// Form posts per client address (IPv6: per /64) and hour, after a burst; 0: no limit.
    int client_posts_per_hour = 10;
    int client_burst = 5;
    /// Confirmation or reminder messages per destination and hour; 0: no limit.
    int target_messages_per_hour = 3;
    /// Addresses and destinations each limiter remembers; the least recently seen goes first.
    std::size_t max_tracked = 10000;
    /// Largest accepted form body.
    std::size_t body_limit = 16 * 1024;
    /// Behind a reverse proxy: the header naming the client ("X-Forwarded-For": its last
    /// entry, the one the proxy added). Empty: the peer address of the connection.
    std::string client_address_header;
};

struct SubscribeSiteDeps {
    store::Store& store;
    const Clock& clock;
    notify::LinkSigner signer;  // keyed by service::LoadOrCreateLinkKey
    SnapshotSource snapshot;    // for the page's CSP, theme version and the uptime link
    SubscribeSiteOptions options = {};
    /// Called after a committed subscription request queued a message (wake the
    /// dispatcher); may be empty.
    std::function<void()> on_outbox = {};
};

void RegisterSubscribeRoutes(http::Router& router, SubscribeSiteDeps deps);

/// A rate per key, `per_hour` an hour with up to `burst` at once (GCRA, the token bucket
/// in integer arithmetic: one time per key). Thread-safe; remembers at most `max_keys` keys
/// (the least recently used is forgotten first), so its memory stays bounded whatever the
/// traffic. `per_hour` 0 allows everything.
class RateLimiter {
public:
    RateLimiter(int per_hour, int burst, std::size_t max_keys);

    /// Counts one event for `key` at `now`: zero if allowed, else how long until one would be.
    [[nodiscard]] std::chrono::seconds Take(const std::string& key, TimePoint now);
    [[nodiscard]] std::size_t Size() const;

private:
    struct Entry {
        std::int64_t tat_us = 0;  // theoretical arrival time of the next event
        std::list<std::string>::iterator lru;
    };
    std::int64_t interval_us_;   // 0: no limit
    std::int64_t tolerance_us_;  // interval × (burst − 1)
    std::size_t max_keys_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;  // most recently used first
};

/// The key a client is limited by: an IPv4 address as is, an IPv6 address cut to its /64
/// (one host usually holds a whole /64), IPv4-mapped IPv6 as IPv4.
[[nodiscard]] std::string ClientKey(std::string_view address);

}  // namespace tocsin::api
