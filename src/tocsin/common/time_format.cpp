#include "tocsin/common/time_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace tocsin {
namespace {

using namespace std::chrono;

bool ReadInt(std::string_view& s, std::size_t digits, int& out) {
    if (s.size() < digits) return false;
    int v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        char c = s[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    s.remove_prefix(digits);
    return true;
}

bool Eat(std::string_view& s, char c) {
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string FormatIso8601(TimePoint t) {
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> hms{t - day};
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day()),
        hms.hours().count(),
        hms.minutes().count(),
        hms.seconds().count(),
        hms.subseconds().count()
    );
}

std::optional<TimePoint> ParseIso8601(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!ReadInt(s, 4, y) || !Eat(s, '-') || !ReadInt(s, 2, mo) || !Eat(s, '-') || !ReadInt(s, 2, d)) {
        return std::nullopt;
    }
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    if (s.empty()) return time_point_cast<milliseconds>(sys_days{ymd});
    if (!Eat(s, 'T') && !Eat(s, ' ')) return std::nullopt;
    if (!ReadInt(s, 2, h) || !Eat(s, ':') || !ReadInt(s, 2, mi)) return std::nullopt;
    if (Eat(s, ':') && !ReadInt(s, 2, sec)) return std::nullopt;
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    int ms = 0;
    if (Eat(s, '.') || Eat(s, ',')) {
        int scale = 100;
        std::size_t n = 0;
        while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
            ms += (s.front() - '0') * scale;
            scale /= 10;
            s.remove_prefix(1);
            ++n;
        }
        if (n == 0) return std::nullopt;
    }
    int offset_minutes = 0;
    if (Eat(s, 'Z') || Eat(s, 'z')) {
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
        int sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
        int oh = 0, om = 0;
        if (!ReadInt(s, 2, oh)) return std::nullopt;
        if (Eat(s, ':')) {
            if (!ReadInt(s, 2, om)) return std::nullopt;
        } else if (!s.empty()) {
            if (!ReadInt(s, 2, om)) return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;  // a time without a zone is ambiguous; refuse it
    }
    if (!s.empty()) return std::nullopt;
    auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms} - minutes{offset_minutes};
    return time_point_cast<milliseconds>(tp);
}

std::string FormatHttpDate(TimePoint t) {
    return FormatRfc5322Utc(t, "GMT");
}

std::string FormatRfc5322Utc(TimePoint t, std::string_view zone) {
    auto day = floor<days>(t);
    year_month_day ymd{day};
    weekday wd{day};
    hh_mm_ss<seconds> hms{floor<seconds>(t - day)};
    return fmt::format(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}",
        kWeekdays[wd.c_encoding()],
        static_cast<unsigned>(ymd.day()),
        kMonths[static_cast<unsigned>(ymd.month()) - 1],
        static_cast<int>(ymd.year()),
        hms.hours().count(),
        hms.minutes().count(),
        hms.seconds().count(),
        zone
    );
}

std::string FormatICalUtc(TimePoint t) {
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<seconds> hms{floor<seconds>(t - day)};
    return fmt::format(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day()),
        hms.hours().count(),
        hms.minutes().count(),
        hms.seconds().count()
    );
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
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size();) {
        // Fold before a whole UTF-8 sequence would pass 75 octets, so that no physical line is
        // longer and no character is split. A stray byte counts as one character, so invalid
        // UTF-8 still ends.
        const auto c = static_cast<unsigned char>(line[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        len = std::min(len, line.size() - i);
        if (col + len > 75) {
            out += "\r\n ";
            col = 1;
        }
        out.append(line.substr(i, len));
        col += len;
        i += len;
    }
    out += "\r\n";
    return out;
}

}  // namespace tocsin
