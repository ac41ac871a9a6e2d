#include "tocsin/alerts/alertmanager.hpp"

#include "tocsin/alerts/dialect_json.hpp"
#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace tocsin::alerts::alertmanager {

namespace json = boost::json;
using detail::TypeName;

namespace {

const json::value* Get(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(json::string_view(key.data(), key.size()));
    return (v && !v->is_null()) ? v : nullptr;
}

Result<std::string> OptString(const json::object& o, std::string_view key, std::string_view name) {
    const json::value* v = Get(o, key);
    if (!v) return std::string();
    if (!v->is_string()) {
        return Error::Invalid(
            std::string(name), std::string(name) + " must be a string, not " + std::string(TypeName(*v))
        );
    }
    return std::string(v->as_string());
}

/// startsAt/endsAt: RFC 3339 (Go writes nanoseconds); Go's zero time means "not set".
Result<std::optional<TimePoint>> OptTime(const json::object& o, std::string_view key, std::string_view name) {
    TOCSIN_ASSIGN(s, OptString(o, key, name));
    if (s.empty() || s.rfind("0001-01-01", 0) == 0) return std::optional<TimePoint>();
    auto t = ParseIso8601(s);
    if (!t) {
        return Error::Invalid(std::string(name), std::string(name) + " must be an RFC 3339 date-time, got '" + s + "'");
    }
    return std::optional<TimePoint>(*t);
}

/// Stand-in when a sender leaves `fingerprint` out: FNV-1a over the sorted label set, so the
/// same labels always name the same alert.
std::string LabelFingerprint(std::vector<std::pair<std::string, std::string>> labels) {
    std::sort(labels.begin(), labels.end());
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        h ^= 0xff;
        h *= 1099511628211ULL;
    };
    for (const auto& [k, v] : labels) {
        mix(k);
        mix(v);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

void AddLink(json::array& links, std::string_view href, std::string_view text) {
    if (href.empty()) return;
    links.push_back(json::object{{"href", href}, {"text", text}});
}

}  // namespace

Result<std::vector<IntakeEvent>> ParseWebhook(std::string_view body, Dialect dialect) {
    const bool grafana = dialect == Dialect::kGrafana;
    if (body.size() > kMaxBodyBytes) {
        return Error::Invalid("", "the body is larger than the limit of " + std::to_string(kMaxBodyBytes) + " bytes");
    }
    TOCSIN_ASSIGN(doc, detail::ParseJson(body));
    const json::object& o = doc.as_object();

    if (const json::value* version = Get(o, "version")) {
        std::string_view want = grafana ? "1" : "4";
        if (!version->is_string() || version->as_string() != json::string_view(want.data(), want.size())) {
            std::string got =
                version->is_string() ? "'" + std::string(version->as_string()) + "'" : std::string(TypeName(*version));
            return Error::Invalid(
                "version",
                "version must be \"" + std::string(want) + "\" (" +
                    (grafana ? "Grafana" : "Alertmanager webhook payload") + "), got " + got
            );
        }
    }
    TOCSIN_ASSIGN(group_key, OptString(o, "groupKey", "groupKey"));
    if (group_key.empty()) return Error::Invalid("groupKey", "groupKey is required: one group becomes one incident");
    TOCSIN_ASSIGN(external_url, OptString(o, "externalURL", "externalURL"));
    TOCSIN_ASSIGN(common_annotations, detail::StringMap(o, "commonAnnotations", "commonAnnotations"));
    TOCSIN_TRY(detail::StringMap(o, "groupLabels", "groupLabels"));
    TOCSIN_TRY(detail::StringMap(o, "commonLabels", "commonLabels"));
    TOCSIN_ASSIGN(title, OptString(o, "title", "title"));

    const json::value* alerts = Get(o, "alerts");
    if (!alerts) return Error::Invalid("alerts", "alerts is required (an array of alerts)");
    if (!alerts->is_array()) {
        return Error::Invalid("alerts", "alerts must be an array, not " + std::string(TypeName(*alerts)));
    }
    if (alerts->as_array().size() > kMaxAlerts) {
        return Error::Invalid("alerts", "alerts must hold at most " + std::to_string(kMaxAlerts) + " alerts");
    }

    std::vector<IntakeEvent> events;
    events.reserve(alerts->as_array().size());
    std::size_t i = 0;
    for (const json::value& item : alerts->as_array()) {
        const std::string at = "alerts[" + std::to_string(i++) + "]";
        if (!item.is_object()) return Error::Invalid(at, at + " must be an object, not " + std::string(TypeName(item)));
        const json::object& a = item.as_object();
        IntakeEvent e{};
        e.dialect = dialect;
        e.group_key = group_key;
        e.identifier_type = IdentifierType::kDedupKey;

        TOCSIN_ASSIGN(status, OptString(a, "status", at + ".status"));
        if (status == "firing") {
            e.action = IntakeAction::kTrigger;
        } else if (status == "resolved") {
            e.action = IntakeAction::kResolve;
        } else if (status.empty()) {
            return Error::Invalid(at + ".status", at + ".status is required (firing or resolved)");
        } else {
            return Error::Invalid(at + ".status", at + ".status must be firing or resolved, got '" + status + "'");
        }
        TOCSIN_ASSIGN(labels, detail::StringMap(a, "labels", at + ".labels"));
        TOCSIN_ASSIGN(annotations, detail::StringMap(a, "annotations", at + ".annotations"));
        if (labels.empty()) return Error::Invalid(at + ".labels", at + ".labels is required and must not be empty");
        TOCSIN_ASSIGN(fingerprint, OptString(a, "fingerprint", at + ".fingerprint"));
        e.identifier = fingerprint.empty() ? LabelFingerprint(labels) : fingerprint;
        if (e.identifier.size() > 255) {
            return Error::Invalid(at + ".fingerprint", at + ".fingerprint must be at most 255 characters");
        }
        TOCSIN_ASSIGN(starts, OptTime(a, "startsAt", at + ".startsAt"));
        TOCSIN_ASSIGN(ends, OptTime(a, "endsAt", at + ".endsAt"));
        e.occurred_at = e.action == IntakeAction::kResolve && ends ? ends : starts;

        std::string_view alertname = detail::Lookup(labels, "alertname");
        std::string_view instance = detail::Lookup(labels, "instance");
        std::string summary(detail::Lookup(annotations, "summary"));
        if (summary.empty()) summary = detail::Lookup(annotations, "message");
        if (summary.empty()) summary = detail::Lookup(common_annotations, "summary");
        if (summary.empty() && grafana) summary = title;
        if (summary.empty()) {
            summary = alertname.empty() ? group_key : std::string(alertname);
            if (!instance.empty()) summary += " on " + std::string(instance);
        }
        if (detail::CodePoints(summary) > 1024) {
            // Keep whole code points: cut before the 1025th.
            std::size_t n = 0, cut = 0;
            for (; cut < summary.size(); ++cut) {
                if ((static_cast<unsigned char>(summary[cut]) & 0xC0) != 0x80 && n++ == 1024) break;
            }
            summary.resize(cut);
        }
        e.summary = std::move(summary);
        e.description = detail::Lookup(annotations, "description");
        e.source = !instance.empty() ? std::string(instance) : external_url;
        // severity stays unset: SeverityTable::Resolve maps the `severity` label with the
        // service's table, which an operator may have overridden.

        json::object details;
        for (const auto& [k, v] : annotations) details[k] = v;
        json::array links;
        TOCSIN_ASSIGN(generator, OptString(a, "generatorURL", at + ".generatorURL"));
        AddLink(links, generator, grafana ? "Alert rule" : "Source");
        if (grafana) {
            TOCSIN_ASSIGN(dashboard, OptString(a, "dashboardURL", at + ".dashboardURL"));
            TOCSIN_ASSIGN(panel, OptString(a, "panelURL", at + ".panelURL"));
            TOCSIN_ASSIGN(silence, OptString(a, "silenceURL", at + ".silenceURL"));
            TOCSIN_ASSIGN(image, OptString(a, "imageURL", at + ".imageURL"));
            AddLink(links, dashboard, "Dashboard");
            AddLink(links, panel, "Panel");
            AddLink(links, silence, "Silence");
            if (!image.empty()) e.images_json = json::serialize(json::array{json::object{{"src", image}}});
            if (const json::value* values = Get(a, "values")) details["values"] = *values;
            TOCSIN_ASSIGN(value_string, OptString(a, "valueString", at + ".valueString"));
            if (!value_string.empty()) details["valueString"] = value_string;
        }
        if (!links.empty()) e.links_json = json::serialize(links);
        e.details_json = json::serialize(details);
        e.labels = std::move(labels);
        events.push_back(std::move(e));
    }
    return events;
}

}  // namespace tocsin::alerts::alertmanager
