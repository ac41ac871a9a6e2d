// c-ares owns its sockets and does its own reads and writes; we only tell it when one is
// ready (ares_process_fd) and when its next timeout is due. Asio's async_wait on a
// non-owning stream_descriptor gives exactly that readiness, without a thread and
// without a second poll loop.
#include "tocsin/checks/dns_channel.hpp"

#include <arpa/inet.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <charconv>
#include <chrono>
#include <cstring>

namespace tocsin::checks::detail {

namespace asio = boost::asio;

Result<DnsServer> ParseDnsServer(std::string_view text) {
    DnsServer server;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return Error::Invalid("dns_resolver", "missing ']'");
        server.address = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return Error::Invalid("dns_resolver", "expected ':port' after ']'");
            port_text = rest.substr(1);
            if (port_text.empty()) return Error::Invalid("dns_resolver", "empty port");
        }
    } else if (const auto colon = text.find(':'); colon != std::string_view::npos && text.rfind(':') == colon) {
        // Exactly one colon: IPv4 with a port. More than one: a bare IPv6 literal.
        server.address = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
        if (port_text.empty()) return Error::Invalid("dns_resolver", "empty port");
    } else {
        server.address = std::string(text);
    }
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(AF_INET, server.address.c_str(), buf) != 1 && inet_pton(AF_INET6, server.address.c_str(), buf) != 1) {
        return Error::Invalid("dns_resolver", "'" + server.address + "' is not an IP address");
    }
    if (!port_text.empty()) {
        const auto* end = port_text.data() + port_text.size();
        auto [ptr, ec] = std::from_chars(port_text.data(), end, server.port);
        if (ec != std::errc() || ptr != end || server.port < 1 || server.port > 65535) {
            return Error::Invalid("dns_resolver", "bad port '" + std::string(port_text) + "'");
        }
    }
    return server;
}

/// One socket c-ares asked us to watch. The descriptor does not own the fd (c-ares closes
/// it); `closed` turns true when c-ares stops using it, so late wait handlers do nothing.
struct AresChannel::Watch {
    Watch(asio::io_context& io, ares_socket_t socket_fd) : descriptor(io), fd(socket_fd) {}
    ~Watch() { Release(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    void Release() {
        closed = true;
        // release() deregisters from the reactor (pending waits complete with
        // operation_aborted) and leaves the fd open for c-ares to close.
        if (descriptor.is_open()) descriptor.release();
    }

    asio::posix::stream_descriptor descriptor;
    ares_socket_t fd;
    bool want_read = false;
    bool want_write = false;
    bool read_pending = false;
    bool write_pending = false;
    bool closed = false;
};

AresChannel::AresChannel(asio::io_context& io) : io_(io), timer_(io) {}

Result<std::shared_ptr<AresChannel>> AresChannel::Create(asio::io_context& io, const AresChannelOptions& options) {
    // ares_library_init is not thread-safe; a function-local static runs it once.
    static const int library_status = ares_library_init(ARES_LIB_INIT_ALL);
    if (library_status != ARES_SUCCESS) {
        return Error::Unavailable(std::string("c-ares library init: ") + ares_strerror(library_status));
    }

    std::shared_ptr<AresChannel> channel(new AresChannel(io));
    ares_options opts{};
    int mask = ARES_OPT_SOCK_STATE_CB;
    opts.sock_state_cb = &AresChannel::OnSocketState;
    opts.sock_state_cb_data = channel.get();
    if (options.pass_error_replies) {
        mask |= ARES_OPT_FLAGS;
        opts.flags = ARES_FLAG_NOCHECKRESP;
    }
    if (options.timeout_ms > 0) {
        mask |= ARES_OPT_TIMEOUTMS;
        opts.timeout = options.timeout_ms;
    }
    if (options.tries > 0) {
        mask |= ARES_OPT_TRIES;
        opts.tries = options.tries;
    }
    if (const int rc = ares_init_options(&channel->channel_, &opts, mask); rc != ARES_SUCCESS) {
        channel->channel_ = nullptr;
        return Error::Unavailable(std::string("c-ares init: ") + ares_strerror(rc));
    }

    if (!options.servers.empty()) {
        std::vector<ares_addr_port_node> nodes(options.servers.size());
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            auto& node = nodes[i];
            const auto& server = options.servers[i];
            node.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
            if (inet_pton(AF_INET, server.address.c_str(), &node.addr.addr4) == 1) {
                node.family = AF_INET;
            } else if (inet_pton(AF_INET6, server.address.c_str(), &node.addr.addr6) == 1) {
                node.family = AF_INET6;
            } else {
                return Error::Invalid("dns_resolver", "'" + server.address + "' is not an IP address");
            }
            node.udp_port = server.port;
            node.tcp_port = server.port;
        }
        if (const int rc = ares_set_servers_ports(channel->channel_, nodes.data()); rc != ARES_SUCCESS) {
            return Error::Unavailable(std::string("c-ares set servers: ") + ares_strerror(rc));
        }
    }
    return channel;
}

AresChannel::~AresChannel() {
    if (channel_ != nullptr) ares_destroy(channel_);
    for (auto& [fd, watch] : watches_) watch->Release();
    watches_.clear();
}

void AresChannel::Query(const std::string& name, int type, ares_callback callback, void* arg) {
    constexpr int kClassIn = 1;
    ares_query(channel_, name.c_str(), kClassIn, type, callback, arg);
    ArmTimer();
}

void AresChannel::GetAddrInfo(const std::string& host, int family, ares_addrinfo_callback callback, void* arg) {
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, callback, arg);
    ArmTimer();
}

