/// @file
/// @brief The schedule tables of SqliteTx (schedules with their layers, overrides, iCal feed
/// tokens), kept apart from sqlite_store.cpp. Same contract as the matching Tx methods in store.hpp.
#pragma once

#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::store::sqlite {

class ScheduleTables {
public:
    ScheduleTables(Database& db, TimePoint now) : db_(db), now_(now) {}

    Result<std::vector<oncall::Schedule>> ListSchedules();
    Result<std::optional<oncall::Schedule>> GetSchedule(const std::string& id);
    Result<void> InsertSchedule(const oncall::Schedule& s);
    Result<void> UpdateSchedule(const oncall::Schedule& s);
    Result<void> DeleteSchedule(const std::string& id);
    Result<void> InsertScheduleOverride(const std::string& schedule_id, const oncall::Override& o);
    Result<void> DeleteScheduleOverride(const std::string& schedule_id, const std::string& override_id);
    Result<void> SetICalFeedToken(
        const std::string& kind, const std::string& subject_id, const std::string& token_hash
    );
    Result<std::optional<ICalFeed>> FindICalFeed(const std::string& token_hash);

private:
    Result<std::vector<oncall::Override>> Overrides(const std::string& schedule_id);

    Database& db_;
    TimePoint now_;
};

}  // namespace tocsin::store::sqlite
