#include "tocsin/page/local_time.hpp"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <fmt/format.h>

#include <sstream>
#include <vector>

namespace tocsin::page {
namespace {

std::vector<std::string> SplitMonths(const std::string& csv) {
    std::vector<std::string> out;
    std::stringstream ss(csv);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(item);
    while (out.size() < 12) out.push_back(std::to_string(out.size() + 1));
    return out;
}

std::string Fill(std::string pattern, std::string_view key, std::string_view value) {
    auto pos = pattern.find(key);
    if (pos != std::string::npos) pattern.replace(pos, key.size(), value);
    return pattern;
}

}  // namespace

bool IsKnownTimeZone(const std::string& name) {
    cctz::time_zone tz;
    return cctz::load_time_zone(name, &tz);
}

struct TimeFormatter::Impl {
    cctz::time_zone tz;
    std::vector<std::string> months;
    std::vector<std::string> months_short;
    std::string date_format;
    std::string short_date_format;
    std::string datetime_format;

    cctz::civil_second Civil(TimePoint t) const {
        return cctz::convert(std::chrono::time_point_cast<std::chrono::seconds>(t), tz);
    }
};

TimeFormatter::TimeFormatter(const std::string& time_zone, const Catalog& catalog, std::string lang)
    : impl_(std::make_unique<Impl>()), zone_name_(time_zone) {
    if (!cctz::load_time_zone(time_zone, &impl_->tz)) {
        impl_->tz = cctz::utc_time_zone();
        zone_name_ = "UTC";
    }
    impl_->months = SplitMonths(catalog.Get(lang, "months"));
    impl_->months_short = SplitMonths(catalog.Get(lang, "months_short"));
    impl_->date_format = catalog.Get(lang, "date_format");
    impl_->short_date_format = catalog.Get(lang, "short_date_format");
    impl_->datetime_format = catalog.Get(lang, "datetime_format");
}

TimeFormatter::~TimeFormatter() = default;

std::string TimeFormatter::DateTime(TimePoint t) const {
    auto cs = impl_->Civil(t);
    auto abbr = impl_->tz.lookup(std::chrono::time_point_cast<std::chrono::seconds>(t)).abbr;
    std::string s = impl_->datetime_format;
    s = Fill(s, "{month}", impl_->months[static_cast<std::size_t>(cs.month() - 1)]);
    s = Fill(s, "{day}", std::to_string(cs.day()));
    s = Fill(s, "{year}", std::to_string(cs.year()));
    s = Fill(s, "{time}", fmt::format("{:02}:{:02}", cs.hour(), cs.minute()));
    s = Fill(s, "{tz}", abbr ? abbr : "");
    return s;
}

std::string TimeFormatter::Date(TimePoint t) const {
    auto cs = impl_->Civil(t);
    std::string s = impl_->date_format;
    s = Fill(s, "{month}", impl_->months[static_cast<std::size_t>(cs.month() - 1)]);
    s = Fill(s, "{day}", std::to_string(cs.day()));
    s = Fill(s, "{year}", std::to_string(cs.year()));
    return s;
}

std::string TimeFormatter::MonthLabel(TimePoint t) const {
    auto cs = impl_->Civil(t);
    return impl_->months[static_cast<std::size_t>(cs.month() - 1)] + " " + std::to_string(cs.year());
}

std::string TimeFormatter::ShortDate(TimePoint t) const {
    auto cs = impl_->Civil(t);
    std::string s = impl_->short_date_format;
    s = Fill(s, "{month}", impl_->months_short[static_cast<std::size_t>(cs.month() - 1)]);
    s = Fill(s, "{day}", std::to_string(cs.day()));
    return s;
}

std::string TimeFormatter::Time(TimePoint t) const {
    auto cs = impl_->Civil(t);
    return fmt::format("{:02}:{:02}", cs.hour(), cs.minute());
}

std::string TimeFormatter::DayKey(TimePoint t) const {
    auto cs = impl_->Civil(t);
    return fmt::format("{:04}-{:02}-{:02}", cs.year(), cs.month(), cs.day());
}

std::string TimeFormatter::MonthKey(TimePoint t) const {
    auto cs = impl_->Civil(t);
    return fmt::format("{:04}-{:02}", cs.year(), cs.month());
}

TimePoint TimeFormatter::StartOfDay(TimePoint t, int days_back) const {
    auto day = cctz::civil_day(impl_->Civil(t)) - days_back;
    auto tp = impl_->tz.lookup(cctz::civil_second(day)).pre;
    return std::chrono::time_point_cast<std::chrono::milliseconds>(tp);
}

}  // namespace tocsin::page
