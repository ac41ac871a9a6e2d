// NetChecks::StartDns against DnsResponder on 127.0.0.1:<ephemeral>, and the reply parser
// on hand-made messages.
#include "tocsin/checks/dns_channel.hpp"
#include "tocsin/checks/dns_message.hpp"
#include "tocsin/checks/net_checks.hpp"

#include "tocsin/checks/testing/dns_responder.hpp"

#include "tocsin/checks/testing/run_check.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace tocsin::checks::detail {
namespace {

namespace asio = boost::asio;
namespace t = tocsin::checks::testing;
using namespace std::chrono_literals;
using monitor::CheckSpec;
using monitor::ErrorClass;
using monitor::MonitorType;
using monitor::Observation;
using SteadyClock = std::chrono::steady_clock;

monitor::Observation RunDns(asio::io_context& io, NetChecks& checks, const monitor::CheckSpec& spec) {
    return testing::RunCheck(io, checks, &NetChecks::StartDns, spec);
}

CheckSpec Dns(std::string host, std::string type, std::string resolver) {
    CheckSpec spec;
    spec.type = MonitorType::kDns;
    spec.host = std::move(host);
    spec.dns_record_type = std::move(type);
    spec.dns_resolver = std::move(resolver);
    spec.timeout = 3s;
    return spec;
}

class DnsCheckTest : public ::testing::Test {
protected:
    DnsCheckTest() {
        zone_.Add("www.example.test", t::kA, t::EncodeAddress("192.0.2.1"));
        zone_.Add("www.example.test", t::kA, t::EncodeAddress("192.0.2.2"));
        zone_.Add("www.example.test", t::kAaaa, t::EncodeAddress("2001:0db8:0000:0000:0000:0000:0000:0001"));
        zone_.Add("example.test", t::kMx, t::EncodeMx(10, "mx1.example.test"));
        zone_.Add("example.test", t::kMx, t::EncodeMx(20, "mx2.example.test."));
        zone_.Add("example.test", t::kTxt, t::EncodeTxt({"v=spf1 ", "-all"}));
        zone_.Add("example.test", t::kNs, t::EncodeName("ns1.example.test"));
        zone_.Add(
            "example.test",
            t::kSoa,
            t::EncodeSoa("ns1.example.test", "hostmaster.example.test", {2024010101, 7200, 3600, 1209600, 300})
        );
        zone_.Add("example.test", t::kCaa, t::EncodeCaa(0, "issue", "ca.example"));
        zone_.Add("_https._tcp.example.test", t::kSrv, t::EncodeSrv(1, 5, 443, "www.example.test"));
        zone_.Add("alias.example.test", t::kCname, t::EncodeName("www.example.test"));
        zone_.Add("1.2.0.192.in-addr.arpa", t::kPtr, t::EncodeName("www.example.test"));
    }

