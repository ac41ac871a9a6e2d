#include "tocsin/checks/http_check.hpp"

#include "tocsin/checks/testing/http_target.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>
#include <thread>

namespace tocsin::checks::detail {
namespace {

namespace asio = boost::asio;
using monitor::CheckSpec;
using monitor::ErrorClass;
using monitor::Observation;
using testing::HttpTarget;
using testing::TargetResponse;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

CheckSpec Http(std::string url, std::chrono::milliseconds timeout = 5s) {
    CheckSpec spec;
    spec.type = monitor::MonitorType::kHttp;
    spec.url = std::move(url);
    spec.timeout = timeout;
    return spec;
}

/// Runs one check on a fresh loop in this thread and returns its observation and duration.
struct Ran {
    Observation obs;
    std::chrono::milliseconds elapsed{0};
};

Ran RunCheck(const CheckSpec& spec) {
    asio::io_context io(1);
    HttpChecks checks(io);
    std::optional<Observation> result;
    // A watchdog, so that a bug fails the test instead of hanging it.
    asio::steady_timer watchdog(io, spec.timeout + 10s);
    watchdog.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) io.stop();
    });
    const auto started = SteadyClock::now();
    checks.Start(spec, [&](Observation obs) {
        result = std::move(obs);
        watchdog.cancel();
    });
    io.run();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    if (!result) {
        ADD_FAILURE() << "no observation within timeout + 10 s";
        return Ran{};
    }
    return Ran{std::move(*result), elapsed};
}

std::string HeaderValue(const Observation& obs, std::string_view name) {
    for (const auto& [n, v] : obs.headers) {
        if (n == name) return v;
    }
    return "<absent>";
}

TEST(HttpChecks, ReportsStatusHeadersBodyAndTimings) {
    HttpTarget target;
    target.Set("/health", TargetResponse().Status(200).Header("X-Env", "prod").Body("healthy"));

    Ran ran = RunCheck(Http(target.Url("/health")));

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.error, ErrorClass::kNone);
    EXPECT_EQ(ran.obs.status_code, 200);
    EXPECT_EQ(ran.obs.body, "healthy");
    EXPECT_FALSE(ran.obs.body_truncated);
    EXPECT_EQ(HeaderValue(ran.obs, "X-Env"), "prod");
    EXPECT_EQ(HeaderValue(ran.obs, "Content-Length"), "7");
    EXPECT_FALSE(ran.obs.timings.dns.has_value()) << "an IP literal needs no lookup";
    ASSERT_TRUE(ran.obs.timings.connect.has_value());
    EXPECT_FALSE(ran.obs.timings.tls.has_value());
    ASSERT_TRUE(ran.obs.timings.first_byte.has_value());
    EXPECT_GE(ran.obs.timings.total, *ran.obs.timings.first_byte);
    EXPECT_GT(ran.obs.timings.total.count(), 0);
    EXPECT_FALSE(ran.obs.certificate_days_left.has_value());
}

TEST(HttpChecks, SendsMethodBodyHeadersAndBasicAuth) {
    HttpTarget target;
    target.Set("/submit", TargetResponse().Status(201));
    CheckSpec spec = Http(target.Url("/submit?x=1"));
    spec.method = "PUT";
    spec.body = R"({"ping":true})";
    spec.headers = {{"Content-Type", "application/json"}, {"X-Probe", "tocsin"}};
    spec.basic_user = "alice";
    spec.basic_password = "s3cret";

    Ran ran = RunCheck(spec);

    EXPECT_EQ(ran.obs.status_code, 201);
    auto requests = target.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& req = requests[0];
    EXPECT_EQ(req.method, "PUT");
    EXPECT_EQ(req.target, "/submit?x=1");
    EXPECT_EQ(req.body, R"({"ping":true})");
    EXPECT_EQ(req.Header("content-type"), "application/json");
    EXPECT_EQ(req.Header("X-Probe"), "tocsin");
    EXPECT_EQ(req.Header("Authorization"), "Basic YWxpY2U6czNjcmV0");  // alice:s3cret
    EXPECT_EQ(req.Header("Expect"), "");
}

