// Transport against real peers on 127.0.0.1: an aiosmtpd server (a child process running the
// script below, which reports connections and messages on its stdout), postfix's smtp-sink
// for throughput, and tocsin's own http::Server.
#include "tocsin/notify/transport.hpp"

#include "tocsin/common/metrics.hpp"
#include "tocsin/http/router.hpp"
#include "tocsin/http/server.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace tocsin::notify {
namespace {

using namespace std::chrono_literals;

// Every wait in this file is bounded; a hung peer fails the test instead of hanging it.
constexpr auto kWait = 20s;
constexpr const char* kPython = "/usr/bin/python3";  // Debian's, where python3-aiosmtpd lives
constexpr const char* kSmtpSink = "/usr/sbin/smtp-sink";

// An SMTP server for the tests. It prints "PORT <n>" once listening, "C" for each connection,
// and "H <EHLO name>" and "M <hex of the message>" for each message accepted. Recipients starting with "reject"
// get 550, "defer" 451, "slow" no answer for a minute. Mode "auth" requires AUTH
// tocsin/secret (over plain text, for the test).
constexpr const char* kSmtpScript = R"PY(
import asyncio, logging, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
logging.disable(logging.CRITICAL)
MODE = sys.argv[1] if len(sys.argv) > 1 else ''
def out(*a):
    print(*a, flush=True)
class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject'):
            return '550 5.1.1 <%s>: Recipient address rejected: User unknown' % address
        if address.startswith('defer'):
            return '451 4.7.1 <%s>: Greylisted, try again later' % address
        if address.startswith('slow'):
            out('S')
            await asyncio.sleep(60)
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        out('H', session.host_name)
        out('M', envelope.original_content.hex())
        return '250 2.0.0 Ok: queued'
def check(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b'tocsin' and auth_data.password == b'secret'
    return AuthResult(success=ok, handled=False)
class Counting(SMTP):
    def connection_made(self, transport):
        out('C')
        super().connection_made(transport)
async def main():
    kw = {}
    if MODE == 'auth':
        kw = dict(authenticator=check, auth_required=True, auth_require_tls=False)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(lambda: Counting(Handler(), **kw), '127.0.0.1', 0)
    out('PORT', srv.sockets[0].getsockname()[1])
    await srv.serve_forever()
asyncio.run(main())
)PY";

// ---- child processes ----

/// A child process whose stdout is collected line by line; killed (TERM, then KILL) at the end.
class Child {
public:
    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { Kill(); }

    bool Spawn(const std::vector<std::string>& args) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return false;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (rc != 0) {
            ::close(fds[0]);
            pid_ = -1;
            return false;
        }
        read_fd_ = fds[0];
        reader_ = std::thread([this] { ReadLines(); });
        return true;
    }

    void Kill() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            for (int i = 0; i < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(10ms);
            if (::waitpid(pid_, &status, WNOHANG) == 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
            pid_ = -1;
        }
        if (reader_.joinable()) reader_.join();  // EOF once the child is gone
        if (read_fd_ >= 0) ::close(read_fd_);
        read_fd_ = -1;
    }

    /// Waits until `pred(lines)` holds; false after `wait`.
    bool WaitFor(const std::function<bool(const std::vector<std::string>&)>& pred, std::chrono::milliseconds wait) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, wait, [&] { return pred(lines_); });
    }

    std::size_t Count(const std::string& prefix) {
        std::lock_guard lock(mu_);
        return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
            return l.rfind(prefix, 0) == 0;
        }));
    }

    std::vector<std::string> Lines() {
        std::lock_guard lock(mu_);
        return lines_;
    }

private:
    void ReadLines() {
        std::string partial;
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(read_fd_, buf, sizeof buf);
            if (n <= 0) break;
            partial.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            std::lock_guard lock(mu_);
            while ((nl = partial.find_first_of("\r\n")) != std::string::npos) {  // smtp-sink ends with \r
                if (nl > 0) lines_.push_back(partial.substr(0, nl));
                partial.erase(0, nl + 1);
            }
            cv_.notify_all();
        }
    }

    pid_t pid_ = -1;
    int read_fd_ = -1;
    std::thread reader_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
};

