// Sends e-mail and HTTP requests through one libcurl multi handle on a thread of its own.
//
// Duties, per turn of the transport thread's loop:
//   - take the jobs Send* queued (under the mutex) and sort them into destinations: the SMTP
//     server, or one per HTTP scheme://host:port;
//   - admit queued jobs while their destination has a free slot (smtp_connections for e-mail,
//     per_host_requests per HTTP destination and total_requests for all HTTP together): an
//     admitted job becomes an easy handle in the multi handle;
//   - curl_multi_perform, then collect finished transfers and call their `done`;
//   - sleep in curl_multi_poll until a socket is ready, curl's timer runs out, or Send*/Stop
//     call curl_multi_wakeup.
//
// Connection reuse: the multi handle keeps finished transfers' connections in its cache, and
// a transfer admitted later to the same destination takes an idle one instead of connecting.
// Since at most N transfers to a destination are in the multi handle at once, curl never
// needs more than N connections to it: 100,000 e-mails go over smtp_connections SMTP
// sessions (MAIL FROM / RCPT TO / DATA repeated on each), webhooks over keep-alive.
// Easy handles are reset and reused, too.
#include "tocsin/notify/transport.hpp"

#include "tocsin/common/check.hpp"
#include "tocsin/common/log.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace tocsin::notify {
namespace {

// Sets options on an easy handle until the first failure, and keeps that failure.
struct OptionSetter {
    CURL* easy;
    CURLcode rc = CURLE_OK;

    template <class Value>
    void operator()(CURLoption option, Value value) {
        if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
    }
};

constexpr std::size_t kMaxResponseBody = 64 * 1024;
constexpr std::size_t kMaxReplyLine = 512;         // of the SMTP server's refusal, kept for errors
constexpr std::size_t kMaxErrorBodySnippet = 200;  // of an HTTP error body, in `error`
constexpr int kMaxPollMs = 1000;                   // curl_multi_poll also wakes for curl's own timers
constexpr const char* kAbandoned = "abandoned";

void GlobalInitOnce() {
    // A function-local static runs curl_global_init exactly once, before the first handle.
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    TOCSIN_CHECK(rc == CURLE_OK, "curl_global_init failed");
}

/// `s` on one line: control characters become spaces, runs of spaces collapse, at most `max`
/// bytes (cut on a UTF-8 boundary).
std::string OneLine(std::string_view s, std::size_t max = 400) {
    std::string out;
    out.reserve(std::min(s.size(), max));
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        const char mapped = (u < 0x20 || u == 0x7f) ? ' ' : c;
        if (mapped == ' ' && (out.empty() || out.back() == ' ')) continue;
        out.push_back(mapped);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.size() > max) {
        std::size_t cut = max;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
        out += "...";
    }
    return out;
}

