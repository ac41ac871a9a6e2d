#include "tocsin/oncall/ical.hpp"

#include "tocsin/common/time_format.hpp"

namespace tocsin::oncall {

std::string ShiftUid(std::string_view schedule_id, const Shift& shift) {
    return "shift-" + std::string(schedule_id) + "-" + shift.user_id + "-" + std::to_string(ToMillis(shift.start)) +
           "@tocsin";
}

std::string EscapeICalText(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case ';':
                out += "\\;";
                break;
            case ',':
                out += "\\,";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                break;
            default:
                // Other control characters are not allowed in TEXT.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t') break;
                out += c;
        }
    }
    return out;
}

std::string FoldICalLine(std::string_view line) {
    std::string out;
    std::size_t limit = 75;  // octets on the first line; continuation lines carry a leading space
    while (line.size() > limit) {
        std::size_t cut = limit;
        // Never split a UTF-8 sequence: back up to the start of the character.
        while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
        out.append(line.substr(0, cut));
        out += "\r\n ";
        line.remove_prefix(cut);
        limit = 74;
    }
    out.append(line);
    out += "\r\n";
    return out;
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
