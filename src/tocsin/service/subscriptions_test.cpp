#include "tocsin/service/subscriptions.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::service {
namespace {

using namespace std::chrono_literals;
using domain::Channel;
using domain::Subscriber;
using test::At;

class SubscriptionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        api_ = AddComponent("API");
        db_ = AddComponent("Database");
    }

    std::string AddComponent(std::string name) { return test::AddComponent(*store_, clock_.Now(), std::move(name)); }

    template <class T, class F>
    Result<T> Write(F&& f) {
        std::optional<T> out;
        auto r = store_->Write([&](store::Tx& tx) -> Result<void> {
            auto v = f(tx);
            if (!v) return v.error();
            out = std::move(*v);
            return {};
        });
        if (!r) return r.error();
        return std::move(*out);
    }

    template <class T, class F>
    T Read(F&& f) {
        return test::ReadValue<T>(*store_, std::forward<F>(f));
    }

    Result<SubscribeResult> Subscribe(
        Channel channel, std::string target, std::string language = "en", std::vector<std::string> components = {}
    ) {
        SubscribeRequest in;
        in.channel = channel;
        in.target = std::move(target);
        in.language = std::move(language);
        in.component_ids = std::move(components);
        return Write<SubscribeResult>([&](store::Tx& tx) { return SubscribePublic(tx, in, clock_.Now()); });
    }

    SubscribeResult MustSubscribe(
        Channel channel, std::string target, std::string language = "en", std::vector<std::string> components = {}
    ) {
        auto r = Subscribe(channel, std::move(target), std::move(language), std::move(components));
        EXPECT_TRUE(r) << "[" << r.error().field << "] " << r.error().message;
        return r ? *r : SubscribeResult{};
    }

    std::optional<Subscriber> Get(const std::string& id) {
        return Read<std::optional<Subscriber>>([&](store::Tx& tx) { return tx.GetSubscriber(id); });
    }

    std::optional<Subscriber> Find(Channel channel, const std::string& target) {
        return Read<std::optional<Subscriber>>([&](store::Tx& tx) { return tx.FindSubscriber(channel, target); });
    }

    // Outbox messages, oldest first.
    std::vector<store::OutboxMessage> Outbox() {
        auto rows = test::OutboxRows(*store_);
        std::vector<store::OutboxMessage> out;
        for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(it->message);
        return out;
    }

    std::int64_t SubscriberCount() {
        return Read<std::int64_t>([&](store::Tx& tx) { return tx.CountSubscribers(store::SubscriberFilter{}); });
    }

    static void ExpectMessage(
        const store::OutboxMessage& m, const std::string& topic, const std::string& id, TimePoint at
    ) {
        EXPECT_EQ(m.topic, topic);
        EXPECT_EQ(m.payload, R"({"subscriber_id":")" + id + R"("})");
        EXPECT_EQ(m.idempotency_key, topic + ":" + id + ":" + std::to_string(ToMillis(at)));
        EXPECT_EQ(m.created_at, at);
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::string api_;
    std::string db_;
};

// ---- link key ------------------------------------------------------------------------------

TEST_F(SubscriptionsTest, LinkKeyIsCreatedOnceAndStoredAsHex) {
    auto first = LoadOrCreateLinkKey(*store_);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->size(), 32u);
    auto second = LoadOrCreateLinkKey(*store_);
    ASSERT_TRUE(second);
    EXPECT_EQ(*first, *second);
    auto stored =
        Read<std::optional<std::string>>([&](store::Tx& tx) { return tx.GetSecret(std::string(kLinkKeySecret)); });
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->size(), 64u);
    EXPECT_EQ(stored->find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(SubscriptionsTest, BrokenStoredLinkKeyIsAnError) {
    ASSERT_TRUE(store_->Write([](store::Tx& tx) {
        return tx.InsertSecretIfAbsent(std::string(kLinkKeySecret), "not hex");
    }));
    auto key = LoadOrCreateLinkKey(*store_);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().kind, ErrorKind::kInternal);
}

// ---- public subscribing ----------------------------------------------------------------------

