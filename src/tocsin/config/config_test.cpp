#include "tocsin/config/config.hpp"

#include "test/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <string_view>

namespace tocsin::config {
namespace {

using namespace std::chrono_literals;

TEST(ParseListen, SplitsAddressAndPort) {
    struct Case {
        std::string_view name;
        std::string_view text;
        bool ok;
        std::string_view address;  // when ok
        std::uint16_t port;
    };
    const Case cases[] = {
        {"ipv4", "127.0.0.1:8080", true, "127.0.0.1", 8080},
        {"any ipv4", "0.0.0.0:80", true, "0.0.0.0", 80},
        {"port zero picks a free port", "127.0.0.1:0", true, "127.0.0.1", 0},
        {"bracketed ipv6", "[::1]:8443", true, "::1", 8443},
        {"bracketed any ipv6", "[::]:0", true, "::", 0},
        {"empty host means every ipv4 address", ":9000", true, "0.0.0.0", 9000},
        {"highest port", "127.0.0.1:65535", true, "127.0.0.1", 65535},
        {"no port", "127.0.0.1", false, "", 0},
        {"empty port", "127.0.0.1:", false, "", 0},
        {"port too large", "127.0.0.1:65536", false, "", 0},
        {"negative port", "127.0.0.1:-1", false, "", 0},
        {"port with junk", "127.0.0.1:80x", false, "", 0},
        {"port with space", "127.0.0.1: 80", false, "", 0},
        {"empty", "", false, "", 0},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        http::ServerOptions o;
        o.address = "unchanged";
        o.port = 1;
        auto r = ParseListen(std::string(c.text), o);
        if (c.ok) {
            ASSERT_TRUE(r) << r.error().message;
            EXPECT_EQ(o.address, c.address);
            EXPECT_EQ(o.port, c.port);
        } else {
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().field, "listen");
            EXPECT_EQ(o.address, "unchanged");
            EXPECT_EQ(o.port, 1);
        }
    }
}

class LoadFileTest : public ::testing::Test {
protected:
    std::string Write(const std::string& yaml) {
        std::string path = dir_.File("tocsin.yaml");
        std::ofstream(path) << yaml;
        return path;
    }

