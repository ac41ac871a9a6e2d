#include "tocsin/store/sqlite/sqlite_people_tables.hpp"

#include "tocsin/common/time_format.hpp"

namespace tocsin::store::sqlite {
namespace {

constexpr const char* kMethodColumns = "id, user_id, kind, label, address, data_json, verified, created_at";

oncall::ContactMethod ReadMethod(const Statement& s) {
    oncall::ContactMethod m;
    m.id = s.Text(0);
    m.user_id = s.Text(1);
    m.kind = oncall::ParseContactKind(s.Text(2)).value_or(oncall::ContactKind::kEmail);
    m.label = s.Text(3);
    m.address = s.Text(4);
    m.data_json = s.Text(5);
    m.verified = s.Int(6) != 0;
    m.created_at = FromMillis(s.Int(7));
    return m;
}

constexpr const char* kRuleColumns = "id, user_id, contact_method_id, urgency, delay_minutes";

oncall::NotificationRule ReadRule(const Statement& s) {
    oncall::NotificationRule r;
    r.id = s.Text(0);
    r.user_id = s.Text(1);
    r.contact_method_id = s.Text(2);
    r.urgency = oncall::ParseUrgency(s.Text(3)).value_or(oncall::Urgency::kHigh);
    r.delay = std::chrono::minutes(s.Int(4));
    return r;
}

// A unique-constraint violation is the caller's conflict; other errors pass through.
Result<void> ConflictAs(Result<void> r, const std::string& message) {
    if (!r && r.error().kind == ErrorKind::kConflict) return Error::Conflict(message);
    return r;
}

}  // namespace

Result<bool> PeopleTables::UserExists(const std::string& user_id) {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT 1 FROM users WHERE id = ?1"));
    s->Bind(1, user_id);
    TOCSIN_ASSIGN(row, s->Step());
    // A statement left on a row keeps the read snapshot open past COMMIT.
    s->Reset();
    return row;
}

// ---- users ----

Result<UserProfile> PeopleTables::GetUserProfile(const std::string& user_id) {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT id, email, name, language, time_zone FROM users WHERE id = ?1"));
    s->Bind(1, user_id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return Error::NotFound("user " + user_id + " does not exist");
    UserProfile p{s->Text(0), s->Text(1), s->Text(2), s->Text(3), s->Text(4)};
    s->Reset();
    return p;
}

Result<void> PeopleTables::SetUserTimeZone(const std::string& user_id, const std::string& time_zone) {
    TOCSIN_ASSIGN(s, db_.Prepare("UPDATE users SET time_zone = ?2 WHERE id = ?1"));
    s->Bind(1, user_id).Bind(2, time_zone);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("user " + user_id + " does not exist");
    return {};
}

// ---- contact methods ----

Result<std::vector<oncall::ContactMethod>> PeopleTables::ListContactMethods(const std::string& user_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kMethodColumns + " FROM contact_methods WHERE user_id = ?1 ORDER BY created_at, id"
        )
    );
    s->Bind(1, user_id);
    std::vector<oncall::ContactMethod> out;
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadMethod(*s));
    }
    return out;
}

Result<std::optional<oncall::ContactMethod>> PeopleTables::GetContactMethod(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kMethodColumns + " FROM contact_methods WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return std::optional<oncall::ContactMethod>{};
    std::optional<oncall::ContactMethod> m(ReadMethod(*s));
    s->Reset();
    return m;
}

Result<void> PeopleTables::InsertContactMethod(const oncall::ContactMethod& m) {
    TOCSIN_ASSIGN(exists, UserExists(m.user_id));
    if (!exists) return Error::Invalid("user_id", "user " + m.user_id + " does not exist");
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("INSERT INTO contact_methods (") + kMethodColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        )
    );
    s->Bind(1, m.id).Bind(2, m.user_id).Bind(3, oncall::ToString(m.kind)).Bind(4, m.label).Bind(5, m.address);
    s->Bind(6, m.data_json).Bind(7, m.verified).Bind(8, ToMillis(m.created_at));
    return ConflictAs(s->Exec(), "the user already has this contact method");
}

