#include "tocsin/oncall/senders.hpp"

#include "tocsin/oncall/webpush.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tocsin::oncall {
namespace {

SenderConfig Config() {
    SenderConfig c;
    c.public_url = "https://tocsin.example";
    c.from_address = "pages@tocsin.example";
    c.phone.base_url = "https://sms.example/";
    c.phone.account_sid = "AC123";
    c.phone.auth_token = "secret";
    c.phone.from_number = "+15005550006";
    c.slack_bot_token = "xoxb-1";
    c.telegram_bot_token = "42:abc";
    return c;
}

PageMessage Page() {
    PageMessage m;
    m.incident_id = "inc1";
    m.incident_number = 42;
    m.incident_title = "Database down";
    m.service_name = "Payments";
    m.ack_url = "https://tocsin.example/ack/AAA";
    m.resolve_url = "https://tocsin.example/resolve/BBB";
    m.open_url = "https://tocsin.example/admin/alert-incidents/inc1";
    m.reply_code = "4711";
    m.now = TimePoint{std::chrono::milliseconds(1'700'000'000'000)};
    return m;
}

ContactMethod Method(ContactKind kind, std::string address) {
    ContactMethod m;
    m.id = "m1";
    m.user_id = "u1";
    m.kind = kind;
    m.address = std::move(address);
    return m;
}

std::string Header(const notify::OutgoingHttp& h, std::string_view name) {
    for (const auto& [k, v] : h.headers) {
        if (k == name) return v;
    }
    return {};
}

std::string FormField(const std::string& body, std::string_view key) {
    for (const auto& [k, v] : ParseForm(body)) {
        if (k == key) return v;
    }
    return {};
}

TEST(Senders, EmailCarriesAckAndResolveLinksInTheUsersLanguage) {
    auto out = BuildOutgoing(Method(ContactKind::kEmail, "ann@example.com"), Page(), Config());
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_TRUE(out->mail);
    EXPECT_FALSE(out->http);
    EXPECT_EQ(out->mail->to, "ann@example.com");
    EXPECT_EQ(out->mail->from, "pages@tocsin.example");
    EXPECT_NE(out->mail->data.find("Subject: [tocsin] #42 [high] Database down (Payments)"), std::string::npos);
    EXPECT_NE(out->mail->data.find("Acknowledge: https://tocsin.example/ack/AAA"), std::string::npos);
    EXPECT_NE(out->mail->data.find("Resolve: https://tocsin.example/resolve/BBB"), std::string::npos);

    auto de = Page();
    de.language = "de";
    out = BuildOutgoing(Method(ContactKind::kEmail, "ann@example.com"), de, Config());
    ASSERT_TRUE(out);
    EXPECT_NE(out->mail->data.find("Best=C3=A4tigen: https://tocsin.example/ack/AAA"), std::string::npos)
        << out->mail->data;
}

TEST(Senders, VerificationMailHoldsTheCode) {
    PageMessage v;
    v.verification_code = "123456";
    auto out = BuildOutgoing(Method(ContactKind::kEmail, "ann@example.com"), v, Config());
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_NE(out->mail->data.find("123456"), std::string::npos);
    EXPECT_NE(out->mail->data.find("verification code"), std::string::npos);
}

TEST(Senders, SmsIsATwilioFormPostWithBasicAuth) {
    auto out = BuildOutgoing(Method(ContactKind::kSms, "+4915112345678"), Page(), Config());
    ASSERT_TRUE(out) << out.error().message;
    ASSERT_TRUE(out->http);
    const auto& h = *out->http;
    EXPECT_EQ(h.url, "https://sms.example/2010-04-01/Accounts/AC123/Messages.json");
    EXPECT_EQ(h.method, "POST");
    EXPECT_EQ(Header(h, "Authorization"), "Basic QUMxMjM6c2VjcmV0");  // AC123:secret
    EXPECT_EQ(Header(h, "Content-Type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(FormField(h.body, "To"), "+4915112345678");
    EXPECT_EQ(FormField(h.body, "From"), "+15005550006");
    auto body = FormField(h.body, "Body");
    EXPECT_NE(body.find("#42"), std::string::npos);
    EXPECT_NE(body.find("Reply 4711 to ack"), std::string::npos) << body;
    EXPECT_LE(body.size(), 320u);
}

TEST(Senders, SmsNeedsAProvider) {
    auto cfg = Config();
    cfg.phone.account_sid.clear();
    auto out = BuildOutgoing(Method(ContactKind::kSms, "+4915112345678"), Page(), cfg);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, ErrorKind::kUnavailable);
}

TEST(Senders, VoiceCallGathersOneKeyPostedWithTheReplyCode) {
    auto out = BuildOutgoing(Method(ContactKind::kVoice, "+4915112345678"), Page(), Config());
    ASSERT_TRUE(out) << out.error().message;
    const auto& h = *out->http;
    EXPECT_EQ(h.url, "https://sms.example/2010-04-01/Accounts/AC123/Calls.json");
    auto twiml = FormField(h.body, "Twiml");
    EXPECT_NE(twiml.find("<Gather numDigits=\"1\""), std::string::npos) << twiml;
    EXPECT_NE(twiml.find("action=\"https://tocsin.example/hooks/oncall/voice?code=4711\""), std::string::npos) << twiml;
    EXPECT_NE(twiml.find("Press 1 to acknowledge"), std::string::npos);

    auto evil = Page();
    evil.incident_title = "</Say><Hangup/>";
    out = BuildOutgoing(Method(ContactKind::kVoice, "+4915112345678"), evil, Config());
    ASSERT_TRUE(out);
    EXPECT_EQ(FormField(out->http->body, "Twiml").find("<Hangup/>"), std::string::npos) << "the title is escaped";
}

TEST(Senders, NtfyPostsToTheTopicWithAnHttpAcknowledgeAction) {
    auto cfg = Config();
    cfg.ntfy_token = "tk_1";
    auto out = BuildOutgoing(Method(ContactKind::kNtfy, "https://ntfy.example/ann"), Page(), cfg);
    ASSERT_TRUE(out) << out.error().message;
    const auto& h = *out->http;
    EXPECT_EQ(h.url, "https://ntfy.example/ann");
    EXPECT_EQ(Header(h, "Priority"), "5");
    EXPECT_EQ(Header(h, "Title"), "#42 [high] Database down");
    EXPECT_EQ(Header(h, "Tags"), "rotating_light");
    EXPECT_EQ(Header(h, "Authorization"), "Bearer tk_1");
    auto actions = Header(h, "Actions");
    EXPECT_NE(actions.find("http, Acknowledge, https://tocsin.example/ack/AAA, method=POST"), std::string::npos)
        << actions;
    EXPECT_NE(h.body.find("Database down (Payments)"), std::string::npos);

    auto de = Page();
    de.language = "de";
    de.urgency = Urgency::kLow;
    out = BuildOutgoing(Method(ContactKind::kNtfy, "https://ntfy.example/ann"), de, Config());
    ASSERT_TRUE(out);
    EXPECT_EQ(Header(*out->http, "Priority"), "3");
    EXPECT_TRUE(Header(*out->http, "Actions").starts_with("=?UTF-8?B?")) << "non-ASCII header words are encoded";
}

TEST(Senders, ChatAndWebhookBodiesAreJson) {
    auto slack = BuildOutgoing(Method(ContactKind::kSlack, "U0123ABCD"), Page(), Config());
    ASSERT_TRUE(slack) << slack.error().message;
    EXPECT_EQ(slack->http->url, "https://slack.com/api/chat.postMessage");
    EXPECT_EQ(Header(*slack->http, "Authorization"), "Bearer xoxb-1");
    auto sj = boost::json::parse(slack->http->body);
    EXPECT_EQ(sj.at("channel").as_string(), "U0123ABCD");
    EXPECT_NE(
        std::string(sj.at("text").as_string()).find("<https://tocsin.example/ack/AAA|Acknowledge>"), std::string::npos
    );

    auto tg = BuildOutgoing(Method(ContactKind::kTelegram, "123456"), Page(), Config());
    ASSERT_TRUE(tg);
    EXPECT_EQ(tg->http->url, "https://api.telegram.org/bot42:abc/sendMessage");
    auto tj = boost::json::parse(tg->http->body);
    EXPECT_EQ(tj.at("chat_id").as_string(), "123456");
    EXPECT_EQ(
        tj.at("reply_markup").at("inline_keyboard").at(0).at(0).at("url").as_string(), "https://tocsin.example/ack/AAA"
    );

    auto teams = BuildOutgoing(Method(ContactKind::kTeams, "https://teams.example/hook"), Page(), Config());
    ASSERT_TRUE(teams);
    auto card = boost::json::parse(teams->http->body).at("attachments").at(0).at("content");
    EXPECT_EQ(card.at("type").as_string(), "AdaptiveCard");
    EXPECT_EQ(card.at("actions").at(0).at("url").as_string(), "https://tocsin.example/ack/AAA");

    auto hook = BuildOutgoing(Method(ContactKind::kWebhook, "https://hooks.example/x"), Page(), Config());
    ASSERT_TRUE(hook);
    auto hj = boost::json::parse(hook->http->body);
    EXPECT_EQ(hj.at("type").as_string(), "page");
    EXPECT_EQ(hj.at("incident").at("number").as_int64(), 42);
    EXPECT_EQ(hj.at("links").at("acknowledge").as_string(), "https://tocsin.example/ack/AAA");
}

TEST(Senders, WebPushIsEncryptedForTheSubscription) {
    auto browser_pem = NewVapidKeyPem().value();
    auto p256dh = VapidPublicKey(browser_pem).value();
    const std::string auth_b64 = "BTBZMqHH6r4Tts7J_aSIgg";
    auto m = Method(ContactKind::kWebPush, "https://push.example/sub/1");
    m.data_json = boost::json::serialize(boost::json::object{
        {"endpoint", m.address}, {"keys", boost::json::object{{"p256dh", p256dh}, {"auth", auth_b64}}}});
    auto cfg = Config();
    auto no_key = BuildOutgoing(m, Page(), cfg);
    ASSERT_FALSE(no_key);
    EXPECT_EQ(no_key.error().kind, ErrorKind::kUnavailable);
    cfg.vapid_private_key_pem = NewVapidKeyPem().value();
    auto out = BuildOutgoing(m, Page(), cfg);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(Header(*out->http, "Content-Encoding"), "aes128gcm");
    const unsigned char auth_raw[] = {
        0x05, 0x30, 0x59, 0x32, 0xa1, 0xc7, 0xea, 0xbe, 0x13, 0xb6, 0xce, 0xc9, 0xfd, 0xa4, 0x88, 0x82};
    auto plain = DecryptWebPush(
        Bytes(out->http->body.begin(), out->http->body.end()),
        browser_pem,
        Bytes(std::begin(auth_raw), std::end(auth_raw))
    );
    ASSERT_TRUE(plain) << plain.error().message;
    auto pj = boost::json::parse(*plain);
    EXPECT_EQ(pj.at("ack_url").as_string(), "https://tocsin.example/ack/AAA");
    EXPECT_EQ(pj.at("incident_id").as_string(), "inc1");
}

TEST(Senders, InvalidMethodsAreRefused) {
    auto out = BuildOutgoing(Method(ContactKind::kSms, "0151"), Page(), Config());
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().field, "address");
}

}  // namespace
}  // namespace tocsin::oncall

