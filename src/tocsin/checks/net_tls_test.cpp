// NetChecks::StartTls against an in-process TLS server on 127.0.0.1 whose self-signed
// certificate is generated per test.
#include "tocsin/checks/net_checks.hpp"

#include "tocsin/checks/testing/tcp_listener.hpp"
#include "tocsin/checks/testing/tcp_listener_tls.hpp"

#include "tocsin/checks/testing/run_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

namespace tocsin::checks::detail {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using monitor::CheckSpec;
using monitor::ErrorClass;
using monitor::MonitorType;
using monitor::Observation;
using testing::MakeSelfSignedCertificate;
using testing::TlsListener;
using SteadyClock = std::chrono::steady_clock;

monitor::Observation RunTls(asio::io_context& io, NetChecks& checks, const monitor::CheckSpec& spec) {
    return testing::RunCheck(io, checks, &NetChecks::StartTls, spec);
}

constexpr std::chrono::seconds kDay{86'400};

CheckSpec Tls(int port, bool verify) {
    CheckSpec spec;
    spec.type = MonitorType::kTls;
    spec.host = "127.0.0.1";
    spec.port = port;
    spec.verify_tls = verify;
    spec.timeout = 5s;
    return spec;
}

bool Contains(std::string haystack, std::string needle) {
    auto lower = [](std::string& s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    };
    lower(haystack);
    lower(needle);
    return haystack.find(needle) != std::string::npos;
}

class TlsCheckTest : public ::testing::Test {
protected:
    asio::io_context io_;
    NetChecks checks_{io_};
};

TEST_F(TlsCheckTest, WithoutVerificationReportsDaysLeftAndPhaseTimes) {
    const auto identity = MakeSelfSignedCertificate(5 * kDay);
    TlsListener server(io_, identity);
    const Observation obs = RunTls(io_, checks_, Tls(server.Port(), false));
    ASSERT_TRUE(obs.reached) << obs.error_message;
    ASSERT_TRUE(obs.certificate_days_left);
    EXPECT_TRUE(*obs.certificate_days_left == 4 || *obs.certificate_days_left == 5) << *obs.certificate_days_left;
    ASSERT_TRUE(obs.timings.connect);
    ASSERT_TRUE(obs.timings.tls);
    // Phases are durations of their own (the handshake does not include the connect), so only
    // their sum is bounded: by the total. Which phase is longer depends on the machine's load.
    EXPECT_GT(obs.timings.tls->count(), 0);
    EXPECT_LE(*obs.timings.connect + *obs.timings.tls, obs.timings.total);
    EXPECT_EQ(server.Handshakes(), 1);
}

TEST_F(TlsCheckTest, SelfSignedCertificateFailsVerificationWithOpenSslsReason) {
    const auto identity = MakeSelfSignedCertificate(5 * kDay);
    TlsListener server(io_, identity);
    const Observation obs = RunTls(io_, checks_, Tls(server.Port(), true));
    EXPECT_FALSE(obs.reached);
    EXPECT_EQ(obs.error, ErrorClass::kTls);
    EXPECT_TRUE(Contains(obs.error_message, "self-signed") || Contains(obs.error_message, "self signed"))
        << obs.error_message;
    ASSERT_TRUE(obs.certificate_days_left) << "the leaf was seen before verification failed";
    EXPECT_GE(*obs.certificate_days_left, 4);
}

TEST_F(TlsCheckTest, CaPemIsTrustedForIpAndName) {
    const auto identity = MakeSelfSignedCertificate(30 * kDay);
    TlsListener server(io_, identity);
    for (const char* host : {"127.0.0.1", "localhost"}) {
        SCOPED_TRACE(host);
        CheckSpec spec = Tls(server.Port(), true);
        spec.host = host;
        spec.ca_pem = identity.certificate_pem;
        const Observation obs = RunTls(io_, checks_, spec);
        EXPECT_TRUE(obs.reached) << obs.error_message;
        EXPECT_EQ(obs.error, ErrorClass::kNone);
        ASSERT_TRUE(obs.certificate_days_left);
        EXPECT_TRUE(*obs.certificate_days_left == 29 || *obs.certificate_days_left == 30);
    }
}

TEST_F(TlsCheckTest, NameNotInTheCertificateFailsVerification) {
    const auto identity = MakeSelfSignedCertificate(30 * kDay);
    TlsListener server(io_, identity);
    CheckSpec spec = Tls(server.Port(), true);
    spec.server_name = "status.example.com";
    spec.ca_pem = identity.certificate_pem;
    const Observation obs = RunTls(io_, checks_, spec);
    EXPECT_EQ(obs.error, ErrorClass::kTls);
    EXPECT_TRUE(Contains(obs.error_message, "mismatch")) << obs.error_message;
}

TEST_F(TlsCheckTest, SendsServerNameAsSniButNeverAnIpLiteral) {
    const auto identity = MakeSelfSignedCertificate(30 * kDay);
    TlsListener server(io_, identity);
    CheckSpec spec = Tls(server.Port(), false);
    spec.server_name = "status.example.com";
    ASSERT_TRUE(RunTls(io_, checks_, spec).reached);
    EXPECT_EQ(server.LastServerName(), "status.example.com");

    spec.server_name.clear();
    ASSERT_TRUE(RunTls(io_, checks_, spec).reached);
    EXPECT_EQ(server.LastServerName(), "");
}

TEST_F(TlsCheckTest, ExpiredCertificateHasNegativeDaysLeft) {
    const auto identity = MakeSelfSignedCertificate(-2 * kDay, -10 * kDay);
    TlsListener server(io_, identity);

    const Observation unverified = RunTls(io_, checks_, Tls(server.Port(), false));
    EXPECT_TRUE(unverified.reached) << unverified.error_message;
    ASSERT_TRUE(unverified.certificate_days_left);
    EXPECT_TRUE(*unverified.certificate_days_left == -3 || *unverified.certificate_days_left == -2)
        << *unverified.certificate_days_left;

    CheckSpec spec = Tls(server.Port(), true);
    spec.ca_pem = identity.certificate_pem;
    const Observation verified = RunTls(io_, checks_, spec);
    EXPECT_EQ(verified.error, ErrorClass::kTls);
    EXPECT_TRUE(Contains(verified.error_message, "expired")) << verified.error_message;
    ASSERT_TRUE(verified.certificate_days_left);
    EXPECT_LT(*verified.certificate_days_left, 0);
}

TEST_F(TlsCheckTest, SilentServerTimesOutDuringTheHandshake) {
    testing::TcpListener silent(io_);
    CheckSpec spec = Tls(silent.Port(), true);
    spec.timeout = 300ms;
    const auto started = SteadyClock::now();
    const Observation obs = RunTls(io_, checks_, spec);
    EXPECT_EQ(obs.error, ErrorClass::kTimeout);
    EXPECT_TRUE(Contains(obs.error_message, "TLS handshake")) << obs.error_message;
    EXPECT_TRUE(obs.timings.connect);
    EXPECT_FALSE(obs.timings.tls);
    EXPECT_LT(SteadyClock::now() - started, 300ms + 3s);
}

TEST_F(TlsCheckTest, ClosedPortIsAConnectError) {
    const Observation obs = RunTls(io_, checks_, Tls(testing::UnusedTcpPort(), true));
    EXPECT_EQ(obs.error, ErrorClass::kConnect);
}

TEST_F(TlsCheckTest, UnreadableCaPemIsATlsError) {
    const auto identity = MakeSelfSignedCertificate(30 * kDay);
    TlsListener server(io_, identity);
    CheckSpec spec = Tls(server.Port(), true);
    spec.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    const Observation obs = RunTls(io_, checks_, spec);
    EXPECT_EQ(obs.error, ErrorClass::kTls);
    EXPECT_TRUE(Contains(obs.error_message, "ca_pem")) << obs.error_message;
}

}  // namespace
}  // namespace tocsin::checks::detail
