#include "tocsin/http/server.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace tocsin::http {
namespace {

using namespace std::chrono_literals;

// Every wait in this file is bounded by this; a hung server fails the test instead of hanging it.
constexpr auto kWait = 5s;

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    [[nodiscard]] std::string Header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// A blocking HTTP/1.1 client over a plain POSIX socket, so the test sees exactly the bytes the
// server writes. Every read waits at most `kWait`.
class RawClient {
public:
    explicit RawClient(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~RawClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    [[nodiscard]] bool Connected() const { return connected_; }

    bool Send(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<std::size_t>(n);
        }
        return true;
    }

    // Reads one response; nullopt on timeout or if the connection closed before a full response.
    std::optional<RawResponse> Read(bool head_request = false) {
        auto deadline = std::chrono::steady_clock::now() + kWait;
        std::size_t header_end;
        while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!Fill(deadline)) return std::nullopt;
        }
        RawResponse r;
        std::istringstream head(buffer_.substr(0, header_end));
        std::string line;
        std::getline(head, line);
        if (line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
        r.status = std::stoi(line.substr(9, 3));
        while (std::getline(head, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[name] = value;
        }
        buffer_.erase(0, header_end + 4);
        std::size_t length = 0;
        if (!head_request && r.headers.count("content-length")) length = std::stoul(r.headers["content-length"]);
        while (buffer_.size() < length) {
            if (!Fill(deadline)) return std::nullopt;
        }
        r.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return r;
    }

    // True if the server closes the connection (EOF or reset) within `wait`.
    bool ClosedWithin(std::chrono::milliseconds wait) {
        auto deadline = std::chrono::steady_clock::now() + wait;
        for (;;) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            char buf[4096];
            auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return true;
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
    }

    // Reads until everything received so far contains `needle` (bounded by kWait).
    bool WaitFor(const std::string& needle) {
        auto deadline = std::chrono::steady_clock::now() + kWait;
        while (buffer_.find(needle) == std::string::npos) {
            if (!Fill(deadline)) return false;
        }
        return true;
    }
    [[nodiscard]] const std::string& Received() const { return buffer_; }

private:
    bool Fill(std::chrono::steady_clock::time_point deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[8192];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return false;
        buffer_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

std::string Get(const std::string& path, const std::string& extra_headers = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

// Starts a Server on 127.0.0.1:0 in a thread; stops it and waits (bounded) for Run() to return.
class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add(Method::kGet, "/hello", [](const Request&, Response& res) {
            res.content_type = "text/plain";
            res.body = "hello";
        });
        router_.Add(Method::kPost, "/echo", [](const Request& req, Response& res) {
            res.content_type = "text/plain";
            res.body = std::string(req.body);
        });
        router_.Add(Method::kGet, "/thread", [](const Request&, Response& res) {
            std::ostringstream id;
            id << std::this_thread::get_id();
            res.body = id.str();
        });
        router_.Add(
            Method::kGet,
            "/blocking-thread",
            [](const Request&, Response& res) {
                std::ostringstream id;
                id << std::this_thread::get_id();
                res.body = id.str();
            },
            RouteOptions{.blocking = true}
        );
        router_.Add(Method::kGet, "/query", [](const Request& req, Response& res) {
            res.body = req.QueryParam("q").value_or("<none>") + "|" + std::string(req.Header("X-Custom"));
        });
        router_.Add(Method::kGet, "/teapot", [](const Request&, Response&) {
            throw HttpError(409, "conflict", "not now", "state");
        });
        router_.Add(Method::kGet, "/boom", [](const Request&, Response&) {
            throw std::runtime_error("secret detail");
        });
        router_.Add(
            Method::kGet,
            "/wait",
            [this](const Request&, Response& res) {
                {
                    std::unique_lock lock(wait_mu_);
                    waiting_ = true;
                    wait_cv_.notify_all();
                    wait_cv_.wait_for(lock, kWait, [this] { return released_; });
                }
                res.body = "released";
            },
            RouteOptions{.blocking = true}
        );
        router_.Add(Method::kGet, "/events", [this](const Request&, Response& res) {
            auto stream = std::make_shared<EventStream>(256);
            stream->OnEnd([this] {
                std::lock_guard lock(streams_mu_);
                ++streams_ended_;
                streams_cv_.notify_all();
            });
            stream->PushEvent("hello", "{}");
            res.content_type = "text/event-stream";
            res.SetHeader("Cache-Control", "no-store");
            res.stream = stream;
            std::lock_guard lock(streams_mu_);
            streams_.push_back(stream);
            streams_cv_.notify_all();
        });
        router_.Add(Method::kGet, "/deferred", [this](const Request&, Response& res) {
            auto d = std::make_shared<Deferred>();
            res.deferred = d;
            std::lock_guard lock(streams_mu_);
            deferreds_.push_back(d);
            streams_cv_.notify_all();
        });
    }

    void TearDown() override { StopServer(); }

    // Waits (bounded) until `n` deferred responses were handed out; returns the last one.
    std::shared_ptr<Deferred> WaitForDeferred(std::size_t n) {
        std::unique_lock lock(streams_mu_);
        if (!streams_cv_.wait_for(lock, kWait, [&] { return deferreds_.size() >= n; })) return nullptr;
        return deferreds_[n - 1];
    }

    // Waits (bounded) until `n` event streams were opened; returns the last one.
    std::shared_ptr<EventStream> WaitForStream(std::size_t n) {
        std::unique_lock lock(streams_mu_);
        if (!streams_cv_.wait_for(lock, kWait, [&] { return streams_.size() >= n; })) return nullptr;
        return streams_[n - 1];
    }
    bool WaitForEnded(int n) {
        std::unique_lock lock(streams_mu_);
        return streams_cv_.wait_for(lock, kWait, [&] { return streams_ended_ >= n; });
    }

    void StartServer() {
        ServerOptions o;
        o.address = "127.0.0.1";
        o.port = 0;
        o.handle_signals = false;
        o.io_threads = 1;
        o.blocking_threads = 2;
        o.body_limit = 2048;
        o.header_limit = 2048;
        o.read_timeout = read_timeout_;
        o.idle_timeout = idle_timeout_;
        o.shutdown_grace = 3s;
        o.stream_keepalive = stream_keepalive_;
        o.max_streams = max_streams_;
        o.deferred_timeout = deferred_timeout_;
        server_ = std::make_unique<Server>(o, router_, metrics_);
        auto listening = server_->Listen();
        ASSERT_TRUE(listening) << listening.error().message;
        port_ = server_->Port();
        ASSERT_NE(port_, 0);
        std::promise<std::thread::id> started;
        auto started_future = started.get_future();
        run_ = std::async(std::launch::async, [this, &started] {
            started.set_value(std::this_thread::get_id());
            server_->Run([this] { shutdown_hook_ran_ = true; });
        });
        ASSERT_EQ(started_future.wait_for(kWait), std::future_status::ready);
        run_thread_ = started_future.get();
    }

    // True if Run() returned within the bounded wait.
    bool StopServer() {
        if (!server_) return true;
        server_->Stop();
        bool returned = run_.wait_for(kWait) == std::future_status::ready;
        if (!returned) {
            ADD_FAILURE() << "Server::Run() did not return after Stop()";
            // Leak rather than block forever on a hung server: the future's destructor would join.
            (void)server_.release();
            new std::future<void>(std::move(run_));
            return false;
        }
        server_.reset();
        return true;
    }

    std::uint64_t Connections() { return metrics_.GetCounter("tocsin_http_connections_total", "").Value(); }

    Router router_;
    MetricsRegistry metrics_;
    std::unique_ptr<Server> server_;
    std::future<void> run_;
    std::thread::id run_thread_;
    std::uint16_t port_ = 0;
    std::atomic<bool> shutdown_hook_ran_{false};
    std::chrono::milliseconds read_timeout_{5000};
    std::chrono::milliseconds idle_timeout_{5000};
    std::chrono::milliseconds stream_keepalive_{15000};
    std::size_t max_streams_ = 256;
    std::chrono::milliseconds deferred_timeout_{5000};
    std::vector<std::shared_ptr<Deferred>> deferreds_;  // guarded by streams_mu_

    std::mutex streams_mu_;
    std::condition_variable streams_cv_;
    std::vector<std::shared_ptr<EventStream>> streams_;
    int streams_ended_ = 0;

    std::mutex wait_mu_;
    std::condition_variable wait_cv_;
    bool waiting_ = false;
    bool released_ = false;
};

TEST_F(ServerTest, ServesTwoRequestsOnOneKeepAliveConnection) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Connected());
    ASSERT_TRUE(c.Send(Get("/hello")));
    auto first = c.Read();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, "hello");
    EXPECT_NE(first->Header("connection"), "close");

    ASSERT_TRUE(c.Send(Get("/hello")));
    auto second = c.Read();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, "hello");
    EXPECT_EQ(Connections(), 1u);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/query?q=one") + Get("/query?q=two")));
    auto first = c.Read();
    auto second = c.Read();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->body, "one|");
    EXPECT_EQ(second->body, "two|");
}

