#include "tocsin/http/server.hpp"

#include "tocsin/common/log.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace tocsin::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using BeastRequest = bhttp::request<bhttp::string_body>;

// A deferred response still waiting after this long has its socket watched for a client that
// left (see AwaitDeferred).
constexpr std::chrono::milliseconds kClientWatchAfter{20};

Method ToMethod(bhttp::verb v) {
    switch (v) {
        case bhttp::verb::get:
            return Method::kGet;
        case bhttp::verb::head:
            return Method::kHead;
        case bhttp::verb::post:
            return Method::kPost;
        case bhttp::verb::put:
            return Method::kPut;
        case bhttp::verb::patch:
            return Method::kPatch;
        case bhttp::verb::delete_:
            return Method::kDelete;
        case bhttp::verb::options:
            return Method::kOptions;
        default:
            return Method::kOther;
    }
}

std::string_view LookupHeader(const void* native, std::string_view name) {
    const auto& req = *static_cast<const BeastRequest*>(native);
    auto it = req.find(beast::string_view(name.data(), name.size()));
    if (it == req.end()) return {};
    auto v = it->value();
    return {v.data(), v.size()};
}

const char* StatusClass(int status) {
    if (status < 200) return "1xx";
    if (status < 300) return "2xx";
    if (status < 400) return "3xx";
    if (status < 500) return "4xx";
    return "5xx";
}

}  // namespace

Result<void> ServerOptions::Validate() const {
    boost::system::error_code ec;
    asio::ip::make_address(address, ec);
    if (ec) return Error::Invalid("server.address", "not an IP address: " + address);
    if (body_limit < 1024) return Error::Invalid("server.body_limit", "must be at least 1024 bytes");
    if (header_limit < 1024) return Error::Invalid("server.header_limit", "must be at least 1024 bytes");
    if (io_threads < 1 || io_threads > 64) return Error::Invalid("server.io_threads", "must be 1 to 64");
    if (blocking_threads < 1 || blocking_threads > 64)
        return Error::Invalid("server.blocking_threads", "must be 1 to 64");
    if (read_timeout.count() <= 0) return Error::Invalid("server.read_timeout", "must be positive");
    if (stream_keepalive.count() <= 0) return Error::Invalid("server.stream_keepalive", "must be positive");
    return {};
}

struct Server::Impl {
    Impl(ServerOptions o, const Router& r, MetricsRegistry& m)
        : options(std::move(o)),
          router(r),
          ioc(1),
          blocking(static_cast<std::size_t>(options.blocking_threads)),
          acceptor(ioc),
          signals(ioc),
          reload_signals(ioc),
          requests_2xx(m.GetCounter("tocsin_http_requests_total", "HTTP requests answered", "code=\"2xx\"")),
          requests_3xx(m.GetCounter("tocsin_http_requests_total", "HTTP requests answered", "code=\"3xx\"")),
          requests_4xx(m.GetCounter("tocsin_http_requests_total", "HTTP requests answered", "code=\"4xx\"")),
          requests_5xx(m.GetCounter("tocsin_http_requests_total", "HTTP requests answered", "code=\"5xx\"")),
          latency(m.GetHistogram("tocsin_http_request_duration_seconds", "Time from request read to response written")),
          connections(m.GetCounter("tocsin_http_connections_total", "Connections accepted")) {}

    ServerOptions options;
    const Router& router;
    // One io_context per I/O thread, each run by exactly one thread (the nginx worker model):
    // a connection lives on one context for its whole life, so it needs no strand and its
    // handlers never bounce between threads. `ioc` also owns the acceptor and the signals.
    asio::io_context ioc;
    std::vector<std::unique_ptr<asio::io_context>> extra_contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> extra_guards;
    std::size_t next_context = 0;
    asio::thread_pool blocking;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::signal_set reload_signals;
    std::atomic<bool> stopping{false};
    std::atomic<int> in_flight{0};
    std::atomic<std::size_t> streams_open{0};
    std::mutex streams_mu;
    std::unordered_set<std::shared_ptr<EventStream>> streams;  // guarded by streams_mu; closed on shutdown
    std::mutex deferreds_mu;
    std::unordered_set<std::shared_ptr<Deferred>> deferreds;  // guarded by deferreds_mu; abandoned on shutdown
    std::function<void()> on_shutdown;
    Counter& requests_2xx;
    Counter& requests_3xx;
    Counter& requests_4xx;
    Counter& requests_5xx;
    Histogram& latency;
    Counter& connections;
    std::shared_ptr<spdlog::logger> log = Logger("http");