TEST_F(SubscriptionsTest, NewAddressIsUnconfirmedWithAConfirmationRequest) {
    auto r = MustSubscribe(Channel::kEmail, "  Erika.Muster@Example.DE ", "de", {api_});
    EXPECT_EQ(r.outcome, SubscribeOutcome::kCreated);
    auto s = Get(r.subscriber_id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->target, "Erika.Muster@example.de");  // domain lower-cased, local part as typed
    EXPECT_EQ(s->language, "de");
    EXPECT_EQ(s->component_ids, std::vector<std::string>{api_});
    EXPECT_FALSE(s->confirmed_at);
    EXPECT_EQ(s->source, "public");
    EXPECT_EQ(s->created_at, clock_.Now());
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    ExpectMessage(out[0], "subscriber.confirm", r.subscriber_id, clock_.Now());
}

TEST_F(SubscriptionsTest, UnconfirmedAddressGetsAnotherRequestWithTheNewestPreferences) {
    auto first = MustSubscribe(Channel::kEmail, "ops@example.com", "en", {api_});
    clock_.Advance(5min);
    auto second = MustSubscribe(Channel::kEmail, "ops@EXAMPLE.com", "de", {db_});
    EXPECT_EQ(second.outcome, SubscribeOutcome::kConfirmationSent);
    EXPECT_EQ(second.subscriber_id, first.subscriber_id);
    EXPECT_EQ(SubscriberCount(), 1);
    auto s = Get(first.subscriber_id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->language, "de");
    EXPECT_EQ(s->component_ids, std::vector<std::string>{db_});
    auto out = Outbox();
    ASSERT_EQ(out.size(), 2u);
    ExpectMessage(out[1], "subscriber.confirm", first.subscriber_id, clock_.Now());
}

TEST_F(SubscriptionsTest, ConfirmedAddressIsRemindedAndNotChanged) {
    auto first = MustSubscribe(Channel::kEmail, "ops@example.com", "en", {api_});
    ASSERT_TRUE(Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, first.subscriber_id, clock_.Now()); }));
    clock_.Advance(1h);
    auto again = MustSubscribe(Channel::kEmail, "ops@example.com", "de", {db_});
    EXPECT_EQ(again.outcome, SubscribeOutcome::kReminded);
    EXPECT_EQ(again.subscriber_id, first.subscriber_id);
    auto s = Get(first.subscriber_id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->language, "en");  // a stranger cannot change a confirmed subscription
    EXPECT_EQ(s->component_ids, std::vector<std::string>{api_});
    auto out = Outbox();
    ASSERT_EQ(out.size(), 3u);  // confirm, welcome on confirmation, welcome as reminder
    ExpectMessage(out[2], "subscriber.welcome", first.subscriber_id, clock_.Now());
}

TEST_F(SubscriptionsTest, ConfirmedChatOrWebhookIsNotChangedAndGetsNothing) {
    // Only e-mail has a welcome message: for the other channels nothing is queued at all.
    for (auto [channel, target] : std::vector<std::pair<Channel, std::string>>{
             {Channel::kSlack, "https://hooks.slack.com/services/T000/B000/XXXX"},
             {Channel::kWebhook, "https://example.com/hook"},
             {Channel::kTelegram, "-1001234567890"},
         }) {
        SCOPED_TRACE(target);
        auto before = Outbox().size();
        auto first = MustSubscribe(channel, target, "en", {api_});
        ASSERT_TRUE(Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, first.subscriber_id, clock_.Now()); })
        );
        ASSERT_EQ(Outbox().size(), before + 1);  // the confirmation request only
        clock_.Advance(1h);
        auto again = MustSubscribe(channel, target, "de", {db_});
        EXPECT_EQ(again.outcome, SubscribeOutcome::kReminded);
        EXPECT_EQ(again.subscriber_id, first.subscriber_id);
        auto s = Get(first.subscriber_id);
        ASSERT_TRUE(s);
        EXPECT_TRUE(s->confirmed_at);
        EXPECT_EQ(s->language, "en");
        EXPECT_EQ(s->component_ids, std::vector<std::string>{api_});
        auto out = Outbox();
        ASSERT_EQ(out.size(), before + 1) << "no welcome for " << domain::ToString(channel);
        EXPECT_EQ(out.back().topic, "subscriber.confirm");
    }
}

