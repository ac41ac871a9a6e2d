#include "tocsin/engine/notification_dispatcher.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/service/incident_ops.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace tocsin::engine {
namespace {

using namespace std::chrono_literals;
using domain::Channel;
using domain::ComponentStatus;

// A port on 127.0.0.1 that refuses connections: bound, never listened on.
class RefusedPort {
public:
    RefusedPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~RefusedPort() { ::close(fd_); }
    RefusedPort(const RefusedPort&) = delete;
    RefusedPort& operator=(const RefusedPort&) = delete;
    [[nodiscard]] int Port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

class NotificationDispatcherTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_GE(sodium_init(), 0);
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        auto t = notify::Templates::Load("");
        ASSERT_TRUE(t) << t.error().message;
        templates_ = *t;
        api_ = AddComponent("API");
        web_ = AddComponent("Website");
        hook_ = "http://127.0.0.1:" + std::to_string(refused_.Port()) + "/hook";
    }

    void TearDown() override {
        // Outcomes of abandoned sends go to the dispatcher: stop the transport while it lives.
        transport_.Stop();
    }

    NotificationDispatcher& Dispatcher(std::function<void(NotificationDispatcher::Settings&)> tweak = {}) {
        NotificationDispatcher::Settings s;
        s.delivery.fanout_batch = 10;
        s.delivery.max_attempts = 3;
        s.delivery.retry_base = 10s;
        s.delivery.retry_max = 60s;
        s.fallback_url = "http://status.test";
        if (tweak) tweak(s);
        dispatcher_ = std::make_unique<NotificationDispatcher>(
            *store_, transport_, templates_, notify::LinkSigner(notify::LinkSigner::NewKey()), s, metrics_
        );
        return *dispatcher_;
    }

    std::string AddComponent(std::string name) { return test::AddComponent(*store_, clock_.Now(), std::move(name)); }

    domain::Subscriber AddSubscriber(Channel channel, std::vector<std::string> components = {}, bool confirmed = true) {
        domain::Subscriber s;
        s.id = NewId();
        s.channel = channel;
        s.target = channel == Channel::kEmail ? s.id + "@customer.test" : hook_ + "/" + s.id;
        s.component_ids = std::move(components);
        if (confirmed) s.confirmed_at = clock_.Now();
        s.created_at = clock_.Now();
        EXPECT_TRUE(store_->Write([&](store::Tx& tx) { return tx.InsertSubscriber(s); }));
        return s;
    }

    domain::Incident Open(
        const std::string& component, ComponentStatus status, bool deliver = true, bool automated = false
    ) {
        domain::Incident out;
        service::IncidentInput in;
        in.name = "Outage";
        in.automated = automated;
        in.first_update.body = "Looking into it.";
        in.first_update.deliver_notifications = deliver;
        in.first_update.components = {{component, status}};
        EXPECT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(inc, service::CreateIncident(tx, in, clock_.Now()));
            out = inc;
            return {};
        }));
        return out;
    }

    std::vector<store::Delivery> Deliveries(std::optional<store::DeliveryState> state = {}) {
        std::vector<store::Delivery> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            store::DeliveryFilter f;
            f.state = state;
            f.limit = 1000;
            TOCSIN_ASSIGN(list, tx.ListDeliveries(f));
            out = std::move(list);
            return {};
        }));
        return out;
    }

    void Round() {
        auto r = dispatcher_->RunOnce(clock_.Now());
        ASSERT_TRUE(r) << r.error().message;
    }

    // Runs rounds (real time passes for the transport) until `done` or 10 s.
    bool RoundsUntil(const std::function<bool()>& done) {
        for (int i = 0; i < 500; ++i) {
            Round();
            if (done()) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    test::TempDir dir_;
    test::FakeClock clock_;
    MetricsRegistry metrics_;
    std::unique_ptr<store::Store> store_;
    std::shared_ptr<const notify::Templates> templates_;
    RefusedPort refused_;
    std::string hook_;
    std::string api_;
    std::string web_;
    notify::Transport transport_{notify::TransportOptions{}};
    std::unique_ptr<NotificationDispatcher> dispatcher_;
};

TEST_F(NotificationDispatcherTest, FansOutToConfirmedSubscribersWhoseComponentsAreTouched) {
    std::vector<std::string> expected;
    for (int i = 0; i < 25; ++i) expected.push_back(AddSubscriber(Channel::kWebhook).id);
    expected.push_back(AddSubscriber(Channel::kWebhook, {api_}).id);
    AddSubscriber(Channel::kWebhook, {web_});                   // another component
    AddSubscriber(Channel::kWebhook, {}, /*confirmed=*/false);  // not confirmed yet
    Dispatcher();
    Open(api_, ComponentStatus::kMajorOutage);
    Round();  // batches of 10: one round writes all of them within its time budget

    auto rows = Deliveries();
    std::vector<std::string> got;
    for (const auto& d : rows) got.push_back(d.subscriber_id);
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(got, expected);
    bool dispatched = false;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(left, tx.ListUndispatchedOutbox(10));
        dispatched = left.empty();
        return {};
    }));
    EXPECT_TRUE(dispatched);
    // Every delivery has its own key, derived from the update and the subscriber.
    std::set<std::string> keys;
    for (const auto& d : rows) keys.insert(d.idempotency_key);
    EXPECT_EQ(keys.size(), rows.size());
}

