// The public subscription pages through the router: forms in English and German, what a
// post writes, identical answers for known and unknown addresses, signed links, one-click
// unsubscribe, rate limits; and the limiter and client keys on their own.
// GCC 12 at -O2 with -fsanitize=address (the CI build) reports -Wmaybe-uninitialized inside
// libstdc++'s <regex> (see monitor/condition.cpp); silenced for this test file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "tocsin/api/subscribe_site.hpp"

#include "test/support/fake_clock.hpp"
#include "test/support/store_helpers.hpp"
#include "test/support/temp_dir.hpp"
#include "tocsin/api/testing/router_call.hpp"
#include "tocsin/page/snapshot_builder.hpp"
#include "tocsin/service/subscriptions.hpp"
#include "tocsin/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace tocsin::api {
namespace {

using namespace std::chrono_literals;
using domain::Channel;
using http::Method;
using notify::LinkPurpose;
using test::At;
using testing::HeaderOf;

constexpr const char* kForm = "application/x-www-form-urlencoded";

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

class SubscribeSiteTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::sqlite::SqliteStore::Open(dir_.File("tocsin.db"), clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        auto key = service::LoadOrCreateLinkKey(*store_);
        ASSERT_TRUE(key) << key.error().message;
        signer_ = std::make_unique<notify::LinkSigner>(*key);
        group_ = AddComponent("Core", true);
        api_ = AddComponent("API", false, group_);
        web_ = AddComponent("Website");
        Rebuild();
        options_.client_posts_per_hour = 100;
        options_.client_burst = 100;
        options_.target_messages_per_hour = 100;
    }

    void Start() {
        RegisterSubscribeRoutes(
            router_,
            SubscribeSiteDeps{*store_, clock_, *signer_, [this] { return snapshot_; }, options_, [this] { ++wakeups_; }}
        );
    }

    std::string AddComponent(const std::string& name, bool group = false, std::optional<std::string> parent = {}) {
        domain::Component c;
        c.name = name;
        c.is_group = group;
        c.group_id = std::move(parent);
        return test::AddComponent(*store_, clock_.Now(), std::move(c));
    }

    void Rebuild() {
        auto state = store::LoadPageState(*store_);
        ASSERT_TRUE(state) << state.error().message;
        snapshot_ = builder_.Build(*state, clock_.Now(), ++generation_);
    }

    http::Response Get(const std::string& target, const std::string& lang = "en") {
        return testing::CallRouter(router_, Method::kGet, target, {}, {{"Accept-Language", lang}});
    }

    http::Response Post(
        const std::string& target,
        const std::string& body,
        const std::string& lang = "en",
        const std::string& client = "192.0.2.10",
        const std::string& content_type = kForm
    ) {
        return testing::CallRouter(
            router_, Method::kPost, target, body, {{"Accept-Language", lang}, {"Content-Type", content_type}}, client
        );
    }

    // Posts the subscribe form once for an address already subscribed and once for a new one;
    // both must get the same successful answer, so that it does not tell them apart.
    void ExpectSameAnswer(const std::string& known_form, const std::string& unknown_form) {
        auto known = Post("/subscribe", known_form);
        auto unknown = Post("/subscribe", unknown_form);
        ASSERT_EQ(known.status, 200) << known.Body();
        ASSERT_EQ(unknown.status, 200) << unknown.Body();
        EXPECT_EQ(known.Body(), unknown.Body());
        EXPECT_EQ(known.headers, unknown.headers);
    }

    std::optional<domain::Subscriber> Find(Channel channel, const std::string& target) {
        return test::ReadValue<std::optional<domain::Subscriber>>(*store_, [&](store::Tx& tx) {
            return tx.FindSubscriber(channel, target);
        });
    }

    std::optional<domain::Subscriber> GetSubscriber(const std::string& id) {
        return test::ReadValue<std::optional<domain::Subscriber>>(*store_, [&](store::Tx& tx) {
            return tx.GetSubscriber(id);
        });
    }

    std::vector<store::OutboxRow> Outbox() { return test::OutboxRows(*store_); }

