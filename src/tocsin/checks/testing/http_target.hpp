/// @file
/// @brief Test-only HTTP(S) targets on 127.0.0.1 whose answers the test controls.
///
/// HttpTarget is a small Asio/Beast server on its own thread (port 0): per path it answers
/// with a status, headers and body, after a delay, never (holding the connection), with
/// raw bytes, or with a body of any length streamed from a 64 KiB buffer (1 GB costs the
/// target no memory). Every connection answers one request and closes, as the engine never
/// reuses connections. BlackholeListener accepts nothing; RefusedPort() is a closed port.
/// Header-only: nothing here goes into the library.
#pragma once

#include "tocsin/checks/testing/http_target_tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tocsin::checks::testing {

/// How the target answers one path.
struct TargetResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds delay{0};  // before anything is sent
    bool never_answer = false;           // read the request, then say nothing and keep the connection
    std::uint64_t stream_bytes = 0;      // > 0: announce and stream this many bytes of 'x' instead of body
    std::string raw;                     // not empty: send these bytes verbatim instead of a response

    // Chainable setters: TargetResponse().Status(503).Body("down").
    TargetResponse&& Status(int s) && {
        status = s;
        return std::move(*this);
    }
    TargetResponse&& Header(std::string name, std::string value) && {
        headers.emplace_back(std::move(name), std::move(value));
        return std::move(*this);
    }
    TargetResponse&& Body(std::string b) && {
        body = std::move(b);
        return std::move(*this);
    }
    TargetResponse&& Delay(std::chrono::milliseconds d) && {
        delay = d;
        return std::move(*this);
    }
    TargetResponse&& NeverAnswer() && {
        never_answer = true;
        return std::move(*this);
    }
    TargetResponse&& Stream(std::uint64_t bytes) && {
        stream_bytes = bytes;
        return std::move(*this);
    }
    TargetResponse&& Raw(std::string bytes) && {
        raw = std::move(bytes);
        return std::move(*this);
    }
};

/// One request as the target saw it.
struct TargetRequest {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::steady_clock::time_point at;  // when the request was read

    /// The first value of a header (case-insensitive), empty when absent.
    [[nodiscard]] std::string Header(std::string_view name) const {
        auto equal = [](std::string_view a, std::string_view b) {
            return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                   });
        };
        for (const auto& [n, v] : headers) {
            if (equal(n, name)) return v;
        }
        return {};
    }
};

class HttpTarget {
public:
    /// Plain HTTP.
    HttpTarget() : HttpTarget(std::nullopt) {}