TEST_F(SubscriptionsTest, UnknownComponentIsRefusedAndNothingIsWritten) {
    auto r = Subscribe(Channel::kEmail, "ops@example.com", "en", {api_, "nosuchthing0"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().field, "components");
    EXPECT_NE(r.error().message.find("nosuchthing0"), std::string::npos);
    EXPECT_EQ(SubscriberCount(), 0);
    EXPECT_TRUE(Outbox().empty());
}

TEST_F(SubscriptionsTest, DuplicateComponentsAreStoredOnce) {
    auto r = MustSubscribe(Channel::kEmail, "ops@example.com", "en", {api_, db_, api_});
    auto s = Get(r.subscriber_id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->component_ids, (std::vector<std::string>{api_, db_}));
}

TEST_F(SubscriptionsTest, InvalidInputNamesTheField) {
    struct Case {
        Channel channel;
        std::string target;
        std::string language;
        std::string field;
    };
    for (const auto& c : std::vector<Case>{
             {Channel::kEmail, "not an address", "en", "target"},
             {Channel::kEmail, "a@b.example\r\nBcc: x@y.example", "en", "target"},
             {Channel::kWebhook, "ftp://example.com/hook", "en", "target"},
             {Channel::kSlack, "hooks.slack.com/services/x", "en", "target"},
             {Channel::kDiscord, "https://user:pw@discord.com/api/webhooks/1", "en", "target"},
             {Channel::kTelegram, "not a chat", "en", "target"},
             {Channel::kEmail, "ops@example.com", "fr", "language"},
             {Channel::kMastodon, "@status@example.social", "en", "channel"},
         }) {
        SCOPED_TRACE(c.target);
        auto r = Subscribe(c.channel, c.target, c.language);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
    }
    EXPECT_EQ(SubscriberCount(), 0);
    EXPECT_TRUE(Outbox().empty());
}

TEST_F(SubscriptionsTest, WebhookKeepsItsSecretOtherChannelsDropIt) {
    SubscribeRequest hook;
    hook.channel = Channel::kWebhook;
    hook.target = "https://example.com/hook";
    hook.secret = "s3cret-s3cret";
    auto h = Write<SubscribeResult>([&](store::Tx& tx) { return SubscribePublic(tx, hook, clock_.Now()); });
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(Get(h->subscriber_id)->secret, "s3cret-s3cret");

    SubscribeRequest chat;
    chat.channel = Channel::kTelegram;
    chat.target = "-1001234567";
    chat.secret = "ignored";
    auto t = Write<SubscribeResult>([&](store::Tx& tx) { return SubscribePublic(tx, chat, clock_.Now()); });
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(Get(t->subscriber_id)->secret, "");
}

// ---- confirmation, preferences, unsubscribing ------------------------------------------------

TEST_F(SubscriptionsTest, FirstConfirmationOfAnEmailSubscriberQueuesTheWelcome) {
    auto r = MustSubscribe(Channel::kEmail, "ops@example.com");
    clock_.Advance(10min);
    auto first = Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, r.subscriber_id, clock_.Now()); });
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, ConfirmOutcome::kConfirmed);
    auto confirmed_at = clock_.Now();
    EXPECT_EQ(Get(r.subscriber_id)->confirmed_at, confirmed_at);
    auto out = Outbox();
    ASSERT_EQ(out.size(), 2u);
    ExpectMessage(out[1], "subscriber.welcome", r.subscriber_id, confirmed_at);

    clock_.Advance(1min);
    auto second = Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, r.subscriber_id, clock_.Now()); });
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, ConfirmOutcome::kAlreadyConfirmed);
    EXPECT_EQ(Get(r.subscriber_id)->confirmed_at, confirmed_at);  // kept
    EXPECT_EQ(Outbox().size(), 2u);
}

TEST_F(SubscriptionsTest, ChatsGetNoWelcome) {
    auto r = MustSubscribe(Channel::kSlack, "https://hooks.slack.com/services/T000/B000/XXXX");
    auto c = Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, r.subscriber_id, clock_.Now()); });
    ASSERT_TRUE(c);
    EXPECT_EQ(*c, ConfirmOutcome::kConfirmed);
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].topic, "subscriber.confirm");
}

