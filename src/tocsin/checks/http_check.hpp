/// @file
/// @brief HTTP(S) checks through libcurl's multi socket interface, driven by an Asio loop.
///
/// Internal to the checks module. One HttpChecks per engine, used only from the thread that
/// runs its io_context. Every check uses a fresh connection (no reuse, no TLS session
/// resumption), so connect and TLS times are measured on every run and a changed
/// certificate is seen at once. Names resolve through libcurl's threaded resolver (one
/// short-lived thread per uncached lookup; answers cached 60 s per engine).
#pragma once

#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/observation.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace tocsin::checks::detail {

/// Receives the observation of one check, on the io thread. (Also declared, identically,
/// by net_checks.hpp.)
using ObservationDone = std::function<void(monitor::Observation)>;

class HttpChecks {
public:
    /// `location` goes into the User-Agent ("tocsin-monitor/0.1 (location berlin)"), so a
    /// target's logs tell which probe asked.
    explicit HttpChecks(boost::asio::io_context& io, const std::string& location = "local");
    ~HttpChecks();  // abandons checks in flight without calling their `done`
    HttpChecks(const HttpChecks&) = delete;
    HttpChecks& operator=(const HttpChecks&) = delete;

    /// Starts one HTTP(S) check of `spec` (url, method, headers, body, auth, redirects,
    /// TLS verification, ca_pem, timeout). Calls `done` exactly once, on the io thread,
    /// never from inside Start, within spec.timeout plus the loop's latency.
    void Start(const monitor::CheckSpec& spec, ObservationDone done);

    /// Ends every check in flight without calling its `done`.
    void CancelAll();

    [[nodiscard]] std::size_t InFlight() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin::checks::detail
