/// @file
/// @brief A monitor as JSON: the API's field names, used by the API, the store and the
/// YAML config (which converts its nodes to JSON first), so all three agree.
///
///     {"name": "API", "type": "http", "url": "https://api.example.com/health",
///      "method": "GET", "headers": {"Accept": "application/json"}, "body": "",
///      "basic_auth": {"username": "u", "password": "p"}, "bearer_token": "t",
///      "follow_redirects": true, "verify_tls": true, "ca_pem": "",
///      "host": "", "port": 0, "server_name": "", "dns_record_type": "A", "dns_resolver": "",
///      "timeout_ms": 10000, "interval_s": 60, "retries": 1, "degraded_threshold_ms": 800,
///      "locations": ["local"], "quorum": 1, "recovery_period_s": 60,
///      "components": [{"component_id": "abc", "down_status": "major_outage",
///                      "degraded_status": "degraded_performance"}],
///      "create_incidents": true, "heartbeat_grace_s": 60, "conditions": ["[STATUS] == 200"],
///      "enabled": true}
#pragma once

#include "tocsin/common/result.hpp"
#include "tocsin/monitor/monitor.hpp"
#include "tocsin/monitor/observation.hpp"

#include <boost/json/fwd.hpp>

#include <string>

namespace tocsin::monitor {

/// Applies the fields present in `o` onto `base` (absent fields keep base's value), then
/// validates. Unknown fields, wrong types and bad values are errors naming the field.
/// `type` cannot change on an existing monitor (base.id not empty).
[[nodiscard]] Result<Monitor> MonitorFromJson(const boost::json::object& o, Monitor base);

enum class Secrets { kInclude, kRedact };

/// The monitor as a JSON object. kRedact (API output) leaves out the password, bearer
/// token and heartbeat token hash and lists which secrets are set in "secrets_set".
[[nodiscard]] boost::json::object MonitorToJson(const Monitor& m, Secrets secrets);

/// Serialised MonitorToJson(m, kInclude) and its inverse, for the store.
[[nodiscard]] std::string MonitorToStoredJson(const Monitor& m);
[[nodiscard]] Result<Monitor> MonitorFromStoredJson(const std::string& text);

[[nodiscard]] boost::json::object CheckResultToJson(const CheckResult& r);
/// For results pushed by remote probes; every field checked.
[[nodiscard]] Result<CheckResult> CheckResultFromJson(const boost::json::value& v);

}  // namespace tocsin::monitor

namespace tocsin::monitor {
struct MonitorState;
/// The bookkeeping part of a MonitorState (locations, automation links) for the store.
[[nodiscard]] std::string MonitorStateToStoredJson(const MonitorState& s);
[[nodiscard]] Result<void> MonitorStateFromStoredJson(const std::string& text, MonitorState& s);
}  // namespace tocsin::monitor
