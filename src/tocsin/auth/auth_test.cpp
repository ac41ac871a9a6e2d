#include "tocsin/auth/auth.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::auth {
namespace {

using namespace std::chrono_literals;

class AuthTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
    }

    NewToken MustCreate(Role role, std::string name = "ci") {
        auto t = CreateToken(*store_, clock_, std::move(name), role);
        EXPECT_TRUE(t) << t.error().message;
        return t ? *t : NewToken{};
    }

    std::optional<Principal> MustAuthenticate(std::string_view header) {
        auto r = Authenticate(*store_, header);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : std::nullopt;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
};

TEST_F(AuthTest, CreatedTokenAuthenticatesWithItsRole) {
    auto t = MustCreate(Role::kResponder, "deploy bot");
    EXPECT_EQ(t.secret.size(), 68u);
    EXPECT_EQ(t.secret.substr(0, 4), "tcn_");
    EXPECT_EQ(t.secret.find_first_not_of("0123456789abcdef", 4), std::string::npos);
    EXPECT_EQ(t.token.role, "responder");
    EXPECT_EQ(t.token.name, "deploy bot");
    EXPECT_EQ(t.token.created_at, clock_.Now());

    auto who = MustAuthenticate("Bearer " + t.secret);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->token_id, t.token.id);
    EXPECT_EQ(who->name, "deploy bot");
    EXPECT_EQ(who->role, Role::kResponder);
}

TEST_F(AuthTest, EachTokenIsDifferent) {
    auto a = MustCreate(Role::kOwner);
    auto b = MustCreate(Role::kOwner);
    EXPECT_NE(a.secret, b.secret);
    EXPECT_NE(a.token.id, b.token.id);
    EXPECT_EQ(MustAuthenticate("Bearer " + a.secret)->token_id, a.token.id);
    EXPECT_EQ(MustAuthenticate("Bearer " + b.secret)->token_id, b.token.id);
}

TEST_F(AuthTest, StoresOnlyTheHashOfTheSecret) {
    auto t = MustCreate(Role::kOwner);
    std::optional<store::ApiToken> by_hash, by_secret;
    auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(h, tx.FindTokenByHash(HashToken(t.secret)));
        TOCSIN_ASSIGN(s, tx.FindTokenByHash(t.secret));
        by_hash = h;
        by_secret = s;
        return {};
    });
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(by_hash);
    EXPECT_EQ(by_hash->id, t.token.id);
    EXPECT_FALSE(by_secret);
    EXPECT_NE(HashToken(t.secret), t.secret);
    EXPECT_EQ(HashToken(t.secret), HashToken(t.secret));
    EXPECT_NE(HashToken(t.secret), HashToken(t.secret + "x"));
}

TEST_F(AuthTest, AcceptsTheBareSecretAndSurroundingSpaces) {
    auto t = MustCreate(Role::kStakeholder);
    struct Case {
        std::string_view name;
        std::string header;
    };
    const Case cases[] = {
        {"bearer", "Bearer " + t.secret},
        {"bare secret", t.secret},
        {"extra spaces after the scheme", "Bearer    " + t.secret},
        {"trailing spaces", "Bearer " + t.secret + "  "},
        {"lower-case scheme (schemes are case-insensitive, RFC 7235)", "bearer " + t.secret},
        {"upper-case scheme", "BEARER " + t.secret},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto who = MustAuthenticate(c.header);
        ASSERT_TRUE(who);
        EXPECT_EQ(who->token_id, t.token.id);
    }
}

TEST_F(AuthTest, RejectsMalformedOrUnknownHeaders) {
    auto t = MustCreate(Role::kOwner);
    std::string flipped = t.secret;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    struct Case {
        std::string_view name;
        std::string header;
    };
    const Case cases[] = {
        {"empty", ""},
        {"scheme only", "Bearer"},
        {"scheme and space", "Bearer "},
        {"another scheme", "Basic " + t.secret},
        {"token scheme of Statuspage", "OAuth " + t.secret},
        {"short secret", "Bearer tcn_abc"},
        {"secret without prefix", "Bearer " + t.secret.substr(4)},
        {"one digit changed", "Bearer " + flipped},
        {"one character more", "Bearer " + t.secret + "0"},
        {"one character less", "Bearer " + t.secret.substr(0, 67)},
        {"prefix in upper case", "Bearer TCN_" + t.secret.substr(4)},
        {"scheme glued to the secret", "Bearer" + t.secret},
        {"two secrets", "Bearer " + t.secret + " " + t.secret},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_FALSE(MustAuthenticate(c.header));
    }
}

