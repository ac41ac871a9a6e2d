#include "tocsin/common/ids.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>

namespace tocsin {

std::string NewId() {
    // 36^12 ≈ 4.7e18 values: collisions are negligible for the objects of one page, and the
    // primary key constraint turns the remaining chance into a clean conflict error.
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<int> pick(0, 35);
    std::string id(12, '0');
    for (auto& c : id) c = kAlphabet[pick(rng)];
    return id;
}

std::string NewTimeOrderedId() {
    static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    static constexpr std::uint64_t kCounterSpace = 36ull * 36 * 36 * 36;
    // Starts anywhere, so that two processes rarely count through the same values.
    static std::atomic<std::uint64_t> counter{std::random_device{}()};
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count()
    );
    std::uint64_t t = ms;
    std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed) % kCounterSpace;
    std::string id(12, '0');
    for (int i = 7; i >= 0; --i, t /= 36) id[static_cast<std::size_t>(i)] = kAlphabet[t % 36];
    for (int i = 11; i >= 8; --i, n /= 36) id[static_cast<std::size_t>(i)] = kAlphabet[n % 36];
    return id;
}

}  // namespace tocsin
