#include "tocsin/oncall/schedule.hpp"

#include <gtest/gtest.h>

namespace tocsin::oncall {
namespace {

TEST(LayerKind, RoundTrips) {
    for (auto k : {Layer::Kind::kDaily, Layer::Kind::kWeekly, Layer::Kind::kCustom}) {
        EXPECT_EQ(ParseLayerKind(LayerKindName(k)), k);
    }
    EXPECT_FALSE(ParseLayerKind("monthly"));
}

}  // namespace
}  // namespace tocsin::oncall
