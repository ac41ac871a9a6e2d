/// @file
/// @brief Store records of the schedule tables (issue 7, SCHED) that are not oncall model types.
#pragma once

#include "tocsin/common/clock.hpp"

#include <string>

namespace tocsin::store {

/// A secret calendar feed: the token (kept only as its hash) opens the shifts of one schedule
/// or one user.
struct ICalFeed {
    std::string kind;  // "schedule" | "user"
    std::string subject_id;
    TimePoint created_at{};
};

}  // namespace tocsin::store