    // A confirmed e-mail subscriber, as after the double opt-in.
    std::string Confirmed(const std::string& address, std::vector<std::string> components = {}) {
        domain::Subscriber s;
        s.channel = Channel::kEmail;
        s.target = address;
        s.language = "de";
        s.component_ids = std::move(components);
        std::string id;
        EXPECT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(added, service::AdminAdd(tx, s, true, clock_.Now()));
            id = added.id;
            return {};
        }));
        return id;
    }

    std::string Token(LinkPurpose purpose, const std::string& id, std::optional<TimePoint> expires = std::nullopt) {
        return signer_->Sign(purpose, id, expires);
    }

    static std::string Enc(std::string_view s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                out.push_back(static_cast<char>(c));
            } else {
                char buf[4];
                std::snprintf(buf, sizeof buf, "%%%02X", c);
                out += buf;
            }
        }
        return out;
    }

    static void ExpectPublicHeaders(const http::Response& res) {
        EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
        EXPECT_EQ(HeaderOf(res, "Cache-Control"), "no-store");
        EXPECT_EQ(HeaderOf(res, "Referrer-Policy"), "no-referrer");
        EXPECT_EQ(HeaderOf(res, "X-Content-Type-Options"), "nosniff");
        auto csp = HeaderOf(res, "Content-Security-Policy");
        EXPECT_TRUE(Contains(csp, "default-src 'none'")) << csp;
        EXPECT_TRUE(Contains(csp, "form-action 'self'")) << csp;
        EXPECT_TRUE(HeaderOf(res, "Set-Cookie").empty());
        std::string body(res.Body());
        EXPECT_FALSE(Contains(body, "<script"));
        EXPECT_FALSE(Contains(body, "style=")) << "the CSP forbids inline styles";
        // Nothing is loaded from another origin.
        std::smatch m;
        EXPECT_FALSE(std::regex_search(body, m, std::regex(R"((src|action)="(https?:)?//)"))) << m.str();
        EXPECT_FALSE(std::regex_search(body, m, std::regex(R"(<link[^>]+href="(https?:)?//)"))) << m.str();
    }

    test::TempDir dir_;
    test::FakeClock clock_{At("2026-03-01T10:00:00Z")};
    std::unique_ptr<store::sqlite::SqliteStore> store_;
    std::unique_ptr<notify::LinkSigner> signer_;
    page::SnapshotBuilder builder_;
    std::shared_ptr<const page::Snapshot> snapshot_;
    std::uint64_t generation_ = 0;
    SubscribeSiteOptions options_;
    http::Router router_;
    std::string group_, api_, web_;
    int wakeups_ = 0;
};

// ---- the form ---------------------------------------------------------------------------------

TEST_F(SubscribeSiteTest, FormRendersInEnglishAndGermanWithoutScriptsOrOtherOrigins) {
    Start();
    auto en = Get("/subscribe");
    ASSERT_EQ(en.status, 200) << en.Body();
    ExpectPublicHeaders(en);
    EXPECT_EQ(HeaderOf(en, "Content-Language"), "en");
    std::string body(en.Body());
    EXPECT_TRUE(Contains(body, "<html lang=\"en\">"));
    EXPECT_TRUE(Contains(body, "Subscribe to updates"));
    EXPECT_TRUE(Contains(body, "<form method=\"post\" action=\"/subscribe?lang=en\">"));
    EXPECT_TRUE(Contains(body, "name=\"target\""));
    for (const auto& id : {group_, api_, web_}) {
        EXPECT_TRUE(Contains(body, "name=\"component\" value=\"" + id + "\"")) << id;
    }
    // The group lists its child inside it.
    auto group_at = body.find("value=\"" + group_ + "\"");
    auto child_at = body.find("value=\"" + api_ + "\"");
    auto children_at = body.find("<ul class=\"children\">", group_at);
    EXPECT_LT(group_at, children_at);
    EXPECT_LT(children_at, child_at);
    for (auto channel : {"webhook", "slack", "teams", "discord", "telegram"}) {
        EXPECT_TRUE(Contains(body, std::string("<option value=\"") + channel + "\"")) << channel;
    }
    EXPECT_FALSE(Contains(body, "value=\"mastodon\""));

    auto de = Get("/subscribe", "de-DE,de;q=0.9,en;q=0.5");
    ASSERT_EQ(de.status, 200);
    ExpectPublicHeaders(de);
    EXPECT_EQ(HeaderOf(de, "Content-Language"), "de");
    EXPECT_TRUE(Contains(de.Body(), "<html lang=\"de\">"));
    EXPECT_TRUE(Contains(de.Body(), "Updates abonnieren"));
    EXPECT_TRUE(Contains(de.Body(), "E-Mail-Adresse"));
    EXPECT_TRUE(Contains(de.Body(), "action=\"/subscribe?lang=de\""));
    EXPECT_TRUE(Contains(Get("/subscribe?lang=de").Body(), "Updates abonnieren"));
}

TEST_F(SubscribeSiteTest, IndexPageLinksToTheForm) {
    const auto* en = snapshot_->Find(page::Snapshot::Key("/", "en"));
    ASSERT_NE(en, nullptr);
    EXPECT_TRUE(Contains(en->body, "<a href=\"/subscribe?lang=en\">Subscribe to updates</a>"));
    const auto* de = snapshot_->Find(page::Snapshot::Key("/", "de"));
    ASSERT_NE(de, nullptr);
    EXPECT_TRUE(Contains(de->body, "<a href=\"/subscribe?lang=de\">Updates abonnieren</a>"));
}

// ---- posting the form ---------------------------------------------------------------------------

TEST_F(SubscribeSiteTest, PostCreatesAnUnconfirmedSubscriberAndQueuesTheConfirmation) {
    Start();
    auto res = Post(
        "/subscribe?lang=de", "channel=email&target=Erika%40Example.DE&scope=some&component=" + web_ + "&language=de"
    );
    ASSERT_EQ(res.status, 200) << res.Body();
    ExpectPublicHeaders(res);
    EXPECT_TRUE(Contains(res.Body(), "Bitte bestätigen Sie Ihr Abonnement"));
    auto s = Find(Channel::kEmail, "Erika@example.de");
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->confirmed_at);
    EXPECT_EQ(s->language, "de");
    EXPECT_EQ(s->component_ids, std::vector<std::string>{web_});
    EXPECT_EQ(s->source, "public");
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].message.topic, "subscriber.confirm");
    EXPECT_EQ(wakeups_, 1);
}

TEST_F(SubscribeSiteTest, ChoosingAGroupIncludesItsComponents) {
    Start();
    auto res = Post("/subscribe", "channel=email&target=ops%40example.com&scope=some&component=" + group_);
    ASSERT_EQ(res.status, 200) << res.Body();
    auto s = Find(Channel::kEmail, "ops@example.com");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->component_ids, (std::vector<std::string>{group_, api_}));

    auto all = Post("/subscribe", "channel=email&target=all%40example.com&scope=all&component=" + web_);
    ASSERT_EQ(all.status, 200);
    EXPECT_TRUE(Find(Channel::kEmail, "all@example.com")->component_ids.empty()) << "scope=all wins";
}

TEST_F(SubscribeSiteTest, TheAnswerDoesNotTellWhetherTheAddressWasKnown) {
    Start();
    Confirmed("known@example.com");
    ASSERT_NO_FATAL_FAILURE(ExpectSameAnswer(
        "channel=email&target=known%40example.com&language=en", "channel=email&target=new%40example.com&language=en"
    ));
    // The known address gets its manage link by mail instead of a confirmation.
    auto out = Outbox();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1].message.topic, "subscriber.welcome");  // newest first
    EXPECT_EQ(out[0].message.topic, "subscriber.confirm");
}

