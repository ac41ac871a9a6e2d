#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

namespace tocsin::store::sqlite {
namespace {

using namespace std::chrono_literals;

class SqlitePeopleTablesTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
            for (const char* id : {"u1", "u2"}) {
                User u;
                u.id = id;
                u.email = std::string(id) + "@example.com";
                u.name = id;
                u.role = "responder";
                u.created_at = clock_.Now();
                TOCSIN_TRY(tx.InsertUser(u));
            }
            return {};
        }));
    }

    oncall::ContactMethod Method(std::string id, oncall::ContactKind kind, std::string address) {
        oncall::ContactMethod m;
        m.id = std::move(id);
        m.user_id = "u1";
        m.kind = kind;
        m.address = std::move(address);
        m.created_at = clock_.Now();
        clock_.Advance(1s);
        return m;
    }

    Result<void> Write(const std::function<Result<void>(Tx&)>& fn) { return store_->Write(fn); }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqlitePeopleTablesTest, UserProfileKeepsTimeZoneDefaultingToUtc) {
    UserProfile p;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(got, tx.GetUserProfile("u1"));
        p = got;
        return {};
    }));
    EXPECT_EQ(p.time_zone, "UTC");
    EXPECT_EQ(p.email, "u1@example.com");
    ASSERT_TRUE(Write([](Tx& tx) { return tx.SetUserTimeZone("u1", "Europe/Berlin"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(got, tx.GetUserProfile("u1"));
        p = got;
        return {};
    }));
    EXPECT_EQ(p.time_zone, "Europe/Berlin");
    EXPECT_EQ(Write([](Tx& tx) { return tx.SetUserTimeZone("nobody", "UTC"); }).error().kind, ErrorKind::kNotFound);
}

TEST_F(SqlitePeopleTablesTest, ContactMethodsAreUniquePerUserKindAndAddress) {
    ASSERT_TRUE(Write([&](Tx& tx) {
        return tx.InsertContactMethod(Method("m1", oncall::ContactKind::kSms, "+4915112345678"));
    }));
    ASSERT_TRUE(Write([&](Tx& tx) {
        return tx.InsertContactMethod(Method("m2", oncall::ContactKind::kVoice, "+4915112345678"));
    }));
    auto dup = Write([&](Tx& tx) {
        return tx.InsertContactMethod(Method("m3", oncall::ContactKind::kSms, "+4915112345678"));
    });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
    auto m = Method("m4", oncall::ContactKind::kEmail, "x@example.com");
    m.user_id = "ghost";
    auto unknown = Write([&](Tx& tx) { return tx.InsertContactMethod(m); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().field, "user_id");

    std::vector<oncall::ContactMethod> list;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListContactMethods("u1"));
        list = l;
        return {};
    }));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, "m1") << "oldest first";
    EXPECT_FALSE(list[0].verified);

    list[0].verified = true;
    list[0].label = "phone";
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateContactMethod(list[0]); }));
    std::optional<oncall::ContactMethod> got;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(g, tx.GetContactMethod("m1"));
        got = g;
        return {};
    }));
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->verified);
    EXPECT_EQ(got->label, "phone");
    EXPECT_EQ(got->kind, oncall::ContactKind::kSms);
}

TEST_F(SqlitePeopleTablesTest, VerificationCodeIsReplacedCountedAndDeletedWithItsMethod) {
    ASSERT_TRUE(Write([&](Tx& tx) {
        return tx.InsertContactMethod(Method("m1", oncall::ContactKind::kEmail, "a@example.com"));
    }));
    ContactVerification v{"m1", "hash1", clock_.Now(), clock_.Now() + 15min, 0};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.SaveContactVerification(v); }));
    int attempts = 0;
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.AddContactVerificationAttempt("m1"));
        TOCSIN_ASSIGN(n, tx.AddContactVerificationAttempt("m1"));
        attempts = n;
        return {};
    }));
    EXPECT_EQ(attempts, 2);
    v.code_hash = "hash2";
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.SaveContactVerification(v); }));
    std::optional<ContactVerification> got;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(g, tx.GetContactVerification("m1"));
        got = g;
        return {};
    }));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code_hash, "hash2");
    EXPECT_EQ(got->attempts, 0) << "a new code resets the count";
    EXPECT_EQ(got->expires_at, v.expires_at);

    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteContactMethod("m1"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(g, tx.GetContactVerification("m1"));
        got = g;
        return {};
    }));
    EXPECT_FALSE(got);
}