    void Count(int status) {
        switch (StatusClass(status)[0]) {
            case '2':
                requests_2xx.Add();
                break;
            case '3':
                requests_3xx.Add();
                break;
            case '4':
                requests_4xx.Add();
                break;
            default:
                if (status >= 500) requests_5xx.Add();
                break;
        }
    }

    asio::awaitable<void> Accept() {
        for (;;) {
            boost::system::error_code ec;
            // Round-robin over the contexts; the accept itself always runs on `ioc`.
            asio::io_context& target = PickContext();
            tcp::socket socket(target);
            co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted) co_return;
                log->warn("[http.Accept] {}", ec.message());
                continue;
            }
            connections.Add();
            socket.set_option(tcp::no_delay(true), ec);
            auto ex = socket.get_executor();
            asio::co_spawn(ex, Session(beast::tcp_stream(std::move(socket))), [this](std::exception_ptr e) {
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& err) {
                    log->error("[http.Session] escaped exception: {}", err.what());
                }
            });
        }
    }

    asio::io_context& PickContext() {
        std::size_t n = extra_contexts.size() + 1;
        std::size_t i = next_context++ % n;
        return i == 0 ? ioc : *extra_contexts[i - 1];
    }

    void StopAll() {
        ioc.stop();
        for (auto& c : extra_contexts) c->stop();
    }

    void Dispatch(const Handler& handler, const Request& req, Response& res) {
        try {
            handler(req, res);
        } catch (const HttpError& e) {
            res = Response{};
            WriteProblem(res, e.Status(), e.Type(), e.what(), e.Field());
        } catch (const std::exception& e) {
            log->error("[http.Dispatch] {} {}: {}", ToString(req.method), req.path, e.what());
            res = Response{};
            WriteProblem(res, 500, "internal", "the server failed to handle the request; it has been logged");
        }
    }

    asio::awaitable<void> WriteProblemAndClose(
        beast::tcp_stream& stream, int status, std::string_view type, std::string_view detail
    ) {
        Response res;
        WriteProblem(res, status, type, detail);
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(status), 11};
        out.set(bhttp::field::content_type, res.content_type);
        out.set("X-Content-Type-Options", "nosniff");
        out.body() = res.body;
        out.keep_alive(false);
        out.prepare_payload();
        Count(status);
        boost::system::error_code ec;
        stream.expires_after(options.read_timeout);
        co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
    }

    asio::awaitable<void> Session(beast::tcp_stream stream) {
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        std::string remote;
        if (auto ep = stream.socket().remote_endpoint(ec); !ec) remote = ep.address().to_string();

        for (;;) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.body_limit(options.body_limit);
            parser.header_limit(static_cast<std::uint32_t>(options.header_limit));

            // An idle keep-alive connection may wait idle_timeout for its next request; once
            // bytes arrive the whole request must be in within read_timeout. The first bytes are
            // read on their own so that a client stalling mid-header gets read_timeout, not
            // idle_timeout.
            if (buffer.size() == 0) {
                stream.expires_after(options.idle_timeout);
                auto n = co_await stream.async_read_some(
                    buffer.prepare(4096), asio::redirect_error(asio::use_awaitable, ec)
                );
                buffer.commit(n);
            }
            if (!ec) {
                stream.expires_after(options.read_timeout);
                co_await bhttp::async_read_header(
                    stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec)
                );
            }
            if (!ec) {
                stream.expires_after(options.read_timeout);
                co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
            }
            if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
                ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
                break;
            }
            if (ec == bhttp::error::body_limit) {
                co_await WriteProblemAndClose(
                    stream,
                    413,
                    "body-too-large",
                    "request body exceeds " + std::to_string(options.body_limit) + " bytes"
                );
                break;
            }
            if (ec == bhttp::error::header_limit) {
                co_await WriteProblemAndClose(stream, 431, "headers-too-large", "request headers are too large");
                break;
            }
            if (ec) {
                co_await WriteProblemAndClose(stream, 400, "bad-request", "malformed HTTP request: " + ec.message());
                break;
            }

            in_flight.fetch_add(1);
            auto started = std::chrono::steady_clock::now();
            const BeastRequest& breq = parser.get();
            Request req;
            req.method = ToMethod(breq.method());
            auto target = breq.target();
            req.target = std::string_view(target.data(), target.size());
            auto q = req.target.find('?');
            req.path = req.target.substr(0, q);
            if (q != std::string_view::npos) req.query = req.target.substr(q + 1);
            req.body = breq.body();
            req.remote_address = remote;
            req.header_lookup = &LookupHeader;
            req.native = &breq;

            Response res;
            auto match = router.Find(req.method, req.path, req.path_params);
            if (match.handler) {
                if (match.options.blocking) {
                    // Binding the token to the pool makes the coroutine resume there; a plain
                    // post(pool, use_awaitable) would resume straight back on the connection's context.
                    co_await asio::post(asio::bind_executor(blocking.get_executor(), asio::use_awaitable));
                    Dispatch(*match.handler, req, res);
                    co_await asio::post(stream.get_executor(), asio::use_awaitable);
                } else {
                    Dispatch(*match.handler, req, res);
                }
            } else if (match.path_matched) {
                std::string allow;
                for (auto m : match.allowed) allow += (allow.empty() ? "" : ", ") + std::string(ToString(m));
                WriteProblem(
                    res,
                    405,
                    "method-not-allowed",
                    std::string(ToString(req.method)) + " is not allowed here; use " + allow
                );
                res.SetHeader("Allow", allow);
            } else if (const Handler* fb = router.Fallback()) {
                Dispatch(*fb, req, res);
            } else {
                WriteProblem(res, 404, "not-found", "no such resource");
            }

            if (res.deferred) {
                // Answered later by another thread; wait without holding one.
                auto d = std::move(res.deferred);
                bool client_gone = false;
                auto done = co_await AwaitDeferred(stream, d, client_gone);
                if (client_gone) {
                    in_flight.fetch_sub(1);
                    break;
                }
                if (done) {
                    res = std::move(*done);
                    res.deferred.reset();
                } else {
                    res = Response{};
                    WriteProblem(
                        res,
                        503,
                        "unavailable",
                        stopping ? "the server is shutting down" : "the request was not answered in time; retry"
                    );
                    res.SetHeader("Retry-After", "1");
                }
                if (res.stream) {
                    res.stream->Finish();
                    res.stream.reset();
                    res = Response{};
                    WriteProblem(res, 500, "internal", "a deferred response cannot be a stream");
                }
            }
            if (res.stream && req.method == Method::kHead) {
                // HEAD gets the headers alone, not an endless body.
                res.stream->Finish();
                res.stream.reset();
            }
            if (res.stream) {
                // The request is answered once the headers are out; the stream that follows
                // is not "in flight" (shutdown closes it instead of waiting for it).
                in_flight.fetch_sub(1);
                co_await ServeStream(stream, breq.version(), res, started);
                break;
            }

            bool keep_alive = breq.keep_alive() && !stopping;
            bhttp::response<bhttp::span_body<const char>> out{static_cast<bhttp::status>(res.status), breq.version()};
            out.set(bhttp::field::content_type, res.content_type);
            // Every answer: no browser may guess another type than the one declared.
            out.set("X-Content-Type-Options", "nosniff");
            if (res.shared_headers) {
                for (const auto& [name, value] : *res.shared_headers) out.set(name, value);
            }
            for (const auto& [name, value] : res.headers) out.set(name, value);
            auto body = res.Body();
            if (req.method == Method::kHead || res.status == 304 || res.status == 204) {
                if (res.status != 304 && res.status != 204) out.content_length(body.size());
            } else {
                out.body() = bhttp::span_body<const char>::value_type(body.data(), body.size());
                out.prepare_payload();
            }
            out.keep_alive(keep_alive);
            stream.expires_after(options.read_timeout);
            co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
            Count(res.status);
            latency.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            in_flight.fetch_sub(1);
            if (res.status >= 500) log->warn("[http.Session] {} {} -> {}", ToString(req.method), req.path, res.status);
            if (ec || !keep_alive) break;
        }
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    // What a deferred response's connection shares with the callbacks that wake it.
    struct DeferredWatch {
        explicit DeferredWatch(const asio::any_io_executor& ex) : timer(ex) {}
        asio::steady_timer timer;
        bool client_gone = false;
        bool done = false;  // the coroutine moved on: callbacks must not touch the socket
    };

    /// Waits until `d` is completed, abandoned (server stopping), timed out or the client
    /// closed its connection (`client_gone`). Returns the response if completed.
    asio::awaitable<std::unique_ptr<Response>> AwaitDeferred(
        beast::tcp_stream& stream, std::shared_ptr<Deferred> d, bool& client_gone
    ) {
        {
            std::lock_guard lock(deferreds_mu);
            deferreds.insert(d);
        }
        // Registered before the check, so a shutdown that began in between still abandons it.
        if (stopping) d->Abandon();
        auto watch = std::make_shared<DeferredWatch>(stream.get_executor());
        const auto started = std::chrono::steady_clock::now();
        const auto deadline = started + options.deferred_timeout;
        // Most deferreds are answered within milliseconds (a group commit): the socket is
        // watched only for those still waiting after kClientWatchAfter. Starting the watch costs
        // a system call per request (asio re-arms the descriptor with epoll_ctl for a wait):
        // 0.75 per intake request in `perf trace` before this, 0.01 after.
        const auto watch_from = std::min(started + kClientWatchAfter, deadline);
        watch->timer.expires_at(watch_from);
        bool watching = false;
        std::weak_ptr<DeferredWatch> weak = watch;
        // Posted to this connection's context: runs only while the coroutine is suspended.
        d->SetWaker([ex = stream.get_executor(), weak] {
            asio::post(ex, [weak] {
                if (auto w = weak.lock()) w->timer.cancel();
            });
        });
        tcp::socket* socket = &stream.socket();
        std::unique_ptr<Response> out;
        for (;;) {
            out = d->Take();
            if (out || d->IsAbandoned() || watch->client_gone) break;
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) break;
            if (!watching && now >= watch_from) {
                // Readable while waiting means either a pipelined request (left in the socket
                // for the next read) or end of stream / reset: the client is gone. wait_read
                // consumes nothing.
                watching = true;
                socket->async_wait(tcp::socket::wait_read, [watch, socket](const boost::system::error_code& ec) {
                    if (ec || watch->done) return;
                    boost::system::error_code aec;
                    std::size_t n = socket->available(aec);
                    if (aec || n == 0) {
                        watch->client_gone = true;
                        watch->timer.cancel();
                    }
                });
                watch->timer.expires_at(deadline);
            }
            boost::system::error_code ec;
            co_await watch->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        watch->done = true;
        client_gone = watch->client_gone;
        if (!out) {
            d->Abandon();
            out = d->Take();  // completed in the meantime: still worth sending
        }
        d->SetWaker(nullptr);
        boost::system::error_code ec;
        if (watching && !client_gone) socket->cancel(ec);  // ends the readability wait
        {
            std::lock_guard lock(deferreds_mu);
            deferreds.erase(d);
        }
        co_return out;
    }

    // What a stream's connection shares with the callbacks that wake it: they may run after
    // the coroutine is gone, so they hold this, not the coroutine's locals.
    struct StreamWatch {
        explicit StreamWatch(const asio::any_io_executor& ex) : timer(ex) {}
        asio::steady_timer timer;
        std::array<char, 256> sink{};
        bool client_gone = false;
    };

    static std::string Chunk(std::string_view data, bool chunked) {
        if (!chunked) return std::string(data);
        std::string out = fmt::format("{:x}\r\n", data.size());
        out.append(data).append("\r\n");
        return out;
    }

    asio::awaitable<void> ServeStream(
        beast::tcp_stream& stream, unsigned version, Response& res, std::chrono::steady_clock::time_point started
    ) {
        std::shared_ptr<EventStream> es = res.stream;
        boost::system::error_code ec;
        bool refused = res.status != 200 || stopping.load();
        if (!refused && streams_open.fetch_add(1) >= options.max_streams) {
            streams_open.fetch_sub(1);
            refused = true;
        }
        if (refused) {
            es->Finish();
            int status = res.status != 200 ? res.status : 503;
            if (status == 503) {
                log->warn("[http.ServeStream] refused a stream: {} open", streams_open.load());
            }
            co_await WriteProblemAndClose(
                stream,
                status,
                "unavailable",
                stopping ? "the server is shutting down" : "too many open streams; retry later"
            );
            co_return;
        }
        {
            std::lock_guard lock(streams_mu);
            streams.insert(es);
        }
        // Registered before the check, so a shutdown that began in between still closes it.
        if (stopping) es->Close();

        bool chunked = version >= 11;
        bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
        head.set(bhttp::field::content_type, res.content_type);
        head.set("X-Content-Type-Options", "nosniff");
        for (const auto& [name, value] : res.headers) head.set(name, value);
        if (chunked) head.chunked(true);
        head.keep_alive(false);
        bhttp::response_serializer<bhttp::empty_body> sr{head};
        auto write_timeout = std::max(options.read_timeout, options.stream_keepalive);
        stream.expires_after(write_timeout);
        co_await bhttp::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
        Count(200);
        latency.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

        auto watch = std::make_shared<StreamWatch>(stream.get_executor());
        if (!ec) {
            // Wake-ups are posted to this connection's context, so they run only while the
            // coroutine is suspended: a push during a write is found by the next Take().
            std::weak_ptr<StreamWatch> weak = watch;
            es->SetWaker([ex = stream.get_executor(), weak] {
                asio::post(ex, [weak] {
                    if (auto w = weak.lock()) w->timer.cancel();
                });
            });
            // A client of an event stream sends nothing more: any read completion (EOF, reset,
            // stray bytes) means it is gone. Read on the raw socket so that the stream's
            // write timeouts do not apply to this read.
            stream.socket().async_read_some(
                asio::buffer(watch->sink),
                [watch](const boost::system::error_code&, std::size_t) {
                    watch->client_gone = true;
                    watch->timer.cancel();
                }
            );
        }

        std::string data;
        auto next_keepalive = std::chrono::steady_clock::now() + options.stream_keepalive;
        while (!ec && !watch->client_gone) {
            bool more = es->Take(data);
            if (data.empty() && !more) {
                if (chunked) {
                    stream.expires_after(write_timeout);
                    co_await asio::async_write(
                        stream, asio::buffer("0\r\n\r\n", 5), asio::redirect_error(asio::use_awaitable, ec)
                    );
                }
                break;
            }
            if (data.empty() && std::chrono::steady_clock::now() >= next_keepalive) data = ": keepalive\n\n";
            if (!data.empty()) {
                std::string frame = Chunk(data, chunked);
                stream.expires_after(write_timeout);
                co_await asio::async_write(stream, asio::buffer(frame), asio::redirect_error(asio::use_awaitable, ec));
                next_keepalive = std::chrono::steady_clock::now() + options.stream_keepalive;
                continue;
            }
            watch->timer.expires_at(next_keepalive);
            boost::system::error_code wait_ec;
            co_await watch->timer.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        }

        es->Finish();
        {
            std::lock_guard lock(streams_mu);
            streams.erase(es);
        }
        streams_open.fetch_sub(1);
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream.socket().close(ec);
    }

    void ArmReload() {
        reload_signals.async_wait([this](const boost::system::error_code& e, int) {
            if (e || stopping) return;
            log->info("[http.Signals] SIGHUP: reloading the configuration");
            options.on_reload();
            ArmReload();
        });
    }

    void BeginShutdown() {
        if (stopping.exchange(true)) return;
        log->info("[http.Shutdown] closing the listener; waiting for {} in-flight requests", in_flight.load());
        if (on_shutdown) on_shutdown();
        {
            // Event streams never end on their own: close them so that they finish now.
            std::lock_guard lock(streams_mu);
            for (const auto& es : streams) es->Close();
        }
        {
            // Deferred answers still pending get 503 now rather than holding the shutdown.
            std::unordered_set<std::shared_ptr<Deferred>> pending;
            {
                std::lock_guard lock(deferreds_mu);
                pending = deferreds;
            }
            for (const auto& d : pending) d->Abandon();
        }
        asio::post(ioc, [this] {
            boost::system::error_code ec;
            acceptor.close(ec);
            signals.cancel(ec);
            reload_signals.cancel(ec);
        });
        asio::co_spawn(ioc, Drain(), asio::detached);
    }

    asio::awaitable<void> Drain() {
        auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
        asio::steady_timer timer(ioc);
        while ((in_flight.load() > 0 || streams_open.load() > 0) && std::chrono::steady_clock::now() < deadline) {
            timer.expires_after(std::chrono::milliseconds(20));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        // Idle keep-alive connections are dropped here; their clients reconnect elsewhere.
        StopAll();
    }
};

