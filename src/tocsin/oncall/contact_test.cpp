#include "tocsin/oncall/contact.hpp"

#include <gtest/gtest.h>

#include <set>

namespace tocsin::oncall {
namespace {

TEST(ContactKind, RoundTrips) {
    for (auto k :
         {ContactKind::kEmail,
          ContactKind::kSms,
          ContactKind::kVoice,
          ContactKind::kNtfy,
          ContactKind::kWebPush,
          ContactKind::kSlack,
          ContactKind::kTeams,
          ContactKind::kTelegram,
          ContactKind::kWebhook}) {
        EXPECT_EQ(ParseContactKind(ToString(k)), k);
    }
    EXPECT_FALSE(ParseContactKind("pager"));
    EXPECT_EQ(ParseUrgency("low"), Urgency::kLow);
    EXPECT_FALSE(ParseUrgency("urgent"));
}

TEST(ContactValidation, PhoneNumbersMustBeE164) {
    EXPECT_TRUE(IsE164("+4915112345678"));
    EXPECT_TRUE(IsE164("+12025550123"));
    EXPECT_FALSE(IsE164("015112345678"));
    EXPECT_FALSE(IsE164("+0151123456"));
    EXPECT_FALSE(IsE164("+49 151 1234"));
    EXPECT_FALSE(IsE164("+1234567"));
    EXPECT_FALSE(IsE164("+1234567890123456"));
}

TEST(ContactValidation, EmailAddresses) {
    EXPECT_TRUE(IsEmailAddress("ann@example.com"));
    EXPECT_TRUE(IsEmailAddress("ann.b+pages@mail.example.co.uk"));
    EXPECT_FALSE(IsEmailAddress("ann"));
    EXPECT_FALSE(IsEmailAddress("@example.com"));
    EXPECT_FALSE(IsEmailAddress("ann@"));
    EXPECT_FALSE(IsEmailAddress("ann@example"));
    EXPECT_FALSE(IsEmailAddress("Ann <ann@example.com>"));
    EXPECT_FALSE(IsEmailAddress("ann@example.com\r\nBcc: x@y.z"));
    EXPECT_FALSE(IsEmailAddress("a..b@example.com"));
}

TEST(ContactValidation, HttpsUrls) {
    EXPECT_TRUE(IsHttpsUrl("https://ntfy.sh/ann"));
    EXPECT_TRUE(IsHttpsUrl("https://hooks.example:8443/x?y=1"));
    EXPECT_FALSE(IsHttpsUrl("http://ntfy.sh/ann"));
    EXPECT_FALSE(IsHttpsUrl("https://user:pw@ntfy.sh/ann"));
    EXPECT_FALSE(IsHttpsUrl("https:///path"));
    EXPECT_FALSE(IsHttpsUrl("https://ntfy.sh/a b"));
}

TEST(ContactValidation, TimeZonesAndLanguages) {
    EXPECT_TRUE(IsTimeZone("Europe/Berlin"));
    EXPECT_TRUE(IsTimeZone("America/New_York"));
    EXPECT_TRUE(IsTimeZone("UTC"));
    EXPECT_FALSE(IsTimeZone("Mars/Olympus"));
    EXPECT_FALSE(IsTimeZone(""));
    EXPECT_TRUE(IsLanguage("de"));
    EXPECT_FALSE(IsLanguage("fr"));
}

TEST(ContactValidation, NamesTheFieldPerKind) {
    struct Case {
        std::string_view name;
        ContactKind kind;
        std::string address;
        std::string data;
        std::string field;  // "" valid
    };
    const std::string p256dh =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const std::string auth = "BTBZMqHH6r4Tts7J_aSIgg";
    const std::string push_ok =
        R"({"endpoint":"https://push.example/x","keys":{"p256dh":")" + p256dh + R"(","auth":")" + auth + R"("}})";
    const std::vector<Case> cases{
        {"email ok", ContactKind::kEmail, "ann@example.com", "{}", ""},
        {"email bad", ContactKind::kEmail, "ann", "{}", "address"},
        {"sms ok", ContactKind::kSms, "+4915112345678", "{}", ""},
        {"sms national", ContactKind::kSms, "015112345678", "{}", "address"},
        {"voice bad", ContactKind::kVoice, "+49", "{}", "address"},
        {"ntfy http", ContactKind::kNtfy, "http://ntfy.sh/x", "{}", "address"},
        {"webhook ok", ContactKind::kWebhook, "https://hooks.example/x", "{}", ""},
        {"teams bad", ContactKind::kTeams, "teams", "{}", "address"},
        {"slack id", ContactKind::kSlack, "U0123ABCD", "{}", ""},
        {"slack hook", ContactKind::kSlack, "https://hooks.slack.com/services/T/B/x", "{}", ""},
        {"slack other url", ContactKind::kSlack, "https://evil.example/x", "{}", "address"},
        {"telegram ok", ContactKind::kTelegram, "123456789", "{}", ""},
        {"telegram bad", ContactKind::kTelegram, "abc", "{}", "address"},
        {"push ok", ContactKind::kWebPush, "https://push.example/x", push_ok, ""},
        {"push no keys",
         ContactKind::kWebPush,
         "https://push.example/x",
         R"({"endpoint":"https://push.example/x"})",
         "data.keys"},
        {"push endpoint differs", ContactKind::kWebPush, "https://push.example/y", push_ok, "data.endpoint"},
        {"push short auth",
         ContactKind::kWebPush,
         "https://push.example/x",
         R"({"keys":{"p256dh":")" + p256dh + R"(","auth":"abc"}})",
         "data.keys.auth"},
        {"data not object", ContactKind::kEmail, "ann@example.com", "[]", "data"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        ContactMethod m;
        m.kind = c.kind;
        m.address = c.address;
        m.data_json = c.data;
        auto r = ValidateContactMethod(m);
        if (c.field.empty()) {
            EXPECT_TRUE(r) << r.error().message;
        } else {
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().field, c.field);
            EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        }
    }
}

TEST(ContactValidation, HttpUrlsOnlyWhenAllowed) {
    ContactMethod m;
    m.kind = ContactKind::kNtfy;
    m.address = "http://127.0.0.1:8080/pages";
    EXPECT_EQ(ValidateContactMethod(m).error().field, "address");
    EXPECT_TRUE(ValidateContactMethod(m, true));
    m.address = "ftp://127.0.0.1/pages";
    EXPECT_FALSE(ValidateContactMethod(m, true));
}

TEST(InboundSms, ReadsCodeAndAction) {
    struct Case {
        std::string_view body;
        std::string code;
        ReplyAction action;
    };
    const std::vector<Case> cases{
        {"1234", "1234", ReplyAction::kAcknowledge},
        {"+1234+", "1234", ReplyAction::kAcknowledge},
        {"ACK%201234", "1234", ReplyAction::kAcknowledge},
        {"1234+ack", "1234", ReplyAction::kAcknowledge},
        {"r+1234", "1234", ReplyAction::kResolve},
        {"1234+Resolve.", "1234", ReplyAction::kResolve},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        auto r = ParseInboundSms("From=%2B4915112345678&To=%2B15005550006&Body=" + std::string(c.body));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->from, "+4915112345678");
        EXPECT_EQ(r->reply_code, c.code);
        EXPECT_EQ(r->action, c.action);
    }
}

TEST(InboundSms, RejectsWhatItCannotRead) {
    EXPECT_EQ(ParseInboundSms("Body=1234").error().field, "From");
    EXPECT_EQ(ParseInboundSms("From=%2B4915112345678&Body=hello").error().field, "Body");
    EXPECT_EQ(ParseInboundSms("From=%2B4915112345678&Body=ack").error().field, "Body");
    EXPECT_EQ(ParseInboundSms("From=%2B4915112345678&Body=12+34").error().field, "Body");
}

TEST(InboundVoice, KeyPressAcknowledgesOrResolves) {
    auto ack =
        ParseVoiceKeyPress("Digits=1&To=%2B4915112345678&From=%2B15005550006&Direction=outbound-api", "code=4711");
    ASSERT_TRUE(ack) << ack.error().message;
    EXPECT_EQ(ack->from, "+4915112345678");
    EXPECT_EQ(ack->reply_code, "4711");
    EXPECT_EQ(ack->action, ReplyAction::kAcknowledge);
    auto res = ParseVoiceKeyPress("Digits=2&To=%2B4915112345678", "code=4711");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->action, ReplyAction::kResolve);
    EXPECT_EQ(ParseVoiceKeyPress("Digits=9&To=%2B4915112345678", "code=4711").error().field, "Digits");
    EXPECT_EQ(ParseVoiceKeyPress("Digits=1&To=%2B4915112345678", "").error().field, "code");
}

TEST(VerificationCode, SixDigitsAndHashedPerMethod) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        auto c = NewVerificationCode();
        ASSERT_EQ(c.size(), 6u);
        EXPECT_TRUE(std::all_of(c.begin(), c.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
        seen.insert(c);
    }
    EXPECT_GT(seen.size(), 40u);
    EXPECT_EQ(HashVerificationCode("m1", "123456"), HashVerificationCode("m1", "123456"));
    EXPECT_NE(HashVerificationCode("m1", "123456"), HashVerificationCode("m2", "123456"));
    EXPECT_EQ(HashVerificationCode("m1", "123456").size(), 64u);
}

}  // namespace
}  // namespace tocsin::oncall
