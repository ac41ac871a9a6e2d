#include "tocsin/auth/login_limiter.hpp"

#include <algorithm>
#include <cctype>

namespace tocsin::auth {

FailureCounter::FailureCounter(int limit, std::chrono::seconds window, std::size_t max_keys)
    : limit_(std::max(1, limit)), window_(window), max_keys_(std::max<std::size_t>(1, max_keys)) {}

std::chrono::seconds FailureCounter::Wait(const std::string& key, TimePoint now) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.failures < limit_) return std::chrono::seconds(0);
    auto end = it->second.window_start + window_;
    if (now >= end) return std::chrono::seconds(0);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
    return std::chrono::seconds((left.count() + 999) / 1000);
}

void FailureCounter::Fail(const std::string& key, TimePoint now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        // The least recently used key goes: an attacker flooding keys to push a victim's
        // count out is held back by the other counter (per client).
        while (entries_.size() >= max_keys_) {
            entries_.erase(lru_.back());
            lru_.pop_back();
        }
        lru_.push_front(key);
        it = entries_.emplace(key, Entry{0, now, lru_.begin()}).first;
    } else {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    auto& e = it->second;
    if (now >= e.window_start + window_) {
        e.failures = 0;
        e.window_start = now;
    }
    ++e.failures;
}

void FailureCounter::Clear(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    lru_.erase(it->second.lru);
    entries_.erase(it);
}

std::size_t FailureCounter::Size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

LoginLimiter::LoginLimiter(int per_email, int per_client, std::chrono::seconds window, std::size_t max_keys)
    : by_email_(per_email, window, max_keys), by_client_(per_client, window, max_keys) {}

std::string LoginLimiter::EmailKey(const std::string& email) {
    std::string key = email;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return key;
}

std::chrono::seconds LoginLimiter::Wait(const std::string& email, const std::string& client, TimePoint now) const {
    return std::max(by_email_.Wait(EmailKey(email), now), by_client_.Wait(client, now));
}

void LoginLimiter::Failed(const std::string& email, const std::string& client, TimePoint now) {
    by_email_.Fail(EmailKey(email), now);
    by_client_.Fail(client, now);
}

void LoginLimiter::Succeeded(const std::string& email) {
    by_email_.Clear(EmailKey(email));
}

}  // namespace tocsin::auth