    /// HTTPS with `tls` (certificate and key) when given.
    explicit HttpTarget(std::optional<TlsIdentity> tls) : acceptor_(io_) {
        namespace asio = boost::asio;
        if (tls) {
            ssl_.emplace(asio::ssl::context::tls_server);
            ssl_->use_certificate_chain(asio::buffer(tls->cert_pem));
            ssl_->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
        }
        asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(4096);
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(io_, Accept(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }

    ~HttpTarget() {
        io_.stop();
        thread_.join();
        // io_ is destroyed after this body: pending sessions (never_answer) are dropped then.
    }

    HttpTarget(const HttpTarget&) = delete;
    HttpTarget& operator=(const HttpTarget&) = delete;

    /// Sets the answer for requests whose path (query ignored) is `path`. Unknown paths get 404.
    void Set(const std::string& path, TargetResponse response) {
        std::lock_guard lock(mutex_);
        routes_[path] = std::move(response);
    }

    void Redirect(const std::string& from, const std::string& to, int status = 302) {
        TargetResponse r;
        r.status = status;
        r.headers.emplace_back("Location", to);
        Set(from, std::move(r));
    }

    [[nodiscard]] std::uint16_t Port() const { return port_; }

    [[nodiscard]] std::string Url(std::string_view path = "/") const {
        return std::string(ssl_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + std::string(path);
    }

    /// Response bytes (head and body) written to sockets so far.
    [[nodiscard]] std::uint64_t BytesSent() const { return bytes_sent_.load(); }
    [[nodiscard]] std::size_t Connections() const { return connections_.load(); }
    [[nodiscard]] std::size_t MaxConcurrent() const { return max_concurrent_.load(); }

    [[nodiscard]] std::vector<TargetRequest> Requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    /// Waits (without polling) until at least `n` requests were read or `timeout` passed.
    bool WaitForRequests(std::size_t n, std::chrono::milliseconds timeout) const {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    }

private:
    using Tcp = boost::asio::ip::tcp;

    boost::asio::awaitable<void> Accept() {
        namespace asio = boost::asio;
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            asio::co_spawn(io_, Session(std::move(socket)), asio::detached);
        }
    }

    boost::asio::awaitable<void> Session(Tcp::socket socket) {
        namespace asio = boost::asio;
        std::size_t now = ++concurrent_;
        std::size_t seen = max_concurrent_.load();
        while (now > seen && !max_concurrent_.compare_exchange_weak(seen, now)) {
        }
        ++connections_;
        if (ssl_) {
            asio::ssl::stream<Tcp::socket> stream(std::move(socket), *ssl_);
            auto [ec] =
                co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
            if (!ec) co_await Serve(stream);
        } else {
            co_await Serve(socket);
        }
        --concurrent_;
    }

    template <class Stream>
    boost::asio::awaitable<void> Serve(Stream& stream) {
        namespace asio = boost::asio;
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (read_ec) co_return;
        const auto& req = parser.get();
        const bool head = req.method() == http::verb::head;
        TargetResponse r = Record(req);

        asio::steady_timer timer(io_);
        if (r.delay.count() > 0) {
            timer.expires_after(r.delay);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (r.never_answer) {
            timer.expires_at(asio::steady_timer::time_point::max());
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        if (!r.raw.empty()) {
            co_await Write(stream, r.raw.data(), r.raw.size());
            co_return;
        }
        const std::uint64_t length = r.stream_bytes > 0 ? r.stream_bytes : r.body.size();
        std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + Reason(r.status) + "\r\n";
        for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
        out += "Content-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
        if (!head && r.stream_bytes == 0) out += r.body;
        if (!co_await Write(stream, out.data(), out.size())) co_return;
        if (head || r.stream_bytes == 0) co_return;
        const std::string chunk(64 * 1024, 'x');
        for (std::uint64_t left = r.stream_bytes; left > 0;) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
            if (!co_await Write(stream, chunk.data(), n)) co_return;  // the client hung up
            left -= n;
        }
    }

    template <class Stream>
    boost::asio::awaitable<bool> Write(Stream& stream, const char* data, std::size_t n) {
        namespace asio = boost::asio;
        auto [ec, written] =
            co_await asio::async_write(stream, asio::buffer(data, n), asio::as_tuple(asio::use_awaitable));
        bytes_sent_ += written;
        co_return !ec;
    }

    template <class Request>
    TargetResponse Record(const Request& req) {
        TargetRequest seen;
        seen.method = std::string(req.method_string());
        seen.target = std::string(req.target());
        for (const auto& field : req)
            seen.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        seen.body = req.body();
        seen.at = std::chrono::steady_clock::now();
        const std::string path = seen.target.substr(0, seen.target.find('?'));
        TargetResponse response;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(std::move(seen));
            auto it = routes_.find(path);
            if (it != routes_.end()) {
                response = it->second;
            } else {
                response.status = 404;
                response.body = "no such path";
            }
        }
        changed_.notify_all();
        return response;
    }

    static std::string Reason(int status) {
        switch (status) {
            case 200:
                return "OK";
            case 301:
                return "Moved Permanently";
            case 302:
                return "Found";
            case 404:
                return "Not Found";
            case 500:
                return "Internal Server Error";
            case 503:
                return "Service Unavailable";
            default:
                return "Status";
        }
    }

    std::optional<boost::asio::ssl::context> ssl_;  // outlives io_ and the streams it holds
    boost::asio::io_context io_{1};
    Tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread thread_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::string, TargetResponse> routes_;
    std::vector<TargetRequest> requests_;

    std::atomic<std::uint64_t> bytes_sent_{0};
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> concurrent_{0};
    std::atomic<std::size_t> max_concurrent_{0};
};

/// A listening socket that never accepts (backlog 1): after the first connection or two,
/// clients hang in the handshake until their own timeout.
class BlackholeListener {
public:
    BlackholeListener() : acceptor_(io_) {
        namespace asio = boost::asio;
        asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(endpoint.protocol());
        acceptor_.bind(endpoint);
        acceptor_.listen(1);
        port_ = acceptor_.local_endpoint().port();
    }

    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
};

/// A 127.0.0.1 port that nothing listens on (bound, then closed): connecting is refused.
inline std::uint16_t RefusedPort() {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

}  // namespace tocsin::checks::testing