TEST(HttpChecks, SendsBearerTokenAndPostsEmptyBody) {
    HttpTarget target;
    target.Set("/hook", TargetResponse().Status(204));
    CheckSpec spec = Http(target.Url("/hook"));
    spec.method = "post";  // methods are sent upper-case
    spec.bearer_token = "tok-123";

    Ran ran = RunCheck(spec);

    EXPECT_EQ(ran.obs.status_code, 204);
    auto requests = target.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].Header("Authorization"), "Bearer tok-123");
    EXPECT_EQ(requests[0].Header("Content-Length"), "0");
}

TEST(HttpChecks, HeadRequestReadsNoBody) {
    HttpTarget target;
    target.Set("/", TargetResponse().Body("something"));
    CheckSpec spec = Http(target.Url("/"));
    spec.method = "HEAD";

    Ran ran = RunCheck(spec);

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.status_code, 200);
    EXPECT_EQ(ran.obs.body, "");
    EXPECT_EQ(target.Requests().at(0).method, "HEAD");
}

TEST(HttpChecks, FollowsRedirectsOnlyWhenAsked) {
    HttpTarget target;
    target.Redirect("/old", "/new");
    target.Set("/new", TargetResponse().Header("X-Final", "yes").Body("moved here"));

    CheckSpec follow = Http(target.Url("/old"));
    Ran followed = RunCheck(follow);
    EXPECT_EQ(followed.obs.status_code, 200);
    EXPECT_EQ(followed.obs.body, "moved here");
    EXPECT_EQ(HeaderValue(followed.obs, "X-Final"), "yes");
    EXPECT_EQ(HeaderValue(followed.obs, "Location"), "<absent>") << "headers of the last response only";

    CheckSpec stay = Http(target.Url("/old"));
    stay.follow_redirects = false;
    Ran stayed = RunCheck(stay);
    EXPECT_TRUE(stayed.obs.reached);
    EXPECT_EQ(stayed.obs.status_code, 302);
    EXPECT_EQ(HeaderValue(stayed.obs, "Location"), "/new");
}

TEST(HttpChecks, EndlessRedirectsAreAProtocolError) {
    HttpTarget target;
    target.Redirect("/loop", "/loop");

    Ran ran = RunCheck(Http(target.Url("/loop")));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kProtocol);
    EXPECT_NE(ran.obs.error_message.find("redirect"), std::string::npos) << ran.obs.error_message;
    EXPECT_EQ(target.Requests().size(), 11u) << "the first request and 10 redirects";
}

TEST(HttpChecks, ErrorStatusStillCountsAsReached) {
    HttpTarget target;
    target.Set("/", TargetResponse().Status(503).Body("down for maintenance"));

    Ran ran = RunCheck(Http(target.Url("/")));

    EXPECT_TRUE(ran.obs.reached);
    EXPECT_EQ(ran.obs.status_code, 503);
    EXPECT_EQ(ran.obs.body, "down for maintenance");
}

TEST(HttpChecks, SilentTargetTimesOutWithinTimeoutPlusSlack) {
    HttpTarget target;
    target.Set("/", TargetResponse().NeverAnswer());

    Ran ran = RunCheck(Http(target.Url("/"), 400ms));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kTimeout);
    EXPECT_NE(ran.obs.error_message.find("timed out"), std::string::npos) << ran.obs.error_message;
    EXPECT_GE(ran.elapsed, 390ms);
    EXPECT_LT(ran.elapsed, 400ms + 600ms);
    EXPECT_TRUE(ran.obs.timings.connect.has_value()) << "the connection was made";
    EXPECT_FALSE(ran.obs.timings.first_byte.has_value());
}

TEST(HttpChecks, SlowAnswerWithinTimeoutSucceedsAndShowsInFirstByte) {
    HttpTarget target;
    target.Set("/", TargetResponse().Delay(150ms));

    Ran ran = RunCheck(Http(target.Url("/"), 3s));

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    ASSERT_TRUE(ran.obs.timings.first_byte.has_value());
    EXPECT_GE(*ran.obs.timings.first_byte, 150ms);
    EXPECT_GE(ran.obs.timings.total, 150ms);
}

