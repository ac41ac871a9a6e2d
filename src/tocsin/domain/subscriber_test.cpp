#include "tocsin/domain/subscriber.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {
namespace {

using namespace std::string_literals;

Subscriber Make(Channel channel, std::string target) {
    Subscriber s;
    s.id = "s1";
    s.channel = channel;
    s.target = std::move(target);
    return s;
}

// The field a failed validation names, or "ok".
std::string FieldOf(const Result<void>& r) {
    return r ? "ok" : r.error().field;
}

TEST(ChannelNames, RoundTripEveryChannel) {
    for (auto c :
         {Channel::kEmail,
          Channel::kWebhook,
          Channel::kSlack,
          Channel::kTeams,
          Channel::kDiscord,
          Channel::kTelegram,
          Channel::kMastodon}) {
        auto parsed = ParseChannel(ToString(c));
        ASSERT_TRUE(parsed.has_value()) << ToString(c);
        EXPECT_EQ(*parsed, c);
    }
    EXPECT_FALSE(ParseChannel("Email").has_value());
    EXPECT_FALSE(ParseChannel("sms").has_value());
}

TEST(ValidateEmailAddress, AcceptsOrdinaryAddresses) {
    for (std::string_view a : {
             "alice@example.com",
             "Alice.Smith@Example.COM",
             "ops+status@mail.example.co.uk",
             "x@b.c",
             "o'brien@example.ie",
             "a_b-c!#$%&*/=?^`{|}~@xn--bcher-kva.example",
             "a@123.example",
         }) {
        auto r = ValidateEmailAddress(a);
        EXPECT_TRUE(r) << a << ": " << r.error().message;
    }
}

TEST(ValidateEmailAddress, RejectsHeaderInjectionAttempts) {
    for (std::string_view a : {
             "a@b.c\r\nBcc: x@y.z",
             "a@b.c\nBcc: x@y.z",
             "a@b.c\rBcc: x@y.z",
             "a@b.c%0d%0a",  // an encoded line break: '%' is fine in a local part, not in a domain
             "a@b.c\tx",
             "Eve <eve@example.com>",
             "a@b.c, x@y.z",
             "a@b.c;x@y.z",
             "\"a b\"@example.com",
         }) {
        auto r = ValidateEmailAddress(a);
        ASSERT_FALSE(r) << "accepted: " << a;
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(r.error().field, "address");
    }
    // A NUL in the middle must not truncate the check.
    EXPECT_FALSE(ValidateEmailAddress("a@b.c\0Bcc: x@y.z"s));
    EXPECT_FALSE(ValidateEmailAddress("a\x7f@b.c"));
    auto r = ValidateEmailAddress("a@b.c\r\nBcc: x@y.z");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("line breaks"), std::string::npos) << r.error().message;
}

TEST(ValidateEmailAddress, RejectsMalformedAddresses) {
    for (std::string_view a : {
             "",
             "alice",
             "alice@",
             "@example.com",
             "alice@@example.com",
             "alice@bob@example.com",
             ".alice@example.com",
             "alice.@example.com",
             "al..ice@example.com",
             "alice@localhost",
             "alice@example..com",
             "alice@.example.com",
             "alice@example.com.",
             "alice@-example.com",
             "alice@example-.com",
             "alice@exa_mple.com",
             "alice@[127.0.0.1]",
             "jörg@example.com",
             "alice@bücher.example",
             " alice@example.com",
             "alice@example.com ",
         }) {
        EXPECT_EQ(FieldOf(ValidateEmailAddress(a)), "address") << "'" << a << "'";
    }
}

TEST(ValidateEmailAddress, EnforcesLengthLimits) {
    const std::string label63(63, 'd');
    EXPECT_TRUE(ValidateEmailAddress(std::string(64, 'l') + "@example.com"));
    EXPECT_FALSE(ValidateEmailAddress(std::string(65, 'l') + "@example.com"));
    EXPECT_FALSE(ValidateEmailAddress("a@" + std::string(64, 'd') + ".com")) << "a label has at most 63 bytes";

    // 254 bytes in all is the limit: 64 + 1 + 189.
    std::string domain = label63 + "." + label63 + "." + std::string(61, 'd');  // 189 bytes
    std::string at_limit = std::string(64, 'l') + "@" + domain;
    ASSERT_EQ(at_limit.size(), 254u);
    EXPECT_TRUE(ValidateEmailAddress(at_limit));
    std::string over = std::string(64, 'l') + "@" + domain + "d";
    ASSERT_EQ(over.size(), 255u);
    EXPECT_FALSE(ValidateEmailAddress(over));
}

TEST(NormalizeEmailAddress, LowerCasesOnlyTheDomain) {
    EXPECT_EQ(NormalizeEmailAddress("Alice.Smith@Example.COM"), "Alice.Smith@example.com");
    EXPECT_EQ(NormalizeEmailAddress("bob@example.com"), "bob@example.com");
    EXPECT_EQ(NormalizeEmailAddress("no-at-sign"), "no-at-sign");
}