void AresChannel::Cancel() {
    ares_cancel(channel_);
    ArmTimer();
}

void AresChannel::OnSocketState(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<AresChannel*>(data)->UpdateWatch(fd, readable != 0, writable != 0);
}

void AresChannel::UpdateWatch(ares_socket_t fd, bool readable, bool writable) {
    auto it = watches_.find(fd);
    if (!readable && !writable) {
        // c-ares is about to close this fd; the number may come back for a new socket.
        if (it != watches_.end()) {
            it->second->Release();
            watches_.erase(it);
        }
        return;
    }
    if (it == watches_.end()) {
        auto watch = std::make_shared<Watch>(io_, fd);
        boost::system::error_code ec;
        watch->descriptor.assign(fd, ec);
        if (ec) {
            // Cannot happen for a fresh socket short of reactor exhaustion; c-ares still
            // ends the query through its own timeout, driven by the timer.
            return;
        }
        it = watches_.emplace(fd, std::move(watch)).first;
    }
    auto watch = it->second;
    watch->want_read = readable;
    watch->want_write = writable;
    ArmWait(watch, false);
    ArmWait(watch, true);
}

void AresChannel::ArmWait(const std::shared_ptr<Watch>& watch, bool for_write) {
    bool& pending = for_write ? watch->write_pending : watch->read_pending;
    const bool wanted = for_write ? watch->want_write : watch->want_read;
    if (pending || !wanted || watch->closed) return;
    pending = true;
    watch->descriptor.async_wait(
        for_write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read,
        [weak = weak_from_this(), watch, for_write](const boost::system::error_code& ec) {
            (for_write ? watch->write_pending : watch->read_pending) = false;
            if (watch->closed || ec == asio::error::operation_aborted) return;
            auto self = weak.lock();
            if (!self) return;
            // Any other wait error is left for c-ares to discover by reading the socket.
            if (for_write) {
                self->Process(ARES_SOCKET_BAD, watch->fd);
            } else {
                self->Process(watch->fd, ARES_SOCKET_BAD);
            }
            self->ArmWait(watch, for_write);
        }
    );
}

void AresChannel::ArmTimer() {
    timeval tv{};
    if (ares_timeout(channel_, nullptr, &tv) == nullptr) {
        timer_.cancel();
        return;
    }
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->Process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
}

void AresChannel::Process(ares_socket_t read_fd, ares_socket_t write_fd) {
    // Keeps the channel alive if a callback run by ares_process_fd drops the last owner.
    auto keep = shared_from_this();
    ares_process_fd(channel_, read_fd, write_fd);
    ArmTimer();
}

}  // namespace tocsin::checks::detail