TEST_F(SubscribeSiteTest, AKnownChatDestinationGetsTheSameAnswerAndNoWelcome) {
    Start();
    ASSERT_EQ(Post("/subscribe", "channel=webhook&target=https%3A%2F%2Fhooks.example.com%2Fknown").status, 200);
    auto s = Find(Channel::kWebhook, "https://hooks.example.com/known");
    ASSERT_TRUE(s);
    auto token = Enc(Token(LinkPurpose::kConfirm, s->id, clock_.Now() + 48h));
    ASSERT_EQ(Post("/subscribe/confirm?token=" + token, "confirm=1").status, 200);
    ASSERT_TRUE(GetSubscriber(s->id)->confirmed_at);
    ASSERT_EQ(Outbox().size(), 1u);

    ASSERT_NO_FATAL_FAILURE(ExpectSameAnswer(
        "channel=webhook&target=https%3A%2F%2Fhooks.example.com%2Fknown&language=de",
        "channel=webhook&target=https%3A%2F%2Fhooks.example.com%2Fnew&language=de"
    ));
    // No welcome for the webhook (the dispatcher would drop it): only the new one's request.
    auto out = Outbox();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].message.topic, "subscriber.confirm");  // newest first
    EXPECT_NE(
        out[0].message.payload.find(Find(Channel::kWebhook, "https://hooks.example.com/new")->id), std::string::npos
    );
    EXPECT_EQ(GetSubscriber(s->id)->language, "en") << "a confirmed subscription is not changed";
}