TEST_F(NotificationDispatcherTest, FanOutResumesAfterTheStoredCursorAndNeverWritesARowTwice) {
    std::vector<domain::Subscriber> subs;
    for (int i = 0; i < 30; ++i) subs.push_back(AddSubscriber(Channel::kWebhook));
    std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    Dispatcher();
    Open(api_, ComponentStatus::kMajorOutage);
    // As if a first run had committed the first 10 rows and their cursor, then crashed.
    std::int64_t seq = 0;
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(rows, tx.ListUndispatchedOutbox(10));
        seq = rows.at(0).seq;
        std::vector<store::Delivery> first;
        for (int i = 0; i < 10; ++i) {
            store::Delivery d;
            d.idempotency_key = rows.at(0).message.idempotency_key + "/" + subs[static_cast<std::size_t>(i)].id;
            d.outbox_seq = seq;
            d.subscriber_id = subs[static_cast<std::size_t>(i)].id;
            d.channel = Channel::kWebhook;
            d.next_attempt_at = d.created_at = clock_.Now();
            first.push_back(d);
        }
        TOCSIN_TRY(tx.InsertDeliveries(first));
        return tx.SaveFanoutCursor(seq, subs[9].id);
    }));
    Round();
    auto rows = Deliveries();
    EXPECT_EQ(rows.size(), 30u);
    std::set<std::string> ids;
    for (const auto& d : rows) ids.insert(d.subscriber_id);
    EXPECT_EQ(ids.size(), 30u);
}

TEST_F(NotificationDispatcherTest, PolicyKeepsMinorIncidentsSilentUpdatesAndAutomaticFirstMessagesOffTheChannel) {
    AddSubscriber(Channel::kWebhook);
    Dispatcher([](NotificationDispatcher::Settings& s) {
        s.policy.channels[Channel::kWebhook].min_impact = domain::Impact::kMajor;
    });
    Open(api_, ComponentStatus::kDegradedPerformance);                                // minor
    Open(api_, ComponentStatus::kMajorOutage, /*deliver=*/false);                     // silent
    Open(api_, ComponentStatus::kMajorOutage, /*deliver=*/true, /*automated=*/true);  // monitor-opened
    Round();
    EXPECT_TRUE(Deliveries().empty());
    Open(api_, ComponentStatus::kMajorOutage);
    Round();
    EXPECT_EQ(Deliveries().size(), 1u);
}