Result<void> PeopleTables::UpdateContactMethod(const oncall::ContactMethod& m) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE contact_methods SET label = ?2, address = ?3, data_json = ?4, verified = ?5 WHERE id = ?1")
    );
    s->Bind(1, m.id).Bind(2, m.label).Bind(3, m.address).Bind(4, m.data_json).Bind(5, m.verified);
    TOCSIN_TRY(ConflictAs(s->Exec(), "the user already has this contact method"));
    if (s->Changes() == 0) return Error::NotFound("contact method " + m.id + " does not exist");
    return {};
}

Result<void> PeopleTables::DeleteContactMethod(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM contact_methods WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("contact method " + id + " does not exist");
    return {};
}

// ---- verification codes ----

Result<void> PeopleTables::SaveContactVerification(const ContactVerification& v) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO contact_verifications (contact_method_id, code_hash, sent_at, expires_at, attempts) "
                    "VALUES (?1, ?2, ?3, ?4, 0) ON CONFLICT (contact_method_id) DO UPDATE SET code_hash = "
                    "excluded.code_hash, sent_at = excluded.sent_at, expires_at = excluded.expires_at, attempts = 0")
    );
    s->Bind(1, v.contact_method_id).Bind(2, v.code_hash).Bind(3, ToMillis(v.sent_at)).Bind(4, ToMillis(v.expires_at));
    return s->Exec();
}

Result<std::optional<ContactVerification>> PeopleTables::GetContactVerification(const std::string& contact_method_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT contact_method_id, code_hash, sent_at, expires_at, attempts FROM contact_verifications "
                    "WHERE contact_method_id = ?1")
    );
    s->Bind(1, contact_method_id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return std::optional<ContactVerification>{};
    std::optional<ContactVerification> v(ContactVerification{
        s->Text(0), s->Text(1), FromMillis(s->Int(2)), FromMillis(s->Int(3)), static_cast<int>(s->Int(4))});
    s->Reset();
    return v;
}

Result<int> PeopleTables::AddContactVerificationAttempt(const std::string& contact_method_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE contact_verifications SET attempts = attempts + 1 WHERE contact_method_id = ?1 "
                    "RETURNING attempts")
    );
    s->Bind(1, contact_method_id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return Error::NotFound("no code is pending for contact method " + contact_method_id);
    int attempts = static_cast<int>(s->Int(0));
    s->Reset();
    return attempts;
}

Result<void> PeopleTables::DeleteContactVerification(const std::string& contact_method_id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM contact_verifications WHERE contact_method_id = ?1"));
    s->Bind(1, contact_method_id);
    return s->Exec();
}

// ---- notification rules ----

Result<std::vector<oncall::NotificationRule>> PeopleTables::ListNotificationRules(const std::string& user_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            std::string("SELECT ") + kRuleColumns +
            " FROM notification_rules WHERE user_id = ?1 ORDER BY CASE urgency WHEN 'high' THEN 0 ELSE 1 END, "
            "delay_minutes, created_at, id"
        )
    );
    s->Bind(1, user_id);
    std::vector<oncall::NotificationRule> out;
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(ReadRule(*s));
    }
    return out;
}

Result<std::optional<oncall::NotificationRule>> PeopleTables::GetNotificationRule(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kRuleColumns + " FROM notification_rules WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return std::optional<oncall::NotificationRule>{};
    std::optional<oncall::NotificationRule> r(ReadRule(*s));
    s->Reset();
    return r;
}

Result<void> PeopleTables::InsertNotificationRule(const oncall::NotificationRule& r) {
    TOCSIN_ASSIGN(method, GetContactMethod(r.contact_method_id));
    if (!method || method->user_id != r.user_id) {
        return Error::Invalid("contact_method_id", "the user has no contact method " + r.contact_method_id);
    }
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO notification_rules (id, user_id, contact_method_id, urgency, delay_minutes, "
                    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(created_at), 0) + 1 FROM "
                    "notification_rules))")
    );
    s->Bind(1, r.id).Bind(2, r.user_id).Bind(3, r.contact_method_id).Bind(4, oncall::ToString(r.urgency));
    s->Bind(5, static_cast<std::int64_t>(r.delay.count()));
    return ConflictAs(s->Exec(), "an equal rule exists (same method, urgency and delay)");
}

