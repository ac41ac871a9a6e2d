#include "tocsin/alerts/generic.hpp"

#include "tocsin/alerts/dialect_json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace tocsin::alerts::generic {

namespace json = boost::json;
using detail::TypeName;

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// The value at `pointer`, nullptr when the pointer is unset or finds nothing (or null).
const json::value* At(const json::value& doc, const std::string& pointer, bool root_ok = false) {
    if (pointer.empty()) return root_ok ? &doc : nullptr;
    boost::system::error_code ec;
    const json::value* v = doc.find_pointer(json::string_view(pointer.data(), pointer.size()), ec);
    if (ec || !v || v->is_null()) return nullptr;
    return v;
}

/// A scalar as text: strings as is, numbers and booleans as their JSON text.
Result<std::string> Text(
    const json::value& doc, std::string_view field, const std::string& pointer, std::size_t max_chars
) {
    const json::value* v = At(doc, pointer);
    if (!v) return std::string();
    std::string s;
    if (v->is_string()) {
        s = std::string(v->as_string());
    } else if (v->is_number() || v->is_bool()) {
        s = json::serialize(*v);
    } else {
        return Error::Invalid(
            std::string(field),
            std::string(field) + ": " + pointer + " must be a string, number or boolean, not " +
                std::string(TypeName(*v))
        );
    }
    if (detail::CodePoints(s) > max_chars) {
        return Error::Invalid(
            std::string(field),
            std::string(field) + ": " + pointer + " must be at most " + std::to_string(max_chars) + " characters"
        );
    }
    return s;
}

bool Matches(const std::vector<std::string>& values, const std::string& lowered) {
    return std::any_of(values.begin(), values.end(), [&](const std::string& v) { return Lower(v) == lowered; });
}

}  // namespace

Result<Mapping> ParseMapping(std::string_view text) {
    Mapping m;
    if (text.empty()) return m;
    auto doc = detail::ParseJson(text);
    if (!doc) return Error::Invalid("mapping", "mapping: " + doc.error().message);
    const json::object& o = doc->as_object();
    struct PointerField {
        std::string_view key;
        std::string* out;
    };
    const PointerField pointers[] = {
        {"summary", &m.summary},
        {"dedup_key", &m.dedup_key},
        {"severity", &m.severity},
        {"action", &m.action},
        {"source", &m.source},
        {"description", &m.description},
        {"details", &m.details},
        {"events", &m.events}};
    struct ListField {
        std::string_view key;
        std::vector<std::string>* out;
    };
    const ListField lists[] = {
        {"trigger_values", &m.trigger_values},
        {"acknowledge_values", &m.acknowledge_values},
        {"resolve_values", &m.resolve_values}};
    for (const auto& kv : o) {
        std::string key(kv.key());
        std::string name = "mapping." + key;
        const json::value& v = kv.value();
        auto p = std::find_if(std::begin(pointers), std::end(pointers), [&](const auto& f) { return f.key == key; });
        if (p != std::end(pointers)) {
            if (v.is_null()) {
                p->out->clear();
                continue;
            }
            if (!v.is_string()) return Error::Invalid(name, name + " must be a JSON Pointer string");
            std::string s(v.as_string());
            if (!s.empty() && s.front() != '/') {
                return Error::Invalid(name, name + " must be a JSON Pointer starting with '/', got '" + s + "'");
            }
            *p->out = s;
            continue;
        }
        auto l = std::find_if(std::begin(lists), std::end(lists), [&](const auto& f) { return f.key == key; });
        if (l != std::end(lists)) {
            if (!v.is_array()) return Error::Invalid(name, name + " must be an array of strings");
            l->out->clear();
            for (const auto& item : v.as_array()) {
                if (!item.is_string()) return Error::Invalid(name, name + " must be an array of strings");
                l->out->emplace_back(item.as_string());
            }
            continue;
        }
        return Error::Invalid(
            name,
            name +
                " is not a mapping field (summary, dedup_key, severity, action, source, "
                "description, details, events, trigger_values, acknowledge_values, "
                "resolve_values)"
        );
    }
    // A value in two lists would make the action ambiguous.
    for (const auto& t : m.trigger_values) {
        std::string lt = Lower(t);
        if (Matches(m.acknowledge_values, lt) || Matches(m.resolve_values, lt)) {
            return Error::Invalid("mapping.trigger_values", "mapping: '" + t + "' is in more than one value list");
        }
    }
    for (const auto& a : m.acknowledge_values) {
        if (Matches(m.resolve_values, Lower(a))) {
            return Error::Invalid("mapping.acknowledge_values", "mapping: '" + a + "' is in more than one value list");
        }
    }
    return m;
}

std::string MappingToJson(const Mapping& m) {
    auto arr = [](const std::vector<std::string>& v) {
        json::array a;
        for (const auto& s : v) a.emplace_back(s);
        return a;
    };
    json::object o{
        {"summary", m.summary},
        {"dedup_key", m.dedup_key},
        {"severity", m.severity},
        {"action", m.action},
        {"source", m.source},
        {"description", m.description},
        {"details", m.details},
        {"events", m.events},
        {"trigger_values", arr(m.trigger_values)},
        {"acknowledge_values", arr(m.acknowledge_values)},
        {"resolve_values", arr(m.resolve_values)}};
    return json::serialize(o);
}