/// The aiosmtpd server above.
class SmtpPeer {
public:
    explicit SmtpPeer(const std::string& mode = "") {
        if (!child_.Spawn({kPython, "-c", kSmtpScript, mode})) return;
        child_.WaitFor(
            [this](const std::vector<std::string>& lines) {
                for (const auto& l : lines) {
                    if (l.rfind("PORT ", 0) == 0) {
                        port_ = static_cast<std::uint16_t>(std::stoi(l.substr(5)));
                        return true;
                    }
                }
                return false;
            },
            kWait
        );
    }

    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    std::size_t Connections() { return child_.Count("C"); }
    std::size_t Messages() { return child_.Count("M "); }
    std::vector<std::string> Lines(const std::string& prefix) {
        std::vector<std::string> out;
        for (auto& l : child_.Lines()) {
            if (l.rfind(prefix, 0) == 0) out.push_back(std::move(l));
        }
        return out;
    }
    bool WaitForLines(const std::string& prefix, std::size_t n) {
        return child_.WaitFor(
            [&](const std::vector<std::string>& lines) {
                return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
                           return l.rfind(prefix, 0) == 0;
                       })) >= n;
            },
            kWait
        );
    }
    /// The messages as the server stored them (after undoing dot-stuffing).
    std::vector<std::string> Contents() {
        std::vector<std::string> out;
        for (const auto& l : child_.Lines()) {
            if (l.rfind("M ", 0) != 0) continue;
            std::string bytes;
            for (std::size_t i = 2; i + 1 < l.size(); i += 2) {
                bytes.push_back(static_cast<char>(std::stoi(l.substr(i, 2), nullptr, 16)));
            }
            out.push_back(bytes);
        }
        return out;
    }

private:
    Child child_;
    std::uint16_t port_ = 0;
};

/// 127.0.0.1:`port` (0: any free port).
sockaddr_in Loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    return addr;
}