TEST_F(SubscribeSiteTest, MalformedInputIsA400NamingTheProblemInTheVisitorsLanguage) {
    Start();
    struct Case {
        std::string body;
        std::string german;
    };
    for (const auto& c : std::vector<Case>{
             {"channel=email&target=erika%40", "keine gültige E-Mail-Adresse"},
             {"channel=email&target=a%40b.example%0D%0ABcc%3A+x%40y.example", "keine gültige E-Mail-Adresse"},
             {"channel=email&target=", "keine gültige E-Mail-Adresse"},
             {"channel=slack&target=hooks.slack.com%2Fservices%2Fx", "keine gültige Webadresse"},
             {"channel=webhook&target=https%3A%2F%2Fuser%3Apw%40example.com%2Fh", "keine gültige Webadresse"},
             {"channel=telegram&target=not+a+chat", "keine gültige Telegram-Chat-ID"},
             {"channel=pigeon&target=x", "einen der angebotenen Kanäle"},
             {"channel=mastodon&target=%40a%40example.social", "einen der angebotenen Kanäle"},
             {"channel=email&target=a%40example.com&language=fr", "eine der angebotenen Sprachen"},
             {"channel=email&target=a%40example.com&scope=some", "mindestens eine Komponente"},
             {"channel=email&target=a%40example.com&scope=some&component=nosuchthing0", "Komponente gibt es nicht"},
             {"channel=webhook&target=https%3A%2F%2Fexample.com%2Fh&secret=" + std::string(300, 'x'),
              "Signaturschlüssel"},
         }) {
        SCOPED_TRACE(c.body);
        auto res = Post("/subscribe", c.body, "de");
        ASSERT_EQ(res.status, 400) << res.Body();
        ExpectPublicHeaders(res);
        EXPECT_TRUE(Contains(res.Body(), c.german)) << res.Body();
        EXPECT_TRUE(Contains(res.Body(), "Bitte prüfen Sie Ihre Eingabe"));
        EXPECT_TRUE(Contains(res.Body(), "<form method=\"post\"")) << "the form comes back";
    }
    // What was typed is shown again (escaped).
    auto res = Post("/subscribe", "channel=email&target=%3Cb%3Eerika%40", "en");
    EXPECT_TRUE(Contains(res.Body(), "value=\"&lt;b&gt;erika@\"")) << res.Body();
    EXPECT_FALSE(Contains(res.Body(), "<b>erika"));
    EXPECT_TRUE(Outbox().empty());
    EXPECT_EQ(wakeups_, 0);
}

TEST_F(SubscribeSiteTest, FormsOtherThanUrlencodedAndOversizedBodiesAreRefused) {
    options_.body_limit = 1024;
    Start();
    auto json = Post("/subscribe", R"({"target":"a@example.com"})", "de", "192.0.2.10", "application/json");
    EXPECT_EQ(json.status, 415);
    EXPECT_TRUE(Contains(json.Body(), "Das Formular konnte nicht gelesen werden"));
    auto big = Post("/subscribe", "channel=email&target=a%40example.com&x=" + std::string(2000, 'a'), "de");
    EXPECT_EQ(big.status, 413);
    EXPECT_TRUE(Contains(big.Body(), "Das Formular ist zu groß"));
    EXPECT_TRUE(Outbox().empty());
}

TEST_F(SubscribeSiteTest, TooManyPostsFromOneClientAre429WithRetryAfter) {
    options_.client_posts_per_hour = 2;
    options_.client_burst = 2;
    Start();
    for (int i = 0; i < 2; ++i) {
        auto ok = Post("/subscribe", "target=u" + std::to_string(i) + "%40example.com", "de", "2001:db8:1:2::10");
        EXPECT_EQ(ok.status, 200) << ok.Body();
    }
    // Another address of the same /64 shares the budget; so do malformed posts.
    auto limited = Post("/subscribe", "target=u9%40example.com", "de", "2001:db8:1:2:ffff::1");
    ASSERT_EQ(limited.status, 429) << limited.Body();
    ExpectPublicHeaders(limited);
    EXPECT_TRUE(Contains(limited.Body(), "Zu viele Anfragen"));
    auto retry = std::stoi(HeaderOf(limited, "Retry-After"));
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, 1800);  // one token of 2/hour is back within 30 minutes
    EXPECT_FALSE(Find(Channel::kEmail, "u9@example.com"));

    EXPECT_EQ(Post("/subscribe", "target=v%40example.com", "de", "2001:db8:1:3::10").status, 200);
    clock_.Advance(std::chrono::seconds(retry));
    EXPECT_EQ(Post("/subscribe", "target=u9%40example.com", "de", "2001:db8:1:2::10").status, 200);
}

TEST_F(SubscribeSiteTest, TooManyMessagesToOneAddressAre429) {
    options_.target_messages_per_hour = 1;
    Start();
    EXPECT_EQ(Post("/subscribe", "target=victim%40example.com", "en", "192.0.2.1").status, 200);
    auto second = Post("/subscribe", "target=VICTIM%40EXAMPLE.com", "en", "192.0.2.2");
    EXPECT_EQ(second.status, 429) << second.Body();
    EXPECT_TRUE(Contains(second.Body(), "Too many requests"));
    EXPECT_FALSE(HeaderOf(second, "Retry-After").empty());
    EXPECT_EQ(Outbox().size(), 1u);
    EXPECT_EQ(Post("/subscribe", "target=other%40example.com", "en", "192.0.2.2").status, 200);
}