Result<void> PeopleTables::UpdateNotificationRule(const oncall::NotificationRule& r) {
    TOCSIN_ASSIGN(method, GetContactMethod(r.contact_method_id));
    if (!method || method->user_id != r.user_id) {
        return Error::Invalid("contact_method_id", "the user has no contact method " + r.contact_method_id);
    }
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE notification_rules SET contact_method_id = ?2, urgency = ?3, delay_minutes = ?4 "
                    "WHERE id = ?1")
    );
    s->Bind(1, r.id).Bind(2, r.contact_method_id).Bind(3, oncall::ToString(r.urgency));
    s->Bind(4, static_cast<std::int64_t>(r.delay.count()));
    TOCSIN_TRY(ConflictAs(s->Exec(), "an equal rule exists (same method, urgency and delay)"));
    if (s->Changes() == 0) return Error::NotFound("notification rule " + r.id + " does not exist");
    return {};
}

Result<void> PeopleTables::DeleteNotificationRule(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM notification_rules WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("notification rule " + id + " does not exist");
    return {};
}

// ---- teams ----

Result<std::vector<oncall::Team>> PeopleTables::ListTeams() {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT id, name, description FROM teams ORDER BY name, id"));
    std::vector<oncall::Team> out;
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(oncall::Team{s->Text(0), s->Text(1), s->Text(2)});
    }
    return out;
}

Result<std::optional<oncall::Team>> PeopleTables::GetTeam(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT id, name, description FROM teams WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return std::optional<oncall::Team>{};
    std::optional<oncall::Team> t(oncall::Team{s->Text(0), s->Text(1), s->Text(2)});
    s->Reset();
    return t;
}

Result<void> PeopleTables::InsertTeam(const oncall::Team& t) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO teams (id, name, description, created_at) VALUES (?1, ?2, ?3, (SELECT "
                    "COALESCE(MAX(created_at), 0) + 1 FROM teams))")
    );
    s->Bind(1, t.id).Bind(2, t.name).Bind(3, t.description);
    return ConflictAs(s->Exec(), "a team named '" + t.name + "' exists");
}

Result<void> PeopleTables::UpdateTeam(const oncall::Team& t) {
    TOCSIN_ASSIGN(s, db_.Prepare("UPDATE teams SET name = ?2, description = ?3 WHERE id = ?1"));
    s->Bind(1, t.id).Bind(2, t.name).Bind(3, t.description);
    TOCSIN_TRY(ConflictAs(s->Exec(), "a team named '" + t.name + "' exists"));
    if (s->Changes() == 0) return Error::NotFound("team " + t.id + " does not exist");
    return {};
}

Result<void> PeopleTables::DeleteTeam(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM teams WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("team " + id + " does not exist");
    return {};
}

Result<std::vector<oncall::TeamMember>> PeopleTables::ListTeamMembers(const std::string& team_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT team_id, user_id, role, position FROM team_members WHERE team_id = ?1 ORDER BY position, "
                    "user_id")
    );
    s->Bind(1, team_id);
    std::vector<oncall::TeamMember> out;
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(oncall::TeamMember{s->Text(0), s->Text(1), s->Text(2), static_cast<int>(s->Int(3))});
    }
    return out;
}

Result<void> PeopleTables::SaveTeamMember(const oncall::TeamMember& m) {
    TOCSIN_ASSIGN(team, GetTeam(m.team_id));
    if (!team) return Error::NotFound("team " + m.team_id + " does not exist");
    TOCSIN_ASSIGN(exists, UserExists(m.user_id));
    if (!exists) return Error::Invalid("user_id", "user " + m.user_id + " does not exist");
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO team_members (team_id, user_id, role, position) VALUES (?1, ?2, ?3, ?4) "
                    "ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role, position = excluded.position")
    );
    s->Bind(1, m.team_id).Bind(2, m.user_id).Bind(3, m.role).Bind(4, m.position);
    return s->Exec();
}

Result<void> PeopleTables::DeleteTeamMember(const std::string& team_id, const std::string& user_id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM team_members WHERE team_id = ?1 AND user_id = ?2"));
    s->Bind(1, team_id).Bind(2, user_id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("user " + user_id + " is not a member of team " + team_id);
    return {};
}

}  // namespace tocsin::store::sqlite
