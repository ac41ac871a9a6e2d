// HTTP(S) checks: libcurl multi socket interface on an Asio io_context.
//
// Duties, per event on the loop:
//   - curl's socket callback says which fds it wants watched for reading/writing; each fd is
//     wrapped in a posix::stream_descriptor (never owning it: curl opens and closes sockets)
//     and watched with async_wait;
//   - curl's timer callback arms one steady_timer;
//   - a ready fd or the timer calls curl_multi_socket_action, then finished transfers are
//     collected, turned into Observations and handed to their callbacks.
//
// Asio's epoll reactor is edge-triggered and async_wait never checks readiness up front,
// while curl reads at most one buffer per call and may leave bytes in the socket. Arm()
// therefore asks poll() (zero timeout) before waiting: a socket that is already ready is
// acted on at once instead of waiting for an edge that will not come.
#include "tocsin/checks/http_check.hpp"

#include "tocsin/common/check.hpp"
#include "tocsin/common/log.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tocsin::checks::detail {
namespace {

namespace asio = boost::asio;
using monitor::ErrorClass;
using monitor::Observation;

constexpr long kMaxRedirects = 10;
constexpr std::size_t kMaxHeaders = 256;
constexpr const char* kUserAgentProduct = "tocsin-monitor/0.1";

void GlobalInitOnce() {
    // libcurl 7.88 reports "threadsafe": curl_global_init may race with nothing else here, but
    // a function-local static also makes it run exactly once.
    static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    TOCSIN_CHECK(rc == CURLE_OK, "curl_global_init failed");
}

/// The error classes of observation.hpp for a failed transfer. `answered`: a status line was
/// received before the failure.
ErrorClass ClassifyCurlCode(CURLcode code, bool answered) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return ErrorClass::kDns;
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
            return ErrorClass::kConnect;
        case CURLE_RECV_ERROR:
            // Reset before an answer is a connection failure; after it, a broken answer.
            return answered ? ErrorClass::kProtocol : ErrorClass::kConnect;
        case CURLE_OPERATION_TIMEDOUT:
            return ErrorClass::kTimeout;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_USE_SSL_FAILED:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
            return ErrorClass::kTls;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_RANGE_ERROR:
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_UNSUPPORTED_PROTOCOL:  // a redirect to another scheme
        case CURLE_HTTP_RETURNED_ERROR:
            return ErrorClass::kProtocol;
        default:
            return ErrorClass::kInternal;
    }
}

/// True when the URL's host is an IPv4 or IPv6 literal, so no name lookup happens.
bool HasIpLiteralHost(const std::string& url) {
    CURLU* u = curl_url();
    if (u == nullptr) return false;
    bool literal = false;
    char* host = nullptr;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        std::string_view h(host);
        if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
            literal = true;  // curl only accepts bracketed hosts that are IPv6 addresses
        } else {
            in_addr v4{};
            literal = inet_pton(AF_INET, host, &v4) == 1;
        }
        curl_free(host);
    }
    curl_url_cleanup(u);
    return literal;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

std::chrono::microseconds Micros(curl_off_t v) {
    return std::chrono::microseconds{static_cast<std::int64_t>(v)};
}

}  // namespace

struct HttpChecks::Impl {
    /// One socket curl asked us to watch. Shared with the handlers waiting on it, so a handler
    /// that runs after curl removed the socket sees `removed` instead of a dangling pointer.
    struct Watch {
        Watch(asio::io_context& io, curl_socket_t s) : fd(s), descriptor(io) {}
        curl_socket_t fd;
        asio::posix::stream_descriptor descriptor;
        int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits, as last set by curl
        bool read_pending = false;
        bool write_pending = false;
        bool removed = false;
    };

    /// One HTTP check in flight; owned by `transfers`, reachable from curl via CURLOPT_PRIVATE
    /// and the callbacks' user pointers.
    struct Transfer {
        Transfer() = default;
        Transfer(const Transfer&) = delete;
        Transfer& operator=(const Transfer&) = delete;
        ~Transfer() {
            if (easy != nullptr) curl_easy_cleanup(easy);  // after curl_multi_remove_handle
            curl_slist_free_all(request_headers);
        }

