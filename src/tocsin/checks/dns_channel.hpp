/// @file
/// @brief AresChannel: one c-ares channel driven by an Asio io_context.
///
/// c-ares tells us which of its sockets to watch (sock_state_cb); each becomes a
/// posix::stream_descriptor waited on without owning the fd, and one steady_timer follows
/// ares_timeout(). Internal to the checks module; used only on the io_context's thread.
#pragma once

#include "tocsin/common/result.hpp"

#include <ares.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tocsin::checks::detail {

/// A DNS server with its port (53 unless given).
struct DnsServer {
    std::string address;  // IPv4 or IPv6 literal, no brackets
    int port = 53;
};

/// Parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port"; a bare IPv6 literal has no port.
[[nodiscard]] Result<DnsServer> ParseDnsServer(std::string_view text);

struct AresChannelOptions {
    /// Empty: the servers of /etc/resolv.conf.
    std::vector<DnsServer> servers;
    /// Hand SERVFAIL/REFUSED/NOTIMP replies to the caller instead of trying the next
    /// server (a DNS monitor wants to see them; name resolution wants the failover).
    bool pass_error_replies = false;
    /// Per-try timeout and tries; 0 keeps c-ares' (or resolv.conf's) defaults. c-ares
    /// doubles the per-try timeout after each round over the servers.
    int timeout_ms = 0;
    int tries = 0;
};

class AresChannel : public std::enable_shared_from_this<AresChannel> {
public:
    /// Fails (kUnavailable) when c-ares cannot initialise or rejects the servers.
    [[nodiscard]] static Result<std::shared_ptr<AresChannel>> Create(
        boost::asio::io_context& io, const AresChannelOptions& options
    );
    /// ares_destroy(): every pending callback runs now with ARES_EDESTRUCTION.
    ~AresChannel();
    AresChannel(const AresChannel&) = delete;
    AresChannel& operator=(const AresChannel&) = delete;

    /// ares_query (class IN, recursion desired, no search list). `callback` may run before
    /// this returns (e.g. on a bad name) and always runs exactly once.
    void Query(const std::string& name, int type, ares_callback callback, void* arg);

    /// ares_getaddrinfo for TCP/UDP-agnostic address lookup (hosts file, then DNS).
    /// `callback` may run before this returns and always runs exactly once.
    void GetAddrInfo(const std::string& host, int family, ares_addrinfo_callback callback, void* arg);

    /// ares_cancel(): every pending callback runs now with ARES_ECANCELLED.
    void Cancel();

private:
    struct Watch;

    AresChannel(boost::asio::io_context& io);
    static void OnSocketState(void* data, ares_socket_t fd, int readable, int writable);
    void UpdateWatch(ares_socket_t fd, bool readable, bool writable);
    void ArmWait(const std::shared_ptr<Watch>& watch, bool for_write);
    void ArmTimer();
    void Process(ares_socket_t read_fd, ares_socket_t write_fd);

    boost::asio::io_context& io_;
    ares_channel channel_ = nullptr;
    boost::asio::steady_timer timer_;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> watches_;
};

}  // namespace tocsin::checks::detail