/// A port nothing listens on (bound, then closed again).
std::uint16_t UnusedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = Loopback(0);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool Accepts(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = Loopback(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

/// postfix's smtp-sink on 127.0.0.1 with `-c`: it prints "sess=N quit=N mesg=N" whenever a
/// session ends, a QUIT comes or a message is complete.
class SmtpSink {
public:
    explicit SmtpSink(const std::vector<std::string>& options) {
        if (::access(kSmtpSink, X_OK) != 0) return;
        const std::uint16_t port = UnusedPort();
        std::vector<std::string> args{kSmtpSink, "-c"};
        if (::geteuid() == 0) {
            args.emplace_back("-u");
            args.emplace_back("nobody");
        }
        args.insert(args.end(), options.begin(), options.end());
        args.push_back("127.0.0.1:" + std::to_string(port));
        args.emplace_back("1000");
        if (!child_.Spawn(args)) return;
        const auto deadline = std::chrono::steady_clock::now() + kWait;
        while (std::chrono::steady_clock::now() < deadline) {
            if (Accepts(port)) {  // a session for the sink, subtracted below
                port_ = port;
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
    }

    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

    /// Waits until counter `name` ("sess", "mesg") reaches `n`; returns its last value. The
    /// session of the start-up probe is not counted.
    long WaitForCounter(const std::string& name, long n, std::chrono::milliseconds wait = kWait) {
        const long offset = name == "sess" ? 1 : 0;
        long value = 0;
        child_.WaitFor(
            [&](const std::vector<std::string>& lines) {
                value = lines.empty() ? 0 : Counter(lines.back(), name) - offset;
                return value >= n;
            },
            wait
        );
        return value;
    }

private:
    static long Counter(const std::string& line, const std::string& name) {
        const auto at = line.find(name + "=");
        return at == std::string::npos ? 0 : std::stol(line.substr(at + name.size() + 1));
    }

    Child child_;
    std::uint16_t port_ = 0;
};

// ---- HTTP peer ----

/// tocsin's http::Server on 127.0.0.1:0 with the routes the test adds, run on a thread.
class HttpPeer {
public:
    explicit HttpPeer(const std::function<void(http::Router&)>& routes, int blocking_threads = 8) {
        routes(router_);
        http::ServerOptions o;
        o.address = "127.0.0.1";
        o.port = 0;
        o.handle_signals = false;
        o.io_threads = 2;
        o.blocking_threads = blocking_threads;
        o.shutdown_grace = 2s;
        server_ = std::make_unique<http::Server>(o, router_, metrics_);
        if (!server_->Listen()) return;
        port_ = server_->Port();
        run_ = std::async(std::launch::async, [this] { server_->Run(); });
    }
    ~HttpPeer() {
        server_->Stop();
        if (run_.valid() && run_.wait_for(kWait) != std::future_status::ready) {
            ADD_FAILURE() << "http::Server::Run did not return";
            (void)server_.release();  // leak rather than hang
            new std::future<void>(std::move(run_));
        }
    }
    HttpPeer(const HttpPeer&) = delete;
    HttpPeer& operator=(const HttpPeer&) = delete;

    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] std::string Url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    std::uint64_t Connections() { return metrics_.GetCounter("tocsin_http_connections_total", "").Value(); }

private:
    http::Router router_;
    MetricsRegistry metrics_;
    std::unique_ptr<http::Server> server_;
    std::uint16_t port_ = 0;
    std::future<void> run_;
};

/// Counts handlers running at once (one counter may span several servers).
struct Concurrency {
    std::atomic<int> now{0};
    std::atomic<int> max{0};
    std::atomic<int> total{0};

    void Enter() {
        const int n = ++now;
        int seen = max.load();
        while (n > seen && !max.compare_exchange_weak(seen, n)) {
        }
        ++total;
    }
    void Leave() { --now; }
};

/// POST /concurrent: a blocking handler that takes 20 ms and counts itself in `c` meanwhile.
void AddConcurrentRoute(http::Router& r, Concurrency& c) {
    r.Add(
        http::Method::kPost,
        "/concurrent",
        [&c](const http::Request&, http::Response& res) {
            c.Enter();
            std::this_thread::sleep_for(20ms);
            c.Leave();
            res.body = "ok";
        },
        http::RouteOptions{.blocking = true}
    );
}

/// A handler that blocks until released (or kWait), for timeouts and Stop.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    int waiting = 0;

    void Wait() {
        std::unique_lock lock(mu);
        ++waiting;
        cv.notify_all();
        cv.wait_for(lock, kWait, [this] { return open; });
        --waiting;
    }
    bool WaitForWaiting(int n) {
        std::unique_lock lock(mu);
        return cv.wait_for(lock, kWait, [&] { return waiting >= n; });
    }
    void Open() {
        std::lock_guard lock(mu);
        open = true;
        cv.notify_all();
    }
};

// ---- results ----

/// Collects results by id and counts how often each `done` ran.
class Results {
public:
    SendDone For(int id) {
        return [this, id](SendResult r) {
            std::lock_guard lock(mu_);
            ++calls_[id];
            results_[id] = std::move(r);
            cv_.notify_all();
        };
    }
    bool WaitFor(std::size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, kWait, [&] { return results_.size() >= n; });
    }
    SendResult Get(int id) {
        std::lock_guard lock(mu_);
        return results_[id];
    }
    std::map<int, SendResult> All() {
        std::lock_guard lock(mu_);
        return results_;
    }
    /// True when every `done` seen ran exactly once, and there were `n` of them.
    bool EachOnce(std::size_t n) {
        std::lock_guard lock(mu_);
        return calls_.size() == n &&
               std::all_of(calls_.begin(), calls_.end(), [](const auto& kv) { return kv.second == 1; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<int, SendResult> results_;
    std::map<int, int> calls_;
};

/// Sends one request or message and waits for its result.
SendResult SendOne(Transport& transport, OutgoingHttp req) {
    Results results;
    transport.SendHttp(std::move(req), results.For(0));
    EXPECT_TRUE(results.WaitFor(1));
    return results.Get(0);
}

SendResult SendOne(Transport& transport, OutgoingMail mail) {
    Results results;
    transport.SendMail(std::move(mail), results.For(0));
    EXPECT_TRUE(results.WaitFor(1));
    return results.Get(0);
}

TransportOptions MailOptions(const std::string& url) {
    TransportOptions o;
    o.smtp.url = url;
    o.smtp.tls = SmtpOptions::Tls::kNone;
    o.timeout = 10s;
    return o;
}

OutgoingMail Mail(const std::string& to, const std::string& subject = "Test") {
    OutgoingMail m;
    m.from = "status@example.org";
    m.to = to;
    m.data = "From: status@example.org\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\nAll systems go.\r\n";
    return m;
}

OutgoingHttp Request(std::string url) {
    OutgoingHttp req;
    req.url = std::move(url);
    return req;
}

std::string HttpDate(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// ---- SMTP ----

TEST(TransportSmtp, DeliversManyMessagesOverAFewReusedConnections) {
    SmtpPeer smtp;
    ASSERT_NE(smtp.Port(), 0) << "aiosmtpd did not start (python3-aiosmtpd installed?)";
    TransportOptions o = MailOptions(smtp.Url());
    o.smtp_connections = 3;
    o.refuse_private_targets = true;  // HTTP only: the configured SMTP server is trusted
    Transport transport(o);
    ASSERT_TRUE(transport.MailEnabled());
    transport.Start();
    Results results;
    constexpr int kCount = 200;
    for (int i = 0; i < kCount; ++i)
        transport.SendMail(Mail("user" + std::to_string(i) + "@example.org"), results.For(i));
    ASSERT_TRUE(results.WaitFor(kCount));
    for (const auto& [id, r] : results.All()) {
        ASSERT_TRUE(r.ok) << id << ": " << r.error;
        EXPECT_EQ(r.status, 250);
    }
    EXPECT_TRUE(results.EachOnce(kCount));
    EXPECT_EQ(transport.Pending(), 0u);
    ASSERT_TRUE(smtp.WaitForLines("M ", kCount));
    EXPECT_EQ(smtp.Messages(), static_cast<std::size_t>(kCount));
    EXPECT_GE(smtp.Connections(), 1u);
    EXPECT_LE(smtp.Connections(), 3u);
}

TEST(TransportSmtp, SendsTheMessageUnchangedAndEscapesLeadingDots) {
    SmtpPeer smtp;
    ASSERT_NE(smtp.Port(), 0);
    Transport transport(MailOptions(smtp.Url()));
    transport.Start();
    OutgoingMail m = Mail("dots@example.org");
    m.data = "Subject: dots\r\n\r\n.leading dot\r\n.\r\n..two\r\nlast line\r\n";
    SendResult r = SendOne(transport, m);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_TRUE(smtp.WaitForLines("M ", 1));
    auto contents = smtp.Contents();
    ASSERT_EQ(contents.size(), 1u);
    EXPECT_EQ(contents[0], m.data);
}

TEST(TransportSmtp, RejectedRecipientIsPermanentWithTheServersWords) {
    SmtpPeer smtp;
    ASSERT_NE(smtp.Port(), 0);
    Transport transport(MailOptions(smtp.Url()));
    transport.Start();
    Results results;
    transport.SendMail(Mail("reject-me@example.org"), results.For(0));
    transport.SendMail(Mail("defer-me@example.org"), results.For(1));
    transport.SendMail(Mail("fine@example.org"), results.For(2));
    ASSERT_TRUE(results.WaitFor(3));

    SendResult rejected = results.Get(0);
    EXPECT_FALSE(rejected.ok);
    EXPECT_TRUE(rejected.permanent);
    EXPECT_EQ(rejected.status, 550);
    EXPECT_NE(rejected.error.find("Recipient address rejected"), std::string::npos) << rejected.error;
    EXPECT_EQ(rejected.error.find('\n'), std::string::npos);

    SendResult deferred = results.Get(1);
    EXPECT_FALSE(deferred.ok);
    EXPECT_FALSE(deferred.permanent);
    EXPECT_EQ(deferred.status, 451);
    EXPECT_NE(deferred.error.find("Greylisted"), std::string::npos) << deferred.error;

    EXPECT_TRUE(results.Get(2).ok) << results.Get(2).error;
    ASSERT_TRUE(smtp.WaitForLines("M ", 1));
    EXPECT_EQ(smtp.Messages(), 1u);
}

TEST(TransportSmtp, ServerDownIsTransient) {
    Transport transport(MailOptions("smtp://127.0.0.1:" + std::to_string(UnusedPort())));
    transport.Start();
    SendResult r = SendOne(transport, Mail("a@example.org"));
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.permanent);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("onnect"), std::string::npos) << r.error;
}

TEST(TransportSmtp, RequiredStartTlsThatTheServerLacksIsTransient) {
    SmtpPeer smtp;  // aiosmtpd without a TLS context does not offer STARTTLS
    ASSERT_NE(smtp.Port(), 0);
    TransportOptions o = MailOptions(smtp.Url());
    o.smtp.tls = SmtpOptions::Tls::kStartTls;
    Transport transport(o);
    transport.Start();
    SendResult r = SendOne(transport, Mail("a@example.org"));
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.permanent);
    EXPECT_NE(r.error.find("SSL"), std::string::npos) << r.error;
    EXPECT_EQ(smtp.Messages(), 0u);
}

TEST(TransportSmtp, LogsInAndAWrongPasswordStaysRetryable) {
    SmtpPeer smtp("auth");
    ASSERT_NE(smtp.Port(), 0);
    // One message as "tocsin" with `password`, over a transport of its own.
    auto send_as_tocsin = [&](const std::string& password, const std::string& helo_domain, const std::string& to) {
        TransportOptions o = MailOptions(smtp.Url());
        o.smtp.username = "tocsin";
        o.smtp.password = password;
        o.smtp.helo_domain = helo_domain;
        Transport transport(o);
        transport.Start();
        return SendOne(transport, Mail(to));
    };
    SendResult accepted = send_as_tocsin("secret", "status.example.org", "a@example.org");
    EXPECT_TRUE(accepted.ok) << accepted.error;
    ASSERT_TRUE(smtp.WaitForLines("H ", 1));
    EXPECT_EQ(smtp.Lines("H ").at(0), "H status.example.org");
    SendResult denied = send_as_tocsin("wrong", "", "b@example.org");
    EXPECT_FALSE(denied.ok);
    EXPECT_FALSE(denied.permanent) << "a wrong password is configuration, not this message";
    EXPECT_EQ(denied.status, 535);
    ASSERT_TRUE(smtp.WaitForLines("M ", 1));
    EXPECT_EQ(smtp.Messages(), 1u);
}

TEST(TransportSmtp, DisabledWithoutAUrl) {
    Transport transport(TransportOptions{});
    EXPECT_FALSE(transport.MailEnabled());
    transport.Start();
    SendResult r = SendOne(transport, Mail("a@example.org"));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("not configured"), std::string::npos);
}

TEST(TransportSmtp, RefusesAnEnvelopeAddressWithALineBreak) {
    SmtpPeer smtp;
    ASSERT_NE(smtp.Port(), 0);
    Transport transport(MailOptions(smtp.Url()));
    transport.Start();
    SendResult r = SendOne(transport, Mail("a@example.org>\r\nRCPT TO:<b@example.org"));
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.permanent);
    EXPECT_EQ(smtp.Connections(), 0u);
}