TEST_F(SubscribeSiteTest, BehindAProxyTheForwardedClientIsLimited) {
    options_.client_posts_per_hour = 1;
    options_.client_burst = 1;
    options_.client_address_header = "X-Forwarded-For";
    Start();
    auto post = [&](const std::string& target, const std::string& forwarded) {
        return testing::CallRouter(
            router_,
            Method::kPost,
            "/subscribe",
            "target=" + target,
            {{"Content-Type", kForm}, {"X-Forwarded-For", forwarded}},
            "127.0.0.1"
        );
    };
    EXPECT_EQ(post("a%40example.com", "198.51.100.7, 203.0.113.1").status, 200);
    EXPECT_EQ(post("b%40example.com", "198.51.100.8, 203.0.113.2").status, 200);
    EXPECT_EQ(post("c%40example.com", "203.0.113.1").status, 429);
}

TEST_F(SubscribeSiteTest, ChatSubscriptionsUseTheSecondForm) {
    Start();
    auto res = Post(
        "/subscribe", "channel=webhook&target=https%3A%2F%2Fhooks.example.com%2Fin&secret=sign-me-please&language=en"
    );
    ASSERT_EQ(res.status, 200) << res.Body();
    EXPECT_TRUE(Contains(res.Body(), "webhook or chat"));
    auto s = Find(Channel::kWebhook, "https://hooks.example.com/in");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->secret, "sign-me-please");
    // The chat form is folded on the page, and unfolded when it comes back with an error.
    EXPECT_TRUE(Contains(Get("/subscribe").Body(), "<details>"));
    EXPECT_FALSE(Contains(Get("/subscribe").Body(), "<details open>"));
    auto bad = Post("/subscribe", "channel=discord&target=discord.com%2Fapi%2Fwebhooks%2F1");
    EXPECT_EQ(bad.status, 400);
    EXPECT_TRUE(Contains(bad.Body(), "<details open>"));
    EXPECT_TRUE(Contains(bad.Body(), "<option value=\"discord\" selected>"));
    EXPECT_TRUE(Contains(bad.Body(), "value=\"discord.com/api/webhooks/1\""));
    auto tg = Post("/subscribe", "channel=telegram&target=%40status_updates&secret=ignored");
    ASSERT_EQ(tg.status, 200) << tg.Body();
    EXPECT_EQ(Find(Channel::kTelegram, "@status_updates")->secret, "");
}

// ---- confirm, manage, unsubscribe ----------------------------------------------------------------

