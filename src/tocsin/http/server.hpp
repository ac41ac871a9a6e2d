/// @file
/// @brief The HTTP/1.1 server: accepts connections, reads requests, calls the router.
///
/// Generic: it knows nothing about incidents. Every read has a timeout, bodies and
/// headers have limits, keep-alive is honoured, and SIGTERM/SIGINT (or Stop()) closes
/// the listener, lets in-flight requests finish within a grace period, then returns
/// from Run(). Handlers marked blocking run on a separate thread pool. A handler may answer
/// with an EventStream (server-sent events): the connection then waits asynchronously for
/// pushed bytes, sends keep-alive comments, and ends when the client goes, the stream is
/// closed, or the server shuts down (open streams are closed first, so SIGTERM never waits
/// for them).
#pragma once

#include "tocsin/common/metrics.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/http/router.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace tocsin::http {

struct ServerOptions {
    std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
    std::uint16_t port = 8080;          // 0: pick a free port (tests)
    std::size_t body_limit = 1024 * 1024;
    std::size_t header_limit = 16 * 1024;
    std::chrono::milliseconds read_timeout{15000};  // per request, from its first byte to its last
    std::chrono::milliseconds idle_timeout{60000};  // keep-alive connection without a request
    std::chrono::milliseconds shutdown_grace{10000};
    /// Streamed responses (Response::stream): a ": keepalive" comment after this much silence,
    /// and at most `max_streams` open at once (more get 503). Streams are exempt from the
    /// read and idle timeouts; each write must finish within max(read_timeout, stream_keepalive).
    std::chrono::milliseconds stream_keepalive{15000};
    std::size_t max_streams = 256;
    /// Deferred responses (Response::deferred): answered 503 by the server when not completed
    /// within this time; abandoned at once when the client goes away or the server stops.
    std::chrono::milliseconds deferred_timeout{30000};
    int io_threads = 2;
    int blocking_threads = 2;
    bool handle_signals = true;  // SIGTERM/SIGINT start a graceful shutdown
    /// With handle_signals: SIGHUP calls this on an I/O thread (it must not block; hand the
    /// work to another thread). Unset: SIGHUP keeps its default action.
    std::function<void()> on_reload;

    [[nodiscard]] Result<void> Validate() const;
};

class Server {
public:
    Server(ServerOptions options, const Router& router, MetricsRegistry& metrics);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens. After success, Port() tells the bound port.
    [[nodiscard]] Result<void> Listen();
    [[nodiscard]] std::uint16_t Port() const;

    /// Serves until a signal or Stop(); blocks the calling thread, which becomes one of the
    /// I/O threads. `on_shutdown` runs once when shutdown begins (stop engines there).
    void Run(std::function<void()> on_shutdown = {});

    /// Starts a graceful shutdown. Thread-safe; idempotent.
    void Stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::http
