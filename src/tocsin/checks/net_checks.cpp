// How a check runs. Start* makes a PendingCheck subclass and Launch()es it: it registers
// with NetCore (for CancelAll), arms its deadline and Begin()s. Every handler holds the
// check by shared_ptr and first asks finished(): the deadline, a failure, success and
// CancelAll all set it, so whichever comes first wins and the others become no-ops.
// Finish() closes the check's sockets and posts `done`; the posted call re-checks
// `cancelled_`, so CancelAll also suppresses a result that was already on its way.
//
// c-ares requests carry a heap-allocated owner of the check as their `arg`. c-ares calls
// every callback exactly once (an answer, ARES_ECANCELLED or ARES_EDESTRUCTION), which
// frees it: a query that outlives its check's deadline costs memory until c-ares gives up,
// and nothing else.
#include "tocsin/checks/net_checks.hpp"

#include "tocsin/checks/dns_channel.hpp"
#include "tocsin/checks/dns_message.hpp"
#include "tocsin/checks/icmp_echo.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/generic/datagram_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tocsin::checks::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using monitor::CheckSpec;
using monitor::ErrorClass;
using monitor::Observation;
using SteadyClock = std::chrono::steady_clock;

class PendingCheck;

/// What the checks share: the io_context, the c-ares channels, the TLS contexts and the
/// registry of pending checks (for CancelAll). Owned by NetChecks; checks hold it weakly.
class NetCore {
public:
    explicit NetCore(asio::io_context& io) : io_(io), random_(std::random_device{}()) {}

    asio::io_context& io() { return io_; }

    /// The channel for host names of TCP/TLS/ICMP checks: resolv.conf, /etc/hosts, and
    /// c-ares' failover between servers.
    Result<std::shared_ptr<AresChannel>> Resolver() {
        if (!resolver_) {
            TOCSIN_ASSIGN(channel, AresChannel::Create(io_, AresChannelOptions{}));
            resolver_ = channel;
        }
        return resolver_;
    }

    /// The channel of a DNS monitor's resolver ("" = resolv.conf's servers), one per
    /// distinct resolver, kept for the life of the engine (monitors name few resolvers).
    Result<std::shared_ptr<AresChannel>> DnsChannel(const std::string& resolver) {
        if (auto it = dns_channels_.find(resolver); it != dns_channels_.end()) return it->second;
        AresChannelOptions options;
        if (!resolver.empty()) {
            TOCSIN_ASSIGN(server, ParseDnsServer(resolver));
            options.servers.push_back(server);
        }
        // A DNS monitor reports SERVFAIL/REFUSED as the answer it got, and retries a
        // lost datagram after 1 s, 2 s, 4 s; its own deadline usually ends it first.
        options.pass_error_replies = true;
        options.timeout_ms = 1000;
        options.tries = 4;
        TOCSIN_ASSIGN(channel, AresChannel::Create(io_, options));
        dns_channels_.emplace(resolver, channel);
        return channel;
    }

    /// A client context per (verify, extra CAs); loading the system store costs
    /// milliseconds, so contexts are reused. SSL objects keep their context alive.
    Result<std::shared_ptr<asio::ssl::context>> TlsContext(bool verify, const std::string& ca_pem) {
        const std::string key = verify ? "verify:" + ca_pem : "noverify";
        if (auto it = tls_contexts_.find(key); it != tls_contexts_.end()) return it->second;
        auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
        if (verify) {
            error_code ec;
            context->set_default_verify_paths(ec);
            if (ec) return Error::Unavailable("cannot load the system CA store: " + ec.message());
            if (!ca_pem.empty()) {
                context->add_certificate_authority(asio::buffer(ca_pem), ec);
                if (ec) return Error::Invalid("ca_pem", "cannot read ca_pem: " + ec.message());
            }
        }
        // Each distinct ca_pem adds an entry; bound the map against monitors churning it.
        constexpr std::size_t kMaxContexts = 64;
        if (tls_contexts_.size() >= kMaxContexts) tls_contexts_.clear();
        tls_contexts_.emplace(key, context);
        return context;
    }