TEST_F(SubscriptionsTest, ConfirmingADeletedSubscriberIsNotFound) {
    auto r = Write<ConfirmOutcome>([&](store::Tx& tx) { return Confirm(tx, "nosuchsub000", clock_.Now()); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
}

TEST_F(SubscriptionsTest, PreferencesChangeLanguageAndComponents) {
    auto r = MustSubscribe(Channel::kEmail, "ops@example.com", "en", {api_});
    auto saved = Write<Subscriber>([&](store::Tx& tx) {
        return UpdatePreferences(tx, r.subscriber_id, "de", {db_, api_});
    });
    ASSERT_TRUE(saved) << saved.error().message;
    auto s = Get(r.subscriber_id);
    EXPECT_EQ(s->language, "de");
    EXPECT_EQ(s->component_ids, (std::vector<std::string>{db_, api_}));

    auto whole = Write<Subscriber>([&](store::Tx& tx) { return UpdatePreferences(tx, r.subscriber_id, "de", {}); });
    ASSERT_TRUE(whole);
    EXPECT_TRUE(Get(r.subscriber_id)->component_ids.empty());

    auto unknown = Write<Subscriber>([&](store::Tx& tx) {
        return UpdatePreferences(tx, r.subscriber_id, "en", {"gone00000000"});
    });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().field, "components");
    auto bad_language =
        Write<Subscriber>([&](store::Tx& tx) { return UpdatePreferences(tx, r.subscriber_id, "xx", {}); });
    ASSERT_FALSE(bad_language);
    EXPECT_EQ(bad_language.error().field, "language");
    EXPECT_EQ(Get(r.subscriber_id)->language, "de");
}

TEST_F(SubscriptionsTest, UnsubscribeDeletesOnce) {
    auto r = MustSubscribe(Channel::kEmail, "ops@example.com");
    auto first = Write<bool>([&](store::Tx& tx) { return Unsubscribe(tx, r.subscriber_id); });
    ASSERT_TRUE(first);
    EXPECT_TRUE(*first);
    EXPECT_FALSE(Get(r.subscriber_id));
    auto second = Write<bool>([&](store::Tx& tx) { return Unsubscribe(tx, r.subscriber_id); });
    ASSERT_TRUE(second);
    EXPECT_FALSE(*second);
}

// ---- admin ---------------------------------------------------------------------------------

TEST_F(SubscriptionsTest, AdminAddConfirmedSendsNothingUnconfirmedAsksForConfirmation) {
    Subscriber a;
    a.channel = Channel::kEmail;
    a.target = "a@Example.com";
    auto confirmed = Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, a, true, clock_.Now()); });
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(confirmed->target, "a@example.com");
    EXPECT_EQ(confirmed->confirmed_at, clock_.Now());
    EXPECT_EQ(confirmed->source, "api");
    EXPECT_FALSE(confirmed->id.empty());
    EXPECT_TRUE(Outbox().empty());

    Subscriber b;
    b.channel = Channel::kTeams;
    b.target = "https://example.webhook.office.com/webhookb2/x";
    b.component_ids = {api_};
    auto unconfirmed = Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, b, false, clock_.Now()); });
    ASSERT_TRUE(unconfirmed) << unconfirmed.error().message;
    EXPECT_FALSE(unconfirmed->confirmed_at);
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    ExpectMessage(out[0], "subscriber.confirm", unconfirmed->id, clock_.Now());

    auto duplicate = Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, a, true, clock_.Now()); });
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().kind, ErrorKind::kConflict);

    b.target = "https://example.com/other";
    b.component_ids = {"nosuchthing0"};
    auto unknown = Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, b, true, clock_.Now()); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().field, "components");
    EXPECT_EQ(SubscriberCount(), 2);
}

TEST_F(SubscriptionsTest, AdminUpdateChangesOnlyWhatIsGiven) {
    Subscriber a;
    a.channel = Channel::kWebhook;
    a.target = "https://example.com/hook";
    a.secret = "first-secret";
    auto added = Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, a, false, clock_.Now()); });
    ASSERT_TRUE(added);
    clock_.Advance(1h);

    SubscriberPatch p;
    p.confirmed = true;
    p.component_ids = std::vector<std::string>{db_};
    auto updated = Write<Subscriber>([&](store::Tx& tx) { return AdminUpdate(tx, added->id, p, clock_.Now()); });
    ASSERT_TRUE(updated) << updated.error().message;
    auto s = Get(added->id);
    EXPECT_EQ(s->confirmed_at, clock_.Now());
    EXPECT_EQ(s->component_ids, std::vector<std::string>{db_});
    EXPECT_EQ(s->secret, "first-secret");
    EXPECT_EQ(s->language, "en");

    SubscriberPatch unconfirm;
    unconfirm.confirmed = false;
    unconfirm.language = "de";
    ASSERT_TRUE(Write<Subscriber>([&](store::Tx& tx) { return AdminUpdate(tx, added->id, unconfirm, clock_.Now()); }));
    s = Get(added->id);
    EXPECT_FALSE(s->confirmed_at);
    EXPECT_EQ(s->language, "de");

    auto missing = Write<Subscriber>([&](store::Tx& tx) { return AdminUpdate(tx, "nosuchsub000", p, clock_.Now()); });
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

