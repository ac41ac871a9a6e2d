// NetChecks: TCP and ICMP checks, concurrency, deadlines and cancellation, against real
// sockets on 127.0.0.1 / ::1 driven by an io_context on the test thread.
#include "tocsin/checks/net_checks.hpp"

#include "tocsin/checks/icmp_echo.hpp"

#include "tocsin/checks/testing/dns_responder.hpp"
#include "tocsin/checks/testing/run_check.hpp"
#include "tocsin/checks/testing/tcp_listener.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace tocsin::checks::detail {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using monitor::CheckSpec;
using monitor::ErrorClass;
using monitor::MonitorType;
using monitor::Observation;
using testing::RunCheck;
using testing::TcpListener;
using SteadyClock = std::chrono::steady_clock;

CheckSpec Tcp(std::string host, int port) {
    CheckSpec spec;
    spec.type = MonitorType::kTcp;
    spec.host = std::move(host);
    spec.port = port;
    spec.timeout = 3s;
    return spec;
}

bool CanBind(const char* ip) {
    asio::io_context io;
    boost::system::error_code ec;
    asio::ip::tcp::acceptor acceptor(io);
    acceptor.open(asio::ip::make_address(ip).is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
    if (!ec) acceptor.bind(asio::ip::tcp::endpoint(asio::ip::make_address(ip), 0), ec);
    return !ec;
}

TEST(TcpCheck, OpenPortIsReachedWithConnectTime) {
    asio::io_context io;
    NetChecks checks(io);
    TcpListener listener(io);
    const Observation obs = RunCheck(io, checks, &NetChecks::StartTcp, Tcp("127.0.0.1", listener.Port()));
    EXPECT_TRUE(obs.reached) << obs.error_message;
    EXPECT_EQ(obs.error, ErrorClass::kNone);
    EXPECT_FALSE(obs.timings.dns) << "an IP literal needs no resolution";
    ASSERT_TRUE(obs.timings.connect);
    EXPECT_GE(obs.timings.total, *obs.timings.connect);
}

TEST(TcpCheck, Ipv6LiteralWithOrWithoutBracketsIsReached) {
    if (!CanBind("::1")) GTEST_SKIP() << "no IPv6 loopback here";
    asio::io_context io;
    NetChecks checks(io);
    TcpListener listener(io, "::1");
    for (const char* host : {"::1", "[::1]"}) {
        SCOPED_TRACE(host);
        const Observation obs = RunCheck(io, checks, &NetChecks::StartTcp, Tcp(host, listener.Port()));
        EXPECT_TRUE(obs.reached) << obs.error_message;
    }
}

TEST(TcpCheck, ClosedPortIsAConnectError) {
    asio::io_context io;
    NetChecks checks(io);
    const Observation obs = RunCheck(io, checks, &NetChecks::StartTcp, Tcp("127.0.0.1", testing::UnusedTcpPort()));
    EXPECT_FALSE(obs.reached);
    EXPECT_EQ(obs.error, ErrorClass::kConnect);
    EXPECT_NE(obs.error_message.find("refused"), std::string::npos) << obs.error_message;
    EXPECT_NE(obs.error_message.find("127.0.0.1:"), std::string::npos) << obs.error_message;
}

TEST(TcpCheck, HostNameResolvesAsynchronouslyThroughTheHostsFile) {
    asio::io_context io;
    NetChecks checks(io);
    TcpListener listener(io);
    const Observation obs = RunCheck(io, checks, &NetChecks::StartTcp, Tcp("localhost", listener.Port()));
    // /etc/hosts may map localhost to ::1 first; c-ares then tries 127.0.0.1 next.
    EXPECT_TRUE(obs.reached) << obs.error_message;
    ASSERT_TRUE(obs.timings.dns);
    ASSERT_TRUE(obs.timings.connect);
    EXPECT_LE(*obs.timings.dns + *obs.timings.connect, obs.timings.total) << "phases are durations within the total";
}

TEST(TcpCheck, InvalidSpecFailsWithoutCallingBackInline) {
    asio::io_context io;
    NetChecks checks(io);
    EXPECT_EQ(RunCheck(io, checks, &NetChecks::StartTcp, Tcp("127.0.0.1", 0)).error, ErrorClass::kInternal);
    EXPECT_EQ(RunCheck(io, checks, &NetChecks::StartTcp, Tcp("", 80)).error, ErrorClass::kDns);
}

TEST(NetChecks, FiveHundredConcurrentTcpChecksAllFinish) {
    asio::io_context io;
    NetChecks checks(io);
    TcpListener listener(io, "127.0.0.1", /*keep_connections=*/false);
    constexpr int kChecks = 500;
    std::vector<int> calls(kChecks, 0);
    int reached = 0;
    for (int i = 0; i < kChecks; ++i) {
        checks.StartTcp(Tcp("127.0.0.1", listener.Port()), [&, i](Observation obs) {
            ++calls[i];
            reached += obs.reached ? 1 : 0;
        });
    }
    const auto give_up = SteadyClock::now() + 30s;
    auto finished = [&] { return std::all_of(calls.begin(), calls.end(), [](int c) { return c > 0; }); };
    while (!finished() && SteadyClock::now() < give_up) io.run_one_for(20ms);
    io.poll();
    EXPECT_TRUE(std::all_of(calls.begin(), calls.end(), [](int c) { return c == 1; }));
    EXPECT_EQ(reached, kChecks);
}

TEST(NetChecks, DeadlineEndsAStalledCheckOnceAndInTime) {
    asio::io_context io;
    NetChecks checks(io);
    TcpListener silent(io);  // accepts, never answers the TLS ClientHello
    CheckSpec spec = Tcp("127.0.0.1", silent.Port());
    spec.type = MonitorType::kTls;
    spec.timeout = 200ms;
    const auto started = SteadyClock::now();
    const Observation obs = RunCheck(io, checks, &NetChecks::StartTls, spec);
    const auto took = SteadyClock::now() - started;
    EXPECT_EQ(obs.error, ErrorClass::kTimeout);
    EXPECT_NE(obs.error_message.find("200 ms"), std::string::npos) << obs.error_message;
    EXPECT_GE(obs.timings.total, 200ms);
    EXPECT_LT(took, 200ms + 5s) << "bounded by the deadline, not by the peer";
    // The peer now closes; the late completion must be ignored (RunCheck counts calls).
    silent.Close();
    io.run_for(50ms);
}

/// Targets that never answer, and checks of every kind against them.
struct InFlight {
    explicit InFlight(asio::io_context& io) : silent_tcp(io), silent_dns(io) { silent_dns.SetSilent(true); }

    /// Checks that stay pending until their 10 s deadline: a TLS handshake nobody answers,
    /// a DNS query nobody answers.
    void StartSlow(NetChecks& checks, int& calls) {
        auto count = [&calls](Observation) { ++calls; };
        CheckSpec tls = Tcp("127.0.0.1", silent_tcp.Port());
        tls.type = MonitorType::kTls;
        tls.timeout = 10s;
        checks.StartTls(tls, count);
        CheckSpec dns;
        dns.type = MonitorType::kDns;
        dns.host = "example.test";
        dns.dns_resolver = silent_dns.Address();
        checks.StartDns(dns, count);
    }

    /// Checks that end as soon as the loop runs (connect, hosts-file lookup, ICMP).
    void StartQuick(NetChecks& checks, int& calls) {
        auto count = [&calls](Observation) { ++calls; };
        checks.StartTcp(Tcp("127.0.0.1", silent_tcp.Port()), count);
        checks.StartTcp(Tcp("localhost", silent_tcp.Port()), count);
        CheckSpec icmp = Tcp("127.0.0.1", 0);
        icmp.type = MonitorType::kIcmp;
        checks.StartIcmp(icmp, count);
        checks.StartTcp(Tcp("127.0.0.1", 0), count);  // fails at once, done already posted
    }

    TcpListener silent_tcp;
    testing::DnsResponder silent_dns;
};

TEST(NetChecks, CancelAllDropsChecksInFlightWithoutCallingDone) {
    asio::io_context io;
    NetChecks checks(io);
    InFlight targets(io);
    int calls = 0;
    targets.StartQuick(checks, calls);
    targets.StartSlow(checks, calls);
    checks.CancelAll();  // before any completion ran
    io.run_for(30ms);
    EXPECT_EQ(calls, 0);

    targets.StartSlow(checks, calls);
    io.run_for(30ms);  // now with the handshake and the query under way
    checks.CancelAll();
    io.run_for(100ms);
    EXPECT_EQ(calls, 0);

    // Still usable afterwards.
    TcpListener listener(io);
    EXPECT_TRUE(RunCheck(io, checks, &NetChecks::StartTcp, Tcp("127.0.0.1", listener.Port())).reached);
}

TEST(NetChecks, DestroyedWithChecksInFlightCallsNothingAndLeaksNothing) {
    asio::io_context io;
    InFlight targets(io);
    int calls = 0;
    {
        NetChecks checks(io);
        targets.StartSlow(checks, calls);
        io.run_for(30ms);
        targets.StartQuick(checks, calls);
    }
    io.run_for(50ms);
    EXPECT_EQ(calls, 0);
    // Whatever is still queued is freed by ~io_context; ASan's leak check covers it.
}

/// Whether the kernel lets this process open ICMP datagram sockets: one of its groups must
/// lie within net.ipv4.ping_group_range ("1 0", the default, allows nobody).
std::optional<bool> PingSocketsAllowedBySysctl() {
    std::ifstream file("/proc/sys/net/ipv4/ping_group_range");
    long low = 0;
    long high = 0;
    if (!(file >> low >> high)) return std::nullopt;
    std::vector<gid_t> groups(static_cast<std::size_t>(getgroups(0, nullptr)));
    groups.resize(static_cast<std::size_t>(getgroups(static_cast<int>(groups.size()), groups.data())));
    groups.push_back(getegid());
    return std::any_of(groups.begin(), groups.end(), [&](gid_t g) { return low <= long(g) && long(g) <= high; });
}

TEST(IcmpCheck, EchoToLoopbackSucceedsOrExplainsTheSysctl) {
    const auto allowed = PingSocketsAllowedBySysctl();
    if (!allowed) GTEST_SKIP() << "cannot read net.ipv4.ping_group_range";
    asio::io_context io;
    NetChecks checks(io);
    for (const char* host : {"127.0.0.1", "::1", "localhost"}) {
        if (std::string_view(host) == "::1" && !CanBind("::1")) continue;
        SCOPED_TRACE(host);
        CheckSpec spec;
        spec.type = MonitorType::kIcmp;
        spec.host = host;
        spec.timeout = 3s;
        const Observation obs = RunCheck(io, checks, &NetChecks::StartIcmp, spec);
        if (*allowed) {
            EXPECT_TRUE(obs.reached) << obs.error_message;
            EXPECT_GT(obs.timings.total, 0us);
            EXPECT_LT(obs.timings.total, 3s);
        } else {
            EXPECT_FALSE(obs.reached);
            EXPECT_EQ(obs.error, ErrorClass::kUnsupported);
            EXPECT_NE(obs.error_message.find("sysctl net.ipv4.ping_group_range"), std::string::npos)
                << obs.error_message;
        }
    }
}

TEST(IcmpEcho, RequestCarriesAValidChecksumAndRepliesMatchBySequenceAndPayload) {
    const std::vector<unsigned char> payload{1, 2, 3, 4, 5, 6, 7, 8, 9};
    const auto request = BuildEchoRequest(false, 0x1234, payload);
    ASSERT_EQ(request.size(), 8 + payload.size());
    EXPECT_EQ(request[0], 8);
    EXPECT_EQ(InternetChecksum(request), 0) << "a message with its checksum sums to zero";

    auto reply = request;
    reply[0] = 0;     // echo reply
    reply[4] = 0xbe;  // the kernel's identifier
    EXPECT_TRUE(IsEchoReplyTo(false, reply, 0x1234, payload));
    EXPECT_FALSE(IsEchoReplyTo(false, reply, 0x1235, payload)) << "another sequence";
    EXPECT_FALSE(IsEchoReplyTo(true, reply, 0x1234, payload)) << "type 0 is not an ICMPv6 reply";
    EXPECT_FALSE(IsEchoReplyTo(false, request, 0x1234, payload)) << "our own request";
    reply.back() ^= 1;
    EXPECT_FALSE(IsEchoReplyTo(false, reply, 0x1234, payload)) << "another payload";

    const auto v6 = BuildEchoRequest(true, 7, payload);
    EXPECT_EQ(v6[0], 128);
    EXPECT_EQ(v6[2], 0) << "the kernel computes the ICMPv6 checksum";
}

TEST(IcmpCheck, ManyEchoesAtOnceEachGetTheirOwnReply) {
    const auto allowed = PingSocketsAllowedBySysctl();
    if (!allowed || !*allowed) GTEST_SKIP() << "ICMP datagram sockets not allowed here";
    asio::io_context io;
    NetChecks checks(io);
    CheckSpec spec;
    spec.type = MonitorType::kIcmp;
    spec.host = "127.0.0.1";
    spec.timeout = 3s;
    int reached = 0;
    int calls = 0;
    for (int i = 0; i < 20; ++i) {
        checks.StartIcmp(spec, [&](Observation obs) {
            ++calls;
            reached += obs.reached ? 1 : 0;
        });
    }
    const auto give_up = SteadyClock::now() + 10s;
    while (calls < 20 && SteadyClock::now() < give_up) io.run_one_for(20ms);
    EXPECT_EQ(calls, 20);
    EXPECT_EQ(reached, 20);
}

}  // namespace
}  // namespace tocsin::checks::detail
