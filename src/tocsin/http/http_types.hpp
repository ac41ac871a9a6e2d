/// @file
/// @brief The request and response values handlers see, free of Beast and Asio.
///
/// The server fills a Request that borrows from the parsed Beast message for the
/// duration of one handler call; a handler fills a Response. Handlers throw HttpError
/// for client mistakes; the server renders it as RFC 7807 problem+json in one place.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view ToString(Method m);

class Request {
public:
    Method method = Method::kOther;
    std::string_view target;  // as sent: path plus query
    std::string_view path;    // before '?'
    std::string_view query;   // after '?', raw
    std::string_view body;
    std::string_view remote_address;  // valid for the handler call
    std::vector<std::pair<std::string, std::string>> path_params;

    /// Header value, empty if absent. Case-insensitive name.
    [[nodiscard]] std::string_view Header(std::string_view name) const;
    /// Percent-decoded query parameter, nullopt if absent.
    [[nodiscard]] std::optional<std::string> QueryParam(std::string_view key) const;
    /// Path parameter captured by a `{name}` segment of the route; empty if none.
    [[nodiscard]] std::string_view Param(std::string_view name) const;

    // Set by the server: a lookup into the native message.
    std::string_view (*header_lookup)(const void* native, std::string_view name) = nullptr;
    const void* native = nullptr;
};

/// A response body that is written while it grows: text/event-stream (server-sent events).
///
/// A handler creates one, keeps a shared_ptr wherever events come from (a hub on another
/// thread), and returns it in Response::stream. Push() and Close() are thread-safe and never
/// block on the network: they append to a bounded buffer and wake the connection, which
/// writes asynchronously. The buffer bound is the producer's contract: it should coalesce
/// (skip a push while Buffered() > 0) rather than queue; a push beyond the bound ends the
/// stream (the client is too slow to be worth keeping).
class EventStream {
public:
    explicit EventStream(std::size_t max_buffered = 64 * 1024) : max_buffered_(max_buffered) {}
    EventStream(const EventStream&) = delete;
    EventStream& operator=(const EventStream&) = delete;

    /// Queues `bytes` for the client. False when the stream is closed or the bound was hit.
    bool Push(std::string_view bytes);
    /// Queues one SSE event ("event: <name>\ndata: <data>\n\n"); `data` must be one line.
    bool PushEvent(std::string_view name, std::string_view data);
    /// Ends the stream after the buffered bytes are written. Idempotent.
    void Close();
    [[nodiscard]] bool IsClosed() const;
    /// Bytes queued and not yet taken by the connection.
    [[nodiscard]] std::size_t Buffered() const;
    /// `fn` runs once when the stream is over (client gone, Close(), server stop or refusal), on
    /// whichever thread notices; no lock of the stream is held. Set it before returning the stream.
    void OnEnd(std::function<void()> fn);

    // For the server only.
    /// Installs the wake-up: called (without the stream's lock) after each Push/Close; must
    /// not block. An empty function uninstalls it.
    void SetWaker(std::function<void()> waker);
    /// Moves the buffered bytes to `out` (cleared first). Returns false once the stream is
    /// closed and nothing is left to write.
    bool Take(std::string& out);
    /// Marks the stream closed and over and runs the OnEnd callback (once).
    void Finish();

private:
    void Wake();

    mutable std::mutex mu_;
    std::string buffer_;
    bool closed_ = false;
    bool finished_ = false;
    std::size_t max_buffered_;
    std::function<void()> waker_;
    std::function<void()> on_end_;
};

class Deferred;

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Zero-copy body: bytes owned by `shared_owner` (an immutable snapshot), used when set.
    std::shared_ptr<const void> shared_owner;
    std::string_view shared_body;
    // Headers prepared in advance and owned by `shared_owner`; sent before `headers`.
    const std::vector<std::pair<std::string, std::string>>* shared_headers = nullptr;
    // A streamed body (text/event-stream): when set with status 200, the server sends the
    // headers, then whatever the stream yields until it ends; `body` is ignored.
    std::shared_ptr<EventStream> stream;
    // A response answered later: when set, the server ignores every other field, keeps the
    // connection waiting (asynchronously, holding no thread) and sends whatever Response is
    // passed to Deferred::Complete() from any thread.
    std::shared_ptr<Deferred> deferred;

    void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
    void SetShared(std::shared_ptr<const void> owner, std::string_view bytes) {
        shared_owner = std::move(owner);
        shared_body = bytes;
    }
    [[nodiscard]] std::string_view Body() const { return shared_owner ? shared_body : std::string_view(body); }
};

/// A response that another thread completes later (e.g. after a database commit).
///
/// A handler sets `res.deferred = std::make_shared<Deferred>()`, hands the shared_ptr to
/// whoever will answer, and returns. Complete() may be called from any thread, once; later
/// calls are ignored. If the client disconnects or the server stops first, the deferred is
/// abandoned: Complete() then returns false and the response is dropped. The server waits
/// for completion at most `Options::deferred_timeout` and then answers 503 itself.
class Deferred {
public:
    Deferred() = default;
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
    ~Deferred();

    /// Answers the request. Thread-safe; never blocks on the network. False when the deferred
    /// was already completed or abandoned (client gone, timeout, server stopping).
    bool Complete(Response res);
    /// True once abandoned (the answer would go nowhere).
    [[nodiscard]] bool IsAbandoned() const;

    // For the server only.
    /// Installs the wake-up, called (without the lock) once Complete() or Abandon() happened;
    /// runs at once if that already happened. Must not block.
    void SetWaker(std::function<void()> waker);
    /// The completed response, once; nullptr before Complete() or after it was taken.
    std::unique_ptr<Response> Take();
    /// Marks the deferred abandoned (no-op after Complete()); wakes the waiter.
    void Abandon();

private:
    mutable std::mutex mu_;
    std::unique_ptr<Response> response_;
    bool completed_ = false;
    bool abandoned_ = false;
    std::function<void()> waker_;
};

/// A client-visible error. `type` is a short slug appended to the problem type URI
/// ("invalid-field"), `field` names the offending input (dotted path) when there is one.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, std::string type, std::string detail, std::string field = {})
        : std::runtime_error(detail), status_(status), type_(std::move(type)), field_(std::move(field)) {}
    [[nodiscard]] int Status() const { return status_; }
    [[nodiscard]] const std::string& Type() const { return type_; }
    [[nodiscard]] const std::string& Field() const { return field_; }

private:
    int status_;
    std::string type_;
    std::string field_;
};

/// Fills `res` with an RFC 7807 application/problem+json body.
void WriteProblem(
    Response& res, int status, std::string_view type, std::string_view detail, std::string_view field = {}
);

/// Percent-decodes `s` ('+' as space when `plus_is_space`). Invalid escapes are kept as is.
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace tocsin::http