TEST(ValidateSubscriber, EmailTargetErrorsNameTheTargetField) {
    EXPECT_TRUE(ValidateSubscriber(Make(Channel::kEmail, "alice@example.com")));
    auto r = ValidateSubscriber(Make(Channel::kEmail, "alice@example.com\r\nBcc: x@y.z"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().field, "target");
}

TEST(ValidateSubscriber, WebhookAcceptsHttpAndHttpsUrlsWithAHost) {
    for (std::string_view url : {
             "https://hooks.example.com/tocsin",
             "http://10.0.0.5:8080/hook?x=1#frag",
             "HTTPS://Hooks.Example.com",
             "https://[2001:db8::1]:8443/in",
             "https://example.com/path?next=a@b.c",
             "http://intranet_host/hook",
         }) {
        auto r = ValidateSubscriber(Make(Channel::kWebhook, std::string(url)));
        EXPECT_TRUE(r) << url << ": " << r.error().message;
    }
}

TEST(ValidateSubscriber, WebhookRejectsUnsafeOrMalformedUrls) {
    for (std::string url : {
             ""s,
             "ftp://example.com/x"s,
             "javascript:alert(1)"s,
             "hooks.example.com/x"s,
             "https://"s,
             "https:///path"s,
             "https://:443/path"s,
             "https://user:pass@example.com/"s,
             "https://good.example@evil.example/"s,
             "https://good.example\\@evil.example/"s,
             "https://example.com/a b"s,
             "https://example.com/\r\nX-Injected: 1"s,
             "https://example.com/\0x"s,
             "https://example.com:0/"s,
             "https://example.com:65536/"s,
             "https://example.com:http/"s,
             "https://[::1/"s,
             "https://exa mple.com/"s,
             "https://bücher.example/"s,
             "https://example.com/" + std::string(2048, 'a'),
         }) {
        EXPECT_EQ(FieldOf(ValidateSubscriber(Make(Channel::kWebhook, url))), "target") << url;
    }
    std::string at_limit = "https://example.com/" + std::string(2048 - 20, 'a');
    ASSERT_EQ(at_limit.size(), 2048u);
    EXPECT_TRUE(ValidateSubscriber(Make(Channel::kWebhook, at_limit)));
}

TEST(ValidateSubscriber, ChatHooksTakeHttpAndHttpsButNoCredentialsOrOtherSchemes) {
    for (auto c : {Channel::kSlack, Channel::kTeams, Channel::kDiscord}) {
        SCOPED_TRACE(std::string(ToString(c)));
        EXPECT_TRUE(ValidateSubscriber(Make(c, "https://hooks.example.com/services/T0/B0/xyz")));
        EXPECT_TRUE(ValidateSubscriber(Make(c, "http://mattermost.internal/hooks/xyz")));
        auto r = ValidateSubscriber(Make(c, "ftp://hooks.example.com/services/T0/B0/xyz"));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, "target");
        EXPECT_FALSE(ValidateSubscriber(Make(c, "https://user@hooks.example.com/x")));
    }
}

TEST(ValidateSubscriber, TelegramTakesNumericIdsAndChannelNames) {
    for (std::string_view id :
         {"12345",
          "-1001234567890",
          "@status",
          "@Status_Updates_2026",
          "@"
          "abcdefghijklmnopqrstuvwxyz012345"}) {
        auto r = ValidateSubscriber(Make(Channel::kTelegram, std::string(id)));
        EXPECT_TRUE(r) << id << ": " << r.error().message;
    }
    for (std::string_view id :
         {"",
          "-",
          "--100",
          "12a45",
          "+12345",
          "@abcd",
          "@abcdefghijklmnopqrstuvwxyz0123456",
          "@status-page",
          "status",
          "@stat us",
          "12345\n",
          "12345678901234567890"}) {
        EXPECT_EQ(FieldOf(ValidateSubscriber(Make(Channel::kTelegram, std::string(id)))), "target") << id;
    }
}

TEST(ValidateSubscriber, MastodonIsNotASubscriberChannel) {
    auto r = ValidateSubscriber(Make(Channel::kMastodon, "@status@mastodon.example"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().field, "channel");
}

TEST(ValidateSubscriber, LanguageMustBeEnOrDe) {
    auto s = Make(Channel::kEmail, "alice@example.com");
    s.language = "de";
    EXPECT_TRUE(ValidateSubscriber(s));
    for (std::string lang : {"", "fr", "EN", "en-US"}) {
        s.language = lang;
        EXPECT_EQ(FieldOf(ValidateSubscriber(s)), "language") << lang;
    }
}

TEST(ValidateSubscriber, OnlyWebhooksHaveASecretOfPrintableAscii) {
    auto hook = Make(Channel::kWebhook, "https://hooks.example.com/x");
    hook.secret = "";
    EXPECT_TRUE(ValidateSubscriber(hook)) << "the secret is optional";
    hook.secret = "s3cr3t with spaces ~!";
    EXPECT_TRUE(ValidateSubscriber(hook));
    hook.secret = std::string(256, 'k');
    EXPECT_TRUE(ValidateSubscriber(hook));
    hook.secret = std::string(257, 'k');
    EXPECT_EQ(FieldOf(ValidateSubscriber(hook)), "secret");
    hook.secret = "line\nbreak";
    EXPECT_EQ(FieldOf(ValidateSubscriber(hook)), "secret");
    hook.secret = "caf\xc3\xa9";
    EXPECT_EQ(FieldOf(ValidateSubscriber(hook)), "secret");

    auto mail = Make(Channel::kEmail, "alice@example.com");
    mail.secret = "whatever";
    EXPECT_EQ(FieldOf(ValidateSubscriber(mail)), "secret");
}

TEST(ValidateSubscriber, AtMost200Components) {
    auto s = Make(Channel::kEmail, "alice@example.com");
    s.component_ids.assign(200, "c");
    EXPECT_TRUE(ValidateSubscriber(s));
    s.component_ids.push_back("c");
    EXPECT_EQ(FieldOf(ValidateSubscriber(s)), "components");
}

}  // namespace
}  // namespace tocsin::domain
