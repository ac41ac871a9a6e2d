#include "tocsin/alerts/severity.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace tocsin::alerts {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool IsKnownSeverity(std::string_view s) {
    return s == "critical" || s == "error" || s == "warning" || s == "info";
}

}  // namespace

SeverityTable SeverityTable::Default() {
    std::vector<SeverityRow> rows{
        {"critical", {1}, {"critical", "page", "p1", "fatal", "emergency"}, Urgency::kHigh},
        {"error", {2, 3}, {"error", "high", "major", "p2", "p3"}, Urgency::kHigh},
        {"warning", {4}, {"warning", "warn", "medium", "minor", "p4"}, Urgency::kLow},
        {"info", {5}, {"info", "low", "none", "p5", "informational"}, Urgency::kLow},
    };
    return FromRows(std::move(rows)).value();
}

Result<SeverityTable> SeverityTable::FromRows(std::vector<SeverityRow> rows) {
    std::set<std::string> seen_severity;
    std::set<int> seen_priority;
    std::set<std::string> seen_label;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& r = rows[i];
        if (!IsKnownSeverity(r.severity)) {
            return Error::Invalid(
                fmt::format("rows[{}].severity", i), "severity must be one of critical, error, warning, info"
            );
        }
        if (!seen_severity.insert(r.severity).second) {
            return Error::Invalid(fmt::format("rows[{}].severity", i), "severity appears twice");
        }
        if (r.priorities.empty()) {
            return Error::Invalid(fmt::format("rows[{}].priorities", i), "at least one priority (1..5) is needed");
        }
        for (int p : r.priorities) {
            if (p < 1 || p > 5) return Error::Invalid(fmt::format("rows[{}].priorities", i), "priorities are 1..5");
            if (!seen_priority.insert(p).second) {
                return Error::Invalid(
                    fmt::format("rows[{}].priorities", i), fmt::format("priority {} appears twice", p)
                );
            }
        }
        for (auto& v : r.label_values) {
            v = Lower(v);
            if (v.empty() || !seen_label.insert(v).second) {
                return Error::Invalid(
                    fmt::format("rows[{}].label_values", i),
                    fmt::format("label value '{}' is empty or appears twice", v)
                );
            }
        }
    }
    if (seen_severity.size() != 4) return Error::Invalid("rows", "the table needs exactly the four severities");
    if (seen_priority.size() != 5) return Error::Invalid("rows", "every priority 1..5 must be mapped");
    SeverityTable t;
    t.rows_ = std::move(rows);
    return t;
}

Result<SeverityTable> SeverityTable::FromJson(std::string_view json) {
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object()) return Error::Invalid("", "severity map must be a JSON object");
    const auto* rows = v.as_object().if_contains("rows");
    if (!rows || !rows->is_array()) return Error::Invalid("rows", "rows must be an array");
    std::vector<SeverityRow> out;
    std::size_t i = 0;
    for (const auto& rv : rows->as_array()) {
        const auto field = [&](std::string_view f) { return fmt::format("rows[{}].{}", i, f); };
        if (!rv.is_object()) return Error::Invalid(fmt::format("rows[{}]", i), "row must be an object");
        const auto& o = rv.as_object();
        SeverityRow r;
        const auto* sev = o.if_contains("severity");
        if (!sev || !sev->is_string()) return Error::Invalid(field("severity"), "severity must be a string");
        r.severity = std::string(sev->as_string());
        const auto* pr = o.if_contains("priorities");
        if (!pr || !pr->is_array()) return Error::Invalid(field("priorities"), "priorities must be an array");
        for (const auto& p : pr->as_array()) {
            if (!p.is_int64()) return Error::Invalid(field("priorities"), "priorities must be integers");
            r.priorities.push_back(static_cast<int>(p.as_int64()));
        }
        if (const auto* lv = o.if_contains("label_values")) {
            if (!lv->is_array()) return Error::Invalid(field("label_values"), "label_values must be an array");
            for (const auto& l : lv->as_array()) {
                if (!l.is_string()) return Error::Invalid(field("label_values"), "label_values must be strings");
                r.label_values.emplace_back(l.as_string());
            }
        }
        if (const auto* u = o.if_contains("urgency")) {
            auto parsed = u->is_string() ? ParseUrgency(u->as_string()) : std::nullopt;
            if (!parsed) return Error::Invalid(field("urgency"), "urgency must be high or low");
            r.urgency = *parsed;
        }
        out.push_back(std::move(r));
        ++i;
    }
    return FromRows(std::move(out));
}

std::string SeverityTable::ToJson() const {
    boost::json::array rows;
    for (const auto& r : rows_) {
        boost::json::array pr(r.priorities.begin(), r.priorities.end());
        boost::json::array lv;
        for (const auto& l : r.label_values) lv.emplace_back(l);
        rows.emplace_back(boost::json::object{
            {"severity", r.severity},
            {"priorities", std::move(pr)},
            {"label_values", std::move(lv)},
            {"urgency", ToString(r.urgency)},
        });
    }
    return boost::json::serialize(boost::json::object{{"rows", std::move(rows)}});
}

std::optional<SeverityLevel> SeverityTable::BySeverity(std::string_view severity) const {
    const std::string s = Lower(severity);
    for (const auto& r : rows_) {
        if (r.severity == s) return SeverityLevel{r.severity, r.priorities.front(), r.urgency};
    }
    return std::nullopt;
}

std::optional<SeverityLevel> SeverityTable::ByPriority(int priority) const {
    for (const auto& r : rows_) {
        if (std::find(r.priorities.begin(), r.priorities.end(), priority) != r.priorities.end()) {
            return SeverityLevel{r.severity, priority, r.urgency};
        }
    }
    return std::nullopt;
}

std::optional<SeverityLevel> SeverityTable::ByLabel(std::string_view value) const {
    const std::string v = Lower(value);
    for (const auto& r : rows_) {
        if (std::find(r.label_values.begin(), r.label_values.end(), v) != r.label_values.end()) {
            return SeverityLevel{r.severity, r.priorities.front(), r.urgency};
        }
    }
    return std::nullopt;
}

SeverityLevel SeverityTable::Resolve(
    const std::optional<std::string>& severity,
    const std::optional<int>& priority,
    const std::vector<std::pair<std::string, std::string>>& labels
) const {
    if (severity) {
        if (auto l = BySeverity(*severity)) {
            if (priority) {
                if (auto p = ByPriority(*priority); p && p->severity == l->severity) l->priority = *priority;
            }
            return *l;
        }
    }
    if (priority) {
        if (auto l = ByPriority(*priority)) return *l;
    }
    for (const auto& [k, v] : labels) {
        if (k == "severity") {
            if (auto l = ByLabel(v)) return *l;
        }
    }
    if (auto l = BySeverity("error")) return *l;
    return SeverityLevel{};
}

}  // namespace tocsin::alerts
