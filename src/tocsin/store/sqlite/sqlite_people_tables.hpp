/// @file
/// @brief The people-on-call tables of SqliteTx (user time zones, contact methods, their
/// verification codes, notification rules, teams and members), kept apart from
/// sqlite_store.cpp. Same contract as the matching Tx methods in store.hpp.
#pragma once

#include "tocsin/store/sqlite/sqlite_db.hpp"
#include "tocsin/store/store.hpp"

namespace tocsin::store::sqlite {

class PeopleTables {
public:
    explicit PeopleTables(Database& db) : db_(db) {}

    Result<UserProfile> GetUserProfile(const std::string& user_id);
    Result<void> SetUserTimeZone(const std::string& user_id, const std::string& time_zone);

    Result<std::vector<oncall::ContactMethod>> ListContactMethods(const std::string& user_id);
    Result<std::optional<oncall::ContactMethod>> GetContactMethod(const std::string& id);
    Result<void> InsertContactMethod(const oncall::ContactMethod& m);
    Result<void> UpdateContactMethod(const oncall::ContactMethod& m);
    Result<void> DeleteContactMethod(const std::string& id);

    Result<void> SaveContactVerification(const ContactVerification& v);
    Result<std::optional<ContactVerification>> GetContactVerification(const std::string& contact_method_id);
    Result<int> AddContactVerificationAttempt(const std::string& contact_method_id);
    Result<void> DeleteContactVerification(const std::string& contact_method_id);

    Result<std::vector<oncall::NotificationRule>> ListNotificationRules(const std::string& user_id);
    Result<std::optional<oncall::NotificationRule>> GetNotificationRule(const std::string& id);
    Result<void> InsertNotificationRule(const oncall::NotificationRule& r);
    Result<void> UpdateNotificationRule(const oncall::NotificationRule& r);
    Result<void> DeleteNotificationRule(const std::string& id);

    Result<std::vector<oncall::Team>> ListTeams();
    Result<std::optional<oncall::Team>> GetTeam(const std::string& id);
    Result<void> InsertTeam(const oncall::Team& t);
    Result<void> UpdateTeam(const oncall::Team& t);
    Result<void> DeleteTeam(const std::string& id);
    Result<std::vector<oncall::TeamMember>> ListTeamMembers(const std::string& team_id);
    Result<void> SaveTeamMember(const oncall::TeamMember& m);
    Result<void> DeleteTeamMember(const std::string& team_id, const std::string& user_id);

private:
    Result<bool> UserExists(const std::string& user_id);

    Database& db_;
};

}  // namespace tocsin::store::sqlite
