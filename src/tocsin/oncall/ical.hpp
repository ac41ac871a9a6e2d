/// @file
/// @brief iCalendar (RFC 5545) feeds of on-call shifts, for calendar apps that subscribe to a
/// secret URL.
///
/// Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 sequence); TEXT values
/// are escaped; DTSTART/DTEND are UTC. Each event's UID is stable for a shift (schedule, user and
/// start), so a subscribed calendar updates an event instead of duplicating it when an override
/// changes its end.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/time_format.hpp"  // EscapeICalText, FoldICalLine
#include "tocsin/oncall/schedule.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::oncall {

struct ICalEvent {
    std::string uid;
    TimePoint start{}, end{};
    std::string summary;
    std::string description;
};

/// The UID of a shift of schedule `schedule_id`: "shift-<schedule>-<user>-<start ms>@tocsin".
[[nodiscard]] std::string ShiftUid(std::string_view schedule_id, const Shift& shift);

/// A whole VCALENDAR (PUBLISH) named `calendar_name`, DTSTAMP `now`.
[[nodiscard]] std::string RenderICal(
    std::string_view calendar_name, const std::vector<ICalEvent>& events, TimePoint now
);

}  // namespace tocsin::oncall
