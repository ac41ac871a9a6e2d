#include "tocsin/api/intake_auth.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

namespace tocsin::api {
namespace {

using namespace std::chrono_literals;
using alerts::Dialect;

TEST(IntakeAuth, FindsActiveKeysOfTheirDialectOnly) {
    ASSERT_TRUE(auth::Init());
    test::FakeClock clock;
    IntakeAuth a(clock);
    const auto secret = IntakeAuth::NewSecret();
    EXPECT_EQ(secret.size(), 32u);
    a.Put(IntakeAuth::HashSecret(secret), "k1", "svc", Dialect::kPagerDuty, "");
    auto k = a.Check(Dialect::kPagerDuty, secret);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->key_id, "k1");
    EXPECT_EQ(k->service_id, "svc");
    EXPECT_FALSE(k->rate_limited);
    EXPECT_FALSE(a.Check(Dialect::kOpsgenie, secret));
    EXPECT_FALSE(a.Check(Dialect::kPagerDuty, secret + "x"));
    EXPECT_FALSE(a.Check(Dialect::kPagerDuty, ""));
    a.Forget("k1");
    EXPECT_FALSE(a.Check(Dialect::kPagerDuty, secret));
}

TEST(IntakeAuth, GcraAllowsTheBurstThenTheSustainedRate) {
    ASSERT_TRUE(auth::Init());
    test::FakeClock clock;
    IntakeAuth a(clock, IntakeRateOptions{60, 10});  // one a second, bursts of 10
    a.Put(IntakeAuth::HashSecret("s"), "k", "svc", Dialect::kGeneric, "{}");
    int allowed = 0;
    for (int i = 0; i < 20; ++i) allowed += a.Check(Dialect::kGeneric, "s")->rate_limited ? 0 : 1;
    EXPECT_EQ(allowed, 10);
    auto limited = a.Check(Dialect::kGeneric, "s");
    EXPECT_TRUE(limited->rate_limited);
    EXPECT_GE(limited->retry_after, 1s);
    clock.Advance(1s);
    EXPECT_FALSE(a.Check(Dialect::kGeneric, "s")->rate_limited);
    EXPECT_TRUE(a.Check(Dialect::kGeneric, "s")->rate_limited);
    clock.Advance(10s);
    allowed = 0;
    for (int i = 0; i < 20; ++i) allowed += a.Check(Dialect::kGeneric, "s")->rate_limited ? 0 : 1;
    EXPECT_EQ(allowed, 10);
}

TEST(IntakeAuth, LoadReadsActiveKeysFromTheStore) {
    ASSERT_TRUE(auth::Init());
    test::TempDir dir;
    test::FakeClock clock;
    auto store = store::sqlite::SqliteStore::Open(dir.File("tocsin.db"), clock);
    ASSERT_TRUE(store) << store.error().message;
    alerts::Service s;
    s.id = "svc";
    s.name = "svc";
    alerts::IntegrationKey live{"live", "svc", "", Dialect::kAlertmanager, "abc", "{}", clock.Now(), {}, {}, {}};
    alerts::IntegrationKey gone{"gone", "svc", "", Dialect::kAlertmanager, "def", "{}", clock.Now(), {}, {}, {}};
    ASSERT_TRUE((*store)->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertService(s));
        TOCSIN_TRY(tx.InsertIntegrationKey(live, IntakeAuth::HashSecret("live-secret")));
        TOCSIN_TRY(tx.InsertIntegrationKey(gone, IntakeAuth::HashSecret("gone-secret")));
        return tx.RevokeIntegrationKey("gone", clock.Now());
    }));
    IntakeAuth a(clock);
    ASSERT_TRUE(a.Load(**store));
    EXPECT_TRUE(a.Check(Dialect::kAlertmanager, "live-secret"));
    EXPECT_FALSE(a.Check(Dialect::kAlertmanager, "gone-secret"));
}

}  // namespace
}  // namespace tocsin::api