// ---- CSV -----------------------------------------------------------------------------------

TEST_F(SubscriptionsTest, CsvLineQuotesWhatNeedsQuoting) {
    Subscriber s;
    s.channel = Channel::kWebhook;
    s.target = R"(https://example.com/a,b?q="x")";
    s.language = "de";
    s.component_ids = {"aaa", "bbb"};
    s.confirmed_at = At("2026-03-01T10:00:00Z");
    s.created_at = At("2026-02-01T08:30:00Z");
    EXPECT_EQ(
        CsvLine(s), "webhook,\"https://example.com/a,b?q=\"\"x\"\"\",de,aaa bbb,true,2026-02-01T08:30:00.000Z\r\n"
    );
    EXPECT_EQ(CsvHeaderLine(), "channel,target,language,components,confirmed,created_at\r\n");
}

TEST_F(SubscriptionsTest, ParseCsvFollowsRfc4180) {
    auto records = ParseCsv(
        "\xEF\xBB\xBF"
        "a,\"b,c\",\"d \"\"e\"\"\"\r\n"
        "\r\n"
        "\"multi\nline\",x\n"
        "last,,\n"
        "\"open,never closed\n"
        "tail\n"
    );
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].line, 1);
    EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b,c", "d \"e\""}));
    EXPECT_EQ(records[1].line, 3);
    EXPECT_EQ(records[1].fields, (std::vector<std::string>{"multi\nline", "x"}));
    EXPECT_EQ(records[2].line, 5);
    EXPECT_EQ(records[2].fields, (std::vector<std::string>{"last", "", ""}));
    EXPECT_TRUE(records[2].error.empty());
    EXPECT_EQ(records[3].line, 6);
    EXPECT_FALSE(records[3].error.empty());

    auto junk = ParseCsv("\"quoted\"junk,next\nok\n");
    ASSERT_EQ(junk.size(), 2u);
    EXPECT_FALSE(junk[0].error.empty());
    EXPECT_EQ(junk[1].line, 2);
    EXPECT_EQ(junk[1].fields, std::vector<std::string>{"ok"});
}

TEST_F(SubscriptionsTest, ImportReportsBadLinesImportsGoodOnesAndSkipsExisting) {
    Subscriber existing;
    existing.channel = Channel::kEmail;
    existing.target = "old@example.com";
    ASSERT_TRUE(Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, existing, true, clock_.Now()); }));
    auto before = Outbox().size();

    std::string csv =
        "target,channel,confirmed,components\n"  // 1: header, another order
        "new@example.com,email,true," +
        api_ + "\n" +                              // 2: ok
        "old@EXAMPLE.com,email,true,\n"            // 3: exists
        "pending@example.com,,false,\n"            // 4: ok, channel defaults to email
        "bad address,email,true,\n"                // 5: target
        "x@example.com,pigeon,true,\n"             // 6: channel
        "y@example.com,email,maybe,\n"             // 7: confirmed
        "z@example.com,email,true,nosuchthing0\n"  // 8: components
        "\"https://example.com/h,1\",webhook,true," +
        db_ + " " + api_ + "\n" +        // 9: ok
        "new@example.com,email,true,\n"  // 10: exists (line 2)
        "too,many,fields,here,now\n";    // 11: fields
    auto report = Write<ImportReport>([&](store::Tx& tx) { return ImportCsv(tx, csv, clock_.Now()); });
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->imported, 3);
    EXPECT_EQ(report->skipped_existing, 2);
    EXPECT_EQ(report->failed, 5);
    ASSERT_EQ(report->errors.size(), 5u);
    std::vector<std::pair<int, std::string>> got;
    for (const auto& e : report->errors) {
        got.emplace_back(e.line, e.field);
        EXPECT_FALSE(e.message.empty());
    }
    EXPECT_EQ(
        got,
        (std::vector<std::pair<int, std::string>>{
            {5, "target"}, {6, "channel"}, {7, "confirmed"}, {8, "components"}, {11, "line"}})
    );

    auto hook = Find(Channel::kWebhook, "https://example.com/h,1");
    ASSERT_TRUE(hook);
    EXPECT_EQ(hook->component_ids, (std::vector<std::string>{db_, api_}));
    EXPECT_EQ(hook->source, "import");
    EXPECT_TRUE(hook->confirmed_at);
    auto pending = Find(Channel::kEmail, "pending@example.com");
    ASSERT_TRUE(pending);
    EXPECT_FALSE(pending->confirmed_at);
    // Only the unconfirmed line asks for a confirmation.
    auto out = Outbox();
    ASSERT_EQ(out.size(), before + 1);
    EXPECT_EQ(out.back().topic, "subscriber.confirm");
    EXPECT_EQ(out.back().payload, R"({"subscriber_id":")" + pending->id + R"("})");
}