    std::uint16_t NextSequence() { return next_sequence_++; }
    std::uint64_t Random() { return random_(); }

    std::uint64_t Register(std::weak_ptr<PendingCheck> check) {
        const std::uint64_t id = next_id_++;
        pending_.emplace(id, std::move(check));
        return id;
    }
    void Unregister(std::uint64_t id) { pending_.erase(id); }

    void CancelAll();

private:
    asio::io_context& io_;
    std::shared_ptr<AresChannel> resolver_;
    std::map<std::string, std::shared_ptr<AresChannel>> dns_channels_;
    std::map<std::string, std::shared_ptr<asio::ssl::context>> tls_contexts_;
    std::unordered_map<std::uint64_t, std::weak_ptr<PendingCheck>> pending_;
    std::uint64_t next_id_ = 1;
    std::uint16_t next_sequence_ = 1;
    std::mt19937_64 random_;
};

namespace {

std::chrono::microseconds Since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
}

/// "[::1]" → "::1"; anything else unchanged.
std::string StripBrackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

std::optional<asio::ip::address> ParseIp(const std::string& host) {
    error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) return std::nullopt;
    return address;
}

std::string Describe(const asio::ip::address& address, int port) {
    return address.is_v6() ? "[" + address.to_string() + "]:" + std::to_string(port)
                           : address.to_string() + ":" + std::to_string(port);
}

/// The in-addr.arpa / ip6.arpa name of an address, for PTR queries given an IP.
std::string ReverseName(const asio::ip::address& address) {
    std::string name;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) name += std::to_string(*it) + ".";
        return name + "in-addr.arpa";
    }
    static constexpr char kHex[] = "0123456789abcdef";
    const auto bytes = address.to_v6().to_bytes();
    for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
        name += kHex[*it & 0x0f];
        name += '.';
        name += kHex[*it >> 4];
        name += '.';
    }
    return name + "ip6.arpa";
}

/// Whole days from `now` to the certificate's notAfter, rounded down (so an hour past
/// expiry is -1, not 0).
std::optional<int> DaysLeft(const X509* certificate, std::time_t now) {
    ASN1_TIME* from = ASN1_TIME_set(nullptr, now);
    if (from == nullptr) return std::nullopt;
    int days = 0;
    int seconds = 0;
    const int ok = ASN1_TIME_diff(&days, &seconds, from, X509_get0_notAfter(certificate));
    ASN1_TIME_free(from);
    if (ok != 1) return std::nullopt;
    constexpr long long kDay = 86'400;
    const long long total = days * kDay + seconds;
    return static_cast<int>(total >= 0 ? total / kDay : -((-total + kDay - 1) / kDay));
}

}  // namespace

/// One check in flight. Handlers hold it by shared_ptr, so a completion that arrives
/// after the deadline (or after CancelAll) finds `finished_` set and does nothing.
class PendingCheck : public std::enable_shared_from_this<PendingCheck> {
public:
    PendingCheck(const std::shared_ptr<NetCore>& core, const CheckSpec& spec, ObservationDone done)
        : io_(core->io()), core_(core), spec_(spec), done_(std::move(done)), deadline_(io_) {}
    virtual ~PendingCheck() = default;
    PendingCheck(const PendingCheck&) = delete;
    PendingCheck& operator=(const PendingCheck&) = delete;

    void Launch() {
        if (auto core = core_.lock()) id_ = core->Register(weak_from_this());
        deadline_.expires_after(spec_.timeout);
        deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (ec || self->finished_) return;
            self->Fail(
                ErrorClass::kTimeout,
                "timeout after " + std::to_string(self->spec_.timeout.count()) + " ms " + self->phase_
            );
        });
        Begin();
    }

    /// CancelAll: done is dropped unseen; handlers still queued free the check later.
    void Cancel() {
        cancelled_ = true;
        finished_ = true;
        done_ = nullptr;
        deadline_.cancel();
        Abort();
    }