// Not a limit to pass, a figure to read: messages per second to smtp-sink on 127.0.0.1. The
// sink also counts the sessions: 5,000 messages, at most 4 connections.
TEST(TransportSmtp, ThroughputAgainstSmtpSink) {
    SmtpSink sink({});
    ASSERT_NE(sink.Port(), 0) << kSmtpSink << " did not start (postfix installed?)";
    constexpr int kCount = 5000;
    std::atomic<int> ok{0};
    std::atomic<int> finished{0};
    std::promise<void> all_done;
    std::string body = Mail("x@example.org").data;
    for (int i = 0; i < 20; ++i) body += std::string(76, static_cast<char>('a' + i)) + "\r\n";  // ~1.6 KB
    double seconds = 0;
    {
        TransportOptions o = MailOptions(sink.Url());
        o.smtp_connections = 4;
        Transport transport(o);
        transport.Start();
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kCount; ++i) {
            OutgoingMail m = Mail("user" + std::to_string(i) + "@example.org");
            m.data = body;
            transport.SendMail(std::move(m), [&](SendResult r) {
                if (r.ok) ++ok;
                if (++finished == kCount) all_done.set_value();
            });
        }
        ASSERT_EQ(all_done.get_future().wait_for(60s), std::future_status::ready);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }  // closes the sessions, which the sink counts
    EXPECT_EQ(ok.load(), kCount);
    EXPECT_EQ(sink.WaitForCounter("mesg", kCount), kCount);
    const long sessions = sink.WaitForCounter("sess", 4, 2s);
    EXPECT_GE(sessions, 1);
    EXPECT_LE(sessions, 4);
    std::printf(
        "[ figure   ] %d messages in %.2f s over %ld connections: %.0f messages/s\n",
        kCount,
        seconds,
        sessions,
        kCount / seconds
    );
}