TEST_F(SubscriptionsTest, ImportRefusesAnUnknownHeader) {
    auto report = Write<ImportReport>([&](store::Tx& tx) {
        return ImportCsv(tx, "channel,target,colour\nemail,a@example.com,red\n", clock_.Now());
    });
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().field, "header");
    EXPECT_EQ(SubscriberCount(), 0);
}

TEST_F(SubscriptionsTest, ExportThenImportRoundTrips) {
    Subscriber a;
    a.channel = Channel::kEmail;
    a.target = "Erika@example.de";
    a.language = "de";
    a.component_ids = {api_, db_};
    a.created_at = At("2025-12-24T18:00:00Z");
    Subscriber b;
    b.channel = Channel::kWebhook;
    b.target = R"(https://example.com/hook?a=1,2&b="3")";
    b.secret = "never-exported";
    Subscriber c;
    c.channel = Channel::kTelegram;
    c.target = "-1001234567";
    ASSERT_TRUE(Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, a, true, clock_.Now()); }));
    ASSERT_TRUE(Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, b, true, clock_.Now()); }));
    ASSERT_TRUE(Write<Subscriber>([&](store::Tx& tx) { return AdminAdd(tx, c, false, clock_.Now()); }));

    auto list =
        Read<std::vector<Subscriber>>([&](store::Tx& tx) { return tx.ListSubscribers(store::SubscriberFilter{}); });
    ASSERT_EQ(list.size(), 3u);
    std::string csv = CsvHeaderLine();
    for (const auto& s : list) csv += CsvLine(s);
    EXPECT_EQ(csv.find("never-exported"), std::string::npos);

    // Into a second store with the same components.
    test::TempDir other_dir;
    auto other = store::sqlite::SqliteStore::Open(other_dir.File("tocsin.db"), clock_);
    ASSERT_TRUE(other);
    ASSERT_TRUE((*other)->Write([&](store::Tx& tx) -> Result<void> {
        for (const auto& id : {api_, db_}) {
            domain::Component comp;
            comp.id = id;
            comp.name = id;
            TOCSIN_TRY(tx.InsertComponent(comp));
        }
        return {};
    }));
    ImportReport report;
    ASSERT_TRUE((*other)->Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(r, ImportCsv(tx, csv, clock_.Now()));
        report = r;
        return {};
    }));
    EXPECT_EQ(report.imported, 3);
    EXPECT_TRUE(report.errors.empty()) << report.errors.front().message;
    for (const auto& s : list) {
        SCOPED_TRACE(s.target);
        std::optional<Subscriber> copy;
        ASSERT_TRUE((*other)->Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(found, tx.FindSubscriber(s.channel, s.target));
            copy = found;
            return {};
        }));
        ASSERT_TRUE(copy);
        EXPECT_EQ(copy->language, s.language);
        EXPECT_EQ(copy->component_ids, s.component_ids);
        EXPECT_EQ(copy->confirmed_at.has_value(), s.confirmed_at.has_value());
        EXPECT_EQ(copy->created_at, s.created_at);
    }
}

}  // namespace
}  // namespace tocsin::service