protected:
    /// Starts the check's first step. May Fail() at once.
    virtual void Begin() = 0;
    /// Closes the check's sockets; pending operations complete with operation_aborted.
    virtual void Abort() = 0;

    template <class Derived>
    std::shared_ptr<Derived> Self() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    bool finished() const { return finished_; }
    std::chrono::microseconds Elapsed() const { return Since(started_); }

    /// Ends the check with obs_ as it stands. `total` is the elapsed time unless the check
    /// measured its own (ICMP round trip).
    void Finish(bool keep_total = false) {
        if (finished_) return;
        finished_ = true;
        deadline_.cancel();
        Abort();
        if (!keep_total) obs_.timings.total = Elapsed();
        // Posted, so done never runs inside Start* or inside a c-ares callback, where
        // re-entering (a new check, CancelAll) would be unsafe.
        asio::post(io_, [self = shared_from_this(), obs = std::move(obs_)]() mutable {
            if (self->cancelled_) return;
            if (auto core = self->core_.lock()) core->Unregister(self->id_);
            auto done = std::move(self->done_);
            self->done_ = nullptr;
            done(std::move(obs));
        });
    }

    void Fail(ErrorClass error, std::string message) {
        if (finished_) return;
        obs_.reached = false;
        obs_.error = error;
        obs_.error_message = std::move(message);
        Finish();
    }

    using Addresses = std::vector<asio::ip::address>;

    /// Resolves spec_.host (IP literals directly) and calls `next` with at least one
    /// address, or fails the check with kDns. `next` runs only while the check is pending.
    void Resolve(std::function<void(Addresses)> next) {
        const std::string host = StripBrackets(spec_.host);
        if (host.empty()) return Fail(ErrorClass::kDns, "no host to check");
        if (auto ip = ParseIp(host)) return next(Addresses{*ip});

        auto core = core_.lock();
        if (!core) return;  // NetChecks is gone; Cancel() already ran
        auto resolver = core->Resolver();
        if (!resolver) return Fail(ErrorClass::kDns, "resolver unavailable: " + resolver.error().message);
        phase_ = "resolving " + host;
        auto* request = new ResolveRequest{shared_from_this(), host, std::move(next)};
        (*resolver)->GetAddrInfo(host, AF_UNSPEC, &PendingCheck::OnAddrInfo, request);
    }

    asio::io_context& io_;
    std::weak_ptr<NetCore> core_;
    const CheckSpec spec_;
    Observation obs_;
    /// Completes "timeout after N ms ..." (e.g. "while connecting to 192.0.2.1:443").
    std::string phase_ = "before starting";

private:
    struct ResolveRequest {
        std::shared_ptr<PendingCheck> check;
        std::string host;
        std::function<void(Addresses)> next;
    };

    static void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
        std::unique_ptr<ResolveRequest> request(static_cast<ResolveRequest*>(arg));
        std::unique_ptr<ares_addrinfo, void (*)(ares_addrinfo*)> owned(result, &ares_freeaddrinfo);
        PendingCheck& check = *request->check;
        if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION || check.finished_) return;
        if (status != ARES_SUCCESS) {
            return check.Fail(ErrorClass::kDns, "cannot resolve " + request->host + ": " + ares_strerror(status));
        }
        Addresses addresses;
        for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
            if (node->ai_family == AF_INET) {
                const auto* in = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
                addresses.emplace_back(asio::ip::address_v4(ntohl(in->sin_addr.s_addr)));
            } else if (node->ai_family == AF_INET6) {
                const auto* in6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
                asio::ip::address_v6::bytes_type bytes;
                std::memcpy(bytes.data(), &in6->sin6_addr, bytes.size());
                addresses.emplace_back(asio::ip::address_v6(bytes, in6->sin6_scope_id));
            }
        }
        if (addresses.empty()) return check.Fail(ErrorClass::kDns, request->host + " has no addresses");
        check.obs_.timings.dns = check.Elapsed();
        request->next(std::move(addresses));
    }

    const SteadyClock::time_point started_ = SteadyClock::now();
    ObservationDone done_;
    asio::steady_timer deadline_;
    std::uint64_t id_ = 0;
    bool finished_ = false;
    bool cancelled_ = false;
};

