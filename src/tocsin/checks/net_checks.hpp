/// @file
/// @brief The engine's non-HTTP checks: TCP connect, TLS handshake, DNS query, ICMP echo.
///
/// Internal to the checks module. Everything runs asynchronously on the engine's one
/// io_context thread: names resolve through one c-ares channel driven by that loop, DNS
/// monitors query through c-ares channels per resolver, sockets are Asio objects. Nothing
/// here blocks the loop, spawns a thread or throws for a failed check: a failure is an
/// Observation with reached = false and an ErrorClass.
#pragma once

#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/observation.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

namespace tocsin::checks::detail {

class NetCore;  // net_checks.cpp: channels, TLS contexts, the pending checks

/// Receives the Observation of one check. Called on the io_context thread.
using ObservationDone = std::function<void(monitor::Observation)>;

/// Runs TCP, TLS, DNS and ICMP checks. One per engine; every method must be called on the
/// io_context's thread (the engine's loop), and that io_context must outlive this object.
///
/// Contract shared by the Start* methods:
/// - they return at once; `done` is called exactly once, later (never from inside Start*),
///   on the io_context thread, at the latest about spec.timeout after the call;
/// - Observation.timings are cumulative from the call, like curl's: `dns` when the name
///   was resolved (absent for IP literals), `connect` when TCP connected, `tls` when the
///   handshake finished, `total` when the check ended (ICMP: the echo round trip);
/// - a missing answer within spec.timeout is ErrorClass::kTimeout, whatever the phase.
class NetChecks {
public:
    explicit NetChecks(boost::asio::io_context& io);
    /// Drops pending checks (as CancelAll) and closes the c-ares channels.
    ~NetChecks();
    NetChecks(const NetChecks&) = delete;
    NetChecks& operator=(const NetChecks&) = delete;

    /// Connects to spec.host:spec.port (every resolved address in turn). Reached once
    /// connected; kDns when the name does not resolve, kConnect when refused/unreachable.
    void StartTcp(const monitor::CheckSpec& spec, ObservationDone done);

    /// Connects to spec.host:spec.port (443 when 0) and completes a TLS handshake with SNI
    /// spec.server_name (or spec.host; no SNI for IP literals). With spec.verify_tls the
    /// chain is verified against the system store plus spec.ca_pem and the name against the
    /// certificate; a failure is kTls with OpenSSL's reason. certificate_days_left is set
    /// whenever the leaf certificate was seen (also on a verification failure).
    void StartTls(const monitor::CheckSpec& spec, ObservationDone done);

    /// Asks spec.dns_resolver ("ip", "ip:port", "[ipv6]:port"; empty: resolv.conf) for the
    /// spec.dns_record_type records of spec.host (for PTR, an IP literal host is turned into
    /// its reverse name). Any reply is reached, with dns_rcode ("NXDOMAIN", ...) and the
    /// answers of the asked type as text; no reply is kTimeout.
    void StartDns(const monitor::CheckSpec& spec, ObservationDone done);

    /// Sends one ICMP (or ICMPv6) echo request to spec.host through an unprivileged
    /// datagram socket and waits for its reply; timings.total is the round-trip time.
    /// Where the kernel forbids such sockets (sysctl net.ipv4.ping_group_range) the check
    /// is kUnsupported, with a message saying so.
    void StartIcmp(const monitor::CheckSpec& spec, ObservationDone done);

    /// Abandons every pending check: none of their `done` will be called, their sockets
    /// close, and their memory is freed once the io_context runs or is destroyed. Call it
    /// before stopping the io_context. New checks may be started afterwards.
    void CancelAll();

private:
    // Shared so that a check's handlers can tell, through a weak_ptr, that the core is gone.
    std::shared_ptr<NetCore> core_;
};

}  // namespace tocsin::checks::detail