// Stop while a message is being uploaded: the server must see a dropped connection, never the
// end-of-data "." that would make it accept the truncated message. (libcurl ends a removed
// SMTP transfer as if it had succeeded unless its socket is already shut.)
TEST(TransportSmtp, StopMidMessageNeverCompletesIt) {
    SmtpSink sink({"-H", "1", "-T", "4096"});  // reads nothing for 1 s after DATA, small window
    ASSERT_NE(sink.Port(), 0) << kSmtpSink << " did not start (postfix installed?)";
    Results results;
    {
        Transport transport(MailOptions(sink.Url()));
        transport.Start();
        OutgoingMail m = Mail("big@example.org");
        for (int i = 0; i < 400'000; ++i)
            m.data += "0123456789012345678901234567890123456789012345678901234567890123456789\r\n";
        transport.SendMail(std::move(m), results.For(0));
        std::this_thread::sleep_for(300ms);  // in DATA by now, the sink not reading yet
        ASSERT_EQ(transport.Pending(), 1u);
        const auto start = std::chrono::steady_clock::now();
        transport.Stop();
        EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    }
    ASSERT_TRUE(results.EachOnce(1));
    EXPECT_EQ(results.Get(0).error, "abandoned");
    EXPECT_EQ(sink.WaitForCounter("sess", 1), 1) << "the sink never saw the session end";
    EXPECT_EQ(sink.WaitForCounter("mesg", 1, 500ms), 0) << "a truncated message was accepted";
}

// ---- HTTP ----

class TransportHttp : public ::testing::Test {
protected:
    void SetUp() override {
        peer_ = std::make_unique<HttpPeer>([this](http::Router& r) {
            r.Add(http::Method::kPost, "/ok", [this](const http::Request&, http::Response& res) {
                ++hits_;
                res.content_type = "text/plain";
                res.body = "fine";
            });
            r.Add(http::Method::kPut, "/echo", [](const http::Request& req, http::Response& res) {
                res.content_type = "text/plain";
                res.body = std::string(http::ToString(req.method)) + "|" + std::string(req.Header("X-Tocsin-Event")) +
                           "|" + std::string(req.Header("User-Agent")) + "|" + std::string(req.body);
            });
            r.Add(http::Method::kPost, "/fail", [](const http::Request&, http::Response& res) {
                res.status = 500;
                res.content_type = "text/plain";
                res.body = "database\r\non fire";
            });
            r.Add(http::Method::kPost, "/gone", [](const http::Request&, http::Response& res) {
                res.status = 404;
                res.content_type = "text/plain";
                res.body = "no such hook";
            });
            r.Add(http::Method::kPost, "/busy", [](const http::Request&, http::Response& res) {
                res.status = 429;
                res.SetHeader("Retry-After", "120");
            });
            r.Add(http::Method::kPost, "/later", [](const http::Request&, http::Response& res) {
                res.status = 503;
                res.SetHeader("Retry-After", HttpDate(std::time(nullptr) + 90));
            });
            r.Add(http::Method::kPost, "/moved", [](const http::Request&, http::Response& res) {
                res.status = 302;
                res.SetHeader("Location", "http://127.0.0.1:1/elsewhere");
            });
            r.Add(http::Method::kPost, "/big", [](const http::Request&, http::Response& res) {
                res.content_type = "text/plain";
                res.body = std::string(200 * 1024, 'b');
            });
            r.Add(
                http::Method::kPost,
                "/slow",
                [this](const http::Request&, http::Response& res) {
                    gate_.Wait();
                    res.body = "late";
                },
                http::RouteOptions{.blocking = true}
            );
            AddConcurrentRoute(r, concurrency_);
        });
        ASSERT_NE(peer_->Port(), 0);
    }

    void TearDown() override {
        gate_.Open();  // no handler may hold the server's shutdown
        peer_.reset();
    }

    static OutgoingHttp Post(const std::string& url, const std::string& body = "{}") {
        OutgoingHttp req;
        req.url = url;
        req.body = body;
        req.headers = {{"Content-Type", "application/json"}};
        return req;
    }

    std::unique_ptr<HttpPeer> peer_;
    std::atomic<int> hits_{0};
    Gate gate_;
    Concurrency concurrency_;
};

TEST_F(TransportHttp, SendsMethodHeadersAndBody) {
    TransportOptions o;
    o.user_agent = "tocsin-test/1";
    Transport transport(o);
    transport.Start();
    OutgoingHttp req = Post(peer_->Url("/echo"), "payload");
    req.method = "PUT";
    req.headers.emplace_back("X-Tocsin-Event", "incident.created");
    SendResult r = SendOne(transport, req);
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.permanent);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.response_body, "PUT|incident.created|tocsin-test/1|payload");
    EXPECT_FALSE(r.retry_after);
}