namespace tocsin::oncall {
namespace {

notify::SendResult Answer(int status, std::string body) {
    notify::SendResult r;
    r.ok = true;
    r.status = status;
    r.response_body = std::move(body);
    return r;
}

TEST(CheckProviderAnswer, ErrorsInsideA2xxAreFailures) {
    auto slack = CheckProviderAnswer(ContactKind::kSlack, Answer(200, R"({"ok":false,"error":"invalid_auth"})"));
    EXPECT_FALSE(slack.ok);
    EXPECT_TRUE(slack.permanent);
    EXPECT_EQ(slack.error, "slack: invalid_auth");
    auto limited = CheckProviderAnswer(ContactKind::kSlack, Answer(200, R"({"ok":false,"error":"ratelimited"})"));
    EXPECT_FALSE(limited.ok);
    EXPECT_FALSE(limited.permanent);
    EXPECT_TRUE(CheckProviderAnswer(ContactKind::kSlack, Answer(200, R"({"ok":true,"ts":"1.2"})")).ok);
    EXPECT_TRUE(CheckProviderAnswer(ContactKind::kSlack, Answer(200, "ok")).ok) << "incoming webhooks answer text";

    auto tg = CheckProviderAnswer(
        ContactKind::kTelegram,
        Answer(200, R"({"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":7}})")
    );
    EXPECT_FALSE(tg.ok);
    EXPECT_FALSE(tg.permanent);
    ASSERT_TRUE(tg.retry_after);
    EXPECT_EQ(tg.retry_after->count(), 7);
    EXPECT_EQ(tg.error, "telegram: 429 Too Many Requests");
    auto blocked = CheckProviderAnswer(
        ContactKind::kTelegram,
        Answer(200, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked"})")
    );
    EXPECT_FALSE(blocked.ok);
    EXPECT_TRUE(blocked.permanent);
    EXPECT_TRUE(CheckProviderAnswer(ContactKind::kTelegram, Answer(200, R"({"ok":true,"result":{}})")).ok);

    auto teams = CheckProviderAnswer(
        ContactKind::kTeams,
        Answer(200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429")
    );
    EXPECT_FALSE(teams.ok);
    EXPECT_FALSE(teams.permanent);
    EXPECT_TRUE(CheckProviderAnswer(ContactKind::kTeams, Answer(202, "")).ok);
    EXPECT_TRUE(CheckProviderAnswer(ContactKind::kWebhook, Answer(200, R"({"ok":false})")).ok)
        << "a generic webhook's body is not read";
}

}  // namespace
}  // namespace tocsin::oncall