TEST_F(NotificationDispatcherTest, FailedSendsBackOffWithJitterThenDeadLetterWithTheLastError) {
    transport_.Start();
    AddSubscriber(Channel::kWebhook);
    Dispatcher();
    Open(api_, ComponentStatus::kMajorOutage);
    const auto t0 = clock_.Now();
    ASSERT_TRUE(RoundsUntil([&] {
        auto rows = Deliveries();
        return rows.size() == 1 && rows[0].attempts == 1;
    }));
    auto first = Deliveries().at(0);
    EXPECT_EQ(first.state, store::DeliveryState::kPending);
    // Backoff base 10 s, jittered between half and all of it.
    EXPECT_GE(first.next_attempt_at, t0 + 5s);
    EXPECT_LE(first.next_attempt_at, t0 + 10s);
    EXPECT_FALSE(first.last_error.empty());

    // Not due yet: nothing is sent again.
    Round();
    std::this_thread::sleep_for(100ms);
    Round();
    EXPECT_EQ(Deliveries().at(0).attempts, 1);

    clock_.Set(first.next_attempt_at);
    ASSERT_TRUE(RoundsUntil([&] { return Deliveries().at(0).attempts == 2; }));
    auto second = Deliveries().at(0);
    EXPECT_GE(second.next_attempt_at, first.next_attempt_at + 10s);  // doubled: 20 s * [0.5, 1]
    EXPECT_LE(second.next_attempt_at, first.next_attempt_at + 20s);

    clock_.Set(second.next_attempt_at);
    ASSERT_TRUE(RoundsUntil([&] { return Deliveries().at(0).attempts == 3; }));
    auto dead = Deliveries().at(0);
    EXPECT_EQ(dead.state, store::DeliveryState::kDead);
    EXPECT_NE(dead.last_error.find("onnect"), std::string::npos) << dead.last_error;
    EXPECT_EQ(dispatcher_->InFlight(), 0u);
}

TEST_F(NotificationDispatcherTest, DeletedSubscribersDeliveriesGoWithThem) {
    auto s = AddSubscriber(Channel::kWebhook);
    Dispatcher();
    Open(api_, ComponentStatus::kMajorOutage);
    Round();
    ASSERT_EQ(Deliveries().size(), 1u);
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.DeleteSubscriber(s.id); }));
    EXPECT_TRUE(Deliveries().empty());
    Round();  // nothing to send, nothing breaks
    EXPECT_TRUE(Deliveries().empty());
}

TEST_F(NotificationDispatcherTest, MaintenanceReminderIsEnqueuedOncePerWindowStart) {
    AddSubscriber(Channel::kWebhook);
    Dispatcher();
    service::IncidentInput in;
    in.kind = domain::IncidentKind::kMaintenance;
    in.name = "Database upgrade";
    in.scheduled_for = clock_.Now() + 2h;
    in.scheduled_until = clock_.Now() + 3h;
    in.remind_prior_minutes = 60;
    in.first_update.body = "Planned.";
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(service::CreateIncident(tx, in, clock_.Now()));
        return {};
    }));
    Round();
    EXPECT_EQ(Deliveries().size(), 1u);  // the announcement
    clock_.Advance(61min);
    Round();
    EXPECT_EQ(Deliveries().size(), 2u);  // the reminder
    clock_.Advance(10s);
    Round();
    clock_.Advance(10min);
    Round();
    EXPECT_EQ(Deliveries().size(), 2u);  // once
}

TEST_F(NotificationDispatcherTest, EventsOlderThanTheMaximumAgeAreMarkedDoneWithoutSending) {
    AddSubscriber(Channel::kWebhook);
    Open(api_, ComponentStatus::kMajorOutage);  // written "before an upgrade"
    clock_.Advance(25h);
    Dispatcher();
    Round();
    EXPECT_TRUE(Deliveries().empty());
    Open(api_, ComponentStatus::kMajorOutage);  // a fresh one still goes out
    Round();
    EXPECT_EQ(Deliveries().size(), 1u);
}

}  // namespace
}  // namespace tocsin::engine