TEST_F(TransportHttp, ClassifiesStatuses) {
    Transport transport(TransportOptions{});
    transport.Start();

    SendResult ok = SendOne(transport, Post(peer_->Url("/ok")));
    EXPECT_TRUE(ok.ok) << ok.error;
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.response_body, "fine");

    SendResult fail = SendOne(transport, Post(peer_->Url("/fail")));
    EXPECT_FALSE(fail.ok);
    EXPECT_FALSE(fail.permanent);
    EXPECT_EQ(fail.status, 500);
    EXPECT_EQ(fail.response_body, "database\r\non fire");
    EXPECT_EQ(fail.error, "HTTP 500: database on fire");

    SendResult gone = SendOne(transport, Post(peer_->Url("/gone")));
    EXPECT_FALSE(gone.ok);
    EXPECT_TRUE(gone.permanent);
    EXPECT_EQ(gone.status, 404);

    SendResult busy = SendOne(transport, Post(peer_->Url("/busy")));
    EXPECT_FALSE(busy.ok);
    EXPECT_FALSE(busy.permanent);
    EXPECT_EQ(busy.status, 429);
    ASSERT_TRUE(busy.retry_after);
    EXPECT_EQ(*busy.retry_after, 120s);

    SendResult later = SendOne(transport, Post(peer_->Url("/later")));
    EXPECT_FALSE(later.permanent);
    EXPECT_EQ(later.status, 503);
    ASSERT_TRUE(later.retry_after);
    EXPECT_GE(*later.retry_after, 85s);
    EXPECT_LE(*later.retry_after, 90s);

    SendResult moved = SendOne(transport, Post(peer_->Url("/moved")));
    EXPECT_FALSE(moved.ok);
    EXPECT_TRUE(moved.permanent);
    EXPECT_EQ(moved.status, 302);
    EXPECT_NE(moved.error.find("redirect to http://127.0.0.1:1/elsewhere not followed"), std::string::npos)
        << moved.error;

    SendResult big = SendOne(transport, Post(peer_->Url("/big")));
    EXPECT_TRUE(big.ok) << big.error;
    EXPECT_EQ(big.response_body.size(), 64u * 1024u);
}