TEST_F(ServerTest, ClosesWhenTheClientAsksForIt) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/hello", "Connection: close\r\n")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.ClosedWithin(kWait));
}

TEST_F(ServerTest, PassesQueryAndHeadersToTheHandler) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/query?q=a%20b", "X-Custom: yes\r\n")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "a b|yes");
}

TEST_F(ServerTest, ReadsABodyWithinTheLimit) {
    StartServer();
    RawClient c(port_);
    std::string body(1500, 'x');
    ASSERT_TRUE(c.Send(
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body
    ));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, body);
}

TEST_F(ServerTest, RejectsABodyOverTheLimitWith413) {
    StartServer();
    RawClient c(port_);
    // The declared length is over the limit: the server answers from the headers alone.
    ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4096\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->Header("content-type"), "application/problem+json");
    EXPECT_NE(r->body.find("body-too-large"), std::string::npos);
    EXPECT_TRUE(c.ClosedWithin(kWait));
}

TEST_F(ServerTest, RejectsHugeHeadersWith431) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/hello", "X-Big: " + std::string(4096, 'a') + "\r\n")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_NE(r->body.find("headers-too-large"), std::string::npos);
}

TEST_F(ServerTest, AnswersMalformedRequestsWith400) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send("NOT A REQUEST\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(c.ClosedWithin(kWait));
}