TEST_F(AuthTest, RevokedTokenNoLongerAuthenticates) {
    auto keep = MustCreate(Role::kOwner, "keep");
    auto drop = MustCreate(Role::kOwner, "drop");
    clock_.Advance(1h);
    auto revoked = store_->Write([&](store::Tx& tx) { return tx.RevokeToken(drop.token.id, clock_.Now()); });
    ASSERT_TRUE(revoked) << revoked.error().message;

    EXPECT_FALSE(MustAuthenticate("Bearer " + drop.secret));
    EXPECT_TRUE(MustAuthenticate("Bearer " + keep.secret));

    std::vector<store::ApiToken> list;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(l, tx.ListTokens());
        list = l;
        return {};
    }));
    ASSERT_EQ(list.size(), 2u);
    for (const auto& tok : list) {
        if (tok.id == drop.token.id) {
            ASSERT_TRUE(tok.revoked_at);
            EXPECT_EQ(*tok.revoked_at, clock_.Now());
        } else {
            EXPECT_FALSE(tok.revoked_at);
        }
    }
    // A second revocation is reported, not silently accepted.
    auto again = store_->Write([&](store::Tx& tx) { return tx.RevokeToken(drop.token.id, clock_.Now()); });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, ErrorKind::kNotFound);
}

TEST_F(AuthTest, TokenNamesAreCheckedAndDefaulted) {
    auto unnamed = MustCreate(Role::kOwner, "");
    EXPECT_EQ(unnamed.token.name, "token");
    auto too_long = CreateToken(*store_, clock_, std::string(101, 'n'), Role::kOwner);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().field, "name");
}

TEST(Role, HigherRolesMayDoWhatLowerRolesMay) {
    struct Case {
        std::string_view name;
        Role have;
        Role need;
        bool allowed;
    };
    const Case cases[] = {
        {"owner/owner", Role::kOwner, Role::kOwner, true},
        {"owner/responder", Role::kOwner, Role::kResponder, true},
        {"owner/stakeholder", Role::kOwner, Role::kStakeholder, true},
        {"responder/owner", Role::kResponder, Role::kOwner, false},
        {"responder/responder", Role::kResponder, Role::kResponder, true},
        {"responder/stakeholder", Role::kResponder, Role::kStakeholder, true},
        {"stakeholder/owner", Role::kStakeholder, Role::kOwner, false},
        {"stakeholder/responder", Role::kStakeholder, Role::kResponder, false},
        {"stakeholder/stakeholder", Role::kStakeholder, Role::kStakeholder, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(Allows(c.have, c.need), c.allowed);
    }
}

TEST(Role, ParsesOnlyTheThreeNames) {
    struct Case {
        std::string_view name;
        std::string_view text;
        std::optional<Role> role;
    };
    const Case cases[] = {
        {"owner", "owner", Role::kOwner},
        {"responder", "responder", Role::kResponder},
        {"stakeholder", "stakeholder", Role::kStakeholder},
        {"capitalised", "Owner", std::nullopt},
        {"admin", "admin", std::nullopt},
        {"empty", "", std::nullopt},
        {"padded", " owner", std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ParseRole(c.text), c.role);
        if (c.role) {
            EXPECT_EQ(ToString(*c.role), c.text);
        }
    }
}

TEST(Password, HashesVerifyAndAreSalted) {
    ASSERT_TRUE(Init());
    auto a = HashPassword("correct horse battery");
    auto b = HashPassword("correct horse battery");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->rfind("$argon2id$", 0), 0u) << *a;
    EXPECT_EQ(a->find("correct horse"), std::string::npos);
    EXPECT_NE(*a, *b);  // a fresh salt every time
    EXPECT_TRUE(VerifyPassword(*a, "correct horse battery"));
    EXPECT_TRUE(VerifyPassword(*b, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*a, "correct horse battery "));
    EXPECT_FALSE(VerifyPassword(*a, "Correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*a, ""));
    EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery"));
}

TEST(Password, RejectsTooShortAndTooLong) {
    ASSERT_TRUE(Init());
    struct Case {
        std::string_view name;
        std::string password;
    };
    const Case cases[] = {
        {"empty", ""},
        {"nine characters", "123456789"},
        {"over 1024 characters", std::string(1025, 'p')},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = HashPassword(c.password);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, "password");
    }
}

TEST_F(AuthTest, CreateUserHashesThePasswordAndRefusesDuplicates) {
    auto u = CreateUser(*store_, clock_, "ops@example.com", "Ops", Role::kOwner, "a long enough secret");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->role, "owner");
    EXPECT_NE(u->password_hash, "a long enough secret");

    std::optional<store::User> found;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(f, tx.FindUserByEmail("ops@example.com"));
        found = f;
        return {};
    }));
    ASSERT_TRUE(found);
    EXPECT_TRUE(VerifyPassword(found->password_hash, "a long enough secret"));

    auto dup = CreateUser(*store_, clock_, "OPS@example.com", "Other", Role::kStakeholder, "another long secret");
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
}

TEST_F(AuthTest, CreateUserChecksTheEmail) {
    struct Case {
        std::string_view name;
        std::string email;
    };
    const Case cases[] = {
        {"no at sign", "ops.example.com"},
        {"nothing before the at sign", "@example.com"},
        {"nothing after the at sign", "ops@"},
        {"too long", std::string(250, 'a') + "@x.io"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = CreateUser(*store_, clock_, c.email, "x", Role::kOwner, "a long enough secret");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, "email");
    }
}

}  // namespace
}  // namespace tocsin::auth
