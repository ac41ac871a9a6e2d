/// @file
/// @brief A monitor: what to check, how often, from where, and what its outcome means.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::monitor {

enum class MonitorType { kHttp, kTcp, kDns, kTls, kIcmp, kHeartbeat };

[[nodiscard]] std::string_view MonitorTypeName(MonitorType t);  // "http", "tcp", ...
[[nodiscard]] std::optional<MonitorType> ParseMonitorType(std::string_view s);

/// Where a check goes and how. One flat struct: each type reads the fields it needs
/// (documented per field); Validate() rejects what a type requires but lacks.
struct CheckSpec {
    MonitorType type = MonitorType::kHttp;

    // http: absolute http:// or https:// URL.
    std::string url;
    std::string method = "GET";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string basic_user;  // basic auth when not empty
    std::string basic_password;
    std::string bearer_token;  // "Authorization: Bearer" when not empty
    bool follow_redirects = true;
    bool verify_tls = true;  // http (https URLs) and tls
    std::string ca_pem;      // extra trusted CA certificates (PEM), empty: system store

    // tcp, tls, icmp, dns (the name to look up): host name or IP literal.
    std::string host;
    int port = 0;             // tcp, tls (default 443)
    std::string server_name;  // tls: SNI and name to verify; empty: host

    // dns
    std::string dns_record_type = "A";  // A, AAAA, CNAME, MX, NS, TXT, SOA, PTR, SRV, CAA
    std::string dns_resolver;           // "ip" or "ip:port"; empty: the system's first nameserver

    std::chrono::milliseconds timeout{10'000};
};

/// What the linked component's status becomes for each confirmed monitor state.
struct ComponentLink {
    std::string component_id;
    std::string down_status = "major_outage";  // a component status name
    std::string degraded_status = "degraded_performance";
};

struct Monitor {
    std::string id;
    std::string name;
    CheckSpec spec;
    /// Condition expressions (condition.hpp); all must hold. Empty: the type's default
    /// (http: [STATUS] < 400; others: reached).
    std::vector<std::string> conditions;

    std::chrono::seconds interval{60};  // >= 10 s
    int retries = 1;                    // failures before a location is down: retries + 1 in a row
    std::optional<std::chrono::milliseconds> degraded_threshold;  // slower than this: degraded
    std::vector<std::string> locations{"local"};
    int quorum = 1;                            // locations that must agree before the monitor is down
    std::chrono::seconds recovery_period{60};  // up this long before an automatic incident resolves
    std::vector<ComponentLink> components;
    bool create_incidents = true;

    // heartbeat: the sender must call /api/v1/heartbeats/{token} at least every `interval`,
    // with `grace` slack. Only the token's hash is stored.
    std::chrono::seconds heartbeat_grace{60};
    std::string heartbeat_token_hash;

    bool enabled = true;
    std::string source = "api";  // "api" or "config" (declared in the YAML file; read-only in the API)
    TimePoint created_at{};
    TimePoint updated_at{};
};

/// Checks the monitor's own rules (intervals, required fields per type, URL syntax,
/// quorum <= locations, condition syntax). The error names the bad field with the same
/// dotted path the API uses (e.g. "conditions[2]", "url").
[[nodiscard]] Result<void> Validate(const Monitor& m);

}  // namespace tocsin::monitor