TEST(HttpChecks, RefusedPortIsAConnectError) {
    const std::uint16_t port = testing::RefusedPort();

    Ran ran = RunCheck(Http("http://127.0.0.1:" + std::to_string(port) + "/"));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kConnect);
    EXPECT_FALSE(ran.obs.error_message.empty());
    EXPECT_LT(ran.elapsed, 2s);
}

TEST(HttpChecks, UnresolvableNameIsADnsError) {
    Ran ran = RunCheck(Http("http://nonexistent.invalid/", 5s));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kDns) << ran.obs.error_message;
    EXPECT_NE(ran.obs.error_message.find("nonexistent.invalid"), std::string::npos) << ran.obs.error_message;
}

TEST(HttpChecks, GarbageAnswerIsAProtocolError) {
    HttpTarget target;
    target.Set("/", TargetResponse().Raw("SSH-2.0-OpenSSH_9.2\r\n\r\n"));

    Ran ran = RunCheck(Http(target.Url("/")));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kProtocol) << ran.obs.error_message;
}

TEST(HttpChecks, GigabyteBodyIsCutAtTheCapWithoutReadingTheRest) {
    HttpTarget target;
    target.Set("/huge", TargetResponse().Stream(std::uint64_t{1} << 30));

    Ran ran = RunCheck(Http(target.Url("/huge"), 30s));

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.status_code, 200);
    EXPECT_TRUE(ran.obs.body_truncated);
    EXPECT_EQ(ran.obs.body.size(), monitor::kMaxBodyBytes);
    EXPECT_LT(ran.elapsed, 5s);
    // What the target managed to write before the connection closed bounds what was read:
    // the 1 MiB cap plus socket buffers, not 1 GiB.
    EXPECT_LT(target.BytesSent(), 32u * 1024 * 1024) << target.BytesSent();
}

class HttpsChecks : public ::testing::Test {
protected:
    static void SetUpTestSuite() { identity_ = testing::MakeSelfSignedIdentity(std::chrono::hours(24 * 5)); }
    static testing::TlsIdentity identity_;
};

testing::TlsIdentity HttpsChecks::identity_;

TEST_F(HttpsChecks, WithoutVerificationReportCertificateDaysLeft) {
    HttpTarget target(identity_);
    target.Set("/", TargetResponse().Body("secure"));
    CheckSpec spec = Http(target.Url("/"));
    spec.verify_tls = false;

    Ran ran = RunCheck(spec);

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.body, "secure");
    ASSERT_TRUE(ran.obs.certificate_days_left.has_value());
    // Five days minus the seconds the test took, in whole days rounded down.
    EXPECT_GE(*ran.obs.certificate_days_left, 4);
    EXPECT_LE(*ran.obs.certificate_days_left, 5);
    ASSERT_TRUE(ran.obs.timings.tls.has_value());
    EXPECT_GT(ran.obs.timings.tls->count(), 0);
}

TEST_F(HttpsChecks, WithVerificationRejectSelfSignedCertificate) {
    HttpTarget target(identity_);
    target.Set("/", TargetResponse());

    Ran ran = RunCheck(Http(target.Url("/")));

    EXPECT_FALSE(ran.obs.reached);
    EXPECT_EQ(ran.obs.error, ErrorClass::kTls) << ran.obs.error_message;
    EXPECT_FALSE(ran.obs.error_message.empty());
}

TEST_F(HttpsChecks, TrustCertificateGivenAsCaPem) {
    HttpTarget target(identity_);
    target.Set("/", TargetResponse().Body("trusted"));
    CheckSpec spec = Http(target.Url("/"));
    spec.ca_pem = identity_.cert_pem;

    Ran ran = RunCheck(spec);

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.body, "trusted");
    ASSERT_TRUE(ran.obs.certificate_days_left.has_value());
    EXPECT_GE(*ran.obs.certificate_days_left, 4);
}

TEST_F(HttpsChecks, WrongCaPemStillFailsVerification) {
    HttpTarget target(identity_);
    target.Set("/", TargetResponse());
    CheckSpec spec = Http(target.Url("/"));
    spec.ca_pem = testing::MakeSelfSignedIdentity(std::chrono::hours(24)).cert_pem;

    Ran ran = RunCheck(spec);

    EXPECT_EQ(ran.obs.error, ErrorClass::kTls) << ran.obs.error_message;
}

