#include "tocsin/config/config.hpp"

#include "test/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace tocsin::config {
namespace {

Result<Config> Load(const std::string& yaml) {
    test::TempDir dir;
    auto path = dir.File("tocsin.yaml");
    std::ofstream(path) << yaml;
    Config c;
    TOCSIN_TRY(LoadFile(path, c));
    return c;
}

TEST(OncallConfig, ReadsProviders) {
    auto c = Load(R"(oncall:
  allow_http_urls: true
  phone:
    base_url: http://127.0.0.1:9000
    account_sid: AC1
    auth_token: tok
    from: "+15005550006"
  ntfy:
    token: tk_1
  slack:
    bot_token: xoxb-1
  telegram:
    bot_token: "42:abc"
  web_push:
    subject: mailto:ops@example.com
    ttl_seconds: 600
  verification:
    lifetime_minutes: 5
    max_attempts: 3
    resend_seconds: 0
)");
    ASSERT_TRUE(c) << c.error().message;
    const auto& o = c->oncall;
    EXPECT_EQ(o.senders.phone.base_url, "http://127.0.0.1:9000");
    EXPECT_EQ(o.senders.phone.account_sid, "AC1");
    EXPECT_EQ(o.senders.phone.from_number, "+15005550006");
    EXPECT_EQ(o.senders.ntfy_token, "tk_1");
    EXPECT_TRUE(o.senders.allow_http_urls);
    EXPECT_EQ(o.senders.slack_bot_token, "xoxb-1");
    EXPECT_EQ(o.senders.telegram_bot_token, "42:abc");
    EXPECT_EQ(o.senders.vapid_subject, "mailto:ops@example.com");
    EXPECT_EQ(o.senders.push_ttl, std::chrono::seconds(600));
    EXPECT_EQ(o.verification_lifetime, std::chrono::minutes(5));
    EXPECT_EQ(o.verification_attempts, 3);
    EXPECT_EQ(o.verification_resend, std::chrono::seconds(0));
}

TEST(OncallConfig, ErrorsNameTheKeyAndLine) {
    struct Case {
        std::string_view name;
        std::string yaml;
        std::string field;
        std::string where;
    };
    const Case cases[] = {
        {"unknown key", "oncall:\n  pager: 1\n", "oncall.pager", "line 2"},
        {"unknown phone key", "oncall:\n  phone:\n    sid: x\n", "oncall.phone.sid", "line 3"},
        {"half a provider",
         "oncall:\n  phone:\n    account_sid: AC1\n    from: \"+15005550006\"\n",
         "oncall.phone.auth_token",
         "line 3"},  // the phone mapping starts at its first key
        {"national number",
         "oncall:\n  phone:\n    account_sid: AC1\n    auth_token: t\n    from: \"0151\"\n",
         "oncall.phone.from",
         "line 5"},
        {"bad subject", "oncall:\n  web_push:\n    subject: ops@example.com\n", "oncall.web_push.subject", "line 3"},
        {"zero attempts",
         "oncall:\n  verification:\n    max_attempts: 0\n",
         "oncall.verification.max_attempts",
         "line 3"},
        {"wrong type",
         "oncall:\n  verification:\n    max_attempts: many\n",
         "oncall.verification.max_attempts",
         "line 3"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto r = Load(c.yaml);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, c.field);
        EXPECT_NE(r.error().message.find(c.where), std::string::npos) << r.error().message;
    }
}

}  // namespace
}  // namespace tocsin::config
