#include "tocsin/oncall/ical.hpp"

#include "tocsin/common/time_format.hpp"

namespace tocsin::oncall {

std::string ShiftUid(std::string_view schedule_id, const Shift& shift) {
    return "shift-" + std::string(schedule_id) + "-" + shift.user_id + "-" + std::to_string(ToMillis(shift.start)) +
           "@tocsin";
}

std::string RenderICal(std::string_view calendar_name, const std::vector<ICalEvent>& events, TimePoint now) {
    std::string out;
    out += FoldICalLine("BEGIN:VCALENDAR");
    out += FoldICalLine("VERSION:2.0");
    out += FoldICalLine("PRODID:-//tocsin//on-call schedules//EN");
    out += FoldICalLine("CALSCALE:GREGORIAN");
    out += FoldICalLine("METHOD:PUBLISH");
    out += FoldICalLine("X-WR-CALNAME:" + EscapeICalText(calendar_name));
    out += FoldICalLine("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    const auto stamp = FormatICalUtc(now);
    for (const auto& e : events) {
        out += FoldICalLine("BEGIN:VEVENT");
        out += FoldICalLine("UID:" + e.uid);
        out += FoldICalLine("DTSTAMP:" + stamp);
        out += FoldICalLine("DTSTART:" + FormatICalUtc(e.start));
        out += FoldICalLine("DTEND:" + FormatICalUtc(e.end));
        out += FoldICalLine("SUMMARY:" + EscapeICalText(e.summary));
        if (!e.description.empty()) out += FoldICalLine("DESCRIPTION:" + EscapeICalText(e.description));
        out += FoldICalLine("TRANSP:TRANSPARENT");
        out += FoldICalLine("END:VEVENT");
    }
    out += FoldICalLine("END:VCALENDAR");
    return out;
}

}  // namespace tocsin::oncall