TEST_F(HttpsChecks, RedirectFromHttpToHttpsReportsTheCertificate) {
    HttpTarget secure(identity_);
    secure.Set("/landing", TargetResponse().Body("landed"));
    HttpTarget plain;
    plain.Redirect("/", secure.Url("/landing"), 301);
    CheckSpec spec = Http(plain.Url("/"));
    spec.verify_tls = false;

    Ran ran = RunCheck(spec);

    EXPECT_TRUE(ran.obs.reached) << ran.obs.error_message;
    EXPECT_EQ(ran.obs.body, "landed");
    ASSERT_TRUE(ran.obs.certificate_days_left.has_value());
    EXPECT_GE(*ran.obs.certificate_days_left, 4);
}

/// Runs `count` checks on one loop with at most `parallel` at once; returns how many reached.
std::size_t RunMany(const CheckSpec& spec, std::size_t count, std::size_t parallel) {
    asio::io_context io(1);
    HttpChecks checks(io);
    std::size_t started = 0;
    std::size_t reached = 0;
    std::size_t finished = 0;
    std::function<void()> start_one = [&] {
        ++started;
        checks.Start(spec, [&](Observation obs) {
            ++finished;
            if (obs.reached && obs.status_code == 200) ++reached;
            if (started < count) start_one();
        });
    };
    for (std::size_t i = 0; i < parallel && started < count; ++i) start_one();
    io.run();
    EXPECT_EQ(finished, count);
    return reached;
}

TEST(HttpChecks, RunsManyChecksConcurrentlyOnOneThread) {
    HttpTarget target;
    target.Set("/", TargetResponse().Delay(100ms).Body("ok"));

    const auto started = SteadyClock::now();
    EXPECT_EQ(RunMany(Http(target.Url("/")), 200, 200), 200u);

    // 200 checks of 100 ms each, all at once on one thread: far less than 200 x 100 ms.
    EXPECT_LT(SteadyClock::now() - started, 5s);
    EXPECT_GE(target.MaxConcurrent(), 50u);
}

TEST(HttpChecks, CpuPerThousandLocalChecks) {
    HttpTarget target;
    target.Set("/", TargetResponse().Body("ok"));
    rusage before{};
    getrusage(RUSAGE_THREAD, &before);  // the loop runs on this thread; the target has its own

    EXPECT_EQ(RunMany(Http(target.Url("/")), 1000, 50), 1000u);

    rusage after{};
    getrusage(RUSAGE_THREAD, &after);
    auto cpu = [](const rusage& r) {
        return std::chrono::seconds(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
               std::chrono::microseconds(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
    };
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(cpu(after) - cpu(before));
    RecordProperty("engine_cpu_ms_per_1000_http_checks", static_cast<int>(ms.count()));
    std::printf("engine thread CPU for 1000 local HTTP checks: %lld ms\n", static_cast<long long>(ms.count()));
}

TEST(HttpChecks, CancelAllEndsChecksWithoutCallingDone) {
    HttpTarget target;
    target.Set("/", TargetResponse().NeverAnswer());
    asio::io_context io(1);
    auto work = asio::make_work_guard(io);
    std::optional<HttpChecks> checks;
    checks.emplace(io);
    int calls = 0;
    std::thread loop([&] { io.run(); });

    asio::post(io, [&] {
        for (int i = 0; i < 3; ++i) checks->Start(Http(target.Url("/"), 30s), [&](Observation) { ++calls; });
    });
    ASSERT_TRUE(target.WaitForRequests(3, 5s));
    asio::post(io, [&] {
        EXPECT_EQ(checks->InFlight(), 3u);
        checks->CancelAll();
        EXPECT_EQ(checks->InFlight(), 0u);
        // New checks may start after a CancelAll.
        checks->Start(Http("http://127.0.0.1:" + std::to_string(testing::RefusedPort()) + "/"), [&](Observation obs) {
            EXPECT_EQ(obs.error, ErrorClass::kConnect);
            work.reset();
        });
    });
    loop.join();
    checks.reset();

    EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tocsin::checks::detail