Server::Server(ServerOptions options, const Router& router, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() {
    impl_->blocking.join();
}

Result<void> Server::Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) return Error::Invalid("listen", "not an IP address: " + impl_->options.address);
    tcp::endpoint endpoint(address, impl_->options.port);
    auto& a = impl_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return Error::Unavailable(
            "cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) + ": " +
            ec.message()
        );
    }
    // Signals are caught from here on, before the caller announces the port: a SIGTERM that
    // arrives before Run() waits in the queue and starts a graceful shutdown once Run() starts.
    if (impl_->options.handle_signals) {
        impl_->signals.add(SIGTERM);
        impl_->signals.add(SIGINT);
        impl_->signals.async_wait([impl = impl_.get()](const boost::system::error_code& e, int) {
            if (!e) impl->BeginShutdown();
        });
        if (impl_->options.on_reload) {
            impl_->reload_signals.add(SIGHUP);
            impl_->ArmReload();
        }
    }
    return {};
}

std::uint16_t Server::Port() const {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void Server::Run(std::function<void()> on_shutdown) {
    impl_->on_shutdown = std::move(on_shutdown);
    asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
    for (int i = 1; i < impl_->options.io_threads; ++i) {
        impl_->extra_contexts.push_back(std::make_unique<asio::io_context>(1));
        impl_->extra_guards.push_back(asio::make_work_guard(*impl_->extra_contexts.back()));
    }
    std::vector<std::thread> threads;
    for (auto& c : impl_->extra_contexts) threads.emplace_back([ctx = c.get()] { ctx->run(); });
    impl_->ioc.run();
    for (auto& t : threads) t.join();
    impl_->extra_guards.clear();
    // Streams whose connection did not finish within the grace period: their wake-up would
    // post to a stopped context, and their producers would keep them forever.
    std::unordered_set<std::shared_ptr<EventStream>> left;
    {
        std::lock_guard lock(impl_->streams_mu);
        left.swap(impl_->streams);
    }
    for (const auto& es : left) es->Finish();
}

void Server::Stop() {
    // Run() sets on_shutdown on its own thread; beginning the shutdown on the io_context orders it
    // after that assignment (no data race when Stop() and Run() start concurrently), and a Stop()
    // that comes before Run() still runs the hook once Run() starts.
    asio::post(impl_->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace tocsin::http