TEST_F(ServerTest, RunsBlockingRoutesOffTheIoThread) {
    StartServer();
    std::ostringstream io;
    io << run_thread_;
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/thread") + Get("/blocking-thread")));
    auto on_io = c.Read();
    auto on_pool = c.Read();
    ASSERT_TRUE(on_io && on_pool);
    EXPECT_EQ(on_io->status, 200);
    EXPECT_EQ(on_pool->status, 200);
    // With one I/O thread, Run()'s own thread is the I/O thread.
    EXPECT_EQ(on_io->body, io.str());
    EXPECT_FALSE(on_pool->body.empty());
    EXPECT_NE(on_pool->body, io.str());
}

TEST_F(ServerTest, HeadSendsLengthWithoutBody) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send("HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto head = c.Read(/*head_request=*/true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->Header("content-length"), "5");
    // The next response on the connection starts right away: no body bytes were sent for HEAD.
    ASSERT_TRUE(c.Send(Get("/query?q=after")));
    auto next = c.Read();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "after|");
}

TEST_F(ServerTest, WrongMethodGets405WithAllow) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send("DELETE /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_EQ(r->Header("allow"), "GET");
    EXPECT_EQ(r->Header("content-type"), "application/problem+json");
}

TEST_F(ServerTest, UnknownPathWithoutFallbackGets404) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/nowhere")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
}

TEST_F(ServerTest, UnknownPathGoesToTheFallback) {
    router_.SetFallback([](const Request& req, Response& res) { res.body = "fallback " + std::string(req.path); });
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/some/page?x=1")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "fallback /some/page");
}

