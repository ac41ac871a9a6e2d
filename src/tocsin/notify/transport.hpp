/// @file
/// @brief Sends e-mail (SMTP) and HTTP requests through libcurl's multi interface on one
/// thread of its own, with per-destination concurrency limits and connection reuse.
///
/// Thread-safe: Send* may be called from any thread; each `done` runs exactly once, on the
/// transport thread (keep it short; it may call Send*, never Stop), or with an "abandoned"
/// result when the transport stops first. After Stop, Send* calls `done` at once, on the
/// calling thread, with "abandoned". A destination is the SMTP server, or an HTTP URL's
/// scheme://host:port. Proxy settings from the environment are not used: refusing private
/// targets needs the address actually connected to.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::notify {

struct SmtpOptions {
    std::string url;  // smtp://host:port (STARTTLS per `tls`) or smtps://host:port; "" disables e-mail
    enum class Tls { kNone, kStartTls, kImplicit } tls = Tls::kStartTls;  // kStartTls: required
    std::string username;                                                 // "" without AUTH
    std::string password;
    std::string ca_file;  // "" uses the system store
    bool verify_peer = true;
    std::string helo_domain;  // EHLO name (libcurl sends the URL's path); "" lets libcurl choose
};

struct TransportOptions {
    SmtpOptions smtp;
    int smtp_connections = 4;   // concurrent SMTP sessions, each reused for many messages
    int per_host_requests = 4;  // concurrent HTTP requests per scheme://host:port
    int total_requests = 64;    // all HTTP destinations together (e-mail has smtp_connections)
    std::chrono::milliseconds timeout{30000};
    /// Refuse HTTP targets that resolve to loopback, private, link-local or unique-local
    /// addresses (checked on the resolved address, so DNS cannot sneak around it).
    bool refuse_private_targets = false;
    std::string user_agent = "tocsin-notify/0.1";
};

struct OutgoingMail {
    std::string from;  // envelope sender (addr-spec)
    std::string to;    // envelope recipient (addr-spec)
    std::string data;  // the whole message, CRLF line ends (see BuildMessage)
};

struct OutgoingHttp {
    std::string url;
    std::string method = "POST";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct SendResult {
    bool ok = false;
    /// Retrying cannot help (SMTP 5xx, HTTP 4xx other than 408/425/429, bad URL, refused
    /// private target). Transient failures (timeouts, 5xx, 4xx SMTP) are not permanent.
    bool permanent = false;
    int status = 0;                                   // HTTP status or last SMTP reply code; 0 if none
    std::string error;                                // one line, for the dead-letter view
    std::string response_body;                        // HTTP only, first 64 KiB
    std::optional<std::chrono::seconds> retry_after;  // from an HTTP Retry-After header
};

using SendDone = std::function<void(SendResult)>;

class Transport {
public:
    explicit Transport(TransportOptions options);
    ~Transport();  // stops
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    void Start();
    /// Ends transfers in flight (their connections are dropped; an e-mail cut short is never
    /// completed) and drops queued ones; each `done` runs with error "abandoned" (not
    /// permanent). Idempotent; the destructor calls it.
    void Stop();

    void SendMail(OutgoingMail mail, SendDone done);
    void SendHttp(OutgoingHttp request, SendDone done);

    /// Queued plus running.
    [[nodiscard]] std::size_t Pending() const;
    [[nodiscard]] bool MailEnabled() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::notify