void NetCore::CancelAll() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, weak] : pending) {
        if (auto check = weak.lock()) check->Cancel();
    }
    // Frees the requests of cancelled checks still waiting on c-ares (their callbacks
    // run now with ARES_ECANCELLED).
    if (resolver_) resolver_->Cancel();
    for (auto& [key, channel] : dns_channels_) channel->Cancel();
}

namespace {

/// Tries each address in turn (asio::async_connect over the list), like a browser without
/// happy eyeballs; `then(ec)` sees the last address's error when all fail.
template <class Socket, class Then>
void ConnectAny(Socket& socket, const std::vector<asio::ip::address>& addresses, int port, Then then) {
    std::vector<asio::ip::tcp::endpoint> endpoints;
    endpoints.reserve(addresses.size());
    for (const auto& address : addresses) endpoints.emplace_back(address, static_cast<unsigned short>(port));
    asio::async_connect(socket, endpoints, [then = std::move(then)](const error_code& ec, const auto&) mutable {
        then(ec);
    });
}

bool ValidPort(int port) {
    return port > 0 && port <= 65535;
}

class TcpCheck final : public PendingCheck {
public:
    TcpCheck(const std::shared_ptr<NetCore>& core, const CheckSpec& spec, ObservationDone done)
        : PendingCheck(core, spec, std::move(done)), socket_(io_) {}

private:
    void Begin() override {
        if (!ValidPort(spec_.port))
            return Fail(ErrorClass::kInternal, "port out of range: " + std::to_string(spec_.port));
        Resolve([this](Addresses addresses) { Connect(addresses); });
    }

    void Connect(const Addresses& addresses) {
        phase_ = "while connecting to " + Describe(addresses.front(), spec_.port);
        ConnectAny(socket_, addresses, spec_.port, [self = Self<TcpCheck>(), addresses](const error_code& ec) {
            if (self->finished()) return;
            if (ec) {
                return self->Fail(
                    ErrorClass::kConnect,
                    "cannot connect to " + Describe(addresses.back(), self->spec_.port) + ": " + ec.message()
                );
            }
            self->obs_.timings.connect =
                self->Elapsed() - self->obs_.timings.dns.value_or(std::chrono::microseconds(0));
            self->obs_.reached = true;
            self->Finish();
        });
    }

    void Abort() override {
        error_code ignored;
        socket_.close(ignored);
    }

    asio::ip::tcp::socket socket_;
};

class TlsCheck final : public PendingCheck {
public:
    TlsCheck(const std::shared_ptr<NetCore>& core, const CheckSpec& spec, ObservationDone done)
        : PendingCheck(core, spec, std::move(done)), port_(spec.port == 0 ? 443 : spec.port) {}

private:
    void Begin() override {
        if (!ValidPort(port_)) return Fail(ErrorClass::kInternal, "port out of range: " + std::to_string(port_));
        auto core = core_.lock();
        if (!core) return;
        auto context = core->TlsContext(spec_.verify_tls, spec_.ca_pem);
        if (!context) return Fail(ErrorClass::kTls, context.error().message);
        context_ = *context;
        stream_.emplace(io_, *context_);
        if (auto error = Configure(); !error.empty()) return Fail(ErrorClass::kTls, error);
        Resolve([this](Addresses addresses) { Connect(addresses); });
    }

