// Sessions (create, resolve, idle and absolute expiry, the once-a-minute touch), the sign-in
// failure limits and the password check, with a fake clock and a real SQLite store.
#include "tocsin/auth/session.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::auth {
namespace {

using namespace std::chrono_literals;

class SessionTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(Init());
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        options_.idle_timeout = 12h;
        options_.lifetime = 7 * 24h;
        sessions_ = std::make_unique<Sessions>(*store_, clock_, options_);
        auto u = CreateUser(*store_, clock_, "olga@example.com", "Olga", Role::kOwner, "correct horse battery");
        ASSERT_TRUE(u) << u.error().message;
        user_ = *u;
    }

    NewSession MustCreate() {
        auto s = sessions_->Create(user_, "Firefox/140", "192.0.2.7");
        EXPECT_TRUE(s) << s.error().message;
        return s ? *s : NewSession{};
    }

    std::optional<SignedIn> Resolve(const std::string& secret) {
        auto r = sessions_->Resolve(secret);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : std::nullopt;
    }

    std::optional<store::Session> Stored(const std::string& hash) {
        std::optional<store::Session> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(s, tx.FindSessionByHash(hash));
            out = std::move(s);
            return {};
        }));
        return out;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    SessionOptions options_;
    std::unique_ptr<Sessions> sessions_;
    store::User user_;
};

TEST_F(SessionTest, ANewSessionResolvesToItsUserAndStoresOnlyAHash) {
    auto s = MustCreate();
    EXPECT_EQ(s.secret.size(), 64u);
    EXPECT_EQ(s.secret.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(s.session.csrf_token.size(), 64u);
    EXPECT_NE(s.session.csrf_token, s.secret);
    EXPECT_NE(s.session.secret_hash, s.secret);
    EXPECT_EQ(s.session.expires_at, clock_.Now() + 7 * 24h);

    auto who = Resolve(s.secret);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->user.id, user_.id);
    EXPECT_EQ(who->user.email, "olga@example.com");
    EXPECT_EQ(who->session.csrf_token, s.session.csrf_token);
    EXPECT_EQ(who->session.user_agent, "Firefox/140");
    EXPECT_EQ(who->session.client_address, "192.0.2.7");
    ASSERT_TRUE(who->user.last_login_at);
    EXPECT_EQ(*who->user.last_login_at, clock_.Now());

    // A second sign-in is another session with other secrets.
    auto other = MustCreate();
    EXPECT_NE(other.secret, s.secret);
    EXPECT_NE(other.session.csrf_token, s.session.csrf_token);
}

TEST_F(SessionTest, MalformedAndUnknownSecretsResolveToNothing) {
    MustCreate();
    for (const std::string& bad : std::vector<std::string>{
             "",
             "abc",
             std::string(64, 'g'),
             std::string(64, '0'),
             std::string(65, 'a'),
             "tcn_" + std::string(64, '0')}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(Resolve(bad));
    }
}

TEST_F(SessionTest, AnIdleSessionEndsAfterTheIdleTimeout) {
    auto s = MustCreate();
    clock_.Advance(12h - 1ms);
    EXPECT_TRUE(Resolve(s.secret)) << "just inside the idle timeout";
    // That use moved last_seen; another almost-12 hours are fine again.
    clock_.Advance(12h - 1ms);
    EXPECT_TRUE(Resolve(s.secret));
    clock_.Advance(12h);
    EXPECT_FALSE(Resolve(s.secret));
    EXPECT_FALSE(Stored(s.session.secret_hash)) << "an ended session is deleted";
}

TEST_F(SessionTest, ABusySessionEndsAtItsLifetime) {
    auto s = MustCreate();
    for (int i = 0; i < 7 * 4 - 1; ++i) {
        clock_.Advance(6h);
        ASSERT_TRUE(Resolve(s.secret)) << "after " << (i + 1) * 6 << " hours";
    }
    clock_.Advance(6h);  // exactly seven days
    EXPECT_FALSE(Resolve(s.secret));
}