TEST_F(ServerTest, RendersHandlerErrorsAsProblems) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/teapot") + Get("/boom")));
    auto typed = c.Read();
    auto untyped = c.Read();
    ASSERT_TRUE(typed && untyped);
    EXPECT_EQ(typed->status, 409);
    EXPECT_NE(typed->body.find("\"field\":\"state\""), std::string::npos);
    EXPECT_EQ(untyped->status, 500);
    // An unexpected exception's text is logged, never sent to the client.
    EXPECT_EQ(untyped->body.find("secret detail"), std::string::npos);
}

TEST_F(ServerTest, StopMakesRunReturn) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/hello")));
    ASSERT_TRUE(c.Read());
    EXPECT_TRUE(StopServer());
    EXPECT_TRUE(shutdown_hook_ran_);
    // The listener is gone.
    RawClient late(port_);
    EXPECT_FALSE(late.Connected());
}

TEST_F(ServerTest, StopLetsAnInFlightRequestFinish) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/wait")));
    {
        std::unique_lock lock(wait_mu_);
        ASSERT_TRUE(wait_cv_.wait_for(lock, kWait, [this] { return waiting_; }));
    }
    server_->Stop();
    // Shutdown has begun (the hook ran) before the handler finishes, so its answer closes.
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!shutdown_hook_ran_ && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_TRUE(shutdown_hook_ran_);
    {
        std::lock_guard lock(wait_mu_);
        released_ = true;
    }
    wait_cv_.notify_all();
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "released");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(StopServer());
}

TEST_F(ServerTest, DropsAClientThatStallsMidRequest) {
    read_timeout_ = 300ms;
    idle_timeout_ = 10s;
    StartServer();
    RawClient c(port_);
    // Part of a request, then nothing: the read timeout, not the idle timeout, applies.
    ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: local"));
    EXPECT_TRUE(c.ClosedWithin(3s));
}

