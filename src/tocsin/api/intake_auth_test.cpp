#include "tocsin/api/intake_auth.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <cctype>

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

// ---- Grafana's HMAC signature ------------------------------------------------------------------

TEST(GrafanaHmac, SignsTheBodyOrTimestampColonBodyAsLowercaseHex) {
    // RFC 4231 test case 2: HMAC-SHA256 of "what do ya want for nothing?" under "Jefe".
    EXPECT_EQ(
        grafana_hmac::Sign("Jefe", "", "what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // With a timestamp the signed string is "<timestamp>:<body>".
    EXPECT_EQ(
        grafana_hmac::Sign("Jefe", "what do ya want", " for nothing?"),
        grafana_hmac::Sign("Jefe", "", "what do ya want: for nothing?")
    );
}

TEST(GrafanaHmac, AcceptsOnlyAMatchingRecentSignature) {
    const TimePoint now = TimePoint(std::chrono::seconds(1'700'000'000));
    const std::string body = R"({"status":"firing"})";
    const std::string secret = "a-shared-secret-of-grafana";
    const std::string sig = grafana_hmac::Sign(secret, "", body);
    EXPECT_EQ(grafana_hmac::Problem(secret, body, "", sig, now), "");
    std::string upper = sig;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(grafana_hmac::Problem(secret, body, "", upper, now), "");
    EXPECT_NE(grafana_hmac::Problem(secret, body + " ", "", sig, now), "");      // another body
    EXPECT_NE(grafana_hmac::Problem(secret + "x", body, "", sig, now), "");      // another secret
    EXPECT_NE(grafana_hmac::Problem(secret, body, "", sig.substr(1), now), "");  // truncated
    EXPECT_NE(grafana_hmac::Problem(secret, body, "", "", now).find("missing"), std::string::npos);

    const std::string ts = "1700000100";  // 100 s ahead: within the skew
    const std::string tsig = grafana_hmac::Sign(secret, ts, body);
    EXPECT_EQ(grafana_hmac::Problem(secret, body, ts, tsig, now), "");
    EXPECT_NE(grafana_hmac::Problem(secret, body, "", tsig, now), "");            // timestamp header dropped
    EXPECT_NE(grafana_hmac::Problem(secret, body, "1700000101", tsig, now), "");  // timestamp changed
    const std::string old_ts = "1699999000";                                      // 1,000 s old: a replay
    EXPECT_NE(
        grafana_hmac::Problem(secret, body, old_ts, grafana_hmac::Sign(secret, old_ts, body), now).find("seconds"),
        std::string::npos
    );
    EXPECT_NE(grafana_hmac::Problem(secret, body, "soon", tsig, now).find("Unix seconds"), std::string::npos);
}

TEST(GrafanaHmac, TheKeyCarriesItsSecretFromTheStoredMapping) {
    ASSERT_TRUE(auth::Init());
    test::FakeClock clock;
    IntakeAuth a(clock);
    const auto signed_key = IntakeAuth::NewSecret();
    const auto plain_key = IntakeAuth::NewSecret();
    a.Put(
        IntakeAuth::HashSecret(signed_key), "g1", "svc", Dialect::kGrafana, R"({"signing_secret":"s3cr3t-s3cr3t-123"})"
    );
    a.Put(IntakeAuth::HashSecret(plain_key), "g2", "svc", Dialect::kGrafana, "{}");
    EXPECT_EQ(a.Check(Dialect::kGrafana, signed_key)->signing_secret, "s3cr3t-s3cr3t-123");
    EXPECT_EQ(a.Check(Dialect::kGrafana, plain_key)->signing_secret, "");
    EXPECT_EQ(grafana_hmac::SecretOf("not json"), "");
    EXPECT_EQ(grafana_hmac::SecretOf(R"({"signing_secret":5})"), "");
}

}  // namespace
}  // namespace tocsin::api