bool HasLineBreakOrNul(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// ---- private addresses ----

/// Loopback, "this network", RFC 1918, shared (CGN) space, link-local, multicast, reserved.
bool IsRefusedV4(std::uint32_t a /* host order */) {
    struct Net {
        std::uint32_t net;
        int bits;
    };
    static constexpr std::array<Net, 9> kRefused{{
        {0x00000000, 8},   // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host)
        {0x0A000000, 8},   // 10/8
        {0x64400000, 10},  // 100.64/10 shared address space
        {0x7F000000, 8},   // 127/8 loopback
        {0xA9FE0000, 16},  // 169.254/16 link-local (cloud metadata services)
        {0xAC100000, 12},  // 172.16/12
        {0xC0A80000, 16},  // 192.168/16
        {0xE0000000, 4},   // 224/4 multicast
        {0xF0000000, 4},   // 240/4 reserved, and 255.255.255.255
    }};
    return std::any_of(kRefused.begin(), kRefused.end(), [a](const Net& n) {
        return (a >> (32 - n.bits)) == (n.net >> (32 - n.bits));
    });
}

std::uint32_t V4At(const unsigned char* b) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

bool IsRefusedV6(const unsigned char* b /* 16 bytes */) {
    static constexpr unsigned char kZero[12] = {};
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static constexpr unsigned char kNat64Prefix[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (deprecated compatible form, also :: and ::1) and
    // 64:ff9b::a.b.c.d (NAT64) reach an IPv4 address: judge that one.
    if (std::memcmp(b, kMappedPrefix, 12) == 0 || std::memcmp(b, kZero, 12) == 0 ||
        std::memcmp(b, kNat64Prefix, 12) == 0) {
        return IsRefusedV4(V4At(b + 12));
    }
    if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10 site-local (deprecated)
    if (b[0] == 0xff) return true;                           // ff00::/8 multicast
    return false;
}

/// The refused address as text, or "" when `addr` may be connected to.
std::string RefusedAddress(const sockaddr* addr) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (addr->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(addr);
        if (!IsRefusedV4(ntohl(v4->sin_addr.s_addr))) return {};
        inet_ntop(AF_INET, &v4->sin_addr, text.data(), text.size());
        return text.data();
    }
    if (addr->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(addr);
        if (!IsRefusedV6(v6->sin6_addr.s6_addr)) return {};
        inet_ntop(AF_INET6, &v6->sin6_addr, text.data(), text.size());
        return text.data();
    }
    return "non-IP address";  // AF_UNIX and friends never are a webhook
}

// ---- Retry-After ----

/// Delay-seconds or an HTTP-date (curl_getdate reads all three RFC 9110 formats); a date in
/// the past is 0 s.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::time_t now) {
    value = Trim(value);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        constexpr std::int64_t kMax = std::int64_t{10} * 365 * 86'400;  // no overflow from 30 digits
        std::int64_t seconds = 0;
        for (char c : value) {
            seconds = std::min(kMax, seconds * 10 + (c - '0'));
        }
        return std::chrono::seconds{seconds};
    }
    const std::string copy(value);
    const std::time_t at = curl_getdate(copy.c_str(), nullptr);
    if (at == -1) return std::nullopt;
    return std::chrono::seconds{std::max<std::int64_t>(0, static_cast<std::int64_t>(at) - now)};
}

bool IsPermanentHttpStatus(long status) {
    if (status >= 300 && status < 400) return true;  // a redirect is not followed; see Finish
    if (status >= 400 && status < 500) return status != 408 && status != 425 && status != 429;
    return false;  // 5xx, and anything odd
}

}  // namespace

struct Transport::Impl {
    enum class Kind { kMail, kHttp };

    /// Where jobs wait for a slot: the SMTP server, or one HTTP scheme://host:port.
    struct Destination;

    /// One job, queued or running. Owned by its destination's queue, then by `running`.
    struct Transfer {
        Transfer() = default;
        Transfer(const Transfer&) = delete;
        Transfer& operator=(const Transfer&) = delete;
        ~Transfer() { curl_slist_free_all(list); }

        Kind kind = Kind::kMail;
        OutgoingMail mail;
        OutgoingHttp http;
        SendDone done;
        Destination* destination = nullptr;

        CURL* easy = nullptr;         // while running
        curl_slist* list = nullptr;   // recipients (SMTP) or request headers (HTTP)
        std::size_t read_offset = 0;  // into mail.data
        std::string body;             // HTTP response, first kMaxResponseBody bytes
        bool body_truncated = false;
        std::string refusal;          // SMTP: the server's first 4xx/5xx reply line
        bool refuse_private = false;  // HTTP with refuse_private_targets
        std::string refused;          // the private address a connection was refused to
        Impl* owner = nullptr;
        std::array<char, CURL_ERROR_SIZE> error{};
    };

    struct Destination {
        std::string key;  // "" for the SMTP server
        int limit = 1;
        int running = 0;
        std::deque<std::unique_ptr<Transfer>> queue;
        bool scheduled = false;  // in `ready`
    };

    using Completion = std::pair<SendDone, SendResult>;