    /// SNI, peer verification and the name to verify; returns an error message or "".
    std::string Configure() {
        SSL* ssl = stream_->native_handle();
        const std::string name = StripBrackets(spec_.server_name.empty() ? spec_.host : spec_.server_name);
        const bool is_ip = ParseIp(name).has_value();
        // RFC 6066: SNI carries host names only, never an IP literal.
        if (!is_ip && !name.empty() && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
            return "invalid TLS server name '" + name + "'";
        }
        if (spec_.verify_tls) {
            stream_->set_verify_mode(asio::ssl::verify_peer);
            const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str())
                                 : SSL_set1_host(ssl, name.c_str());
            if (ok != 1) return "cannot verify against the name '" + name + "'";
            SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        } else {
            stream_->set_verify_mode(asio::ssl::verify_none);
        }
        // OpenSSL calls this for every certificate of the chain, in both verify modes;
        // X509_STORE_CTX_get0_cert is always the leaf, so its expiry is known even when
        // the handshake then fails on verification. Runs inside async_handshake, while
        // the stream (a member of this check) is alive.
        stream_->set_verify_callback([this](bool preverified, asio::ssl::verify_context& context) {
            if (!obs_.certificate_days_left) {
                if (const X509* leaf = X509_STORE_CTX_get0_cert(context.native_handle())) {
                    obs_.certificate_days_left = DaysLeft(leaf, started_wall_);
                }
            }
            return preverified;
        });
        return {};
    }

    void Connect(const Addresses& addresses) {
        phase_ = "while connecting to " + Describe(addresses.front(), port_);
        ConnectAny(
            stream_->lowest_layer(),
            addresses,
            port_,
            [self = Self<TlsCheck>(), addresses](const error_code& ec) {
                if (self->finished()) return;
                if (ec) {
                    return self->Fail(
                        ErrorClass::kConnect,
                        "cannot connect to " + Describe(addresses.back(), self->port_) + ": " + ec.message()
                    );
                }
                self->obs_.timings.connect =
                    self->Elapsed() - self->obs_.timings.dns.value_or(std::chrono::microseconds(0));
                self->Handshake();
            }
        );
    }

    void Handshake() {
        phase_ = "during the TLS handshake";
        stream_->async_handshake(asio::ssl::stream_base::client, [self = Self<TlsCheck>()](const error_code& ec) {
            if (self->finished()) return;
            if (ec) return self->HandshakeFailed(ec);
            self->obs_.timings.tls = self->Elapsed() - self->obs_.timings.dns.value_or(std::chrono::microseconds(0)) -
                                     self->obs_.timings.connect.value_or(std::chrono::microseconds(0));
            if (!self->obs_.certificate_days_left) {
                if (const X509* leaf = SSL_get0_peer_certificate(self->stream_->native_handle())) {
                    self->obs_.certificate_days_left = DaysLeft(leaf, self->started_wall_);
                }
            }
            self->obs_.reached = true;
            self->Finish();
        });
    }

    void HandshakeFailed(const error_code& ec) {
        const long verify_result = SSL_get_verify_result(stream_->native_handle());
        if (spec_.verify_tls && verify_result != X509_V_OK) {
            return Fail(
                ErrorClass::kTls,
                std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify_result)
            );
        }
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            return Fail(ErrorClass::kTls, "connection closed by the server during the TLS handshake");
        }
        if (ec.category() == asio::error::get_ssl_category()) {
            return Fail(ErrorClass::kTls, "TLS handshake failed: " + ec.message());
        }
        // A socket error (reset, unreachable) during the handshake is a connection failure.
        Fail(ErrorClass::kConnect, "connection failed during the TLS handshake: " + ec.message());
    }

    void Abort() override {
        if (!stream_) return;
        error_code ignored;
        stream_->lowest_layer().close(ignored);
    }

    const int port_;
    const std::time_t started_wall_ = std::time(nullptr);
    std::shared_ptr<asio::ssl::context> context_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream_;
};