TEST_F(SessionTest, LastSeenIsWrittenAtMostOnceAMinute) {
    auto s = MustCreate();
    const TimePoint start = clock_.Now();
    clock_.Advance(30s);
    ASSERT_TRUE(Resolve(s.secret));
    EXPECT_EQ(Stored(s.session.secret_hash)->last_seen_at, start) << "30 s later: not written";
    clock_.Advance(29s);
    ASSERT_TRUE(Resolve(s.secret));
    EXPECT_EQ(Stored(s.session.secret_hash)->last_seen_at, start);
    clock_.Advance(1s);
    ASSERT_TRUE(Resolve(s.secret));
    EXPECT_EQ(Stored(s.session.secret_hash)->last_seen_at, start + 60s) << "a minute later: written";
    clock_.Advance(10s);
    ASSERT_TRUE(Resolve(s.secret));
    EXPECT_EQ(Stored(s.session.secret_hash)->last_seen_at, start + 60s);
}

TEST_F(SessionTest, EndDeletesTheSession) {
    auto s = MustCreate();
    auto other = MustCreate();
    auto ended = sessions_->End(s.secret);
    ASSERT_TRUE(ended);
    EXPECT_TRUE(*ended);
    EXPECT_FALSE(Resolve(s.secret));
    EXPECT_TRUE(Resolve(other.secret));
    EXPECT_FALSE(*sessions_->End(s.secret));
    EXPECT_FALSE(*sessions_->End("not a secret"));
}

TEST_F(SessionTest, ADeletedUsersSessionsEnd) {
    auto s = MustCreate();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.DeleteUser(user_.id); }));
    EXPECT_FALSE(Resolve(s.secret));
}

TEST_F(SessionTest, CookiesCarryTheAttributes) {
    EXPECT_EQ(sessions_->Cookie("abc", false), "tocsin_session=abc; Max-Age=604800; Path=/; HttpOnly; SameSite=Strict");
    EXPECT_EQ(
        sessions_->Cookie("abc", true), "tocsin_session=abc; Max-Age=604800; Path=/; HttpOnly; SameSite=Strict; Secure"
    );
    EXPECT_EQ(Sessions::ClearingCookie(false), "tocsin_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict");
}

TEST_F(SessionTest, CreatingASessionPrunesExpiredOnes) {
    auto old = MustCreate();
    clock_.Advance(13h);
    MustCreate();
    EXPECT_FALSE(Stored(old.session.secret_hash));
}

// ---- options ---------------------------------------------------------------------------------

TEST(SessionOptions, ValidateNamesTheKey) {
    SessionOptions o;
    EXPECT_TRUE(o.Validate());
    o.idle_timeout = 30s;
    EXPECT_EQ(o.Validate().error().field, "admin.session_idle");
    o.idle_timeout = 8 * 24h;
    EXPECT_EQ(o.Validate().error().field, "admin.session_idle") << "longer than the lifetime";
    o = {};
    o.lifetime = 400 * 24h;
    EXPECT_EQ(o.Validate().error().field, "admin.session_lifetime");
    EXPECT_EQ(ParseSecureCookie("always"), SecureCookie::kAlways);
    EXPECT_EQ(ParseSecureCookie("auto"), SecureCookie::kAuto);
    EXPECT_EQ(ParseSecureCookie("never"), SecureCookie::kNever);
    EXPECT_FALSE(ParseSecureCookie("yes"));
}

// ---- failure limits --------------------------------------------------------------------------

TEST(FailureCounter, RefusesAfterTheLimitUntilTheWindowEnds) {
    test::FakeClock clock;
    FailureCounter c(3, 15min, 100);
    const TimePoint t0 = clock.Now();
    EXPECT_EQ(c.Wait("k", t0).count(), 0);
    c.Fail("k", t0);
    c.Fail("k", t0 + 1min);
    EXPECT_EQ(c.Wait("k", t0 + 1min).count(), 0) << "two of three";
    c.Fail("k", t0 + 2min);
    EXPECT_EQ(c.Wait("k", t0 + 2min), std::chrono::seconds(13 * 60)) << "until 15 min after the first failure";
    EXPECT_EQ(c.Wait("k", t0 + 15min - 500ms), std::chrono::seconds(1)) << "rounded up";
    EXPECT_EQ(c.Wait("k", t0 + 15min).count(), 0);
    EXPECT_EQ(c.Wait("other", t0 + 2min).count(), 0);
    // A failure after the window starts a new count.
    c.Fail("k", t0 + 16min);
    EXPECT_EQ(c.Wait("k", t0 + 16min).count(), 0);
    c.Clear("k");
    EXPECT_EQ(c.Size(), 0u);
}