    asio::io_context io_;
    NetChecks checks_{io_};
    t::DnsResponder zone_{io_};
};

TEST_F(DnsCheckTest, AnswersAreRenderedAsText) {
    struct Case {
        std::string_view name;
        std::string host;
        std::string type;
        std::vector<std::string> answers;
    };
    const std::vector<Case> cases = {
        {"A records in order", "www.example.test", "A", {"192.0.2.1", "192.0.2.2"}},
        {"AAAA canonical", "www.example.test", "AAAA", {"2001:db8::1"}},
        {"type is case-insensitive", "www.example.test", "aaaa", {"2001:db8::1"}},
        {"MX preference and name", "example.test", "MX", {"10 mx1.example.test.", "20 mx2.example.test."}},
        {"TXT strings joined", "example.test", "TXT", {"v=spf1 -all"}},
        {"NS", "example.test", "NS", {"ns1.example.test."}},
        {"SOA", "example.test", "SOA", {"ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300"}},
        {"CAA", "example.test", "CAA", {"0 issue \"ca.example\""}},
        {"SRV", "_https._tcp.example.test", "SRV", {"1 5 443 www.example.test."}},
        {"CNAME asked", "alias.example.test", "CNAME", {"www.example.test."}},
        {"A through a CNAME: only the A records", "alias.example.test", "A", {"192.0.2.1", "192.0.2.2"}},
        {"PTR of an IP literal", "192.0.2.1", "PTR", {"www.example.test."}},
        {"name exists, type does not", "example.test", "A", {}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const Observation obs = RunDns(io_, checks_, Dns(c.host, c.type, zone_.Address()));
        EXPECT_TRUE(obs.reached) << obs.error_message;
        EXPECT_EQ(obs.error, ErrorClass::kNone);
        EXPECT_EQ(obs.dns_rcode, "NOERROR");
        EXPECT_EQ(obs.dns_answers, c.answers);
        ASSERT_TRUE(obs.timings.dns);
        EXPECT_LE(*obs.timings.dns, obs.timings.total);
    }
}

TEST_F(DnsCheckTest, NxdomainIsAReplyWithoutAnswers) {
    const Observation obs = RunDns(io_, checks_, Dns("missing.example.test", "A", zone_.Address()));
    EXPECT_TRUE(obs.reached) << obs.error_message;
    EXPECT_EQ(obs.error, ErrorClass::kNone);
    EXPECT_EQ(obs.dns_rcode, "NXDOMAIN");
    EXPECT_TRUE(obs.dns_answers.empty());
}

TEST_F(DnsCheckTest, ServfailAndRefusedAreRepliesToo) {
    zone_.SetRcode("broken.example.test", 2);
    zone_.SetRcode("closed.example.test", 5);
    EXPECT_EQ(RunDns(io_, checks_, Dns("broken.example.test", "A", zone_.Address())).dns_rcode, "SERVFAIL");
    const Observation refused = RunDns(io_, checks_, Dns("closed.example.test", "A", zone_.Address()));
    EXPECT_TRUE(refused.reached);
    EXPECT_EQ(refused.dns_rcode, "REFUSED");
}

TEST_F(DnsCheckTest, SilentResolverIsATimeoutWithinTheDeadline) {
    zone_.SetSilent(true);
    CheckSpec spec = Dns("www.example.test", "A", zone_.Address());
    spec.timeout = 300ms;
    const auto started = SteadyClock::now();
    const Observation obs = RunDns(io_, checks_, spec);
    EXPECT_FALSE(obs.reached);
    EXPECT_EQ(obs.error, ErrorClass::kTimeout);
    EXPECT_NE(obs.error_message.find(zone_.Address()), std::string::npos) << obs.error_message;
    EXPECT_LT(SteadyClock::now() - started, 300ms + 3s);
    EXPECT_GE(zone_.Queries(), 1);
}

TEST_F(DnsCheckTest, ResolverChannelIsReusedAcrossChecks) {
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(RunDns(io_, checks_, Dns("www.example.test", "A", zone_.Address())).reached);
    EXPECT_EQ(zone_.Queries(), 3);
}

TEST_F(DnsCheckTest, ResolverOnIpv6Loopback) {
    boost::system::error_code ec;
    asio::ip::udp::socket probe(io_);
    probe.open(asio::ip::udp::v6(), ec);
    if (!ec) probe.bind(asio::ip::udp::endpoint(asio::ip::make_address("::1"), 0), ec);
    if (ec) GTEST_SKIP() << "no IPv6 loopback here";
    t::DnsResponder v6(io_, "::1");
    v6.Add("www.example.test", t::kA, t::EncodeAddress("192.0.2.9"));
    const Observation obs = RunDns(io_, checks_, Dns("www.example.test", "A", v6.Address()));
    EXPECT_EQ(obs.dns_answers, std::vector<std::string>{"192.0.2.9"}) << obs.error_message;
}

TEST_F(DnsCheckTest, BadSpecsFailWithoutQuerying) {
    EXPECT_EQ(RunDns(io_, checks_, Dns("example.test", "HINFO", zone_.Address())).error, ErrorClass::kUnsupported);
    EXPECT_EQ(RunDns(io_, checks_, Dns("example.test", "A", "not-an-ip")).error, ErrorClass::kDns);
    EXPECT_EQ(RunDns(io_, checks_, Dns("example.test", "A", "127.0.0.1:99999")).error, ErrorClass::kDns);
    EXPECT_EQ(RunDns(io_, checks_, Dns("", "A", zone_.Address())).error, ErrorClass::kDns);
    EXPECT_EQ(zone_.Queries(), 0);
}

// --- the parser and helpers, on bytes -------------------------------------------------

t::Bytes Header(std::uint16_t questions, std::uint16_t answers, int rcode = 0) {
    t::Bytes m{0x12, 0x34, 0x81, static_cast<unsigned char>(0x80 | rcode)};
    t::PutU16(m, questions);
    t::PutU16(m, answers);
    t::PutU16(m, 0);
    t::PutU16(m, 0);
    return m;
}

TEST(DnsMessage, RejectsMalformedReplies) {
    struct Case {
        std::string_view name;
        t::Bytes message;
    };
    t::Bytes loop = Header(1, 0);
    loop.insert(loop.end(), {0xc0, 0x0c, 0, 1, 0, 1});  // the name points at itself
    t::Bytes overrun = Header(0, 1);
    overrun.insert(overrun.end(), {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0});  // rdlength 4, 2 bytes
    t::Bytes bad_address = Header(0, 1);
    bad_address.insert(bad_address.end(), {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 192, 0, 2});
    t::Bytes bad_txt = Header(0, 1);
    bad_txt.insert(bad_txt.end(), {0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 2, 5, 'a'});
    const std::vector<Case> cases = {
        {"shorter than a header", {0x12, 0x34, 0x81}},
        {"question missing", Header(1, 0)},
        {"compression loop", loop},
        {"record data beyond the end", overrun},
        {"A record of 3 bytes", bad_address},
        {"TXT string longer than its record", bad_txt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const DnsType type = c.name.starts_with("TXT") ? DnsType::kTxt : DnsType::kA;
        const auto reply = ParseDnsReply(c.message.data(), c.message.size(), type);
        ASSERT_FALSE(reply);
        EXPECT_NE(reply.error().message.find("malformed DNS reply"), std::string::npos);
    }
}

TEST(DnsMessage, ReadsRcodeAndSkipsRecordsOfOtherTypes) {
    t::Bytes m = Header(0, 2, 3);
    m.insert(m.end(), {0, 0, 5, 0, 1, 0, 0, 0, 60, 0, 1, 0});  // CNAME to the root
    m.insert(m.end(), {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 7});
    const auto a = ParseDnsReply(m.data(), m.size(), DnsType::kA);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(DnsRcodeName(a->rcode), "NXDOMAIN");
    EXPECT_EQ(a->answers, std::vector<std::string>{"198.51.100.7"});
    const auto cname = ParseDnsReply(m.data(), m.size(), DnsType::kCname);
    ASSERT_TRUE(cname);
    EXPECT_EQ(cname->answers, std::vector<std::string>{"."});
}

TEST(DnsMessage, NamesTypesAndRcodes) {
    EXPECT_EQ(ParseDnsType("caa"), DnsType::kCaa);
    EXPECT_EQ(ParseDnsType("Srv"), DnsType::kSrv);
    EXPECT_FALSE(ParseDnsType("ANY"));
    EXPECT_FALSE(ParseDnsType(""));
    EXPECT_EQ(DnsRcodeName(0), "NOERROR");
    EXPECT_EQ(DnsRcodeName(2), "SERVFAIL");
    EXPECT_EQ(DnsRcodeName(5), "REFUSED");
    EXPECT_EQ(DnsRcodeName(15), "RCODE15");
}

TEST(DnsServer, ParsesTheResolverSpellings) {
    struct Case {
        std::string_view text;
        std::optional<DnsServer> expected;
    };
    const std::vector<Case> cases = {
        {"192.0.2.53", DnsServer{"192.0.2.53", 53}},
        {"192.0.2.53:5353", DnsServer{"192.0.2.53", 5353}},
        {"2001:db8::53", DnsServer{"2001:db8::53", 53}},
        {"[2001:db8::53]", DnsServer{"2001:db8::53", 53}},
        {"[::1]:5353", DnsServer{"::1", 5353}},
        {"", std::nullopt},
        {"dns.example", std::nullopt},
        {"192.0.2.53:", std::nullopt},
        {"192.0.2.53:0", std::nullopt},
        {"192.0.2.53:65536", std::nullopt},
        {"[::1", std::nullopt},
        {"[::1]53", std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = ParseDnsServer(c.text);
        ASSERT_EQ(parsed.has_value(), c.expected.has_value());
        if (!parsed) continue;
        EXPECT_EQ(parsed->address, c.expected->address);
        EXPECT_EQ(parsed->port, c.expected->port);
    }
}

}  // namespace
}  // namespace tocsin::checks::detail
