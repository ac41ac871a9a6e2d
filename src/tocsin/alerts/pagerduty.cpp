#include "tocsin/alerts/pagerduty.hpp"

#include "tocsin/alerts/dialect_json.hpp"
#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

namespace tocsin::alerts::pagerduty {

namespace json = boost::json;
using detail::TypeName;

namespace {

/// Collects problems; each reader returns what it could read and notes what it could not.
class Reader {
public:
    Reader(const json::object& o, std::string prefix, std::vector<std::string>& errors)
        : o_(o), prefix_(std::move(prefix)), errors_(errors) {}

    [[nodiscard]] std::string Name(std::string_view key) const { return "'" + prefix_ + std::string(key) + "'"; }

    const json::value* Get(std::string_view key) const {
        const json::value* v = o_.if_contains(json::string_view(key.data(), key.size()));
        return (v && !v->is_null()) ? v : nullptr;
    }

    /// A string field; `max_chars` counts code points. Missing and required → error.
    std::optional<std::string> String(std::string_view key, bool required, std::size_t max_chars) {
        const json::value* v = Get(key);
        if (!v) {
            if (required) errors_.push_back(Name(key) + " is required");
            return std::nullopt;
        }
        if (!v->is_string()) {
            errors_.push_back(Name(key) + " must be a string, not " + std::string(TypeName(*v)));
            return std::nullopt;
        }
        std::string s(v->as_string());
        if (s.empty() && required) {
            errors_.push_back(Name(key) + " must not be empty");
            return std::nullopt;
        }
        if (detail::CodePoints(s) > max_chars) {
            errors_.push_back(
                Name(key) + " must be at most " + std::to_string(max_chars) + " characters, it has " +
                std::to_string(detail::CodePoints(s))
            );
            return std::nullopt;
        }
        return s;
    }

    std::optional<TimePoint> Timestamp(std::string_view key) {
        auto s = String(key, false, 64);
        if (!s) return std::nullopt;
        auto t = ParseIso8601(*s);
        if (!t) {
            errors_.push_back(
                Name(key) + " must be an ISO 8601 date-time with a zone (Z, +00:00 or +0000), got '" + *s + "'"
            );
        }
        return t;
    }

    const json::object* Object(std::string_view key, bool required) {
        const json::value* v = Get(key);
        if (!v) {
            if (required) errors_.push_back(Name(key) + " is required");
            return nullptr;
        }
        if (!v->is_object()) {
            errors_.push_back(Name(key) + " must be an object, not " + std::string(TypeName(*v)));
            return nullptr;
        }
        return &v->as_object();
    }

    /// custom_details: any JSON; an object is kept as is, anything else is wrapped so that
    /// details_json is always an object.
    std::string Details(std::string_view key) {
        const json::value* v = Get(key);
        if (!v) return {};
        if (v->is_object()) return json::serialize(*v);
        json::object wrapped;
        wrapped["details"] = *v;
        return json::serialize(wrapped);
    }