    explicit Impl(TransportOptions o) : options(std::move(o)) {
        options.smtp_connections = std::max(1, options.smtp_connections);
        options.per_host_requests = std::max(1, options.per_host_requests);
        options.total_requests = std::max(1, options.total_requests);
        if (options.timeout.count() <= 0) options.timeout = std::chrono::milliseconds{30000};
        smtp.limit = options.smtp_connections;

        GlobalInitOnce();
        multi = curl_multi_init();
        TOCSIN_CHECK(multi != nullptr, "curl_multi_init failed (out of memory)");
        // Room for every connection that may be busy at once plus a few idle ones, so idle
        // SMTP sessions are not closed while webhooks run. Admission (below) already keeps
        // each destination within its limit; MAX_HOST_CONNECTIONS is a second fence.
        const long busy = static_cast<long>(options.smtp_connections) + options.total_requests;
        curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, busy + 8);
        curl_multi_setopt(
            multi,
            CURLMOPT_MAX_HOST_CONNECTIONS,
            static_cast<long>(std::max(options.smtp_connections, options.per_host_requests))
        );
        PrepareSmtpUrl();
    }

    ~Impl() {
        // Stop() ran (the Transport destructor calls it): no transfer is in the multi handle.
        curl_multi_cleanup(multi);  // frees the cached connections, whose sockets AbandonAll shut
        for (CURL* e : spare_easies) curl_easy_cleanup(e);
    }

    // ---- any thread ----

    void Enqueue(std::unique_ptr<Transfer> t) {
        pending.fetch_add(1, std::memory_order_relaxed);
        {
            std::lock_guard lock(mu);
            if (!stopping) {
                incoming.push_back(std::move(t));  // leaves `t` empty
            }
        }
        if (t) {
            // Stopped: nobody will run it. `done` runs here, on the caller's thread.
            std::vector<Completion> now;
            now.emplace_back(std::move(t->done), Abandoned());
            Deliver(now);
            return;
        }
        curl_multi_wakeup(multi);
    }

    void StartThread() {
        std::lock_guard lock(mu);
        if (stopping || thread.joinable()) return;
        thread = std::thread([this] { Run(); });
        thread_id = thread.get_id();
    }

    void StopThread() {
        std::lock_guard stop_lock(stop_mu);  // two Stop() calls at once: one joins
        bool had_thread = false;
        {
            std::lock_guard lock(mu);
            stopping = true;
            had_thread = thread.joinable();
        }
        if (had_thread) {
            TOCSIN_CHECK(std::this_thread::get_id() != thread_id, "Transport::Stop called from a `done` callback");
            curl_multi_wakeup(multi);
            thread.join();
            return;
        }
        // Never started (or already stopped): only queued jobs can be left.
        AbandonAll();
    }

    static SendResult Abandoned() {
        SendResult r;
        r.error = kAbandoned;
        return r;
    }

    /// Calls each `done` once; a throwing callback is logged and cannot stop the others.
    void Deliver(std::vector<Completion>& batch) {
        for (auto& [done, result] : batch) {
            pending.fetch_sub(1, std::memory_order_relaxed);
            if (!done) continue;
            try {
                done(std::move(result));
            } catch (const std::exception& e) {
                Logger("notify")->error("[notify.Transport] a done callback threw: {}", e.what());
            } catch (...) {
                Logger("notify")->error("[notify.Transport] a done callback threw");
            }
        }
        batch.clear();
    }

    // ---- the transport thread ----

    void Run() {
        std::vector<std::unique_ptr<Transfer>> arrived;
        for (;;) {
            {
                std::lock_guard lock(mu);
                if (stopping) break;
                for (auto& t : incoming) arrived.push_back(std::move(t));
                incoming.clear();
            }
            for (auto& t : arrived) Route(std::move(t));
            arrived.clear();
            Admit();
            int still_running = 0;
            if (CURLMcode mc = curl_multi_perform(multi, &still_running); mc != CURLM_OK) {
                Logger("notify")->error("[notify.Transport.Run] curl_multi_perform: {}", curl_multi_strerror(mc));
            }
            CollectFinished();
            if (!completions.empty()) {
                std::vector<Completion> batch;
                batch.swap(completions);
                Deliver(batch);
                continue;  // slots came free: admit before sleeping
            }
            if (CURLMcode mc = curl_multi_poll(multi, nullptr, 0, kMaxPollMs, nullptr); mc != CURLM_OK) {
                Logger("notify")->error("[notify.Transport.Run] curl_multi_poll: {}", curl_multi_strerror(mc));
            }
        }
        AbandonAll();
    }

    /// Ends everything: running transfers are removed from the multi handle (their
    /// connections close), queued ones are dropped; each `done` gets "abandoned".
    void AbandonAll() {
        // Shut every socket curl holds before removing anything. Removing an SMTP transfer
        // that is still going makes curl finish it as if it had succeeded: it sends the
        // end-of-data "." (so the server would accept a message cut short) and waits for the
        // reply, which a server in the middle of something may never send. With the socket
        // shut, that write fails at once and the server sees only a dropped connection. Idle
        // cached sessions go the same way, without QUIT: Stop ends, it does not linger.
        for (curl_socket_t s : open_sockets) ::shutdown(s, SHUT_RDWR);
        std::vector<Completion> abandoned;
        for (auto& [easy, t] : running) {
            curl_multi_remove_handle(multi, easy);
            curl_easy_cleanup(easy);
            abandoned.emplace_back(std::move(t->done), Abandoned());
        }
        running.clear();
        for (auto& t : smtp.queue) abandoned.emplace_back(std::move(t->done), Abandoned());
        smtp.queue.clear();
        for (auto& [key, d] : http_destinations) {
            for (auto& t : d->queue) abandoned.emplace_back(std::move(t->done), Abandoned());
        }
        http_destinations.clear();
        ready.clear();
        {
            std::lock_guard lock(mu);
            for (auto& t : incoming) abandoned.emplace_back(std::move(t->done), Abandoned());
            incoming.clear();
        }
        for (auto& c : completions) abandoned.push_back(std::move(c));
        completions.clear();
        Deliver(abandoned);
    }

    /// Puts a new job in its destination's queue, or fails it at once.
    void Route(std::unique_ptr<Transfer> t) {
        if (t->kind == Kind::kMail) {
            if (!smtp_url_error.empty()) {
                Fail(std::move(t), smtp_url_error, /*permanent=*/false);
                return;
            }
            if (t->mail.to.empty() || HasLineBreakOrNul(t->mail.to) || HasLineBreakOrNul(t->mail.from)) {
                Fail(std::move(t), "invalid envelope address (empty recipient, or a line break)", true);
                return;
            }
            smtp.queue.push_back(std::move(t));
            return;
        }
        std::string key;
        if (std::string problem = DestinationKey(t->http.url, key); !problem.empty()) {
            Fail(std::move(t), problem, /*permanent=*/true);
            return;
        }
        if (std::string problem = RequestProblem(t->http); !problem.empty()) {
            Fail(std::move(t), problem, /*permanent=*/true);
            return;
        }
        t->refuse_private = options.refuse_private_targets;
        auto& slot = http_destinations[key];
        if (!slot) {
            slot = std::make_unique<Destination>();
            slot->key = key;
            slot->limit = options.per_host_requests;
        }
        Destination& d = *slot;
        d.queue.push_back(std::move(t));
        MaybeSchedule(d);
    }

    void MaybeSchedule(Destination& d) {
        if (!d.scheduled && !d.queue.empty() && d.running < d.limit) {
            d.scheduled = true;
            ready.push_back(&d);
        }
    }

    /// What makes a request impossible to send as asked (a header that would inject lines).
    static std::string RequestProblem(const OutgoingHttp& req) {
        const bool method_ok = std::all_of(req.method.begin(), req.method.end(), [](unsigned char c) {
            return std::isalnum(c) != 0 || c == '-' || c == '_';
        });
        if (!method_ok) return "invalid HTTP method";
        for (const auto& [name, value] : req.headers) {
            const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
                return c > 0x20 && c < 0x7f && c != ':';
            });
            if (!name_ok || HasLineBreakOrNul(value)) return "invalid request header " + OneLine(name, 60);
        }
        return {};
    }

    /// scheme://host:port of an http(s) URL, lower case, default port filled in; or a problem.
    static std::string DestinationKey(const std::string& url, std::string& key) {
        CURLU* u = curl_url();
        if (u == nullptr) return "out of memory";
        std::string problem;
        char* scheme = nullptr;
        char* host = nullptr;
        char* port = nullptr;
        if (CURLUcode uc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0); uc != CURLUE_OK) {
            problem = "invalid URL: " + std::string(curl_url_strerror(uc));
        } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
            problem = "invalid URL: no host";
        } else if (std::string_view(scheme) != "http" && std::string_view(scheme) != "https") {
            problem = "invalid URL: scheme " + std::string(scheme) + " is not http or https";
        } else {
            key = std::string(scheme) + "://" + host + ":" + port;
            std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
                return static_cast<char>(std::tolower(c));
            });
        }
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_url_cleanup(u);
        return problem;
    }

    void Fail(std::unique_ptr<Transfer> t, const std::string& error, bool permanent) {
        SendResult r;
        r.permanent = permanent;
        r.error = OneLine(error);
        completions.emplace_back(std::move(t->done), std::move(r));
    }

    /// Starts queued jobs while their destinations (and the HTTP total) have free slots.
    void Admit() {
        while (smtp.running < smtp.limit && !smtp.queue.empty()) {
            std::unique_ptr<Transfer> t = std::move(smtp.queue.front());
            smtp.queue.pop_front();
            Begin(std::move(t), smtp);
        }
        // Round robin over HTTP destinations, one job per turn, so one busy webhook cannot
        // hold every total_requests slot while others wait.
        while (http_running < options.total_requests && !ready.empty()) {
            Destination* d = ready.front();
            ready.pop_front();
            d->scheduled = false;
            if (d->queue.empty() || d->running >= d->limit) continue;
            std::unique_ptr<Transfer> t = std::move(d->queue.front());
            d->queue.pop_front();
            Begin(std::move(t), *d);
            MaybeSchedule(*d);
            ForgetIfIdle(*d);
        }
    }

    /// Drops an HTTP destination with nothing queued or running (it is then not in `ready`).
    void ForgetIfIdle(Destination& d) {
        if (d.running > 0 || !d.queue.empty()) return;
        const std::string key = d.key;  // erase() must not read the key it destroys
        http_destinations.erase(key);
    }

    void Begin(std::unique_ptr<Transfer> t, Destination& d) {
        t->destination = &d;
        t->owner = this;
        if (!spare_easies.empty()) {
            t->easy = spare_easies.back();
            spare_easies.pop_back();
        } else {
            t->easy = curl_easy_init();
        }
        if (t->easy == nullptr) {
            Fail(std::move(t), "curl_easy_init failed (out of memory)", false);
            return;
        }
        CURLcode rc = t->kind == Kind::kMail ? ConfigureMail(*t) : ConfigureHttp(*t);
        if (rc != CURLE_OK) {
            const bool permanent = rc == CURLE_BAD_FUNCTION_ARGUMENT || rc == CURLE_URL_MALFORMAT;
            Recycle(t->easy);
            t->easy = nullptr;
            Fail(std::move(t), std::string("cannot set up the transfer: ") + curl_easy_strerror(rc), permanent);
            return;
        }
        if (CURLMcode mc = curl_multi_add_handle(multi, t->easy); mc != CURLM_OK) {
            curl_easy_cleanup(t->easy);
            t->easy = nullptr;
            Fail(std::move(t), std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc), false);
            return;
        }
        ++d.running;
        if (t->kind == Kind::kHttp) ++http_running;
        CURL* key = t->easy;
        running.emplace(key, std::move(t));
    }

    void Recycle(CURL* easy) {
        // Keep as many as may run at once; curl_easy_reset keeps the handle's caches.
        const auto keep = static_cast<std::size_t>(options.smtp_connections + options.total_requests);
        if (spare_easies.size() >= keep) {
            curl_easy_cleanup(easy);
            return;
        }
        curl_easy_reset(easy);
        spare_easies.push_back(easy);
    }

    CURLcode ConfigureCommon(Transfer& t) {
        OptionSetter set{t.easy};
        set(CURLOPT_PRIVATE, static_cast<void*>(&t));
        set(CURLOPT_ERRORBUFFER, t.error.data());
        set(CURLOPT_NOSIGNAL, 1L);
        // Removing a transfer mid-lookup (Stop) must not wait for the resolver thread.
        set(CURLOPT_QUICK_EXIT, 1L);
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
        // SMTP: each reply must come within the timeout. curl copies both timeouts of the last
        // added handle to the handle that closes cached connections, which bounds the wait for
        // the QUIT reply in curl_multi_cleanup as well.
        set(CURLOPT_SERVER_RESPONSE_TIMEOUT,
            static_cast<long>(std::max<std::int64_t>(1, (options.timeout.count() + 999) / 1000)));
        // No proxy from the environment: the transport must see (and may refuse) the real
        // target's address, and tests on 127.0.0.1 must not wander off to a proxy.
        set(CURLOPT_PROXY, "");
        set(CURLOPT_OPENSOCKETFUNCTION, &Impl::OnOpenSocket);
        set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(&t));
        // A connection keeps the close callback of the handle that opened it, also when the
        // multi handle's own closure handle closes it later.
        set(CURLOPT_CLOSESOCKETFUNCTION, &Impl::OnCloseSocket);
        set(CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
        return set.rc;
    }

    CURLcode ConfigureMail(Transfer& t) {
        OptionSetter set{t.easy, ConfigureCommon(t)};
        const SmtpOptions& o = options.smtp;
        set(CURLOPT_URL, smtp_url.c_str());
        set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        set(CURLOPT_USE_SSL, static_cast<long>(o.tls == SmtpOptions::Tls::kNone ? CURLUSESSL_NONE : CURLUSESSL_ALL));
        if (!o.username.empty()) {
            set(CURLOPT_USERNAME, o.username.c_str());
            set(CURLOPT_PASSWORD, o.password.c_str());
        }
        if (!o.ca_file.empty()) set(CURLOPT_CAINFO, o.ca_file.c_str());
        set(CURLOPT_SSL_VERIFYPEER, o.verify_peer ? 1L : 0L);
        set(CURLOPT_SSL_VERIFYHOST, o.verify_peer ? 2L : 0L);

        set(CURLOPT_MAIL_FROM, t.mail.from.c_str());
        curl_slist* rcpt = curl_slist_append(nullptr, t.mail.to.c_str());
        if (rcpt == nullptr) return CURLE_OUT_OF_MEMORY;
        t.list = rcpt;
        set(CURLOPT_MAIL_RCPT, t.list);
        // libcurl dot-stuffs lines that begin with "." and ends the data with CRLF "." CRLF.
        set(CURLOPT_UPLOAD, 1L);
        set(CURLOPT_READFUNCTION, &Impl::OnReadMail);
        set(CURLOPT_READDATA, static_cast<void*>(&t));
        set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.mail.data.size()));
        // pingpong protocols hand every server reply line to the header callback.
        set(CURLOPT_HEADERFUNCTION, &Impl::OnSmtpReply);
        set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
        return set.rc;
    }

    CURLcode ConfigureHttp(Transfer& t) {
        OptionSetter set{t.easy, ConfigureCommon(t)};
        const OutgoingHttp& req = t.http;
        set(CURLOPT_URL, req.url.c_str());
        set(CURLOPT_PROTOCOLS_STR, "http,https");
        set(CURLOPT_FOLLOWLOCATION, 0L);
        set(CURLOPT_USERAGENT, options.user_agent.c_str());
        set(CURLOPT_WRITEFUNCTION, &Impl::OnBody);
        set(CURLOPT_WRITEDATA, static_cast<void*>(&t));

        std::string method = req.method.empty() ? std::string("POST") : req.method;
        std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) {
            return static_cast<char>(std::toupper(c));
        });
        if (method == "HEAD") {
            set(CURLOPT_NOBODY, 1L);
        } else if (method == "GET" && req.body.empty()) {
            set(CURLOPT_HTTPGET, 1L);
        } else if (method == "POST" || method == "PUT" || method == "PATCH" || !req.body.empty()) {
            // The body lives in the Transfer until the transfer ends: no copy.
            set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
            set(CURLOPT_POSTFIELDS, req.body.data());
            if (method != "POST") set(CURLOPT_CUSTOMREQUEST, method.c_str());  // curl copies it
        } else {
            set(CURLOPT_CUSTOMREQUEST, method.c_str());
        }

        auto add_header = [&](const std::string& line) {
            curl_slist* next = curl_slist_append(t.list, line.c_str());
            if (next == nullptr) {
                if (set.rc == CURLE_OK) set.rc = CURLE_OUT_OF_MEMORY;
                return;
            }
            t.list = next;
        };
        add_header("Expect:");                           // no 100-continue round trip for larger bodies
        for (const auto& [name, value] : req.headers) {  // checked by RequestProblem
            add_header(value.empty() ? name + ";" : name + ": " + value);  // "Name;": empty value
        }
        set(CURLOPT_HTTPHEADER, t.list);
        return set.rc;
    }

    // ---- finishing ----

    void CollectFinished() {
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            const CURLcode rc = msg->data.result;  // `msg` is invalid once the handle is removed
            auto it = running.find(easy);
            TOCSIN_CHECK(it != running.end(), "curl finished a transfer it was never given");
            std::unique_ptr<Transfer> t = std::move(it->second);
            running.erase(it);
            SendResult result = t->kind == Kind::kMail ? MailResult(*t, rc) : HttpResult(*t, rc);
            curl_multi_remove_handle(multi, easy);
            Recycle(easy);
            t->easy = nullptr;

            Destination& d = *t->destination;
            --d.running;
            if (t->kind == Kind::kHttp) {
                --http_running;
                MaybeSchedule(d);
                ForgetIfIdle(d);
            }
            completions.emplace_back(std::move(t->done), std::move(result));
        }
    }

    /// "<curl's words>: <details>" for a failed transfer.
    static std::string CurlError(const Transfer& t, CURLcode rc) {
        std::string text = curl_easy_strerror(rc);
        if (t.error[0] != '\0' && std::string_view(t.error.data()) != text) {
            text += ": ";
            text += t.error.data();
        }
        return text;
    }

    SendResult MailResult(Transfer& t, CURLcode rc) {
        SendResult r;
        long code = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &code);
        r.status = static_cast<int>(code);
        if (rc == CURLE_OK) {
            r.ok = true;
            return r;
        }
        // "SMTP 550 5.1.1 <a@b>: Recipient address rejected (RCPT failed: 550)": the server's
        // words first, curl's (which step failed) after them.
        std::string error = "SMTP ";
        if (!t.refusal.empty()) {
            error += t.refusal;
            if (t.error[0] != '\0') error += std::string(" (") + t.error.data() + ")";
        } else {
            error += CurlError(t, rc);
        }
        r.error = OneLine(error);
        // A 5xx refuses this message for good. Not so a refused login or STARTTLS: those are
        // the server's configuration, and every message would fail the same way until an
        // operator fixes it, so they stay retryable.
        r.permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED && rc != CURLE_USE_SSL_FAILED;
        return r;
    }

    SendResult HttpResult(Transfer& t, CURLcode rc) {
        SendResult r;
        long status = 0;
        curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = static_cast<int>(status);
        r.response_body = std::move(t.body);

        const bool answered = rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.body_truncated);
        if (!answered) {
            if (!t.refused.empty()) {
                r.permanent = true;
                r.error = "target address " + t.refused +
                          " is a private, loopback or link-local address: refused by configuration "
                          "(refuse_private_targets)";
                return r;
            }
            r.error = OneLine("HTTP " + CurlError(t, rc));
            r.permanent = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
            return r;
        }

        curl_header* h = nullptr;
        if (curl_easy_header(t.easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h != nullptr) {
            r.retry_after = ParseRetryAfter(h->value, std::time(nullptr));
        }
        if (status >= 200 && status < 300) {
            r.ok = true;
            return r;
        }
        r.permanent = IsPermanentHttpStatus(status);
        std::string error = "HTTP " + std::to_string(status);
        if (status >= 300 && status < 400) {
            char* location = nullptr;
            curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &location);
            error += " redirect";
            if (location != nullptr) error += std::string(" to ") + location;
            error += " not followed: a webhook URL must answer itself; use the final URL";
        } else if (!r.response_body.empty()) {
            error += ": " + OneLine(r.response_body, kMaxErrorBodySnippet);
        }
        r.error = OneLine(error);
        return r;
    }

    // ---- curl callbacks (C ABI; called from inside curl on the transport thread) ----

    static size_t OnReadMail(char* buffer, size_t size, size_t count, void* user) {
        auto& t = *static_cast<Transfer*>(user);
        const std::size_t n = std::min(size * count, t.mail.data.size() - t.read_offset);
        std::memcpy(buffer, t.mail.data.data() + t.read_offset, n);
        t.read_offset += n;
        return n;
    }

    /// Keeps the first reply line that refuses something. (Later lines may be the "221 Bye"
    /// of the QUIT curl sends when it closes the connection after the failure.)
    static size_t OnSmtpReply(char* data, size_t size, size_t count, void* user) {
        auto& t = *static_cast<Transfer*>(user);
        const size_t n = size * count;
        if (t.refusal.empty() && n >= 3 && (data[0] == '4' || data[0] == '5') && std::isdigit(data[1]) != 0 &&
            std::isdigit(data[2]) != 0) {
            t.refusal = OneLine(std::string_view(data, n), kMaxReplyLine);
        }
        return n;
    }

    static size_t OnBody(char* data, size_t size, size_t count, void* user) {
        auto& t = *static_cast<Transfer*>(user);
        const size_t n = size * count;
        const size_t room = kMaxResponseBody - t.body.size();
        if (n <= room) {
            t.body.append(data, n);
            return n;
        }
        // Keep what fits, then stop reading: the rest of a huge answer is never downloaded.
        t.body.append(data, room);
        t.body_truncated = true;
        return 0;  // CURLE_WRITE_ERROR
    }

    /// Every new connection, after name resolution: the place to refuse private targets,
    /// since it sees the address actually connected to (no DNS rebinding around it).
    static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
        auto& t = *static_cast<Transfer*>(user);
        if (purpose == CURLSOCKTYPE_IPCXN && t.refuse_private) {
            if (std::string refused = RefusedAddress(&address->addr); !refused.empty()) {
                t.refused = std::move(refused);
                return CURL_SOCKET_BAD;  // curl tries the next address, or fails COULDNT_CONNECT
            }
        }
        const curl_socket_t s = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
        if (s != CURL_SOCKET_BAD) t.owner->open_sockets.insert(s);
        return s;
    }

    static int OnCloseSocket(void* user, curl_socket_t s) {
        static_cast<Impl*>(user)->open_sockets.erase(s);
        return ::close(s);
    }

    // ---- state ----

    void PrepareSmtpUrl() {
        const SmtpOptions& o = options.smtp;
        if (o.url.empty()) {
            smtp_url_error = "e-mail is not configured (no SMTP URL)";
            return;
        }
        CURLU* u = curl_url();
        TOCSIN_CHECK(u != nullptr, "curl_url failed (out of memory)");
        char* scheme = nullptr;
        char* full = nullptr;
        if (CURLUcode uc = curl_url_set(u, CURLUPART_URL, o.url.c_str(), 0); uc != CURLUE_OK) {
            smtp_url_error = "invalid SMTP URL: " + std::string(curl_url_strerror(uc));
        } else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || (std::string_view(scheme) != "smtp" && std::string_view(scheme) != "smtps")) {
            smtp_url_error = "invalid SMTP URL: the scheme must be smtp or smtps";
        } else {
            if (o.tls == SmtpOptions::Tls::kImplicit) curl_url_set(u, CURLUPART_SCHEME, "smtps", 0);
            // libcurl sends the URL's path as the EHLO name ("localhost" without one).
            if (!o.helo_domain.empty()) curl_url_set(u, CURLUPART_PATH, ("/" + o.helo_domain).c_str(), 0);
            if (curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK) {
                smtp_url = full;
            } else {
                smtp_url_error = "invalid SMTP URL";
            }
        }
        curl_free(scheme);
        curl_free(full);
        curl_url_cleanup(u);
    }

    TransportOptions options;
    std::string smtp_url;
    std::string smtp_url_error;  // non-empty: SendMail fails with it
    CURLM* multi = nullptr;
    std::atomic<std::size_t> pending{0};

    // Shared with Send* and Stop.
    std::mutex mu;
    std::deque<std::unique_ptr<Transfer>> incoming;
    bool stopping = false;
    std::thread thread;
    std::thread::id thread_id;
    std::mutex stop_mu;

    // Transport thread only (or the stopping thread once the transport thread has ended).
    Destination smtp;
    std::unordered_map<std::string, std::unique_ptr<Destination>> http_destinations;
    std::deque<Destination*> ready;  // HTTP destinations with queued jobs and a free slot
    int http_running = 0;
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
    std::vector<CURL*> spare_easies;
    std::unordered_set<curl_socket_t> open_sockets;  // every socket curl holds (OnOpenSocket)
    std::vector<Completion> completions;             // delivered between curl calls, never inside one
};

Transport::Transport(TransportOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Transport::~Transport() {
    Stop();
}

void Transport::Start() {
    impl_->StartThread();
}

void Transport::Stop() {
    impl_->StopThread();
}

void Transport::SendMail(OutgoingMail mail, SendDone done) {
    auto t = std::make_unique<Impl::Transfer>();
    t->kind = Impl::Kind::kMail;
    t->mail = std::move(mail);
    t->done = std::move(done);
    impl_->Enqueue(std::move(t));
}

void Transport::SendHttp(OutgoingHttp request, SendDone done) {
    auto t = std::make_unique<Impl::Transfer>();
    t->kind = Impl::Kind::kHttp;
    t->http = std::move(request);
    t->done = std::move(done);
    impl_->Enqueue(std::move(t));
}

std::size_t Transport::Pending() const {
    return impl_->pending.load(std::memory_order_relaxed);
}

bool Transport::MailEnabled() const {
    return !impl_->options.smtp.url.empty();
}

}  // namespace tocsin::notify