TEST(FailureCounter, MemoryIsBounded) {
    test::FakeClock clock;
    FailureCounter c(1, 15min, 50);
    for (int i = 0; i < 1000; ++i) c.Fail("key" + std::to_string(i), clock.Now());
    EXPECT_EQ(c.Size(), 50u);
    EXPECT_GT(c.Wait("key999", clock.Now()).count(), 0) << "the newest keys are kept";
    EXPECT_EQ(c.Wait("key0", clock.Now()).count(), 0) << "the least recently used went";
}

TEST(LoginLimiter, LimitsPerEmailIgnoringCaseAndPerClient) {
    test::FakeClock clock;
    LoginLimiter l(2, 3, 15min, 100);
    const TimePoint now = clock.Now();
    l.Failed("Olga@Example.com", "192.0.2.1", now);
    l.Failed("olga@example.com", "192.0.2.2", now);
    EXPECT_GT(l.Wait("OLGA@example.com", "192.0.2.9", now).count(), 0) << "the e-mail, from anywhere";
    EXPECT_EQ(l.Wait("rita@example.com", "192.0.2.1", now).count(), 0);
    l.Failed("a@example.com", "198.51.100.1", now);
    l.Failed("b@example.com", "198.51.100.1", now);
    l.Failed("c@example.com", "198.51.100.1", now);
    EXPECT_GT(l.Wait("d@example.com", "198.51.100.1", now).count(), 0) << "the client, for any e-mail";
    l.Succeeded("a@example.com");
    EXPECT_GT(l.Wait("a@example.com", "198.51.100.1", now).count(), 0) << "success does not clear the client";
}

// ---- password sign-in ------------------------------------------------------------------------

TEST_F(SessionTest, PasswordLoginChecksPasswordsAndCountsFailures) {
    options_.failures_per_email = 3;
    PasswordLogin login(*store_, clock_, options_);
    auto ok = login.Attempt("OLGA@example.com", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(ok) << ok.error().message;
    ASSERT_TRUE(ok->user);
    EXPECT_EQ(ok->user->id, user_.id);

    auto wrong = login.Attempt("olga@example.com", "wrong horse battery", "192.0.2.1");
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(wrong->user);
    EXPECT_EQ(wrong->retry_after.count(), 0);
    auto unknown = login.Attempt("nobody@example.com", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(unknown->user);
    EXPECT_EQ(unknown->retry_after.count(), 0);

    (void)login.Attempt("olga@example.com", "wrong again", "192.0.2.1");
    (void)login.Attempt("olga@example.com", "and again", "192.0.2.1");
    auto limited = login.Attempt("olga@example.com", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(limited);
    EXPECT_FALSE(limited->user) << "refused before the password is checked";
    EXPECT_GT(limited->retry_after.count(), 0);
    clock_.Advance(15min);
    auto later = login.Attempt("olga@example.com", "correct horse battery", "192.0.2.1");
    ASSERT_TRUE(later);
    EXPECT_TRUE(later->user);
}

TEST_F(SessionTest, UnknownEmailCostsAPasswordCheckToo) {
    // An unknown e-mail runs an argon2id verify against a dummy hash, so it takes about as long
    // as a wrong password. Both are dominated by argon2id (tens of milliseconds); a quarter
    // leaves room for noise while still failing if the unknown path skipped the check.
    PasswordLogin login(*store_, clock_, options_);
    (void)login.Attempt("warm-up@example.com", "x", "c0");  // makes the dummy hash once
    // The fastest of three tries of each: a pause of the test thread only makes a try slower.
    auto fastest = [&](const std::string& email, const std::string& client) {
        auto best = std::chrono::steady_clock::duration::max();
        for (int i = 0; i < 3; ++i) {
            auto start = std::chrono::steady_clock::now();
            (void)login.Attempt(email, "not the password", client + std::to_string(i));
            best = std::min(best, std::chrono::steady_clock::now() - start);
        }
        return best;
    };
    auto known = fastest("olga@example.com", "c1-");
    auto unknown = fastest("nobody@example.com", "c2-");
    EXPECT_GT(unknown, known / 4);
}

}  // namespace
}  // namespace tocsin::auth
