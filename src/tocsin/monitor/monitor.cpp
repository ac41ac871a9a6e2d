#include "tocsin/monitor/monitor.hpp"

#include "tocsin/domain/component.hpp"
#include "tocsin/monitor/condition.hpp"

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <set>

namespace tocsin::monitor {
namespace {

constexpr std::array<std::pair<MonitorType, std::string_view>, 6> kTypes{{
    {MonitorType::kHttp, "http"},
    {MonitorType::kTcp, "tcp"},
    {MonitorType::kDns, "dns"},
    {MonitorType::kTls, "tls"},
    {MonitorType::kIcmp, "icmp"},
    {MonitorType::kHeartbeat, "heartbeat"},
}};

constexpr std::array<std::string_view, 10> kDnsTypes{
    "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "PTR", "SRV", "CAA"};

bool ValidHost(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    return std::all_of(h.begin(), h.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%';
    });
}

Result<void> ValidateSpec(const CheckSpec& s) {
    using std::chrono::milliseconds;
    if (s.timeout < milliseconds(100) || s.timeout > milliseconds(60'000)) {
        return Error::Invalid("timeout_ms", "timeout_ms must be between 100 and 60000");
    }
    switch (s.type) {
        case MonitorType::kHttp: {
            auto u = boost::urls::parse_absolute_uri(s.url);
            if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->encoded_host().empty()) {
                return Error::Invalid("url", "url must be an absolute http:// or https:// URL with a host");
            }
            static constexpr std::array<std::string_view, 7> kMethods{
                "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
            if (std::find(kMethods.begin(), kMethods.end(), s.method) == kMethods.end()) {
                return Error::Invalid("method", "method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
            }
            for (std::size_t i = 0; i < s.headers.size(); ++i) {
                const auto& [name, value] = s.headers[i];
                bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) ||
                           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
                });
                if (!ok || value.find_first_of("\r\n") != std::string::npos) {
                    return Error::Invalid(
                        fmt::format("headers.{}", name),
                        "header names must be tokens and values must not contain line breaks"
                    );
                }
            }
            if (s.body.size() > 64 * 1024) return Error::Invalid("body", "body must be at most 64 KiB");
            break;
        }
        case MonitorType::kTcp:
        case MonitorType::kTls:
            if (!ValidHost(s.host)) return Error::Invalid("host", "host must be a host name or IP address");
            if (s.port < 1 || s.port > 65535) return Error::Invalid("port", "port must be between 1 and 65535");
            break;
        case MonitorType::kIcmp:
            if (!ValidHost(s.host)) return Error::Invalid("host", "host must be a host name or IP address");
            break;
        case MonitorType::kDns:
            if (!ValidHost(s.host)) return Error::Invalid("host", "host must be the DNS name to look up");
            if (std::find(kDnsTypes.begin(), kDnsTypes.end(), s.dns_record_type) == kDnsTypes.end()) {
                return Error::Invalid(
                    "dns_record_type", "dns_record_type must be one of A, AAAA, CNAME, MX, NS, TXT, SOA, PTR, SRV, CAA"
                );
            }
            if (!s.dns_resolver.empty() && !ValidHost(s.dns_resolver)) {
                return Error::Invalid("dns_resolver", "dns_resolver must be an IP address, optionally with :port");
            }
            break;
        case MonitorType::kHeartbeat:
            break;
    }
    if (s.ca_pem.size() > 256 * 1024) return Error::Invalid("ca_pem", "ca_pem must be at most 256 KiB");
    if (!s.ca_pem.empty() && s.ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        return Error::Invalid("ca_pem", "ca_pem must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
    }
    return {};
}

}  // namespace

std::string_view MonitorTypeName(MonitorType t) {
    for (const auto& [value, name] : kTypes) {
        if (value == t) return name;
    }
    return "unknown";
}

std::optional<MonitorType> ParseMonitorType(std::string_view s) {
    for (const auto& [value, name] : kTypes) {
        if (name == s) return value;
    }
    return std::nullopt;
}

Result<void> Validate(const Monitor& m) {
    using std::chrono::seconds;
    if (m.name.empty() || m.name.size() > 200) return Error::Invalid("name", "name must be 1 to 200 characters");
    TOCSIN_TRY(ValidateSpec(m.spec));
    if (m.interval < seconds(10) || m.interval > seconds(86'400)) {
        return Error::Invalid("interval_s", "interval_s must be between 10 and 86400");
    }
    if (m.spec.type != MonitorType::kHeartbeat && m.spec.timeout > m.interval) {
        return Error::Invalid("timeout_ms", "timeout_ms must not exceed the interval");
    }
    if (m.retries < 0 || m.retries > 10) return Error::Invalid("retries", "retries must be between 0 and 10");
    if (m.degraded_threshold && (m.degraded_threshold->count() < 1 || *m.degraded_threshold > m.spec.timeout)) {
        return Error::Invalid("degraded_threshold_ms", "degraded_threshold_ms must be between 1 and timeout_ms");
    }
    if (m.locations.empty()) return Error::Invalid("locations", "locations must name at least one location");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < m.locations.size(); ++i) {
        const auto& l = m.locations[i];
        bool ok = !l.empty() && l.size() <= 64 && std::all_of(l.begin(), l.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
        if (!ok)
            return Error::Invalid(
                fmt::format("locations[{}]", i), "a location is 1 to 64 letters, digits, '-', '_' or '.'"
            );
        if (!seen.insert(l).second)
            return Error::Invalid(fmt::format("locations[{}]", i), "location " + l + " is listed twice");
    }
    if (m.spec.type == MonitorType::kHeartbeat && m.locations != std::vector<std::string>{"local"}) {
        return Error::Invalid(
            "locations", "a heartbeat monitor is received by the server itself: locations must be [\"local\"]"
        );
    }
    if (m.quorum < 1 || m.quorum > static_cast<int>(m.locations.size())) {
        return Error::Invalid(
            "quorum", fmt::format("quorum must be between 1 and the number of locations ({})", m.locations.size())
        );
    }
    if (m.recovery_period < seconds(0) || m.recovery_period > seconds(86'400)) {
        return Error::Invalid("recovery_period_s", "recovery_period_s must be between 0 and 86400");
    }
    if (m.heartbeat_grace < seconds(0) || m.heartbeat_grace > seconds(86'400)) {
        return Error::Invalid("heartbeat_grace_s", "heartbeat_grace_s must be between 0 and 86400");
    }
    std::set<std::string> linked;
    for (std::size_t i = 0; i < m.components.size(); ++i) {
        const auto& c = m.components[i];
        auto prefix = fmt::format("components[{}]", i);
        if (c.component_id.empty()) return Error::Invalid(prefix + ".component_id", "component_id is required");
        if (!linked.insert(c.component_id).second) {
            return Error::Invalid(prefix + ".component_id", "component " + c.component_id + " is linked twice");
        }
        using Named = std::pair<const char*, const std::string*>;
        for (const auto& [key, value] :
             {Named{"down_status", &c.down_status}, Named{"degraded_status", &c.degraded_status}}) {
            auto st = domain::ParseComponentStatus(*value);
            if (!st || *st == domain::ComponentStatus::kOperational ||
                *st == domain::ComponentStatus::kUnderMaintenance) {
                return Error::Invalid(
                    prefix + "." + key,
                    std::string(key) + " must be degraded_performance, partial_outage or major_outage"
                );
            }
        }
    }
    if (m.conditions.size() > 32) return Error::Invalid("conditions", "at most 32 conditions");
    TOCSIN_TRY(ConditionSet::Parse(m.conditions));
    return {};
}

}  // namespace tocsin::monitor