class DnsCheck final : public PendingCheck {
public:
    using PendingCheck::PendingCheck;

private:
    void Begin() override {
        const auto type = ParseDnsType(spec_.dns_record_type);
        if (!type) return Fail(ErrorClass::kUnsupported, "unsupported DNS record type '" + spec_.dns_record_type + "'");
        type_ = *type;
        std::string name = StripBrackets(spec_.host);
        if (name.empty()) return Fail(ErrorClass::kDns, "no name to look up");
        if (type_ == DnsType::kPtr) {
            if (auto ip = ParseIp(name)) name = ReverseName(*ip);
        }
        auto core = core_.lock();
        if (!core) return;
        auto channel = core->DnsChannel(spec_.dns_resolver);
        if (!channel) return Fail(ErrorClass::kDns, "bad dns_resolver: " + channel.error().message);
        resolver_label_ = spec_.dns_resolver.empty() ? std::string("the system resolver") : spec_.dns_resolver;
        phase_ = "waiting for a reply from " + resolver_label_;
        auto* holder = new std::shared_ptr<DnsCheck>(Self<DnsCheck>());
        (*channel)->Query(name, static_cast<int>(type_), &DnsCheck::OnReply, holder);
    }

    static void OnReply(void* arg, int status, int /*timeouts*/, unsigned char* reply, int length) {
        std::unique_ptr<std::shared_ptr<DnsCheck>> holder(static_cast<std::shared_ptr<DnsCheck>*>(arg));
        if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) return;
        (*holder)->HandleReply(status, reply, length);
    }

    void HandleReply(int status, const unsigned char* reply, int length) {
        if (finished()) return;
        // c-ares hands over the reply for NXDOMAIN, NODATA and (with NOCHECKRESP) SERVFAIL
        // too; any reply is an answer for the conditions to judge.
        if (reply != nullptr && length > 0) {
            auto parsed = ParseDnsReply(reply, static_cast<std::size_t>(length), type_);
            if (!parsed) return Fail(ErrorClass::kProtocol, parsed.error().message);
            obs_.reached = true;
            obs_.dns_rcode = DnsRcodeName(parsed->rcode);
            obs_.dns_answers = std::move(parsed->answers);
            obs_.timings.dns = Elapsed();
            return Finish();
        }
        switch (status) {
            case ARES_ETIMEOUT:
                return Fail(ErrorClass::kTimeout, "no reply from " + resolver_label_);
            case ARES_ECONNREFUSED:
                return Fail(ErrorClass::kConnect, "resolver refused the connection");
            case ARES_EBADRESP:
            case ARES_EFORMERR:
                return Fail(ErrorClass::kProtocol, std::string("bad reply: ") + ares_strerror(status));
            default:
                return Fail(ErrorClass::kDns, ares_strerror(status));
        }
    }

    void Abort() override {}  // the c-ares query ends by itself; its late reply is ignored

    DnsType type_ = DnsType::kA;
    std::string resolver_label_;
};

class IcmpCheck final : public PendingCheck {
public:
    IcmpCheck(const std::shared_ptr<NetCore>& core, const CheckSpec& spec, ObservationDone done)
        : PendingCheck(core, spec, std::move(done)), socket_(io_) {
        const std::uint64_t a = core->Random();
        const std::uint64_t b = core->Random();
        std::memcpy(payload_.data(), &a, sizeof a);
        std::memcpy(payload_.data() + sizeof a, &b, sizeof b);
        sequence_ = core->NextSequence();
    }

private:
    void Begin() override {
        Resolve([this](Addresses addresses) { Send(addresses.front()); });
    }