TEST_F(SubscribeSiteTest, ConfirmLinkAsksOnGetAndConfirmsOnPost) {
    Start();
    ASSERT_EQ(Post("/subscribe", "target=ops%40example.com&language=de").status, 200);
    auto s = Find(Channel::kEmail, "ops@example.com");
    ASSERT_TRUE(s);
    auto token = Token(LinkPurpose::kConfirm, s->id, clock_.Now() + 48h);
    clock_.Advance(1h);
    int wakeups = wakeups_;

    // A GET (a mail scanner following the link) only asks, in the subscriber's language.
    for (int i = 0; i < 2; ++i) {
        auto ask = Get("/subscribe/confirm?token=" + Enc(token), "en");
        ASSERT_EQ(ask.status, 200) << ask.Body();
        ExpectPublicHeaders(ask);
        EXPECT_EQ(HeaderOf(ask, "Content-Language"), "de");
        std::string body(ask.Body());
        EXPECT_TRUE(
            Contains(body, "<button type=\"submit\" name=\"confirm\" value=\"1\">Abonnement bestätigen</button>")
        ) << body;
        EXPECT_TRUE(Contains(body, "ops@example.com"));
        EXPECT_TRUE(
            Contains(body, "<form method=\"post\" action=\"/subscribe/confirm?token=" + Enc(token) + "&amp;lang=de\">")
        ) << body;
        EXPECT_FALSE(Contains(body, "Abonnement bestätigt"));
        EXPECT_FALSE(Contains(body, "/subscribe/manage?token=")) << "no manage link before confirming";
    }
    EXPECT_FALSE(GetSubscriber(s->id)->confirmed_at) << "a GET must not confirm";
    EXPECT_EQ(Outbox().size(), 1u);
    EXPECT_EQ(wakeups_, wakeups);
    // HEAD neither.
    auto head = testing::CallRouter(router_, Method::kHead, "/subscribe/confirm?token=" + Enc(token));
    EXPECT_EQ(head.status, 200);
    EXPECT_FALSE(GetSubscriber(s->id)->confirmed_at);
    // The visitor's ?lang= wins over the subscriber's language on the question page.
    auto english = Get("/subscribe/confirm?token=" + Enc(token) + "&lang=en", "de");
    EXPECT_TRUE(Contains(english.Body(), ">Confirm subscription</button>")) << english.Body();

    // The button posts to the same URL: that confirms, in the subscriber's language.
    auto res = Post("/subscribe/confirm?token=" + Enc(token) + "&lang=de", "confirm=1", "en");
    ASSERT_EQ(res.status, 200) << res.Body();
    ExpectPublicHeaders(res);
    EXPECT_TRUE(Contains(res.Body(), "Abonnement bestätigt"));
    EXPECT_EQ(GetSubscriber(s->id)->confirmed_at, clock_.Now());
    auto out = Outbox();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].message.topic, "subscriber.welcome");
    EXPECT_EQ(wakeups_, wakeups + 1);

    // The manage link on the page carries a valid manage token.
    std::smatch m;
    std::string body(res.Body());
    ASSERT_TRUE(std::regex_search(body, m, std::regex(R"(href="/subscribe/manage\?token=([^&"]+)&amp;lang=de")")))
        << body;
    auto manage = http::PercentDecode(m[1].str(), false);
    EXPECT_EQ(signer_->Verify(LinkPurpose::kManage, manage, clock_.Now()), s->id);

    // Again (a second click, or a scanner that posts): still fine, nothing changes, no second
    // welcome. Without a body or a form type, too.
    auto confirmed_at = GetSubscriber(s->id)->confirmed_at;
    clock_.Advance(1min);
    auto again = Post("/subscribe/confirm?token=" + Enc(token), "", "en", "192.0.2.10", "");
    EXPECT_EQ(again.status, 200) << again.Body();
    EXPECT_TRUE(Contains(again.Body(), "Abonnement bestätigt"));
    EXPECT_EQ(GetSubscriber(s->id)->confirmed_at, confirmed_at);
    EXPECT_EQ(Outbox().size(), 2u);
    // A GET after confirming still only shows the question.
    EXPECT_EQ(Get("/subscribe/confirm?token=" + Enc(token)).status, 200);
}

TEST_F(SubscribeSiteTest, ConfirmingAChatSubscriptionQueuesNoWelcome) {
    Start();
    ASSERT_EQ(
        Post("/subscribe", "channel=slack&target=https%3A%2F%2Fhooks.slack.com%2Fservices%2FT%2FB%2FX").status, 200
    );
    auto s = Find(Channel::kSlack, "https://hooks.slack.com/services/T/B/X");
    ASSERT_TRUE(s);
    auto token = Enc(Token(LinkPurpose::kConfirm, s->id, clock_.Now() + 48h));
    auto ask = Get("/subscribe/confirm?token=" + token);
    ASSERT_EQ(ask.status, 200);
    EXPECT_TRUE(Contains(ask.Body(), ">Confirm subscription</button>"));
    EXPECT_FALSE(GetSubscriber(s->id)->confirmed_at);
    auto res = Post("/subscribe/confirm?token=" + token, "confirm=1");
    ASSERT_EQ(res.status, 200) << res.Body();
    EXPECT_TRUE(Contains(res.Body(), "Subscription confirmed"));
    EXPECT_TRUE(GetSubscriber(s->id)->confirmed_at);
    auto out = Outbox();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].message.topic, "subscriber.confirm");
}

TEST_F(SubscribeSiteTest, PostingABrokenExpiredOrForeignConfirmTokenConfirmsNothing) {
    Start();
    ASSERT_EQ(Post("/subscribe", "target=ops%40example.com&language=en").status, 200);
    auto id = Find(Channel::kEmail, "ops@example.com")->id;
    auto good = Token(LinkPurpose::kConfirm, id, clock_.Now() + 48h);
    std::string tampered = good;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    auto expired = Token(LinkPurpose::kConfirm, id, clock_.Now() - 1min);
    for (const auto& target : std::vector<std::string>{
             "/subscribe/confirm",
             "/subscribe/confirm?token=",
             "/subscribe/confirm?token=" + Enc(tampered),
             "/subscribe/confirm?token=" + Enc(expired),
             "/subscribe/confirm?token=" + Enc(Token(LinkPurpose::kManage, id)),
             "/subscribe/confirm?token=" + Enc(Token(LinkPurpose::kUnsubscribe, id)),
         }) {
        SCOPED_TRACE(target);
        auto res = Post(target, "confirm=1", "de");
        ASSERT_EQ(res.status, 400) << res.Body();
        ExpectPublicHeaders(res);
        EXPECT_TRUE(Contains(res.Body(), "Dieser Link ist ungültig"));
    }
    EXPECT_FALSE(GetSubscriber(id)->confirmed_at);
    EXPECT_EQ(Outbox().size(), 1u);
    // The intact one still works.
    EXPECT_EQ(Post("/subscribe/confirm?token=" + Enc(good), "confirm=1").status, 200);
    EXPECT_TRUE(GetSubscriber(id)->confirmed_at);
}

TEST_F(SubscribeSiteTest, BrokenExpiredOrForeignTokensAre400InTheVisitorsLanguage) {
    Start();
    auto id = Confirmed("ops@example.com");
    auto good = Token(LinkPurpose::kConfirm, id);
    std::string tampered = good;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    auto expired = Token(LinkPurpose::kConfirm, id, clock_.Now() - 1min);
    auto manage = Token(LinkPurpose::kManage, id);
    for (const auto& target : std::vector<std::string>{
             "/subscribe/confirm",
             "/subscribe/confirm?token=",
             "/subscribe/confirm?token=" + Enc(tampered),
             "/subscribe/confirm?token=" + Enc(expired),
             "/subscribe/confirm?token=" + Enc(manage),  // another purpose
             "/subscribe/manage?token=" + Enc(good),
             "/unsubscribe?token=" + Enc(manage),
             "/unsubscribe?token=garbage",
         }) {
        SCOPED_TRACE(target);
        auto res = Get(target, "de");
        ASSERT_EQ(res.status, 400) << res.Body();
        ExpectPublicHeaders(res);
        EXPECT_TRUE(Contains(res.Body(), "Dieser Link ist ungültig"));
    }
    auto post = Post("/subscribe/manage?token=" + Enc(tampered), "scope=all", "de");
    EXPECT_EQ(post.status, 400);
    auto unsubscribe = Post("/unsubscribe?token=" + Enc(tampered), "confirm=1", "de");
    EXPECT_EQ(unsubscribe.status, 400);
    EXPECT_TRUE(GetSubscriber(id)) << "nothing was deleted";
}

TEST_F(SubscribeSiteTest, ConfirmLinkOfADeletedSubscriberIsInvalid) {
    Start();
    auto id = Confirmed("gone@example.com");
    auto token = Token(LinkPurpose::kConfirm, id);
    ASSERT_TRUE(store_->Write([&](store::Tx& tx) { return tx.DeleteSubscriber(id); }));
    EXPECT_EQ(Get("/subscribe/confirm?token=" + Enc(token)).status, 400);
    EXPECT_EQ(Post("/subscribe/confirm?token=" + Enc(token), "confirm=1").status, 400);
    EXPECT_FALSE(GetSubscriber(id));
    EXPECT_TRUE(Outbox().empty());
}

TEST_F(SubscribeSiteTest, ManagePageChangesComponentsAndLanguage) {
    Start();
    auto id = Confirmed("ops@example.com", {web_});
    auto token = Enc(Token(LinkPurpose::kManage, id));
    auto page = Get("/subscribe/manage?token=" + token, "en");
    ASSERT_EQ(page.status, 200) << page.Body();
    ExpectPublicHeaders(page);
    std::string body(page.Body());
    EXPECT_TRUE(Contains(body, "Abonnement verwalten")) << "the subscriber's language";
    EXPECT_TRUE(Contains(body, "ops@example.com"));
    EXPECT_TRUE(Contains(body, "value=\"" + web_ + "\" checked"));
    EXPECT_FALSE(Contains(body, "value=\"" + api_ + "\" checked"));
    EXPECT_TRUE(Contains(body, "<option value=\"de\" selected>"));
    EXPECT_TRUE(Contains(body, "href=\"/unsubscribe?token="));

    auto saved = Post("/subscribe/manage?token=" + token + "&lang=en", "scope=some&component=" + api_ + "&language=en");
    ASSERT_EQ(saved.status, 200) << saved.Body();
    EXPECT_TRUE(Contains(saved.Body(), "Your changes have been saved."));
    auto s = GetSubscriber(id);
    EXPECT_EQ(s->language, "en");
    EXPECT_EQ(s->component_ids, std::vector<std::string>{api_});

    auto whole = Post("/subscribe/manage?token=" + token, "scope=all&language=de");
    ASSERT_EQ(whole.status, 200);
    EXPECT_TRUE(GetSubscriber(id)->component_ids.empty());

    auto bad = Post("/subscribe/manage?token=" + token + "&lang=de", "scope=some&component=nosuchthing0");
    EXPECT_EQ(bad.status, 400);
    EXPECT_TRUE(Contains(bad.Body(), "Komponente gibt es nicht"));
    auto none = Post("/subscribe/manage?token=" + token + "&lang=de", "scope=some");
    EXPECT_EQ(none.status, 400);
    EXPECT_TRUE(GetSubscriber(id)->component_ids.empty()) << "nothing changed";
    EXPECT_TRUE(Outbox().empty());
}

TEST_F(SubscribeSiteTest, UnsubscribeAsksThenDeletes) {
    Start();
    auto id = Confirmed("ops@example.com");
    auto token = Enc(Token(LinkPurpose::kUnsubscribe, id));
    auto ask = Get("/unsubscribe?token=" + token, "de");
    ASSERT_EQ(ask.status, 200) << ask.Body();
    ExpectPublicHeaders(ask);
    EXPECT_TRUE(Contains(ask.Body(), "<form method=\"post\" action=\"/unsubscribe?token="));
    EXPECT_TRUE(GetSubscriber(id)) << "a GET (a mail scanner following links) deletes nothing";

    auto done = Post("/unsubscribe?token=" + token + "&lang=de", "confirm=1", "de");
    ASSERT_EQ(done.status, 200) << done.Body();
    ExpectPublicHeaders(done);
    EXPECT_TRUE(Contains(done.Body(), "Ihre Adresse wurde gelöscht"));
    EXPECT_FALSE(GetSubscriber(id));

    auto again = Get("/unsubscribe?token=" + token, "de");
    EXPECT_EQ(again.status, 200);
    EXPECT_TRUE(Contains(again.Body(), "besteht nicht (mehr)"));
}

TEST_F(SubscribeSiteTest, OneClickUnsubscribeAnswers200WithoutARedirect) {
    Start();
    auto id = Confirmed("ops@example.com");
    auto token = Enc(Token(LinkPurpose::kUnsubscribe, id));
    auto res = Post("/unsubscribe?token=" + token, "List-Unsubscribe=One-Click");
    EXPECT_EQ(res.status, 200) << res.Body();
    EXPECT_TRUE(HeaderOf(res, "Location").empty());
    EXPECT_FALSE(GetSubscriber(id));
    // Mail clients may send it as multipart/form-data; and a repeat is still a success.
    auto id2 = Confirmed("two@example.com");
    auto multipart = Post(
        "/unsubscribe?token=" + Enc(Token(LinkPurpose::kUnsubscribe, id2)),
        "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n",
        "en",
        "192.0.2.10",
        "multipart/form-data; boundary=b"
    );
    EXPECT_EQ(multipart.status, 200);
    EXPECT_FALSE(GetSubscriber(id2));
    EXPECT_EQ(Post("/unsubscribe?token=" + token, "List-Unsubscribe=One-Click").status, 200);
    EXPECT_EQ(Post("/unsubscribe?token=garbage", "List-Unsubscribe=One-Click").status, 400);
}

// ---- the limiter and client keys -------------------------------------------------------------------

TEST(RateLimiterTest, RefillsOverTimeAndCapsTheBurst) {
    RateLimiter limiter(6, 2, 100);  // one token every 10 minutes, two saved up
    TimePoint t0 = At("2026-03-01T10:00:00Z");
    EXPECT_EQ(limiter.Take("a", t0).count(), 0);
    EXPECT_EQ(limiter.Take("a", t0).count(), 0);
    EXPECT_EQ(limiter.Take("a", t0).count(), 600);
    EXPECT_EQ(limiter.Take("b", t0).count(), 0) << "keys are independent";
    EXPECT_EQ(limiter.Take("a", t0 + 5min).count(), 300);
    EXPECT_EQ(limiter.Take("a", t0 + 10min).count(), 0);
    // A long pause saves up no more than the burst.
    EXPECT_EQ(limiter.Take("a", t0 + 24h).count(), 0);
    EXPECT_EQ(limiter.Take("a", t0 + 24h).count(), 0);
    EXPECT_GT(limiter.Take("a", t0 + 24h).count(), 0);
    RateLimiter off(0, 1, 10);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(off.Take("x", t0).count(), 0);
}

TEST(RateLimiterTest, RemembersABoundedNumberOfKeys) {
    RateLimiter limiter(1, 1, 3);
    TimePoint t0 = At("2026-03-01T10:00:00Z");
    for (int i = 0; i < 1000; ++i) (void)limiter.Take("k" + std::to_string(i), t0);
    EXPECT_EQ(limiter.Size(), 3u);
    // The most recently used keys are the ones kept.
    EXPECT_GT(limiter.Take("k999", t0).count(), 0);
    EXPECT_EQ(limiter.Take("k0", t0).count(), 0) << "forgotten, so it starts afresh";
}

TEST(ClientKeyTest, Ipv6IsLimitedPerSlash64) {
    EXPECT_EQ(ClientKey("192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(ClientKey("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    EXPECT_EQ(ClientKey("2001:DB8:0001:0002::1"), "2001:db8:1:2::/64");
    EXPECT_EQ(ClientKey("2001:db8::1"), "2001:db8:0:0::/64");
    EXPECT_EQ(ClientKey("::1"), "0:0:0:0::/64");
    EXPECT_EQ(ClientKey("fe80::1%eth0"), "fe80:0:0:0::/64");
    EXPECT_EQ(ClientKey("::ffff:192.0.2.1"), "192.0.2.1");
}

}  // namespace
}  // namespace tocsin::api
