#include "tocsin/common/ids.hpp"

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

}  // namespace tocsin