    void Send(const asio::ip::address& address) {
        ipv6_ = address.is_v6();
        const asio::generic::datagram_protocol protocol(
            ipv6_ ? AF_INET6 : AF_INET, ipv6_ ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP)
        );
        error_code ec;
        socket_.open(protocol, ec);
        if (ec == boost::system::errc::permission_denied || ec == boost::system::errc::operation_not_permitted) {
            return Fail(
                ErrorClass::kUnsupported,
                "ICMP echo needs unprivileged ICMP sockets, which this host does not allow for the "
                "server's group (" +
                    ec.message() + "); allow them with sysctl net.ipv4.ping_group_range (e.g. \"0 2147483647\")"
            );
        }
        if (ec) return Fail(ErrorClass::kUnsupported, "cannot open an ICMP socket: " + ec.message());

        const asio::ip::udp::endpoint ip_endpoint(address, 0);
        const asio::generic::datagram_protocol::endpoint target(
            ip_endpoint.data(), ip_endpoint.size(), protocol.protocol()
        );
        request_ = BuildEchoRequest(ipv6_, sequence_, payload_);
        phase_ = "waiting for the echo reply from " + address.to_string();
        Receive();
        sent_at_ = SteadyClock::now();
        socket_.async_send_to(
            asio::buffer(request_),
            target,
            [self = Self<IcmpCheck>(), address](const error_code& send_ec, std::size_t) {
                if (self->finished() || !send_ec) return;
                self->Fail(
                    ErrorClass::kConnect,
                    "cannot send an echo request to " + address.to_string() + ": " + send_ec.message()
                );
            }
        );
    }

    void Receive() {
        socket_.async_receive_from(
            asio::buffer(reply_),
            sender_,
            [self = Self<IcmpCheck>()](const error_code& ec, std::size_t size) {
                if (self->finished()) return;
                if (ec) return self->Fail(ErrorClass::kConnect, "cannot receive the echo reply: " + ec.message());
                // Other replies (a duplicate, a stale sequence) are skipped.
                if (!IsEchoReplyTo(
                        self->ipv6_, std::span(self->reply_.data(), size), self->sequence_, self->payload_
                    )) {
                    return self->Receive();
                }
                self->obs_.timings.total = Since(self->sent_at_);
                self->obs_.reached = true;
                self->Finish(/*keep_total=*/true);
            }
        );
    }

    void Abort() override {
        error_code ignored;
        socket_.close(ignored);
    }

    asio::generic::datagram_protocol::socket socket_;
    std::array<unsigned char, 16> payload_{};
    std::uint16_t sequence_ = 0;
    bool ipv6_ = false;
    std::vector<unsigned char> request_;
    std::array<unsigned char, 2048> reply_{};
    asio::generic::datagram_protocol::endpoint sender_;
    SteadyClock::time_point sent_at_{};
};

template <class Check>
void Launch(const std::shared_ptr<NetCore>& core, const CheckSpec& spec, ObservationDone done) {
    std::make_shared<Check>(core, spec, std::move(done))->Launch();
}

}  // namespace

NetChecks::NetChecks(asio::io_context& io) : core_(std::make_shared<NetCore>(io)) {}

NetChecks::~NetChecks() {
    core_->CancelAll();
    // Destroys the c-ares channels now, while the io_context is still alive.
    core_.reset();
}

void NetChecks::StartTcp(const CheckSpec& spec, ObservationDone done) {
    Launch<TcpCheck>(core_, spec, std::move(done));
}
void NetChecks::StartTls(const CheckSpec& spec, ObservationDone done) {
    Launch<TlsCheck>(core_, spec, std::move(done));
}
void NetChecks::StartDns(const CheckSpec& spec, ObservationDone done) {
    Launch<DnsCheck>(core_, spec, std::move(done));
}
void NetChecks::StartIcmp(const CheckSpec& spec, ObservationDone done) {
    Launch<IcmpCheck>(core_, spec, std::move(done));
}
void NetChecks::CancelAll() {
    core_->CancelAll();
}

}  // namespace tocsin::checks::detail