TEST_F(ServerTest, KeepsAnIdleKeepAliveConnectionUntilTheIdleTimeout) {
    read_timeout_ = 200ms;
    idle_timeout_ = 10s;
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/hello")));
    ASSERT_TRUE(c.Read());
    // Longer than the read timeout: an idle connection must survive it.
    EXPECT_FALSE(c.ClosedWithin(600ms));
    ASSERT_TRUE(c.Send(Get("/hello")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST(Server, StopBeforeRunStillRunsTheHookAndReturns) {
    Router router;
    MetricsRegistry metrics;
    ServerOptions o;
    o.port = 0;
    o.handle_signals = false;
    o.io_threads = 2;
    auto server = std::make_unique<Server>(o, router, metrics);
    ASSERT_TRUE(server->Listen());
    server->Stop();
    auto hook_runs = std::make_shared<std::atomic<int>>(0);
    auto run = std::async(std::launch::async, [&server, hook_runs] { server->Run([hook_runs] { ++*hook_runs; }); });
    if (run.wait_for(kWait) != std::future_status::ready) {
        // Leak rather than block forever on a hung server.
        (void)server.release();
        new std::future<void>(std::move(run));
        FAIL() << "Run() did not return after an early Stop()";
    }
    EXPECT_EQ(hook_runs->load(), 1);
    server->Stop();  // idempotent, also after Run() returned
    EXPECT_EQ(hook_runs->load(), 1);
}

TEST(ServerOptions, ValidateNamesTheBadField) {
    struct Case {
        std::string_view name;
        void (*mutate)(ServerOptions&);
        std::string_view field;  // empty: valid
    };
    const Case cases[] = {
        {"defaults", [](ServerOptions&) {}, ""},
        {"ipv6", [](ServerOptions& o) { o.address = "::1"; }, ""},
        {"host name", [](ServerOptions& o) { o.address = "localhost"; }, "server.address"},
        {"tiny body limit", [](ServerOptions& o) { o.body_limit = 10; }, "server.body_limit"},
        {"tiny header limit", [](ServerOptions& o) { o.header_limit = 10; }, "server.header_limit"},
        {"no io threads", [](ServerOptions& o) { o.io_threads = 0; }, "server.io_threads"},
        {"too many blocking threads", [](ServerOptions& o) { o.blocking_threads = 65; }, "server.blocking_threads"},
        {"zero read timeout", [](ServerOptions& o) { o.read_timeout = 0ms; }, "server.read_timeout"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        ServerOptions o;
        c.mutate(o);
        auto r = o.Validate();
        if (c.field.empty()) {
            EXPECT_TRUE(r) << r.error().message;
        } else {
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().field, c.field);
        }
    }
}

TEST(Server, ListenFailsOnAPortInUse) {
    Router router;
    MetricsRegistry metrics;
    ServerOptions o;
    o.port = 0;
    o.handle_signals = false;
    Server first(o, router, metrics);
    ASSERT_TRUE(first.Listen());
    o.port = first.Port();
    Server second(o, router, metrics);
    auto r = second.Listen();
    // SO_REUSEADDR does not allow two listeners on one port.
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
}

TEST_F(ServerTest, StreamsEventsInOrderWithoutIdleTimeout) {
    idle_timeout_ = 200ms;
    read_timeout_ = 200ms;
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/events")));
    ASSERT_TRUE(c.WaitFor("event: hello\ndata: {}\n\n"));
    EXPECT_NE(c.Received().find("text/event-stream"), std::string::npos);
    EXPECT_NE(c.Received().find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_NE(c.Received().find("Cache-Control: no-store"), std::string::npos);
    auto stream = WaitForStream(1);
    ASSERT_TRUE(stream);
    // Longer than the idle and read timeouts: a stream is exempt from both.
    std::this_thread::sleep_for(500ms);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(stream->PushEvent("change", std::to_string(i)));
    ASSERT_TRUE(c.WaitFor("data: 2\n\n"));
    const auto& got = c.Received();
    auto a = got.find("data: 0"), b = got.find("data: 1"), d = got.find("data: 2");
    EXPECT_LT(a, b);
    EXPECT_LT(b, d);
    stream->Close();
    EXPECT_TRUE(c.WaitFor("\r\n0\r\n\r\n"));  // the last chunk
    EXPECT_TRUE(c.ClosedWithin(kWait));
    EXPECT_TRUE(WaitForEnded(1));
}

TEST_F(ServerTest, SendsKeepAliveCommentsOnAQuietStream) {
    stream_keepalive_ = 100ms;
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/events")));
    EXPECT_TRUE(c.WaitFor(": keepalive\n\n"));
}

TEST_F(ServerTest, ClientDisconnectEndsTheStream) {
    StartServer();
    {
        RawClient c(port_);
        ASSERT_TRUE(c.Send(Get("/events")));
        ASSERT_TRUE(c.WaitFor("event: hello"));
    }
    // Noticed through the socket at once, without waiting for a keep-alive write.
    EXPECT_TRUE(WaitForEnded(1));
    auto stream = WaitForStream(1);
    ASSERT_TRUE(stream);
    EXPECT_TRUE(stream->IsClosed());
    EXPECT_FALSE(stream->PushEvent("change", "late"));
}

TEST_F(ServerTest, AStreamOverItsBufferBoundEnds) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/events")));
    ASSERT_TRUE(c.WaitFor("event: hello"));
    auto stream = WaitForStream(1);
    ASSERT_TRUE(stream);
    // The route's bound is 256 bytes: one push of 300 closes the stream instead of queueing.
    EXPECT_FALSE(stream->Push(std::string(300, 'x')));
    EXPECT_TRUE(c.ClosedWithin(kWait));
    EXPECT_TRUE(WaitForEnded(1));
}

TEST_F(ServerTest, RefusesStreamsBeyondTheCapWith503) {
    max_streams_ = 1;
    StartServer();
    RawClient first(port_);
    ASSERT_TRUE(first.Send(Get("/events")));
    ASSERT_TRUE(first.WaitFor("event: hello"));
    RawClient second(port_);
    ASSERT_TRUE(second.Send(Get("/events")));
    auto r = second.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_TRUE(WaitForEnded(1));  // the refused stream's OnEnd ran
    // Once the first is gone, a new one is accepted.
    WaitForStream(1)->Close();
    ASSERT_TRUE(WaitForEnded(2));
    RawClient third(port_);
    ASSERT_TRUE(third.Send(Get("/events")));
    EXPECT_TRUE(third.WaitFor("event: hello"));
}

TEST_F(ServerTest, HeadOfAStreamGetsHeadersOnly) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send("HEAD /events HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto r = c.Read(true);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("content-type"), "text/event-stream");
    EXPECT_TRUE(WaitForEnded(1));
    // The connection stays usable: the stream did not take it over.
    ASSERT_TRUE(c.Send(Get("/hello")));
    auto next = c.Read();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, StopClosesOpenStreamsPromptly) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/events")));
    ASSERT_TRUE(c.WaitFor("event: hello"));
    auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(StopServer());
    // Well under the 3 s grace period: the stream is closed, not waited for.
    EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
    EXPECT_TRUE(c.ClosedWithin(kWait));
    EXPECT_TRUE(WaitForEnded(1));
}

TEST_F(ServerTest, ADeferredResponseIsCompletedFromAnotherThread) {
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/deferred")));
    auto d = WaitForDeferred(1);
    ASSERT_TRUE(d);
    // The I/O thread is free while the answer is pending: another request on another
    // connection is served (the server has a single I/O thread here).
    RawClient other(port_);
    ASSERT_TRUE(other.Send(Get("/hello")));
    auto hello = other.Read();
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->body, "hello");
    bool completed = false;
    std::thread completer([&] {
        Response res;
        res.status = 202;
        res.body = R"({"status":"success"})";
        res.SetHeader("X-Done", "yes");
        completed = d->Complete(std::move(res));
    });
    completer.join();
    EXPECT_TRUE(completed);
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202);
    EXPECT_EQ(r->body, R"({"status":"success"})");
    EXPECT_EQ(r->Header("x-done"), "yes");
    // A second Complete is ignored; the connection stays usable.
    EXPECT_FALSE(d->Complete(Response{}));
    ASSERT_TRUE(c.Send(Get("/hello")));
    auto next = c.Read();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, ADeferredCompletedBeforeTheHandlerReturnsIsSent) {
    router_.Add(Method::kGet, "/instant", [](const Request&, Response& res) {
        res.deferred = std::make_shared<Deferred>();
        Response now;
        now.body = "at once";
        res.deferred->Complete(std::move(now));
    });
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/instant")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "at once");
}

