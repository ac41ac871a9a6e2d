#include "tocsin/app/schedules_cli.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/oncall/schedule.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <filesystem>
#include <iostream>
#include <map>

namespace tocsin::app {
namespace {

int Fail(const std::string& what, const Error& e) {
    std::cerr << "tocsin schedules " << what << ": " << e.message;
    if (!e.field.empty()) std::cerr << " (" << e.field << ")";
    std::cerr << "\n";
    return e.kind == ErrorKind::kNotFound || e.kind == ErrorKind::kInvalidInput ? 1 : 2;
}

std::string Names(const std::vector<std::string>& ids, const std::map<std::string, std::string>& names) {
    std::string out;
    for (const auto& id : ids) {
        if (!out.empty()) out += ", ";
        auto it = names.find(id);
        out += it == names.end() ? id : it->second + " (" + id + ")";
    }
    return out.empty() ? "nobody" : out;
}

}  // namespace

SchedulesCli::SchedulesCli(CLI::App& cli, std::string& data_dir) : data_dir_(data_dir) {
    schedules_ = cli.add_subcommand("schedules", "On-call schedules: list them, show shifts, who is on call");
    schedules_->require_subcommand(1);
    auto data = [&](CLI::App* c) {
        c->add_option("--data", data_dir_, "Folder of the SQLite database")->envname("TOCSIN_DATA");
    };
    list_ = schedules_->add_subcommand("list", "List schedules (id, name, time zone, layers)");
    data(list_);
    show_ = schedules_->add_subcommand("show", "Show a schedule's final shifts for the next days");
    show_->add_option("id", id_, "Schedule id")->required();
    show_->add_option("--days", days_, "How many days ahead")->check(CLI::Range(1, 1000))->capture_default_str();
    data(show_);
    oncall_ = schedules_->add_subcommand("oncall", "Who is on call in every schedule");
    oncall_->add_option("--at", at_, "ISO 8601 time (default: now)");
    data(oncall_);
}

bool SchedulesCli::Selected() const {
    return schedules_ && schedules_->parsed();
}

int SchedulesCli::Run(const Clock& clock) {
    TimePoint at = clock.Now();
    if (!at_.empty()) {
        auto t = ParseIso8601(at_);
        if (!t) return Fail("oncall", Error::Invalid("--at", "--at must be an ISO 8601 time"));
        at = *t;
    }
    auto opened = store::sqlite::SqliteStore::Open((std::filesystem::path(data_dir_) / "tocsin.db").string(), clock);
    if (!opened) return Fail("", opened.error());
    std::vector<oncall::Schedule> schedules;
    std::optional<oncall::Schedule> one;
    std::map<std::string, std::string> names;
    auto r = (*opened)->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(users, tx.ListUsers());
        for (const auto& u : users) names[u.id] = u.name.empty() ? u.email : u.name;
        if (show_->parsed()) {
            TOCSIN_ASSIGN(s, tx.GetSchedule(id_));
            if (!s) return Error::NotFound("schedule " + id_ + " does not exist");
            one = std::move(s);
            return {};
        }
        TOCSIN_ASSIGN(list, tx.ListSchedules());
        schedules = std::move(list);
        return {};
    });
    if (!r) return Fail(show_->parsed() ? "show" : "", r.error());

    if (list_->parsed()) {
        for (const auto& s : schedules) {
            std::cout << s.id << "  " << s.name << "  " << s.time_zone << "  " << s.layers.size() << " layer(s)\n";
        }
        return 0;
    }
    if (show_->parsed()) {
        std::cout << one->name << " (" << one->time_zone << ")\n";
        for (const auto& sh : oncall::Shifts(*one, at, at + std::chrono::days(days_))) {
            std::cout << FormatIso8601(sh.start) << "  " << FormatIso8601(sh.end) << "  " << Names({sh.user_id}, names)
                      << (sh.layer < 0 ? "  (override)" : "") << "\n";
        }
        return 0;
    }
    for (const auto& s : schedules) {
        std::cout << s.id << "  " << s.name << ": " << Names(oncall::OnCallAt(s, at), names) << "\n";
    }
    return 0;
}

}  // namespace tocsin::app
