// Users, sessions and incident templates in the SQLite store (schema 0005).
#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

namespace tocsin::store::sqlite {
namespace {

using namespace std::chrono_literals;
using test::At;

class SqliteSessionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(r) << r.error().message;
        store_ = std::move(*r);
    }

    void MustWrite(const std::function<Result<void>(Tx&)>& fn) {
        auto r = store_->Write(fn);
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
    }

    template <class F>
    auto MustRead(F&& f) {
        using T = typename std::invoke_result_t<F, Tx&>::value_type;
        T out{};
        auto r = store_->Read([&](Tx& tx) -> Result<void> {
            auto v = f(tx);
            if (!v) return v.error();
            out = std::move(*v);
            return {};
        });
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return out;
    }

    Error WriteError(const std::function<Result<void>(Tx&)>& fn) {
        auto r = store_->Write(fn);
        EXPECT_FALSE(r) << "expected an error";
        return r ? Error::Internal("no error") : r.error();
    }

    static User MakeUser(const std::string& id, const std::string& email, const std::string& role, TimePoint at) {
        User u;
        u.id = id;
        u.email = email;
        u.name = "Name " + id;
        u.role = role;
        u.password_hash = "$argon2id$stub-" + id;
        u.created_at = at;
        return u;
    }

    Session MakeSession(const std::string& hash, const std::string& user_id, TimePoint at) {
        return Session{hash, user_id, "csrf-" + hash, at, at, at + 7 * 24h, "Firefox", "192.0.2.1"};
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteSessionsTest, UsersKeepLanguageAndLastLogin) {
    auto u = MakeUser("u1", "ops@example.com", "owner", At("2026-02-01T00:00:00Z"));
    u.language = "de";
    MustWrite([&](Tx& tx) { return tx.InsertUser(u); });
    auto got = MustRead([](Tx& tx) { return tx.GetUser("u1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->language, "de");
    EXPECT_FALSE(got->last_login_at);

    MustWrite([](Tx& tx) { return tx.SetUserLastLogin("u1", At("2026-02-02T08:00:00Z")); });
    got = MustRead([](Tx& tx) { return tx.FindUserByEmail("OPS@example.com"); });
    ASSERT_TRUE(got && got->last_login_at);
    EXPECT_EQ(FormatIso8601(*got->last_login_at), "2026-02-02T08:00:00.000Z");
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.GetUser("nobody"); }));
}

TEST_F(SqliteSessionsTest, UsersAreListedCountedUpdatedAndDeleted) {
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertUser(MakeUser("u2", "b@example.com", "responder", At("2026-02-02T00:00:00Z"))));
        TOCSIN_TRY(tx.InsertUser(MakeUser("u1", "a@example.com", "owner", At("2026-02-01T00:00:00Z"))));
        return tx.InsertUser(MakeUser("u3", "c@example.com", "owner", At("2026-02-03T00:00:00Z")));
    });
    auto list = MustRead([](Tx& tx) { return tx.ListUsers(); });
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].id, "u1") << "oldest first";
    EXPECT_EQ(list[2].id, "u3");
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.CountUsers(""); }), 3);
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.CountUsers("owner"); }), 2);
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.CountUsers("stakeholder"); }), 0);

    auto u = list[1];
    u.name = "Bea";
    u.role = "stakeholder";
    u.language = "de";
    u.password_hash = "$argon2id$new";
    u.email = "changed@example.com";  // not updatable
    MustWrite([&](Tx& tx) { return tx.UpdateUser(u); });
    auto got = MustRead([](Tx& tx) { return tx.GetUser("u2"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->name, "Bea");
    EXPECT_EQ(got->role, "stakeholder");
    EXPECT_EQ(got->language, "de");
    EXPECT_EQ(got->password_hash, "$argon2id$new");
    EXPECT_EQ(got->email, "b@example.com");

    u.id = "nobody";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateUser(u); }).kind, ErrorKind::kNotFound);
    MustWrite([](Tx& tx) { return tx.DeleteUser("u2"); });
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteUser("u2"); }).kind, ErrorKind::kNotFound);
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.CountUsers(""); }), 2);
}

