/// @file
/// @brief `tocsin import opsgenie <export.json|dir>`: Opsgenie objects → tocsin objects.
///
/// Reads an export made of Opsgenie REST API responses (teams, users, services, integrations,
/// heartbeats, escalations, schedules; each as `{"data": [...]}` or a bare array), either one
/// JSON object holding those keys or a folder of `<kind>.json` files, and creates:
///   - services (by name; team name from the owning team),
///   - one opsgenie integration key per Opsgenie API-type integration (secret printed once),
///     on the service of the integration's team (or a service named after the integration),
///   - heartbeats under the key of their owner team's service,
///   - users (no password: they cannot sign in until an owner sets one).
/// Teams, schedules and escalations are reported, to be used by the on-call issue.
/// Idempotent: a second run finds everything by name and creates nothing.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <string>
#include <vector>

namespace tocsin::app {

struct OpsgenieImportReport {
    std::vector<std::string> created;   // one line per created object ("service Payments")
    std::vector<std::string> existing;  // found from an earlier run
    std::vector<std::string> secrets;   // "key <name> for service <s>: <secret>" (shown once)
    std::vector<std::string> deferred;  // kept for the next issue (teams, schedules, escalations)
    std::vector<std::string> unmapped;  // "<kind> <name>: <why>"
};

/// Reads the export at `path` (a file or a folder). An error only for unreadable input
/// (missing path, not JSON, not an object).
[[nodiscard]] Result<std::string> ReadOpsgenieExport(const std::string& path);

/// Imports the export text (a JSON object with the kinds as keys). One write transaction.
[[nodiscard]] Result<OpsgenieImportReport> ImportOpsgenie(
    store::Store& store, const Clock& clock, const std::string& export_json
);

/// Prints the report for people (summary first, secrets, then what was not mapped).
std::string FormatReport(const OpsgenieImportReport& r);

}  // namespace tocsin::app
