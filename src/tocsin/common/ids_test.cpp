#include "tocsin/common/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tocsin {
namespace {

bool Base36Of12(const std::string& id) {
    return id.size() == 12 &&
           std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

TEST(Ids, RandomIdsAreTwelveBase36Characters) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = NewId();
        EXPECT_TRUE(Base36Of12(id)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, TimeOrderedIdsAreUniqueAndSortByCreation) {
    std::vector<std::string> ids;
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 2000; ++i) ids.push_back(NewTimeOrderedId());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::set<std::string> seen(ids.begin(), ids.end());
    EXPECT_EQ(seen.size(), ids.size()) << "a time-ordered id repeated";
    for (const auto& id : ids) EXPECT_TRUE(Base36Of12(id)) << id;
    // Ids of a later millisecond sort after every id of an earlier one: the first 8 characters
    // never go down, and the ids made after a pause all sort after those made before it.
    for (std::size_t i = 1; i < ids.size(); ++i) EXPECT_LE(ids[i - 1].substr(0, 8), ids[i].substr(0, 8));
    EXPECT_LT(*std::max_element(ids.begin(), ids.begin() + 2000), *std::min_element(ids.end() - 2000, ids.end()));
    // The time prefix is today's: 8 base36 digits of milliseconds since 1970.
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_NEAR(
        static_cast<double>(std::stoll(ids.back().substr(0, 8), nullptr, 36)), static_cast<double>(now_ms), 60000.0
    );
}

}  // namespace
}  // namespace tocsin