TEST_F(SqliteSessionsTest, SessionsRoundTripAndGoWithTheirUser) {
    const TimePoint t0 = At("2026-03-01T10:00:00Z");
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertUser(MakeUser("u1", "a@example.com", "owner", t0)));
        TOCSIN_TRY(tx.InsertUser(MakeUser("u2", "b@example.com", "responder", t0)));
        TOCSIN_TRY(tx.InsertSession(MakeSession("h1", "u1", t0)));
        TOCSIN_TRY(tx.InsertSession(MakeSession("h2", "u1", t0)));
        return tx.InsertSession(MakeSession("h3", "u2", t0));
    });
    auto s = MustRead([](Tx& tx) { return tx.FindSessionByHash("h1"); });
    ASSERT_TRUE(s);
    EXPECT_EQ(s->user_id, "u1");
    EXPECT_EQ(s->csrf_token, "csrf-h1");
    EXPECT_EQ(s->user_agent, "Firefox");
    EXPECT_EQ(s->client_address, "192.0.2.1");
    EXPECT_EQ(s->expires_at, t0 + 7 * 24h);
    EXPECT_EQ(
        WriteError([&](Tx& tx) { return tx.InsertSession(MakeSession("h1", "u2", t0)); }).kind, ErrorKind::kConflict
    );

    MustWrite([&](Tx& tx) { return tx.TouchSession("h1", t0 + 5min); });
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.FindSessionByHash("h1"); })->last_seen_at, t0 + 5min);
    MustWrite([&](Tx& tx) { return tx.TouchSession("gone", t0 + 5min); });  // not an error

    // All of u1's sessions but the one kept.
    EXPECT_EQ(MustRead([](Tx& tx) { return tx.DeleteUserSessions("u1", "h1"); }), 1);
    EXPECT_TRUE(MustRead([](Tx& tx) { return tx.FindSessionByHash("h1"); }));
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindSessionByHash("h2"); }));

    EXPECT_TRUE(MustRead([](Tx& tx) { return tx.DeleteSession("h1"); }));
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.DeleteSession("h1"); }));

    // Deleting a user deletes their sessions (foreign key).
    MustWrite([](Tx& tx) { return tx.DeleteUser("u2"); });
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindSessionByHash("h3"); }));
    // A session needs an existing user.
    EXPECT_EQ(
        WriteError([&](Tx& tx) { return tx.InsertSession(MakeSession("h9", "nobody", t0)); }).kind, ErrorKind::kConflict
    );
}

TEST_F(SqliteSessionsTest, ExpiredAndIdleSessionsAreDeleted) {
    const TimePoint t0 = At("2026-03-01T10:00:00Z");
    MustWrite([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertUser(MakeUser("u1", "a@example.com", "owner", t0)));
        auto fresh = MakeSession("fresh", "u1", t0);
        auto idle = MakeSession("idle", "u1", t0 - 13h);
        idle.expires_at = t0 + 24h;
        auto old = MakeSession("old", "u1", t0 - 8 * 24h);
        old.last_seen_at = t0;
        old.expires_at = t0;  // ends exactly now
        TOCSIN_TRY(tx.InsertSession(fresh));
        TOCSIN_TRY(tx.InsertSession(idle));
        return tx.InsertSession(old);
    });
    EXPECT_EQ(MustRead([&](Tx& tx) { return tx.DeleteExpiredSessions(t0, t0 - 12h); }), 2);
    EXPECT_TRUE(MustRead([](Tx& tx) { return tx.FindSessionByHash("fresh"); }));
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindSessionByHash("idle"); }));
    EXPECT_FALSE(MustRead([](Tx& tx) { return tx.FindSessionByHash("old"); }));
}

TEST_F(SqliteSessionsTest, TemplatesRoundTripWithUniqueNamesPerKind) {
    IncidentTemplate t;
    t.id = "t1";
    t.kind = domain::IncidentKind::kMaintenance;
    t.name = "DB upgrade";
    t.title = "Database upgrade";
    t.status = domain::IncidentStatus::kScheduled;
    t.body = "We **upgrade** the database.";
    t.created_at = t.updated_at = At("2026-03-01T10:00:00Z");
    MustWrite([&](Tx& tx) { return tx.InsertTemplate(t); });
    auto got = MustRead([](Tx& tx) { return tx.GetTemplate("t1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->kind, domain::IncidentKind::kMaintenance);
    EXPECT_EQ(got->name, "DB upgrade");
    EXPECT_EQ(got->title, "Database upgrade");
    EXPECT_EQ(got->status, domain::IncidentStatus::kScheduled);
    EXPECT_EQ(got->body, t.body);
    EXPECT_EQ(got->created_at, t.created_at);

    auto twin = t;
    twin.id = "t2";
    twin.name = "db UPGRADE";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.InsertTemplate(twin); }).kind, ErrorKind::kConflict);
    twin.kind = domain::IncidentKind::kIncident;  // the same name for the other kind is fine
    twin.status = domain::IncidentStatus::kInvestigating;
    MustWrite([&](Tx& tx) { return tx.InsertTemplate(twin); });

    auto list = MustRead([](Tx& tx) { return tx.ListTemplates(); });
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].id, "t2") << "incident before maintenance";

    t.title = "New title";
    t.updated_at = At("2026-03-02T10:00:00Z");
    MustWrite([&](Tx& tx) { return tx.UpdateTemplate(t); });
    got = MustRead([](Tx& tx) { return tx.GetTemplate("t1"); });
    EXPECT_EQ(got->title, "New title");
    EXPECT_EQ(got->updated_at, At("2026-03-02T10:00:00Z"));
    EXPECT_EQ(got->created_at, At("2026-03-01T10:00:00Z"));

    twin.kind = domain::IncidentKind::kMaintenance;  // now clashes with t1's name
    twin.status = domain::IncidentStatus::kScheduled;
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateTemplate(twin); }).kind, ErrorKind::kConflict);
    auto ghost = t;
    ghost.id = "nope";
    ghost.name = "Other";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateTemplate(ghost); }).kind, ErrorKind::kNotFound);
    MustWrite([](Tx& tx) { return tx.DeleteTemplate("t1"); });
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteTemplate("t1"); }).kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace tocsin::store::sqlite
