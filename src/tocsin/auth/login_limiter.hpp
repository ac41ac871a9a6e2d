/// @file
/// @brief Counts failed sign-ins per e-mail address and per client, in bounded memory.
///
/// Only failures count: a user who types the password right is never slowed down. Once a
/// key reaches its limit inside the window, further attempts are refused until the window
/// that began with the key's first failure ends. Thread-safe; pure in-memory state that a
/// restart forgets (so is an attacker's progress, which restarts cannot speed up much).
#pragma once

#include "tocsin/common/clock.hpp"

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace tocsin::auth {

/// Failures per key within a fixed window. Remembers at most `max_keys` keys; the least
/// recently used is forgotten first.
class FailureCounter {
public:
    FailureCounter(int limit, std::chrono::seconds window, std::size_t max_keys);

    /// Zero if `key` may try now, else how long until it may (rounded up to whole seconds).
    [[nodiscard]] std::chrono::seconds Wait(const std::string& key, TimePoint now) const;
    /// Counts one failure of `key` at `now`.
    void Fail(const std::string& key, TimePoint now);
    /// Forgets `key` (after a successful sign-in).
    void Clear(const std::string& key);
    [[nodiscard]] std::size_t Size() const;

private:
    struct Entry {
        int failures = 0;
        TimePoint window_start{};
        std::list<std::string>::iterator lru;
    };
    int limit_;
    std::chrono::milliseconds window_;
    std::size_t max_keys_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;  // most recently used first
};

/// The two counters of the sign-in form. E-mail keys are compared case-insensitively.
class LoginLimiter {
public:
    LoginLimiter(int per_email, int per_client, std::chrono::seconds window, std::size_t max_keys);

    /// Zero if an attempt for `email` from `client` may be checked now, else the wait.
    [[nodiscard]] std::chrono::seconds Wait(const std::string& email, const std::string& client, TimePoint now) const;
    void Failed(const std::string& email, const std::string& client, TimePoint now);
    /// A correct password clears the e-mail's count (not the client's: one office may
    /// share an address with someone guessing).
    void Succeeded(const std::string& email);

private:
    static std::string EmailKey(const std::string& email);
    FailureCounter by_email_;
    FailureCounter by_client_;
};

}  // namespace tocsin::auth