    test::TempDir dir_;
};

TEST_F(LoadFileTest, FillsEveryOptionFromAValidFile) {
    auto path = Write(
        "# a full file\n"
        "server:\n"
        "  listen: \"[::1]:9090\"\n"
        "  body_limit: 4096\n"
        "  header_limit: 8192\n"
        "  read_timeout_ms: 2500\n"
        "  idle_timeout_ms: 30000\n"
        "  io_threads: 4\n"
        "  blocking_threads: 3\n"
        "storage:\n"
        "  data_dir: /var/lib/tocsin\n"
        "log:\n"
        "  level: debug\n"
        "engines:\n"
        "  maintenance_interval_ms: 1000\n"
        "page:\n"
        "  name: Example Status\n"
        "  url: https://status.example.com\n"
        "  time_zone: Europe/Berlin\n"
        "  default_language: de\n"
    );
    Config c;
    auto r = LoadFile(path, c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(c.server.address, "::1");
    EXPECT_EQ(c.server.port, 9090);
    EXPECT_EQ(c.server.body_limit, 4096u);
    EXPECT_EQ(c.server.header_limit, 8192u);
    EXPECT_EQ(c.server.read_timeout, 2500ms);
    EXPECT_EQ(c.server.idle_timeout, 30000ms);
    EXPECT_EQ(c.server.io_threads, 4);
    EXPECT_EQ(c.server.blocking_threads, 3);
    EXPECT_EQ(c.data_dir, "/var/lib/tocsin");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.maintenance_interval, 1000ms);
    EXPECT_EQ(c.page.name, "Example Status");
    EXPECT_EQ(c.page.url, "https://status.example.com");
    EXPECT_EQ(c.page.time_zone, "Europe/Berlin");
    EXPECT_EQ(c.page.default_language, "de");
}

TEST_F(LoadFileTest, KeepsValuesTheFileDoesNotMention) {
    auto path = Write("log:\n  level: warn\n");
    Config c;
    c.data_dir = "from-the-command-line";
    const Config defaults;
    auto r = LoadFile(path, c);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(c.log_level, "warn");
    EXPECT_EQ(c.data_dir, "from-the-command-line");
    EXPECT_EQ(c.server.address, defaults.server.address);
    EXPECT_EQ(c.server.port, defaults.server.port);
    EXPECT_EQ(c.server.body_limit, defaults.server.body_limit);
    EXPECT_EQ(c.maintenance_interval, defaults.maintenance_interval);
    EXPECT_FALSE(c.page.name);
    EXPECT_FALSE(c.page.time_zone);
}

TEST_F(LoadFileTest, AcceptsAnEmptyFile) {
    auto path = Write("");
    Config c;
    auto r = LoadFile(path, c);
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_EQ(c.log_level, "info");
}

TEST_F(LoadFileTest, RejectsUnknownKeysNamingPathAndLine) {
    struct Case {
        std::string_view name;
        std::string yaml;
        std::string_view field;
        std::string_view line;
    };
    const Case cases[] = {
        {"top level", "log:\n  level: info\nsever:\n  listen: 1\n", "sever", "line 3"},
        {"in server", "server:\n  listen: 127.0.0.1:1\n  body_limt: 5\n", "server.body_limt", "line 3"},
        {"in storage", "storage:\n  data_dir: x\n  postgres: y\n", "storage.postgres", "line 3"},
        {"in page", "page:\n\n  name: x\n  theme: dark\n", "page.theme", "line 4"},
        {"in engines", "engines:\n  probe_interval_ms: 5\n", "engines.probe_interval_ms", "line 2"},
        {"in log", "log:\n  format: json\n", "log.format", "line 2"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto path = Write(c.yaml);
        Config cfg;
        auto r = LoadFile(path, cfg);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidInput);
        EXPECT_EQ(r.error().field, c.field);
        EXPECT_NE(r.error().message.find(std::string(c.field)), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(std::string(c.line)), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("unknown key"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    }
}

TEST_F(LoadFileTest, RejectsWrongTypesNamingTheKey) {
    struct Case {
        std::string_view name;
        std::string yaml;
        std::string_view field;
    };
    const Case cases[] = {
        {"text for a number", "server:\n  io_threads: many\n", "server.io_threads"},
        {"list for a number", "server:\n  body_limit: [1, 2]\n", "server.body_limit"},
        {"negative size", "server:\n  body_limit: -5\n", "server.body_limit"},
        {"map for a string", "storage:\n  data_dir:\n    path: x\n", "storage.data_dir"},
        {"text for milliseconds", "engines:\n  maintenance_interval_ms: soon\n", "engines.maintenance_interval_ms"},
        {"list for a string", "page:\n  name: [a, b]\n", "page.name"},
        {"section that is not a map", "server: 8080\n", "server"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto path = Write(c.yaml);
        Config cfg;
        auto r = LoadFile(path, cfg);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, c.field);
        EXPECT_NE(r.error().message.find(std::string(c.field)), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("line"), std::string::npos) << r.error().message;
    }
}

TEST_F(LoadFileTest, ValidatesTheServerOptions) {
    struct Case {
        std::string_view name;
        std::string yaml;
        std::string_view field;
    };
    const Case cases[] = {
        {"host name instead of an address", "server:\n  listen: localhost:80\n", "server.address"},
        {"no io threads", "server:\n  io_threads: 0\n", "server.io_threads"},
        {"tiny body limit", "server:\n  body_limit: 10\n", "server.body_limit"},
        {"bad listen", "server:\n  listen: 8080\n", "listen"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        auto path = Write(c.yaml);
        Config cfg;
        auto r = LoadFile(path, cfg);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, c.field);
    }
}

TEST_F(LoadFileTest, ReportsSyntaxErrorsWithTheLine) {
    auto path = Write("server:\n  listen: [unclosed\n");
    Config c;
    auto r = LoadFile(path, c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "config");
    EXPECT_NE(r.error().message.find(path + ":"), std::string::npos) << r.error().message;
}

TEST_F(LoadFileTest, ReportsAMissingFile) {
    Config c;
    auto r = LoadFile(dir_.File("absent.yaml"), c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "config");
    EXPECT_NE(r.error().message.find("absent.yaml"), std::string::npos);
}

}  // namespace
}  // namespace tocsin::config

namespace tocsin::config {
namespace {

Result<void> LoadText(const std::string& text, Config& c) {
    test::TempDir dir;
    auto path = dir.File("tocsin.yaml");
    std::ofstream(path) << text;
    return LoadFile(path, c);
}

TEST(MonitorsInConfig, DeclaredMonitorsAreReadWithTheirIds) {
    Config c;
    auto r = LoadText(
        R"(monitoring:
  location: berlin
  raw_retention_days: 3
monitors:
  - id: api-health
    name: API
    type: http
    url: https://api.example.com/health
    interval_s: 30
    conditions: ["[STATUS] == 200", "[BODY].status == UP"]
    components:
      - component_id: abc
        down_status: partial_outage
  - id: nightly-backup
    name: Backup
    type: heartbeat
    interval_s: 86400
    heartbeat_token: "0123456789abcdef0123"
)",
        c
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(c.monitoring.location, "berlin");
    EXPECT_EQ(c.monitoring.raw_retention_days, 3);
    ASSERT_TRUE(c.monitors.present);
    ASSERT_EQ(c.monitors.monitors.size(), 2u);
    const auto& m = c.monitors.monitors[0];
    EXPECT_EQ(m.id, "api-health");
    EXPECT_EQ(m.source, "config");
    EXPECT_EQ(m.interval, 30s);
    EXPECT_EQ(m.conditions.size(), 2u);
    EXPECT_EQ(m.components.at(0).down_status, "partial_outage");
    EXPECT_EQ(c.monitors.heartbeat_tokens.at("nightly-backup"), "0123456789abcdef0123");
}

TEST(MonitorsInConfig, ErrorsNameTheLineAndColumn) {
    struct Case {
        std::string name;
        std::string yaml;
        std::string expect;  // substring of the message
    };
    const Case cases[] = {
        {"bad url",
         "monitors:\n  - id: a\n    name: A\n    type: http\n    url: ftp://x/\n",
         "monitors[0].url (line 5, column 10)"},
        {"missing id", "monitors:\n  - name: A\n    type: http\n    url: http://x/\n", "monitors[0].id"},
        {"bad condition",
         "monitors:\n  - id: a\n    name: A\n    type: http\n    url: http://x/\n    conditions:\n      - \"[STATUS] "
         "==\"\n",
         "monitors[0].conditions[0] (line 7, column 9)"},
        {"duplicate id",
         "monitors:\n  - {id: a, name: A, type: tcp, host: x, port: 1}\n  - {id: a, name: B, type: tcp, host: x, port: "
         "1}\n",
         "used twice"},
        {"heartbeat without token", "monitors:\n  - {id: a, name: A, type: heartbeat}\n", "heartbeat_token"},
        {"unknown monitoring key", "monitoring:\n  locaton: x\n", "monitoring.locaton"},
        {"retention too short", "monitoring:\n  raw_retention_days: 1\n", "raw_retention_days"},
        {"unknown monitor field",
         "monitors:\n  - {id: a, name: A, type: tcp, host: x, port: 1, colour: red}\n",
         "colour"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Config cfg;
        auto r = LoadText(c.yaml, cfg);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
    }
}

TEST(MonitorsInConfig, AnEmptyListIsPresentAndAbsentKeyIsNot) {
    Config with_empty;
    ASSERT_TRUE(LoadText("monitors: []\n", with_empty));
    EXPECT_TRUE(with_empty.monitors.present);
    Config without;
    ASSERT_TRUE(LoadText("log:\n  level: warn\n", without));
    EXPECT_FALSE(without.monitors.present);
}

TEST_F(LoadFileTest, ReadsTheNotificationsSection) {
    auto path = Write(
        "notifications:\n"
        "  from: \"Acme Status <status@acme.example>\"\n"
        "  public_url: https://status.acme.example\n"
        "  smtp:\n"
        "    url: smtps://mail.acme.example:465\n"
        "    username: status\n"
        "    password: secret\n"
        "    connections: 8\n"
        "  http: {per_host: 2, total: 10, timeout_seconds: 5, refuse_private_targets: true}\n"
        "  retry: {max_attempts: 5, base_seconds: 2, max_seconds: 60}\n"
        "  policy:\n"
        "    automatic_first_update: true\n"
        "    email: {min_impact: major, maintenance: false}\n"
        "  mastodon: {instance: https://social.example, access_token: tok, visibility: unlisted}\n"
        "  telegram: {bot_token: \"1:abc\"}\n"
        "  subscribe: {per_client_per_hour: 20, per_address_per_hour: 2, client_address_header: X-Forwarded-For}\n"
    );
    Config c;
    auto r = LoadFile(path, c);
    ASSERT_TRUE(r) << r.error().message;
    const auto& n = c.notifications;
    EXPECT_EQ(n.delivery.from_name, "Acme Status");
    EXPECT_EQ(n.delivery.from_address, "status@acme.example");
    EXPECT_EQ(n.delivery.public_url, "https://status.acme.example");
    EXPECT_EQ(n.transport.smtp.url, "smtps://mail.acme.example:465");
    EXPECT_EQ(n.transport.smtp.tls, notify::SmtpOptions::Tls::kImplicit);  // from the scheme
    EXPECT_EQ(n.transport.smtp_connections, 8);
    EXPECT_EQ(n.transport.per_host_requests, 2);
    EXPECT_EQ(n.transport.timeout, 5s);
    EXPECT_TRUE(n.transport.refuse_private_targets);
    EXPECT_EQ(n.delivery.max_attempts, 5);
    EXPECT_EQ(n.delivery.retry_base, 2s);
    EXPECT_TRUE(n.policy.automatic_first_update);
    EXPECT_EQ(n.policy.For(domain::Channel::kEmail).min_impact, domain::Impact::kMajor);
    EXPECT_FALSE(n.policy.For(domain::Channel::kEmail).maintenance);
    EXPECT_EQ(n.policy.For(domain::Channel::kSlack).min_impact, domain::Impact::kNone);
    EXPECT_EQ(n.mastodon.visibility, "unlisted");
    EXPECT_EQ(n.telegram.bot_token, "1:abc");
    EXPECT_EQ(n.subscribe_per_client_per_hour, 20);
    EXPECT_EQ(n.subscribe_client_address_header, "X-Forwarded-For");
}

TEST_F(LoadFileTest, NotificationErrorsNameTheKeyAndLine) {
    struct Case {
        std::string yaml;
        std::string field;
    };
    const Case cases[] = {
        {"notifications:\n  smtp:\n    url: http://mail.example\n", "notifications.smtp.url"},
        {"notifications:\n  smtp:\n    tls: maybe\n", "notifications.smtp.tls"},
        {"notifications:\n  from: \"a@b.example\\r\\nBcc: x@y.example\"\n", "notifications.from"},
        {"notifications:\n  policy:\n    email: {min_impact: huge}\n", "notifications.policy.email.min_impact"},
        {"notifications:\n  policy:\n    pager: {min_impact: none}\n", "notifications.policy.pager"},
        {"notifications:\n  retry: {base_seconds: 10, max_seconds: 5}\n", "notifications.retry"},
        {"notifications:\n  mastodon: {instance: https://social.example}\n", "notifications.mastodon.access_token"},
        {"notifications:\n  smpt: {}\n", "notifications.smpt"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.yaml);
        Config config;
        auto r = LoadFile(Write(c.yaml), config);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
        EXPECT_NE(r.error().message.find("line"), std::string::npos) << r.error().message;
    }
}

TEST_F(LoadFileTest, ReadsTheAdminSection) {
    Config config;
    auto r = LoadFile(
        Write("admin:\n  session_idle: 30m\n  session_lifetime: 2d\n  secure_cookie: always\n"
              "  client_address_header: X-Forwarded-For\n  login_failures_per_email: 8\n"
              "  login_failures_per_client: 40\n"),
        config
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(config.admin.idle_timeout, 30min);
    EXPECT_EQ(config.admin.lifetime, 48h);
    EXPECT_EQ(config.admin.secure_cookie, auth::SecureCookie::kAlways);
    EXPECT_EQ(config.admin.client_address_header, "X-Forwarded-For");
    EXPECT_EQ(config.admin.failures_per_email, 8);
    EXPECT_EQ(config.admin.failures_per_client, 40);

    Config defaults;
    ASSERT_TRUE(LoadFile(Write("log:\n  level: info\n"), defaults));
    EXPECT_EQ(defaults.admin.idle_timeout, 12h);
    EXPECT_EQ(defaults.admin.lifetime, 7 * 24h);
    EXPECT_EQ(defaults.admin.secure_cookie, auth::SecureCookie::kAuto);
}

TEST_F(LoadFileTest, ReadsTheAlertsSection) {
    Config config;
    auto r = LoadFile(
        Write("alerts:\n  rate_per_minute: 600\n  rate_burst: 100\n  max_queued_events: 5000\n"
              "  timer_interval: 2s\n"),
        config
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(config.alerts.rate_per_minute, 600);
    EXPECT_EQ(config.alerts.rate_burst, 100);
    EXPECT_EQ(config.alerts.max_queued_events, 5000u);
    EXPECT_EQ(config.alerts.timer_interval, 2s);
    Config defaults;
    ASSERT_TRUE(LoadFile(Write("log:\n  level: info\n"), defaults));
    EXPECT_EQ(defaults.alerts.rate_per_minute, 120);
    EXPECT_EQ(defaults.alerts.rate_burst, 60);
}

TEST_F(LoadFileTest, AlertsErrorsNameTheKey) {
    const std::pair<std::string, std::string> cases[] = {
        {"alerts:\n  rate_per_minute: 0\n", "alerts.rate_per_minute"},
        {"alerts:\n  rate_burst: many\n", "alerts.rate_burst"},
        {"alerts:\n  max_queued_events: 10\n", "alerts.max_queued_events"},
        {"alerts:\n  timer_interval: soon\n", "alerts.timer_interval"},
        {"alerts:\n  rate: 1\n", "alerts.rate"},
    };
    for (const auto& [yaml, field] : cases) {
        SCOPED_TRACE(yaml);
        Config config;
        auto r = LoadFile(Write(yaml), config);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, field) << r.error().message;
    }
}

TEST_F(LoadFileTest, AdminErrorsNameTheKeyAndLine) {
    struct Case {
        std::string yaml;
        std::string field;
    };
    const Case cases[] = {
        {"admin:\n  session_idle: 12 hours\n", "admin.session_idle"},
        {"admin:\n  session_idle: 10s\n", "admin.session_idle"},
        {"admin:\n  session_idle: 8d\n", "admin.session_idle"},
        {"admin:\n  session_lifetime: 500d\n", "admin.session_lifetime"},
        {"admin:\n  secure_cookie: sometimes\n", "admin.secure_cookie"},
        {"admin:\n  login_failures_per_email: 0\n", "admin"},
        {"admin:\n  session_idel: 1h\n", "admin.session_idel"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.yaml);
        Config config;
        auto r = LoadFile(Write(c.yaml), config);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().field, c.field) << r.error().message;
        EXPECT_NE(r.error().message.find("line"), std::string::npos) << r.error().message;
    }
}

}  // namespace
}  // namespace tocsin::config