TEST_F(ServerTest, AClientThatLeavesAbandonsItsDeferred) {
    StartServer();
    std::shared_ptr<Deferred> d;
    {
        RawClient c(port_);
        ASSERT_TRUE(c.Send(Get("/deferred")));
        d = WaitForDeferred(1);
        ASSERT_TRUE(d);
    }
    // Noticed through the socket, long before the 5 s deferred timeout.
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!d->IsAbandoned() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(d->IsAbandoned());
    EXPECT_FALSE(d->Complete(Response{}));
    // The server is fine afterwards.
    RawClient c2(port_);
    ASSERT_TRUE(c2.Send(Get("/hello")));
    auto r = c2.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello");
}

TEST_F(ServerTest, ADeferredNotCompletedInTimeGets503) {
    deferred_timeout_ = 100ms;
    StartServer();
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/deferred")));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->Header("retry-after"), "1");
    auto d = WaitForDeferred(1);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->IsAbandoned());
}

TEST_F(ServerTest, StopWithPendingDeferredsReturnsPromptly) {
    StartServer();
    RawClient a(port_);
    RawClient b(port_);
    ASSERT_TRUE(a.Send(Get("/deferred")));
    ASSERT_TRUE(b.Send(Get("/deferred")));
    ASSERT_TRUE(WaitForDeferred(2));
    auto began = std::chrono::steady_clock::now();
    EXPECT_TRUE(StopServer());
    // Well under the 3 s grace period and the 5 s deferred timeout: pending answers are
    // abandoned (503), not waited for.
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
    for (RawClient* c : {&a, &b}) {
        auto r = c->Read();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 503);
    }
    EXPECT_TRUE(WaitForDeferred(1)->IsAbandoned());
    EXPECT_TRUE(WaitForDeferred(2)->IsAbandoned());
}

}  // namespace
}  // namespace tocsin::http
