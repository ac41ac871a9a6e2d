/// @file
/// @brief The severity model as data: one table between PagerDuty severity, Opsgenie priority,
/// Alertmanager `severity` label values and urgency.
///
/// Each row names a PagerDuty severity (critical|error|warning|info), the Opsgenie priority
/// it corresponds to (1..5), the Alertmanager label values that mean it, and the urgency.
/// The default table is built in; the store keeps an override (severity_map) that replaces it.
#pragma once

#include "tocsin/alerts/alert.hpp"
#include "tocsin/common/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::alerts {

struct SeverityRow {
    std::string severity;                   // critical|error|warning|info
    std::vector<int> priorities;            // Opsgenie P-numbers mapped to this severity (first: canonical)
    std::vector<std::string> label_values;  // Alertmanager `severity` label values (lower case)
    Urgency urgency = Urgency::kHigh;
};

/// What an event's severity resolves to.
struct SeverityLevel {
    std::string severity = "error";
    int priority = 3;
    Urgency urgency = Urgency::kHigh;
};

class SeverityTable {
public:
    /// critical: P1, labels critical|page|p1, high; error: P2 and P3, error|high|major|p2|p3, high;
    /// warning: P4, warning|warn|medium|minor|p4, low; info: P5, info|low|none|p5, low.
    static SeverityTable Default();
    /// Checks a table: the four severities exactly once each, priorities 1..5 each exactly once,
    /// no label value twice. Errors name the field ("rows[2].priorities").
    static Result<SeverityTable> FromRows(std::vector<SeverityRow> rows);
    /// JSON `{"rows":[{"severity":..,"priorities":[..],"label_values":[..],"urgency":"high"}]}`.
    static Result<SeverityTable> FromJson(std::string_view json);
    [[nodiscard]] std::string ToJson() const;

    [[nodiscard]] const std::vector<SeverityRow>& Rows() const { return rows_; }

    /// By PagerDuty severity; nullopt if unknown.
    [[nodiscard]] std::optional<SeverityLevel> BySeverity(std::string_view severity) const;
    /// By Opsgenie priority 1..5; nullopt if out of range.
    [[nodiscard]] std::optional<SeverityLevel> ByPriority(int priority) const;
    /// By Alertmanager `severity` label value (case-insensitive); nullopt if unknown.
    [[nodiscard]] std::optional<SeverityLevel> ByLabel(std::string_view value) const;
    /// The event's level: explicit severity, else priority, else a `severity` label, else "error".
    [[nodiscard]] SeverityLevel Resolve(
        const std::optional<std::string>& severity,
        const std::optional<int>& priority,
        const std::vector<std::pair<std::string, std::string>>& labels
    ) const;

private:
    std::vector<SeverityRow> rows_;
};

}  // namespace tocsin::alerts