namespace {

constexpr const char* kTooManyField = "events.count";

// One event from one JSON object.
Result<IntakeEvent> ParseOne(const json::value& doc, const Mapping& m) {
    IntakeEvent e{};
    e.dialect = Dialect::kGeneric;
    e.identifier_type = IdentifierType::kDedupKey;

    TOCSIN_ASSIGN(action, Text(doc, "action", m.action, 128));
    if (action.empty()) {
        e.action = IntakeAction::kTrigger;
    } else {
        std::string la = Lower(action);
        if (Matches(m.trigger_values, la)) {
            e.action = IntakeAction::kTrigger;
        } else if (Matches(m.acknowledge_values, la)) {
            e.action = IntakeAction::kAcknowledge;
        } else if (Matches(m.resolve_values, la)) {
            e.action = IntakeAction::kResolve;
        } else {
            return Error::Invalid(
                "action",
                "action: " + m.action + " is '" + action +
                    "', which is in none of the mapping's trigger_values, "
                    "acknowledge_values or resolve_values"
            );
        }
    }
    TOCSIN_ASSIGN(dedup, Text(doc, "dedup_key", m.dedup_key, 255));
    e.identifier = dedup;
    if (e.action != IntakeAction::kTrigger && e.identifier.empty()) {
        return Error::Invalid(
            "dedup_key",
            "dedup_key: " + (m.dedup_key.empty() ? std::string("(unmapped)") : m.dedup_key) +
                " is missing in the body; acknowledge and resolve need it"
        );
    }
    TOCSIN_ASSIGN(summary, Text(doc, "summary", m.summary, 1024));
    if (summary.empty() && e.action == IntakeAction::kTrigger) {
        return Error::Invalid(
            "summary",
            "summary: " + (m.summary.empty() ? std::string("(unmapped)") : m.summary) +
                " is missing or empty in the body"
        );
    }
    e.summary = summary;
    TOCSIN_ASSIGN(source, Text(doc, "source", m.source, 1024));
    e.source = source;
    TOCSIN_ASSIGN(description, Text(doc, "description", m.description, 15000));
    e.description = description;
    TOCSIN_ASSIGN(severity, Text(doc, "severity", m.severity, 64));
    if (!severity.empty()) {
        std::string ls = Lower(severity);
        if (ls == "critical" || ls == "error" || ls == "warning" || ls == "info") {
            e.severity = ls;
        } else {
            e.labels.emplace_back("severity", severity);  // mapped by the SeverityTable's label values
        }
    }
    if (const json::value* details = At(doc, m.details, true)) {
        if (details->is_object()) {
            e.details_json = json::serialize(*details);
        } else {
            e.details_json = json::serialize(json::object{{"details", *details}});
        }
    }
    return e;
}

// The body as JSON: an object or an array, depth-bounded like the other dialects.
Result<json::value> ParseBody(std::string_view body) {
    if (body.empty()) return Error::Invalid("", "the body is empty; send a JSON object or an array of them");
    json::parse_options opts;
    opts.max_depth = detail::kMaxJsonDepth;
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opts);
    if (ec == json::error::too_deep) {
        return Error::Invalid("", "the body nests deeper than " + std::to_string(detail::kMaxJsonDepth) + " levels");
    }
    if (ec) return Error::Invalid("", "the body is not valid JSON: " + ec.message());
    if (!v.is_object() && !v.is_array()) {
        return Error::Invalid(
            "", "the body must be a JSON object or an array of objects, not " + std::string(TypeName(v))
        );
    }
    return v;
}

}  // namespace

bool IsTooManyEvents(const Error& e) {
    return e.field == kTooManyField;
}

Result<std::vector<IntakeEvent>> Parse(std::string_view body, const Mapping& m) {
    if (body.size() > kMaxBodyBytes) {
        return Error::Invalid("", "the body is larger than the limit of " + std::to_string(kMaxBodyBytes) + " bytes");
    }
    TOCSIN_ASSIGN(doc, ParseBody(body));
    const json::array* list = doc.is_array() ? &doc.as_array() : nullptr;
    if (!list && !m.events.empty()) {
        if (const json::value* at = At(doc, m.events)) {
            if (!at->is_array()) {
                return Error::Invalid(
                    "events", "events: " + m.events + " must be an array, not " + std::string(TypeName(*at))
                );
            }
            list = &at->as_array();
        }
    }
    std::vector<IntakeEvent> out;
    if (!list) {
        TOCSIN_ASSIGN(e, ParseOne(doc, m));
        out.push_back(std::move(e));
        return out;
    }
    if (list->size() > kMaxEvents) {
        return Error::Invalid(
            kTooManyField,
            "the body holds " + std::to_string(list->size()) + " events, more than the limit of " +
                std::to_string(kMaxEvents) + " per request"
        );
    }
    out.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = "events[" + std::to_string(i) + "]";
        const json::value& item = (*list)[i];
        if (!item.is_object()) {
            return Error::Invalid(at, at + " must be a JSON object, not " + std::string(TypeName(item)));
        }
        auto e = ParseOne(item, m);
        if (!e) {
            Error err = e.error();
            err.field = err.field.empty() ? at : at + "." + err.field;
            err.message = at + ": " + err.message;
            return err;
        }
        out.push_back(std::move(*e));
    }
    return out;
}

}  // namespace tocsin::alerts::generic
