#include "test/support/fake_clock.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

namespace tocsin::store::sqlite {
namespace {

using namespace std::chrono_literals;

class SqliteScheduleTablesTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        for (const char* id : {"u1", "u2"}) {
            User u;
            u.id = id;
            u.email = std::string(id) + "@example.com";
            u.name = id;
            u.role = "responder";
            u.created_at = clock_.Now();
            ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertUser(u); }));
        }
    }

    oncall::Schedule MakeSchedule(std::string id, std::string name) {
        oncall::Schedule s;
        s.id = std::move(id);
        s.name = std::move(name);
        s.description = "primary";
        s.time_zone = "Europe/Berlin";
        oncall::Layer weekly;
        weekly.name = "weekly";
        weekly.start = clock_.Now();
        weekly.user_ids = {"u1", "u2"};
        weekly.handoff_minute = 10 * 60;
        weekly.handoff_weekday = 2;
        oncall::Layer nights;
        nights.name = "nights";
        nights.kind = oncall::Layer::Kind::kCustom;
        nights.turn_length = 12h;
        nights.start = clock_.Now() + 1h;
        nights.end = clock_.Now() + 100h;
        nights.user_ids = {"u2"};
        nights.restrictions = {{-1, 22 * 60, -1, 6 * 60}, {4, 18 * 60, 0, 8 * 60}};
        s.layers = {weekly, nights};
        return s;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteScheduleTablesTest, SchedulesRoundTripWithLayersAndOverrides) {
    auto s = MakeSchedule("s1", "Primary");
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertSchedule(s); }));
    auto dup = store_->Write([&](Tx& tx) { return tx.InsertSchedule(MakeSchedule("s2", "PRIMARY")); });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);

    oncall::Override o1{"o1", "u2", clock_.Now() + 1h, clock_.Now() + 2h};
    oncall::Override o2{"o2", "u1", clock_.Now(), clock_.Now() + 3h};
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.InsertScheduleOverride("s1", o1));
        return tx.InsertScheduleOverride("s1", o2);
    }));
    auto bad_user = store_->Write([&](Tx& tx) {
        return tx.InsertScheduleOverride("s1", oncall::Override{"o3", "nobody", clock_.Now(), clock_.Now() + 1h});
    });
    ASSERT_FALSE(bad_user);
    EXPECT_EQ(bad_user.error().field, "user_id");
    auto bad_schedule = store_->Write([&](Tx& tx) { return tx.InsertScheduleOverride("nope", o1); });
    ASSERT_FALSE(bad_schedule);
    EXPECT_EQ(bad_schedule.error().kind, ErrorKind::kNotFound);

    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(got, tx.GetSchedule("s1"));
        EXPECT_TRUE(got.has_value());
        if (!got) return {};
        EXPECT_EQ(got->name, "Primary");
        EXPECT_EQ(got->time_zone, "Europe/Berlin");
        EXPECT_EQ(got->layers.size(), 2u);
        const auto& n = got->layers.at(1);
        EXPECT_EQ(n.kind, oncall::Layer::Kind::kCustom);
        EXPECT_EQ(n.turn_length, 12h);
        EXPECT_EQ(n.end, clock_.Now() + 100h);
        EXPECT_EQ(n.restrictions.size(), 2u);
        EXPECT_EQ(n.restrictions.at(1).end_weekday, 0);
        EXPECT_EQ(n.restrictions.at(1).start_minute, 18 * 60);
        EXPECT_EQ(got->layers.at(0).handoff_weekday, 2);
        EXPECT_EQ(got->layers.at(0).user_ids, (std::vector<std::string>{"u1", "u2"}));
        EXPECT_FALSE(got->layers.at(0).end.has_value());
        EXPECT_EQ(got->overrides.size(), 2u);  // oldest first: o1 then o2
        if (got->overrides.size() == 2) {
            EXPECT_EQ(got->overrides[0].id, "o1");
            EXPECT_EQ(got->overrides[1].id, "o2");
        }
        // The newest override wins where they overlap.
        EXPECT_EQ(oncall::OnCallAt(*got, clock_.Now() + 90min), std::vector<std::string>{"u1"});
        TOCSIN_ASSIGN(list, tx.ListSchedules());
        EXPECT_EQ(list.size(), 1u);
        TOCSIN_ASSIGN(none, tx.GetSchedule("nope"));
        EXPECT_FALSE(none.has_value());
        return {};
    }));

    s.name = "Renamed";
    s.layers.pop_back();
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.UpdateSchedule(s); }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.DeleteScheduleOverride("s1", "o2"); }));
    EXPECT_FALSE(store_->Write([&](Tx& tx) { return tx.DeleteScheduleOverride("s1", "o2"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(got, tx.GetSchedule("s1"));
        EXPECT_EQ(got->name, "Renamed");
        EXPECT_EQ(got->layers.size(), 1u);
        EXPECT_EQ(got->overrides.size(), 1u);
        return {};
    }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.DeleteSchedule("s1"); }));
    auto gone = store_->Write([&](Tx& tx) { return tx.DeleteSchedule("s1"); });
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
}

TEST_F(SqliteScheduleTablesTest, FeedTokensAreReplacedOnRotation) {
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.InsertSchedule(MakeSchedule("s1", "Primary")); }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.SetICalFeedToken("schedule", "s1", "hash-a"));
        return tx.SetICalFeedToken("user", "u1", "hash-u");
    }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.SetICalFeedToken("schedule", "s1", "hash-b"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(old, tx.FindICalFeed("hash-a"));
        EXPECT_FALSE(old.has_value());
        TOCSIN_ASSIGN(now, tx.FindICalFeed("hash-b"));
        EXPECT_TRUE(now.has_value());
        if (now) {
            EXPECT_EQ(now->kind, "schedule");
            EXPECT_EQ(now->subject_id, "s1");
        }
        TOCSIN_ASSIGN(user, tx.FindICalFeed("hash-u"));
        EXPECT_TRUE(user.has_value());
        return {};
    }));
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.DeleteSchedule("s1"); }));
    ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(gone, tx.FindICalFeed("hash-b"));
        EXPECT_FALSE(gone.has_value());
        return {};
    }));
}

}  // namespace
}  // namespace tocsin::store::sqlite