        CURL* easy = nullptr;
        curl_slist* request_headers = nullptr;
        ObservationDone done;
        Observation obs;
        std::array<char, CURL_ERROR_SIZE> error{};
        bool ip_literal = false;
        bool answered = false;       // a status line came
        std::uint64_t sequence = 0;  // order of Start() calls
    };

    std::string user_agent;

    Impl(asio::io_context& io_context, const std::string& location) : io(io_context), timer(io_context) {
        user_agent = std::string(kUserAgentProduct) + " (location " + location + ")";
        GlobalInitOnce();
        multi = curl_multi_init();
        TOCSIN_CHECK(multi != nullptr, "curl_multi_init failed (out of memory)");
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnSocket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::OnTimer);
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    }

    ~Impl() {
        CancelAll();
        curl_multi_cleanup(multi);  // may still report removals through OnSocket
        for (auto& [fd, watch] : watches) Forget(*watch);
        watches.clear();
    }

    // ---- starting and finishing transfers ----

    void Start(const monitor::CheckSpec& spec, ObservationDone done) {
        auto t = std::make_unique<Transfer>();
        t->done = std::move(done);
        t->easy = curl_easy_init();
        if (t->easy == nullptr) {
            FailSoon(std::move(t), "curl_easy_init failed");
            return;
        }
        if (CURLcode rc = Configure(*t, spec); rc != CURLE_OK) {
            FailSoon(std::move(t), std::string("invalid HTTP check: ") + curl_easy_strerror(rc));
            return;
        }
        if (CURLMcode mc = curl_multi_add_handle(multi, t->easy); mc != CURLM_OK) {
            FailSoon(std::move(t), std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
            return;
        }
        // The add armed curl's timer with 0 ms; the transfer begins on the next loop turn.
        CURL* key = t->easy;
        t->sequence = ++last_sequence;
        transfers.emplace(key, std::move(t));
    }

    CURLcode Configure(Transfer& t, const monitor::CheckSpec& spec) {
        CURL* e = t.easy;
        t.ip_literal = HasIpLiteralHost(spec.url);

        CURLcode rc = CURLE_OK;
        auto set = [&](CURLoption option, auto value) {
            if (rc == CURLE_OK) rc = curl_easy_setopt(e, option, value);
        };
        set(CURLOPT_URL, spec.url.c_str());
        set(CURLOPT_PROTOCOLS_STR, "http,https");
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        set(CURLOPT_NOSIGNAL, 1L);
        set(CURLOPT_PRIVATE, static_cast<void*>(&t));
        set(CURLOPT_ERRORBUFFER, t.error.data());
        set(CURLOPT_USERAGENT, user_agent.c_str());
        set(CURLOPT_WRITEFUNCTION, &Impl::OnBody);
        set(CURLOPT_WRITEDATA, static_cast<void*>(&t));
        set(CURLOPT_HEADERFUNCTION, &Impl::OnHeader);
        set(CURLOPT_HEADERDATA, static_cast<void*>(&t));
        set(CURLOPT_PREREQFUNCTION, &Impl::OnConnected);
        set(CURLOPT_PREREQDATA, static_cast<void*>(&t));
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<std::int64_t>(spec.timeout.count(), 1)));
        // A monitor measures a whole request: new connection, full TLS handshake, every time.
        set(CURLOPT_FRESH_CONNECT, 1L);
        set(CURLOPT_FORBID_REUSE, 1L);
        set(CURLOPT_SSL_SESSIONID_CACHE, 0L);
        // Removing a transfer mid-lookup must not wait for the resolver thread on the loop.
        set(CURLOPT_QUICK_EXIT, 1L);
        set(CURLOPT_FOLLOWLOCATION, spec.follow_redirects ? 1L : 0L);
        set(CURLOPT_MAXREDIRS, kMaxRedirects);
        set(CURLOPT_SSL_VERIFYPEER, spec.verify_tls ? 1L : 0L);
        set(CURLOPT_SSL_VERIFYHOST, spec.verify_tls ? 2L : 0L);
        if (!spec.ca_pem.empty()) {
            // Replaces the CA *file*; Debian's libcurl also keeps CApath /etc/ssl/certs, so the
            // system store still counts. CURL_BLOB_COPY: curl keeps its own copy.
            curl_blob blob{const_cast<char*>(spec.ca_pem.data()), spec.ca_pem.size(), CURL_BLOB_COPY};
            set(CURLOPT_CAINFO_BLOB, &blob);
        }

        std::string method = spec.method.empty() ? std::string("GET") : spec.method;
        std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) {
            return static_cast<char>(std::toupper(c));
        });
        if (method == "HEAD") {
            set(CURLOPT_NOBODY, 1L);
        } else if (!spec.body.empty() || method == "POST") {
            set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()));
            set(CURLOPT_COPYPOSTFIELDS, spec.body.c_str());
            if (method != "POST") set(CURLOPT_CUSTOMREQUEST, method.c_str());
        } else if (method != "GET") {
            set(CURLOPT_CUSTOMREQUEST, method.c_str());
        }

        if (!spec.basic_user.empty()) {
            set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
            set(CURLOPT_USERNAME, spec.basic_user.c_str());
            set(CURLOPT_PASSWORD, spec.basic_password.c_str());
        }
        auto add_header = [&](const std::string& line) {
            curl_slist* next = curl_slist_append(t.request_headers, line.c_str());
            if (next == nullptr) {
                if (rc == CURLE_OK) rc = CURLE_OUT_OF_MEMORY;
                return;
            }
            t.request_headers = next;
        };
        // No "Expect: 100-continue" round trip for large bodies.
        add_header("Expect:");
        for (const auto& [name, value] : spec.headers) {
            // "Name;" is curl's spelling of a header sent with an empty value.
            add_header(value.empty() ? name + ";" : name + ": " + value);
        }
        if (!spec.bearer_token.empty()) add_header("Authorization: Bearer " + spec.bearer_token);
        set(CURLOPT_HTTPHEADER, t.request_headers);
        return rc;
    }

    /// Reports a check that could not even start, from the loop, never from inside Start().
    void FailSoon(std::unique_ptr<Transfer> t, std::string message) {
        Logger("checks")->error("[checks.HttpChecks.Start] {}", message);
        Observation obs;
        obs.error = ErrorClass::kInternal;
        obs.error_message = std::move(message);
        asio::post(io, [done = std::move(t->done), obs = std::move(obs)]() mutable { done(std::move(obs)); });
    }

    void Fill(Transfer& t, CURLcode rc) {
        Observation& obs = t.obs;
        CURL* e = t.easy;
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        obs.status_code = static_cast<int>(status);

        curl_off_t lookup = 0, connect = 0, appconnect = 0, start_transfer = 0, total = 0;
        curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
        curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
        curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &appconnect);
        curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &start_transfer);
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
        if (!t.ip_literal && lookup > 0) obs.timings.dns = Micros(lookup);
        if (connect > 0) obs.timings.connect = Micros(connect - lookup);
        if (appconnect > 0) obs.timings.tls = Micros(appconnect - connect);
        if (start_transfer > 0) obs.timings.first_byte = Micros(start_transfer);
        obs.timings.total = Micros(total);

        if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && obs.body_truncated)) {
            // A body cut at kMaxBodyBytes still is an answer, with the status seen.
            obs.reached = true;
            obs.error = ErrorClass::kNone;
            return;
        }
        obs.reached = false;
        obs.error = ClassifyCurlCode(rc, t.answered);
        obs.error_message = t.error[0] != '\0' ? std::string(t.error.data()) : std::string(curl_easy_strerror(rc));
    }

    /// Collects finished transfers; calls their callbacks only after curl is left alone, since
    /// a callback may start the next check.
    void CollectFinished() {
        std::vector<std::pair<ObservationDone, Observation>> finished;
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL* easy = msg->easy_handle;
            CURLcode rc = msg->data.result;  // `msg` is invalid once the handle is removed
            auto it = transfers.find(easy);
            TOCSIN_CHECK(it != transfers.end(), "curl finished a transfer it was never given");
            std::unique_ptr<Transfer> t = std::move(it->second);
            transfers.erase(it);
            Fill(*t, rc);
            curl_multi_remove_handle(multi, easy);
            finished.emplace_back(std::move(t->done), std::move(t->obs));
        }
        for (auto& [done, obs] : finished) done(std::move(obs));
    }

    void CancelAll() {
        // Oldest first: curl keeps the connections to one host in a list it searches from the
        // head on every removal, so this order makes 10,000 removals linear, not quadratic.
        std::vector<Transfer*> order;
        order.reserve(transfers.size());
        for (auto& [easy, t] : transfers) order.push_back(t.get());
        std::sort(order.begin(), order.end(), [](const Transfer* a, const Transfer* b) {
            return a->sequence < b->sequence;
        });
        for (Transfer* t : order) curl_multi_remove_handle(multi, t->easy);
        transfers.clear();
        timer.cancel();
    }

    // ---- curl callbacks (C ABI; called from inside curl on the loop thread) ----

    static size_t OnBody(char* data, size_t size, size_t count, void* user) {
        auto& t = *static_cast<Transfer*>(user);
        const size_t n = size * count;
        const size_t room = monitor::kMaxBodyBytes - t.obs.body.size();
        if (n <= room) {
            t.obs.body.append(data, n);
            return n;
        }
        // Keep what fits, then abort: the rest of a 1 GB body is never read.
        t.obs.body.append(data, room);
        t.obs.body_truncated = true;
        return 0;  // CURLE_WRITE_ERROR
    }

    static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
        auto& t = *static_cast<Transfer*>(user);
        const size_t n = size * count;
        std::string_view line = Trim(std::string_view(data, n));
        if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
            // A new response (after a redirect or a 1xx): only the last one's headers count.
            t.obs.headers.clear();
            t.answered = true;
            return n;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos || t.obs.headers.size() >= kMaxHeaders) return n;
        t.obs.headers.emplace_back(std::string(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
        return n;
    }

    /// Called once the connection (and TLS handshake) is up, before the request goes out:
    /// reads the leaf certificate's notAfter straight from OpenSSL, also with verification off.
    /// Measured against CURLOPT_CERTINFO (which formats every certificate of the chain as
    /// text): with a one-certificate chain both cost the same within noise (about 2 %, ~20 us
    /// of ~1.1 ms client CPU per HTTPS check); this one does not grow with the chain.
    static int
    OnConnected(void* user, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/, int /*local_port*/) {
        auto& t = *static_cast<Transfer*>(user);
        // Asked on every connection, not only for https:// URLs: a redirect may lead to TLS.
        // A plain connection has no SSL object (internals == nullptr).
        curl_tlssessioninfo* info = nullptr;
        if (curl_easy_getinfo(t.easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr ||
            info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
            return CURL_PREREQFUNC_OK;
        }
        const X509* cert = SSL_get0_peer_certificate(static_cast<SSL*>(info->internals));
        if (cert == nullptr) return CURL_PREREQFUNC_OK;
        int days = 0;
        int seconds = 0;
        if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1) {
            // Whole days left, rounded down: 3 hours after expiry is -1, not 0.
            std::int64_t left = static_cast<std::int64_t>(days) * 86'400 + seconds;
            std::int64_t whole = left >= 0 ? left / 86'400 : -((-left + 86'399) / 86'400);
            t.obs.certificate_days_left = static_cast<int>(whole);
        }
        return CURL_PREREQFUNC_OK;
    }

    static int OnSocket(CURL* /*easy*/, curl_socket_t s, int what, void* user, void* /*socket_data*/) {
        auto& self = *static_cast<Impl*>(user);
        if (what == CURL_POLL_REMOVE) {
            self.Unwatch(s);
            return 0;
        }
        std::shared_ptr<Watch> shared;
        if (auto it = self.watches.find(s); it != self.watches.end()) {
            shared = it->second;
        } else {
            shared = self.NewWatch(s);
            if (!shared) return -1;  // curl fails the transfer
        }
        shared->wanted = what;
        self.Arm(shared);
        return 0;
    }

    static int OnTimer(CURLM* /*multi*/, long timeout_ms, void* user) {
        auto& self = *static_cast<Impl*>(user);
        if (timeout_ms < 0) {
            self.timer.cancel();
            return 0;
        }
        self.timer.expires_after(std::chrono::milliseconds{timeout_ms});
        self.timer.async_wait([&self](const boost::system::error_code& ec) {
            if (ec) return;  // re-armed or cancelled; a cancelled timer outlives nothing it uses
            self.SocketAction(CURL_SOCKET_TIMEOUT, 0);
        });
        return 0;
    }

    // ---- socket watching ----

    std::shared_ptr<Watch> NewWatch(curl_socket_t s) {
        auto watch = std::make_shared<Watch>(io, s);
        boost::system::error_code ec;
        watch->descriptor.assign(s, ec);
        if (ec) {
            Logger("checks")->error("[checks.HttpChecks.NewWatch] cannot watch fd {}: {}", s, ec.message());
            return nullptr;
        }
        watches[s] = watch;
        return watch;
    }

    void Unwatch(curl_socket_t s) {
        auto it = watches.find(s);
        if (it == watches.end()) return;
        Forget(*it->second);
        watches.erase(it);
    }

    /// Stops watching without closing: the fd is curl's, and curl closes it.
    static void Forget(Watch& watch) {
        watch.removed = true;
        boost::system::error_code ignored;
        watch.descriptor.cancel(ignored);
        (void)watch.descriptor.release();
    }

    /// Waits for what curl wants, or acts at once when poll() says the socket is already ready.
    void Arm(const std::shared_ptr<Watch>& watch) {
        short events = 0;
        if ((watch->wanted & CURL_POLL_IN) != 0 && !watch->read_pending) events |= POLLIN;
        if ((watch->wanted & CURL_POLL_OUT) != 0 && !watch->write_pending) events |= POLLOUT;
        if (events == 0) return;
        pollfd p{watch->fd, events, 0};
        const short ready = ::poll(&p, 1, 0) > 0 ? p.revents : 0;
        if ((events & POLLIN) != 0) {
            watch->read_pending = true;
            if ((ready & (POLLIN | POLLERR | POLLHUP)) != 0) {
                asio::post(io, [this, watch] { OnReady(watch, CURL_CSELECT_IN, {}); });
            } else {
                watch->descriptor.async_wait(
                    asio::posix::descriptor_base::wait_read,
                    [this, watch](const boost::system::error_code& ec) { OnReady(watch, CURL_CSELECT_IN, ec); }
                );
            }
        }
        if ((events & POLLOUT) != 0) {
            watch->write_pending = true;
            if ((ready & (POLLOUT | POLLERR | POLLHUP)) != 0) {
                asio::post(io, [this, watch] { OnReady(watch, CURL_CSELECT_OUT, {}); });
            } else {
                watch->descriptor.async_wait(
                    asio::posix::descriptor_base::wait_write,
                    [this, watch](const boost::system::error_code& ec) { OnReady(watch, CURL_CSELECT_OUT, ec); }
                );
            }
        }
    }

    void OnReady(const std::shared_ptr<Watch>& watch, int direction, const boost::system::error_code& ec) {
        const bool is_read = direction == CURL_CSELECT_IN;
        (is_read ? watch->read_pending : watch->write_pending) = false;
        // `removed` first: after Forget() (curl's removal, CancelAll, ~Impl) `this` may be gone.
        if (watch->removed || ec == asio::error::operation_aborted) return;
        if ((watch->wanted & (is_read ? CURL_POLL_IN : CURL_POLL_OUT)) == 0) return;  // no longer wanted
        SocketAction(watch->fd, ec ? CURL_CSELECT_ERR : direction);
        if (!watch->removed) Arm(watch);
    }

    void SocketAction(curl_socket_t s, int events) {
        int running = 0;
        CURLMcode mc = curl_multi_socket_action(multi, s, events, &running);
        if (mc != CURLM_OK) {
            Logger("checks")->error("[checks.HttpChecks.SocketAction] {}", curl_multi_strerror(mc));
        }
        CollectFinished();
    }

    asio::io_context& io;
    asio::steady_timer timer;
    CURLM* multi = nullptr;
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
    std::uint64_t last_sequence = 0;
    std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> watches;
};

HttpChecks::HttpChecks(asio::io_context& io, const std::string& location)
    : impl_(std::make_unique<Impl>(io, location)) {}

HttpChecks::~HttpChecks() = default;

void HttpChecks::Start(const monitor::CheckSpec& spec, ObservationDone done) {
    impl_->Start(spec, std::move(done));
}

void HttpChecks::CancelAll() {
    impl_->CancelAll();
}

std::size_t HttpChecks::InFlight() const {
    return impl_->transfers.size();
}

}  // namespace tocsin::checks::detail