TEST_F(TransportHttp, RefusesRequestsThatCannotBeSent) {
    Transport transport(TransportOptions{});
    transport.Start();
    for (const std::string& url : std::vector<std::string>{"not a url", "ftp://127.0.0.1/x", "http://"}) {
        SendResult r = SendOne(transport, Post(url));
        EXPECT_FALSE(r.ok) << url;
        EXPECT_TRUE(r.permanent) << url << ": " << r.error;
    }
    OutgoingHttp injected = Post(peer_->Url("/ok"));
    injected.headers.emplace_back("X-Evil", "a\r\nX-Injected: yes");
    SendResult r = SendOne(transport, injected);
    EXPECT_TRUE(r.permanent);
    EXPECT_NE(r.error.find("invalid request header"), std::string::npos) << r.error;
    OutgoingHttp bad_method = Post(peer_->Url("/ok"));
    bad_method.method = "POST /x HTTP/1.1\r\n";
    EXPECT_TRUE(SendOne(transport, bad_method).permanent);
    EXPECT_EQ(hits_.load(), 0);
}

TEST_F(TransportHttp, TimesOut) {
    TransportOptions o;
    o.timeout = 300ms;
    Transport transport(o);
    transport.Start();
    const auto start = std::chrono::steady_clock::now();
    SendResult r = SendOne(transport, Post(peer_->Url("/slow")));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.permanent);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("Timeout"), std::string::npos) << r.error;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 5s);
}

TEST_F(TransportHttp, ServerDownIsTransient) {
    Transport transport(TransportOptions{});
    transport.Start();
    SendResult r = SendOne(transport, Post("http://127.0.0.1:" + std::to_string(UnusedPort()) + "/hook"));
    EXPECT_FALSE(r.ok);
    EXPECT_FALSE(r.permanent);
    EXPECT_EQ(r.status, 0);
}

TEST_F(TransportHttp, HonoursThePerHostLimit) {
    TransportOptions o;
    o.per_host_requests = 3;
    o.total_requests = 64;
    Transport transport(o);
    transport.Start();
    Results results;
    constexpr int kCount = 30;
    for (int i = 0; i < kCount; ++i) transport.SendHttp(Post(peer_->Url("/concurrent")), results.For(i));
    ASSERT_TRUE(results.WaitFor(kCount));
    for (const auto& [id, r] : results.All()) EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(concurrency_.total.load(), kCount);
    EXPECT_LE(concurrency_.max.load(), 3);
    EXPECT_GE(concurrency_.max.load(), 2) << "requests to one host should overlap up to the limit";
    EXPECT_LE(peer_->Connections(), 3u);
}

TEST_F(TransportHttp, HonoursTheTotalLimitAcrossHosts) {
    HttpPeer second([this](http::Router& r) { AddConcurrentRoute(r, concurrency_); });
    ASSERT_NE(second.Port(), 0);
    TransportOptions o;
    o.per_host_requests = 4;
    o.total_requests = 5;
    Transport transport(o);
    transport.Start();
    Results results;
    constexpr int kEach = 20;
    for (int i = 0; i < kEach; ++i) {
        transport.SendHttp(Post(peer_->Url("/concurrent")), results.For(2 * i));
        transport.SendHttp(Post(second.Url("/concurrent")), results.For(2 * i + 1));
    }
    ASSERT_TRUE(results.WaitFor(2 * kEach));
    for (const auto& [id, r] : results.All()) EXPECT_TRUE(r.ok) << r.error;
    EXPECT_LE(concurrency_.max.load(), 5);
    EXPECT_GE(concurrency_.max.load(), 4);
}

TEST_F(TransportHttp, RefusesPrivateTargetsWhenConfigured) {
    TransportOptions o;
    o.refuse_private_targets = true;
    Transport transport(o);
    transport.Start();
    // 127.0.0.1 literally, and "localhost" through the resolver: the address decides.
    const std::string port = std::to_string(peer_->Port());
    for (const std::string& url : std::vector<std::string>{peer_->Url("/ok"), "http://localhost:" + port + "/ok"}) {
        SendResult r = SendOne(transport, Post(url));
        EXPECT_FALSE(r.ok) << url;
        EXPECT_TRUE(r.permanent) << url;
        EXPECT_NE(r.error.find("refused by configuration"), std::string::npos) << url << ": " << r.error;
    }
    EXPECT_EQ(hits_.load(), 0);
    EXPECT_EQ(peer_->Connections(), 0u);

    TransportOptions allowed;
    Transport open_transport(allowed);
    open_transport.Start();
    SendResult r = SendOne(open_transport, Post(peer_->Url("/ok")));
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(hits_.load(), 1);
}