    /// links[]: {href (required), text?}; images[]: {src (required, https), href?, alt?}.
    std::string Array(std::string_view key, bool images) {
        const json::value* v = Get(key);
        if (!v) return {};
        if (!v->is_array()) {
            errors_.push_back(Name(key) + " must be an array, not " + std::string(TypeName(*v)));
            return {};
        }
        const auto& arr = v->as_array();
        if (arr.size() > kMaxLinks) {
            errors_.push_back(Name(key) + " must have at most " + std::to_string(kMaxLinks) + " entries");
            return {};
        }
        json::array out;
        std::size_t i = 0;
        for (const auto& item : arr) {
            std::string item_name = std::string(key) + "[" + std::to_string(i++) + "]";
            if (!item.is_object()) {
                errors_.push_back(
                    "'" + prefix_ + item_name + "' must be an object, not " + std::string(TypeName(item))
                );
                continue;
            }
            Reader r(item.as_object(), prefix_ + item_name + ".", errors_);
            json::object kept;
            if (images) {
                auto src = r.String("src", true, 2048);
                if (src && src->rfind("https://", 0) != 0) {
                    errors_.push_back(r.Name("src") + " must be an https:// URL");
                    continue;
                }
                if (src) kept["src"] = *src;
                if (auto href = r.String("href", false, 2048)) kept["href"] = *href;
                if (auto alt = r.String("alt", false, 1024)) kept["alt"] = *alt;
            } else {
                auto href = r.String("href", true, 2048);
                if (href) kept["href"] = *href;
                if (auto text = r.String("text", false, 1024)) kept["text"] = *text;
            }
            out.push_back(std::move(kept));
        }
        return json::serialize(out);
    }

private:
    const json::object& o_;
    std::string prefix_;
    std::vector<std::string>& errors_;
};

/// Parses the body and reads `routing_key`; false when the body is no JSON object.
bool Begin(std::string_view body, Parsed& out, json::value& doc) {
    if (body.size() > kMaxBodyBytes) {
        out.errors.push_back("the event is larger than the limit of " + std::to_string(kMaxBodyBytes) + " bytes");
        return false;
    }
    auto parsed = detail::ParseJson(body);
    if (!parsed) {
        out.unrecognized = true;
        out.errors.push_back(parsed.error().message);
        return false;
    }
    doc = std::move(*parsed);
    Reader top(doc.as_object(), "", out.errors);
    if (auto key = top.String("routing_key", true, 128)) out.routing_key = *key;
    out.event.dialect = Dialect::kPagerDuty;
    return true;
}

}  // namespace

Parsed ParseAlertEvent(std::string_view body) {
    Parsed out;
    json::value doc;
    if (!Begin(body, out, doc)) return out;
    const auto& o = doc.as_object();
    Reader top(o, "", out.errors);
    IntakeEvent& e = out.event;

    auto action = top.String("event_action", true, 32);
    if (action) {
        if (*action == "trigger") {
            e.action = IntakeAction::kTrigger;
        } else if (*action == "acknowledge") {
            e.action = IntakeAction::kAcknowledge;
        } else if (*action == "resolve") {
            e.action = IntakeAction::kResolve;
        } else {
            out.errors.push_back("'event_action' must be one of trigger, acknowledge, resolve; got '" + *action + "'");
            action.reset();
        }
    }
    auto dedup = top.String("dedup_key", false, kMaxDedupKeyChars);
    if (dedup) e.identifier = *dedup;
    e.identifier_type = IdentifierType::kDedupKey;
    if (action && e.action != IntakeAction::kTrigger && e.identifier.empty() && !top.Get("dedup_key")) {
        out.errors.push_back("'dedup_key' is required for event_action " + *action);
    } else if (action && e.action != IntakeAction::kTrigger && dedup && dedup->empty()) {
        out.errors.push_back("'dedup_key' must not be empty for event_action " + *action);
    }

    bool trigger = action && e.action == IntakeAction::kTrigger;
    if (const json::object* payload = top.Object("payload", trigger)) {
        Reader p(*payload, "payload.", out.errors);
        if (trigger) {
            if (auto s = p.String("summary", true, kMaxSummaryChars)) e.summary = *s;
            if (auto s = p.String("source", true, 1024)) e.source = *s;
            if (auto s = p.String("severity", true, 16)) {
                if (*s == "critical" || *s == "error" || *s == "warning" || *s == "info") {
                    e.severity = *s;
                } else {
                    out.errors.push_back(
                        "'payload.severity' must be one of critical, error, warning, info; got '" + *s + "'"
                    );
                }
            }
            e.occurred_at = p.Timestamp("timestamp");
            // component, group and class are labels in tocsin's model (filterable, groupable).
            for (std::string_view k : {"component", "group", "class"}) {
                if (auto s = p.String(k, false, 1024); s && !s->empty()) e.labels.emplace_back(std::string(k), *s);
            }
            e.details_json = p.Details("custom_details");
        }
    }
    if (trigger) {
        e.links_json = top.Array("links", false);
        e.images_json = top.Array("images", true);
        if (auto s = top.String("client", false, 1024); s && !s->empty()) e.labels.emplace_back("client", *s);
        if (auto s = top.String("client_url", false, 2048); s && !s->empty()) e.labels.emplace_back("client_url", *s);
    }
    return out;
}

Parsed ParseChangeEvent(std::string_view body) {
    Parsed out;
    json::value doc;
    if (!Begin(body, out, doc)) return out;
    const auto& o = doc.as_object();
    Reader top(o, "", out.errors);
    IntakeEvent& e = out.event;
    e.action = IntakeAction::kChangeEvent;
    if (const json::object* payload = top.Object("payload", true)) {
        Reader p(*payload, "payload.", out.errors);
        if (auto s = p.String("summary", true, kMaxSummaryChars)) e.summary = *s;
        if (auto s = p.String("source", false, 1024)) e.source = *s;
        e.occurred_at = p.Timestamp("timestamp");
        e.details_json = p.Details("custom_details");
    }
    e.links_json = top.Array("links", false);
    return out;
}

}  // namespace tocsin::alerts::pagerduty