TEST_F(SqlitePeopleTablesTest, NotificationRulesOrderByUrgencyThenDelayAndFollowTheirMethod) {
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertContactMethod(Method("push", oncall::ContactKind::kNtfy, "https://ntfy.example/a")));
        return tx.InsertContactMethod(Method("sms", oncall::ContactKind::kSms, "+4915112345678"));
    }));
    auto rule = [](std::string id, std::string method, oncall::Urgency u, int delay) {
        return oncall::NotificationRule{std::move(id), "u1", std::move(method), u, std::chrono::minutes(delay)};
    };
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertNotificationRule(rule("r3", "sms", oncall::Urgency::kLow, 0)));
        TOCSIN_TRY(tx.InsertNotificationRule(rule("r2", "sms", oncall::Urgency::kHigh, 2)));
        return tx.InsertNotificationRule(rule("r1", "push", oncall::Urgency::kHigh, 0));
    }));
    auto dup = Write([&](Tx& tx) { return tx.InsertNotificationRule(rule("r4", "sms", oncall::Urgency::kHigh, 2)); });
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
    auto foreign = rule("r5", "sms", oncall::Urgency::kHigh, 5);
    foreign.user_id = "u2";
    EXPECT_EQ(Write([&](Tx& tx) { return tx.InsertNotificationRule(foreign); }).error().field, "contact_method_id");

    std::vector<std::string> order;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListNotificationRules("u1"));
        for (const auto& r : l) order.push_back(r.id);
        return {};
    }));
    EXPECT_EQ(order, (std::vector<std::string>{"r1", "r2", "r3"}));

    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteContactMethod("sms"); }));
    order.clear();
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListNotificationRules("u1"));
        for (const auto& r : l) order.push_back(r.id);
        return {};
    }));
    EXPECT_EQ(order, (std::vector<std::string>{"r1"}));
}

TEST_F(SqlitePeopleTablesTest, TeamsHaveUniqueNamesAndOrderedMembers) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertTeam(oncall::Team{"t1", "Payments", "money"}); }));
    EXPECT_EQ(
        Write([](Tx& tx) {
            return tx.InsertTeam(oncall::Team{"t2", "payments", ""});
        })
            .error()
            .kind,
        ErrorKind::kConflict
    );
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.SaveTeamMember(oncall::TeamMember{"t1", "u2", "member", 0}));
        TOCSIN_TRY(tx.SaveTeamMember(oncall::TeamMember{"t1", "u1", "manager", 1}));
        return tx.SaveTeamMember(oncall::TeamMember{"t1", "u2", "member", 2});  // moves u2 behind u1
    }));
    EXPECT_EQ(
        Write([](Tx& tx) {
            return tx.SaveTeamMember(oncall::TeamMember{"t1", "ghost", "member", 0});
        })
            .error()
            .field,
        "user_id"
    );
    EXPECT_EQ(
        Write([](Tx& tx) {
            return tx.SaveTeamMember(oncall::TeamMember{"tx", "u1", "member", 0});
        })
            .error()
            .kind,
        ErrorKind::kNotFound
    );
    std::vector<oncall::TeamMember> members;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListTeamMembers("t1"));
        members = l;
        return {};
    }));
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].user_id, "u1");
    EXPECT_EQ(members[0].role, "manager");
    EXPECT_EQ(members[1].user_id, "u2");

    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteUser("u2"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListTeamMembers("t1"));
        members = l;
        return {};
    }));
    EXPECT_EQ(members.size(), 1u) << "a deleted user leaves the team";
    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteTeam("t1"); }));
    EXPECT_EQ(Write([](Tx& tx) { return tx.DeleteTeam("t1"); }).error().kind, ErrorKind::kNotFound);
}

TEST_F(SqlitePeopleTablesTest, SingleRowReadsDoNotPinTheSnapshot) {
    // Another process (the CLI) writes through its own connection; this one must see it after
    // reading single rows, which leave their statements on a row unless they are reset.
    auto other = SqliteStore::Open(dir_.File("tocsin.db"), clock_);
    ASSERT_TRUE(other) << other.error().message;
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertContactMethod(Method("m1", oncall::ContactKind::kEmail, "a@example.com")));
        TOCSIN_TRY(tx.InsertTeam(oncall::Team{"t1", "One", ""}));
        TOCSIN_TRY(tx.SaveContactVerification(ContactVerification{"m1", "h", clock_.Now(), clock_.Now() + 1h, 0}));
        return tx.InsertNotificationRule(oncall::NotificationRule{"r1", "u1", "m1", oncall::Urgency::kHigh, {}});
    }));
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.GetUserProfile("u1"));
        TOCSIN_TRY(tx.GetContactMethod("m1"));
        TOCSIN_TRY(tx.GetContactVerification("m1"));
        TOCSIN_TRY(tx.GetNotificationRule("r1"));
        TOCSIN_TRY(tx.GetTeam("t1"));
        return {};
    }));
    ASSERT_TRUE((*other)->Write([](Tx& tx) { return tx.InsertTeam(oncall::Team{"t2", "Two", ""}); }));
    std::size_t teams = 0;
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListTeams());
        teams = l.size();
        return {};
    }));
    EXPECT_EQ(teams, 2u);
}

}  // namespace
}  // namespace tocsin::store::sqlite