TEST(TransportPrivateTargets, RefusesEveryPrivateRangeAndOnlyThose) {
    TransportOptions o;
    o.refuse_private_targets = true;
    o.timeout = 500ms;  // the allowed ones below lead nowhere
    Transport transport(o);
    transport.Start();
    const std::vector<std::string> refused{
        "0.0.0.0",
        "10.1.2.3",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.0.9",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "224.0.0.1",
        "255.255.255.255",
        "[::]",
        "[::1]",
        "[fe80::1]",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[ff02::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[64:ff9b::a00:1]",
    };
    const std::vector<std::string> allowed{
        "192.0.2.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "[2001:db8::1]", "[::ffff:192.0.2.1]"};
    Results results;
    int id = 0;
    for (const auto& host : refused) transport.SendHttp(Request("http://" + host + ":9/hook"), results.For(id++));
    for (const auto& host : allowed) transport.SendHttp(Request("http://" + host + ":9/hook"), results.For(id++));
    ASSERT_TRUE(results.WaitFor(refused.size() + allowed.size()));
    id = 0;
    for (const auto& host : refused) {
        SendResult r = results.Get(id++);
        EXPECT_TRUE(r.permanent) << host << ": " << r.error;
        EXPECT_NE(r.error.find("refused by configuration"), std::string::npos) << host << ": " << r.error;
    }
    for (const auto& host : allowed) {
        SendResult r = results.Get(id++);
        EXPECT_FALSE(r.ok) << host;
        EXPECT_EQ(r.error.find("refused by configuration"), std::string::npos) << host << ": " << r.error;
        // Nothing more asserted: some sandboxes answer any address through a proxy.
    }
}

TEST_F(TransportHttp, CompletesTwoThousandRequestsOverKeptAliveConnections) {
    TransportOptions o;
    o.per_host_requests = 4;
    Transport transport(o);
    transport.Start();
    Results results;
    constexpr int kCount = 2000;
    for (int i = 0; i < kCount; ++i) transport.SendHttp(Post(peer_->Url("/ok")), results.For(i));
    EXPECT_GT(transport.Pending(), 0u);
    ASSERT_TRUE(results.WaitFor(kCount));
    int ok = 0;
    for (const auto& [id, r] : results.All()) ok += r.ok ? 1 : 0;
    EXPECT_EQ(ok, kCount);
    EXPECT_TRUE(results.EachOnce(kCount));
    EXPECT_EQ(hits_.load(), kCount);
    EXPECT_EQ(transport.Pending(), 0u);
    EXPECT_LE(peer_->Connections(), 4u);
}

// ---- Stop ----

TEST_F(TransportHttp, StopAbandonsTransfersInFlightAndQueued) {
    SmtpPeer smtp;
    ASSERT_NE(smtp.Port(), 0);
    TransportOptions o = MailOptions(smtp.Url());
    o.per_host_requests = 2;
    o.smtp_connections = 1;
    Results results;
    {
        Transport transport(o);
        transport.Start();
        for (int i = 0; i < 5; ++i) transport.SendHttp(Post(peer_->Url("/slow")), results.For(i));
        transport.SendMail(Mail("slow@example.org"), results.For(10));
        transport.SendMail(Mail("slow2@example.org"), results.For(11));
        ASSERT_TRUE(gate_.WaitForWaiting(2));    // two requests at the server, three queued
        ASSERT_TRUE(smtp.WaitForLines("S", 1));  // one e-mail in RCPT, one queued
        EXPECT_EQ(transport.Pending(), 7u);
        const auto start = std::chrono::steady_clock::now();
        transport.Stop();
        EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
        EXPECT_EQ(transport.Pending(), 0u);
        EXPECT_TRUE(results.EachOnce(7));

        // Afterwards, new work is abandoned at once.
        transport.SendHttp(Post(peer_->Url("/ok")), results.For(20));
        EXPECT_TRUE(results.EachOnce(8));
        transport.Stop();  // idempotent
    }                      // the destructor stops again: still each `done` once
    EXPECT_TRUE(results.EachOnce(8));
    for (const auto& [id, r] : results.All()) {
        EXPECT_FALSE(r.ok) << id;
        EXPECT_FALSE(r.permanent) << id;
        EXPECT_EQ(r.error, "abandoned") << id;
    }
    EXPECT_EQ(hits_.load(), 0);
}

TEST(TransportStop, AbandonsWorkQueuedBeforeStart) {
    Results results;
    {
        Transport transport(TransportOptions{});
        transport.SendHttp(Request("http://127.0.0.1:9/x"), results.For(0));
        EXPECT_EQ(transport.Pending(), 1u);
    }
    ASSERT_TRUE(results.EachOnce(1));
    EXPECT_EQ(results.Get(0).error, "abandoned");
}

TEST(TransportStop, DoneMaySendMore) {
    // A `done` that queues the next job runs on the transport thread; that must not deadlock.
    Transport transport(TransportOptions{});
    transport.Start();
    std::promise<int> finished;
    std::function<void(int, SendResult)> chain = [&](int n, SendResult) {
        if (n == 3) {
            finished.set_value(n);
            return;
        }
        transport.SendHttp(Request("ftp://x/"), [&, n](SendResult r) { chain(n + 1, std::move(r)); });
    };
    transport.SendHttp(Request("ftp://x/"), [&](SendResult r) { chain(1, std::move(r)); });
    auto f = finished.get_future();
    ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(f.get(), 3);
}

}  // namespace
}  // namespace tocsin::notify
