#include "tocsin/engine/heartbeat_expiry.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;

class HeartbeatExpiryTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        alerts::Service s;
        s.id = NewId();
        s.name = "Backups";
        s.created_at = s.updated_at = clock_.Now();
        alerts::IntegrationKey k;
        k.id = NewId();
        k.service_id = s.id;
        k.dialect = alerts::Dialect::kOpsgenie;
        k.prefix = "abc";
        k.created_at = clock_.Now();
        alerts::Heartbeat h;
        h.id = NewId();
        h.integration_key_id = k.id;
        h.name = "nightly";
        h.interval = 10;
        h.interval_unit = "minutes";
        h.enabled = true;
        h.created_at = h.updated_at = clock_.Now();
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(tx.InsertService(s));
            TOCSIN_TRY(tx.InsertIntegrationKey(k, "hash-" + k.id));
            return tx.InsertHeartbeat(h);
        });
        ASSERT_TRUE(r) << r.error().message;
        service_id_ = s.id;
        key_id_ = k.id;
    }

    alerts::Heartbeat Get() {
        alerts::Heartbeat out;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(h, tx.GetHeartbeat(key_id_, "nightly"));
            out = *h;
            return {};
        });
        EXPECT_TRUE(r);
        return out;
    }

    std::optional<alerts::Alert> ExpiryAlert() {
        std::optional<alerts::Alert> out;
        auto r = store_->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(a, tx.FindLatestAlert(service_id_, "heartbeat:nightly"));
            out = a;
            return {};
        });
        EXPECT_TRUE(r);
        return out;
    }

    test::TempDir dir_;
    test::FakeClock clock_{test::At("2030-01-01T00:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::string service_id_, key_id_;
};

TEST_F(HeartbeatExpiryTest, RaisesOneAlertOnlyAfterAFullInterval) {
    HeartbeatExpiry engine(*store_, 2s);
    clock_.Advance(9min + 59s);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_FALSE(Get().expired);
    EXPECT_FALSE(ExpiryAlert());

    clock_.Advance(1s);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_TRUE(Get().expired);
    auto a = ExpiryAlert();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->summary, "nightly is expired");
    EXPECT_TRUE(a->IsOpen());

    clock_.Advance(30min);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_EQ(engine.ExpiredCount(), 1u);
    EXPECT_EQ(ExpiryAlert()->count, 1);
}

TEST_F(HeartbeatExpiryTest, APingRestartsTheInterval) {
    HeartbeatExpiry engine(*store_, 2s);
    clock_.Advance(8min);
    auto h = Get();
    h.last_ping_at = clock_.Now();
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.UpdateHeartbeat(h); }));
    clock_.Advance(9min);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_FALSE(Get().expired);
    clock_.Advance(1min);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_TRUE(Get().expired);
}

TEST_F(HeartbeatExpiryTest, DisabledHeartbeatsNeverExpire) {
    auto h = Get();
    h.enabled = false;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.UpdateHeartbeat(h); }));
    HeartbeatExpiry engine(*store_, 2s);
    clock_.Advance(24h);
    ASSERT_TRUE(engine.RunOnce(clock_.Now()));
    EXPECT_FALSE(Get().expired);
    EXPECT_FALSE(ExpiryAlert());
}

}  // namespace
}  // namespace tocsin::engine
