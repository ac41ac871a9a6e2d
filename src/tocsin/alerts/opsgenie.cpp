#include "tocsin/alerts/opsgenie.hpp"

#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace tocsin::alerts::opsgenie {
namespace {

namespace json = boost::json;

// Reads typed fields of one JSON object and remembers the FIRST problem, so a parser reads
// everything in a straight line and checks `error` once at the end.
class Reader {
public:
    Reader(const json::object& o, std::string prefix = {}) : o_(o), prefix_(std::move(prefix)) {}

    std::optional<ApiError> error;

    void Fail(std::string_view key, std::string message, int status = 422) {
        if (!error) error = ApiError{status, std::move(message), Name(key)};
    }
    [[nodiscard]] std::string Name(std::string_view key) const { return prefix_ + std::string(key); }
    [[nodiscard]] bool Has(std::string_view key) const {
        const auto* v = o_.if_contains(key);
        return v && !v->is_null();
    }

    /// A string field of at most `max` characters; null counts as absent. `required` also
    /// refuses an empty or blank string, as Opsgenie does for message and note.
    std::optional<std::string> Str(std::string_view key, std::size_t max, bool required = false) {
        const auto* v = o_.if_contains(key);
        if (!v || v->is_null()) {
            if (required) Fail(key, Name(key) + " is required");
            return std::nullopt;
        }
        if (!v->is_string()) {
            Fail(key, Name(key) + " must be a string");
            return std::nullopt;
        }
        std::string s(v->get_string());
        if (required && s.find_first_not_of(" \t\r\n") == std::string::npos) {
            Fail(key, Name(key) + " can not be empty");
            return std::nullopt;
        }
        if (CountChars(s) > max) {
            Fail(key, Name(key) + " can not be longer than " + std::to_string(max) + " characters");
            return std::nullopt;
        }
        return s;
    }

    /// An array of strings, at most `max_items` of at most `max_len` characters each.
    std::vector<std::string> Strings(std::string_view key, std::size_t max_items, std::size_t max_len) {
        std::vector<std::string> out;
        const auto* v = o_.if_contains(key);
        if (!v || v->is_null()) return out;
        if (!v->is_array()) {
            Fail(key, Name(key) + " must be an array of strings");
            return out;
        }
        const auto& a = v->get_array();
        if (a.size() > max_items) {
            Fail(key, Name(key) + " can not have more than " + std::to_string(max_items) + " items");
            return out;
        }
        for (std::size_t i = 0; i < a.size(); ++i) {
            std::string item_name = std::string(key) + "[" + std::to_string(i) + "]";
            if (!a[i].is_string()) {
                Fail(item_name, Name(item_name) + " must be a string");
                return out;
            }
            std::string s(a[i].get_string());
            if (CountChars(s) > max_len) {
                Fail(item_name, Name(item_name) + " can not be longer than " + std::to_string(max_len) + " characters");
                return out;
            }
            out.push_back(std::move(s));
        }
        return out;
    }

    const json::object* Obj(std::string_view key, bool required) {
        const auto* v = o_.if_contains(key);
        if (!v || v->is_null()) {
            if (required) Fail(key, Name(key) + " is required");
            return nullptr;
        }
        if (!v->is_object()) {
            Fail(key, Name(key) + " must be an object");
            return nullptr;
        }
        return &v->get_object();
    }

    const json::value* Raw(std::string_view key) const {
        const auto* v = o_.if_contains(key);
        return v && !v->is_null() ? v : nullptr;
    }

private:
    const json::object& o_;
    std::string prefix_;
};

// 400 for a body that is not a JSON object (Opsgenie: "invalid JSON"); an empty body is {}
// where `empty_ok` (the bodies of acknowledge, close and friends are optional).
Parsed<json::object> ParseObject(std::string_view body, bool empty_ok) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        if (empty_ok) return json::object{};
        return ApiError{400, "Request body can not be empty", {}};
    }
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec) return ApiError{400, "Request body is not valid JSON: " + ec.message(), {}};
    if (!v.is_object()) return ApiError{400, "Request body must be a JSON object", {}};
    return std::move(v.get_object());
}

constexpr std::array<std::string_view, 7> kRecipientTypes = {
    "team", "user", "escalation", "schedule", "all", "none", "group"};

// A recipient object: type + id|name|username (users by id or username, the rest by id or
// name). Returns the normalised object (only the known keys) or records the error.
std::optional<json::object> Recipient(Reader& r, const json::value& v, const std::string& name, bool type_required) {
    if (!v.is_object()) {
        r.Fail(name, r.Name(name) + " must be an object");
        return std::nullopt;
    }
    Reader in(v.get_object(), r.Name(name) + ".");
    json::object out;
    std::optional<std::string> type = in.Str("type", 50);
    if (!type && type_required && !in.error) in.Fail("type", in.Name("type") + " is required");
    if (type) {
        bool known = false;
        for (auto t : kRecipientTypes) known = known || t == *type;
        if (!known) {
            in.Fail("type", in.Name("type") + " must be one of team, user, escalation, schedule");
        }
        out["type"] = *type;
    }
    auto id = in.Str("id", 512);
    auto nm = in.Str("name", 512);
    auto username = in.Str("username", 512);
    if (id) out["id"] = *id;
    if (nm) out["name"] = *nm;
    if (username) out["username"] = *username;
    bool is_user = type && *type == "user";
    bool is_broadcast = type && (*type == "all" || *type == "none");
    if (!in.error && !is_broadcast) {
        bool named = id && !id->empty();
        if (is_user)
            named = named || (username && !username->empty());
        else
            named = named || (nm && !nm->empty()) || (!type && username && !username->empty());
        if (!named) {
            in.Fail(
                is_user ? "username" : "name",
                r.Name(name) + (is_user ? " needs an id or a username" : " needs an id or a name")
            );
        }
    }
    if (in.error) {
        if (!r.error) r.error = in.error;
        return std::nullopt;
    }
    return out;
}

std::string Recipients(Reader& r, std::string_view key) {
    const auto* v = r.Raw(key);
    if (!v) return {};
    if (!v->is_array()) {
        r.Fail(key, r.Name(key) + " must be an array");
        return {};
    }
    json::array out;
    const auto& a = v->get_array();
    if (a.size() > 50) {
        r.Fail(key, r.Name(key) + " can not have more than 50 items");
        return {};
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto rec = Recipient(r, a[i], std::string(key) + "[" + std::to_string(i) + "]", true);
        if (!rec) return {};
        out.push_back(std::move(*rec));
    }
    return json::serialize(out);
}

// details: an object of strings, keys and values together at most 8,000 characters.
std::string Details(Reader& r) {
    const auto* v = r.Raw("details");
    if (!v) return "{}";
    if (!v->is_object()) {
        r.Fail("details", r.Name("details") + " must be an object of strings");
        return "{}";
    }
    std::size_t total = 0;
    for (const auto& kv : v->get_object()) {
        std::string name = "details." + std::string(kv.key());
        if (!kv.value().is_string()) {
            r.Fail(name, r.Name(name) + " must be a string");
            return "{}";
        }
        total += CountChars(kv.key()) + CountChars(kv.value().get_string());
    }
    if (total > kMaxDetailsTotal) {
        r.Fail("details", r.Name("details") + " can not be longer than 8000 characters in total");
        return "{}";
    }
    return json::serialize(*v);
}

IntakeEvent BaseEvent(IntakeAction action, const RequestContext& ctx) {
    IntakeEvent e;
    e.dialect = Dialect::kOpsgenie;
    e.action = action;
    e.request_id = ctx.request_id;
    return e;
}

// user, source and note: the common optional fields of every action body.
void ReadActor(Reader& r, IntakeEvent& e, bool note_required) {
    e.user = r.Str("user", kMaxUser).value_or("");
    e.source = r.Str("source", kMaxSource).value_or("");
    e.note = r.Str("note", kMaxNote, note_required).value_or("");
}

Parsed<int> PriorityField(Reader& r, bool required) {
    auto p = r.Str("priority", 10, required);
    if (r.error) return *r.error;
    if (!p) return 0;
    auto n = ParsePriority(*p);
    if (!n) return ApiError{422, r.Name("priority") + " must be one of P1, P2, P3, P4, P5", r.Name("priority")};
    return *n;
}

}  // namespace

std::size_t CountChars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;  // count every byte that does not continue a sequence
    }
    return n;
}

std::optional<AlertAction> ActionFromPath(std::string_view segment, bool is_put) {
    if (is_put) {
        if (segment == "priority") return AlertAction::kSetPriority;
        if (segment == "message") return AlertAction::kSetMessage;
        if (segment == "description") return AlertAction::kSetDescription;
        return std::nullopt;
    }
    if (segment == "acknowledge") return AlertAction::kAcknowledge;
    if (segment == "unacknowledge") return AlertAction::kUnacknowledge;
    if (segment == "close") return AlertAction::kClose;
    if (segment == "notes") return AlertAction::kAddNote;
    if (segment == "snooze") return AlertAction::kSnooze;
    if (segment == "escalate") return AlertAction::kEscalate;
    if (segment == "assign") return AlertAction::kAssign;
    if (segment == "tags") return AlertAction::kAddTags;
    return std::nullopt;
}

std::string_view ActionName(AlertAction a) {
    switch (a) {
        case AlertAction::kAcknowledge:
            return "Acknowledge";
        case AlertAction::kUnacknowledge:
            return "UnAcknowledge";
        case AlertAction::kClose:
            return "Close";
        case AlertAction::kAddNote:
            return "AddNote";
        case AlertAction::kSnooze:
            return "Snooze";
        case AlertAction::kEscalate:
            return "EscalateToNext";
        case AlertAction::kAssign:
            return "AssignOwnership";
        case AlertAction::kAddTags:
            return "AddTags";
        case AlertAction::kSetPriority:
            return "UpdatePriority";
        case AlertAction::kSetMessage:
            return "UpdateMessage";
        case AlertAction::kSetDescription:
            return "UpdateDescription";
    }
    return "Unknown";
}

Parsed<IdentifierType> ParseIdentifierType(const std::optional<std::string>& value) {
    if (!value || *value == "id") return IdentifierType::kId;
    if (*value == "alias") return IdentifierType::kDedupKey;
    if (*value == "tiny") return IdentifierType::kTinyId;
    return ApiError{422, "identifierType must be one of id, alias, tiny", "identifierType"};
}

std::optional<int> ParsePriority(std::string_view text) {
    if (text.size() == 2 && text[0] == 'P' && text[1] >= '1' && text[1] <= '5') return text[1] - '0';
    return std::nullopt;
}

std::string PriorityText(int priority) {
    if (priority < 1) priority = 1;
    if (priority > 5) priority = 5;
    return "P" + std::to_string(priority);
}

Parsed<IntakeEvent> ParseCreate(std::string_view body, const RequestContext& ctx) {
    auto parsed = ParseObject(body, false);
    if (auto* err = std::get_if<ApiError>(&parsed)) return *err;
    const auto& o = std::get<json::object>(parsed);
    Reader r(o);
    IntakeEvent e = BaseEvent(IntakeAction::kTrigger, ctx);
    e.identifier_type = IdentifierType::kDedupKey;
    e.summary = r.Str("message", kMaxMessage, true).value_or("");
    e.identifier = r.Str("alias", kMaxAlias).value_or("");
    e.description = r.Str("description", kMaxDescription).value_or("");
    e.responders_json = Recipients(r, "responders");
    // visibleTo only restricts who may see the alert in Opsgenie's UI; validated, not kept.
    (void)Recipients(r, "visibleTo");
    (void)r.Strings("actions", kMaxActions, kMaxActionLength);
    e.tags = r.Strings("tags", kMaxTags, kMaxTagLength);
    e.details_json = Details(r);
    e.entity = r.Str("entity", kMaxEntity).value_or("");
    e.source = r.Str("source", kMaxSource).value_or("");
    if (e.source.empty()) e.source = ctx.remote_address;
    e.user = r.Str("user", kMaxUser).value_or("");
    e.note = r.Str("note", kMaxNote).value_or("");
    auto priority = PriorityField(r, false);
    if (r.error) return *r.error;
    if (auto* err = std::get_if<ApiError>(&priority)) return *err;
    int p = std::get<int>(priority);
    e.priority = p == 0 ? 3 : p;
    // Tags double as labels for grouping rules; Grafana sends "label:value" tags.
    for (const auto& t : e.tags) {
        auto colon = t.find(':');
        if (colon == std::string::npos)
            e.labels.emplace_back(t, "");
        else
            e.labels.emplace_back(t.substr(0, colon), t.substr(colon + 1));
    }
    return e;
}

Parsed<IntakeEvent> ParseAction(
    AlertAction action,
    std::string_view identifier,
    IdentifierType type,
    std::string_view body,
    const RequestContext& ctx
) {
    if (identifier.empty()) return ApiError{422, "identifier can not be empty", "identifier"};
    if (type == IdentifierType::kDedupKey && CountChars(identifier) > kMaxAlias) {
        return ApiError{422, "alias can not be longer than 512 characters", "identifier"};
    }
    bool body_required =
        action != AlertAction::kAcknowledge && action != AlertAction::kUnacknowledge && action != AlertAction::kClose;
    auto parsed = ParseObject(body, !body_required);
    if (auto* err = std::get_if<ApiError>(&parsed)) return *err;
    const auto& o = std::get<json::object>(parsed);
    Reader r(o);
    IntakeEvent e = BaseEvent(IntakeAction::kAcknowledge, ctx);
    e.identifier = std::string(identifier);
    e.identifier_type = type;
    switch (action) {
        case AlertAction::kAcknowledge:
            ReadActor(r, e, false);
            break;
        case AlertAction::kUnacknowledge:
            e.action = IntakeAction::kUnacknowledge;
            ReadActor(r, e, false);
            break;
        case AlertAction::kClose:
            e.action = IntakeAction::kResolve;
            ReadActor(r, e, false);
            break;
        case AlertAction::kAddNote:
            e.action = IntakeAction::kNote;
            ReadActor(r, e, true);
            break;
        case AlertAction::kSnooze: {
            e.action = IntakeAction::kSnooze;
            ReadActor(r, e, false);
            auto end = r.Str("endTime", 64, true);
            if (end && !r.error) {
                auto t = ParseIso8601(*end);
                if (!t)
                    r.Fail("endTime", "endTime must be an ISO-8601 date-time such as 2030-01-01T10:00:00Z");
                else if (*t <= ctx.now)
                    r.Fail("endTime", "endTime must be in the future");
                else
                    e.snooze_until = *t;
            }
            break;
        }
        case AlertAction::kEscalate: {
            e.action = IntakeAction::kEscalate;
            ReadActor(r, e, false);
            if (const auto* v = r.Raw("escalation")) {
                auto rec = Recipient(r, *v, "escalation", false);
                if (rec) {
                    (*rec)["type"] = "escalation";
                    e.responders_json = json::serialize(json::array{std::move(*rec)});
                }
            } else {
                r.Fail("escalation", "escalation is required");
            }
            break;
        }
        case AlertAction::kAssign: {
            e.action = IntakeAction::kAssign;
            ReadActor(r, e, false);
            if (const auto* v = r.Raw("owner")) {
                if (!v->is_object()) {
                    r.Fail("owner", "owner must be an object");
                } else {
                    json::object owner = v->get_object();
                    owner["type"] = "user";
                    auto rec = Recipient(r, owner, "owner", false);
                    if (rec) e.responders_json = json::serialize(json::array{std::move(*rec)});
                }
            } else {
                r.Fail("owner", "owner is required");
            }
            break;
        }
        case AlertAction::kAddTags:
            e.action = IntakeAction::kAddTags;
            ReadActor(r, e, false);
            if (!r.Has("tags")) r.Fail("tags", "tags is required");
            e.tags = r.Strings("tags", kMaxTags, kMaxTagLength);
            if (!r.error && e.tags.empty()) r.Fail("tags", "tags can not be empty");
            break;
        case AlertAction::kSetPriority: {
            e.action = IntakeAction::kSetPriority;
            auto p = PriorityField(r, true);
            if (auto* err = std::get_if<ApiError>(&p)) return *err;
            e.priority = std::get<int>(p);
            break;
        }
        case AlertAction::kSetMessage:
            e.action = IntakeAction::kSetMessage;
            e.summary = r.Str("message", kMaxMessage, true).value_or("");
            break;
        case AlertAction::kSetDescription:
            e.action = IntakeAction::kSetDescription;
            e.description = r.Str("description", kMaxDescription, true).value_or("");
            break;
    }
    if (r.error) return *r.error;
    return e;
}

std::chrono::milliseconds HeartbeatSpec::Period() const {
    using namespace std::chrono;
    if (interval_unit == "hours") return hours(interval);
    if (interval_unit == "days") return hours(24 * interval);
    return minutes(interval);
}

std::string HeartbeatSpec::ExpiryMessage() const {
    return alert_message.empty() ? name + " is expired" : alert_message;
}

namespace {

// Fields shared by create and update; absent fields leave `hb` as it is.
void ReadHeartbeatFields(Reader& r, HeartbeatSpec& hb) {
    if (auto d = r.Str("description", 10000)) hb.description = *d;
    if (const auto* v = r.Raw("interval")) {
        if (!v->is_int64() && !v->is_uint64())
            r.Fail("interval", "interval must be an integer");
        else {
            auto n = v->is_int64() ? v->get_int64()
                                   : static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), 1u << 30));
            if (n < 1 || n > 100000)
                r.Fail("interval", "interval must be at least 1");
            else
                hb.interval = n;
        }
    }
    if (auto u = r.Str("intervalUnit", 20)) {
        if (*u != "minutes" && *u != "hours" && *u != "days") {
            r.Fail("intervalUnit", "intervalUnit must be one of minutes, hours, days");
        } else {
            hb.interval_unit = *u;
        }
    }
    if (const auto* v = r.Raw("enabled")) {
        if (!v->is_bool())
            r.Fail("enabled", "enabled must be a boolean");
        else
            hb.enabled = v->get_bool();
    }
    if (auto m = r.Str("alertMessage", kMaxMessage)) hb.alert_message = *m;
    if (r.Has("alertTags")) hb.alert_tags = r.Strings("alertTags", kMaxTags, kMaxTagLength);
    if (auto p = r.Str("alertPriority", 10)) {
        auto n = ParsePriority(*p);
        if (!n)
            r.Fail("alertPriority", "alertPriority must be one of P1, P2, P3, P4, P5");
        else
            hb.alert_priority = *n;
    }
    if (const auto* team = r.Obj("ownerTeam", false)) {
        Reader t(*team, "ownerTeam.");
        auto id = t.Str("id", 512);
        auto name = t.Str("name", 512);
        if (t.error && !r.error) r.error = t.error;
        hb.owner_team = name ? *name : id.value_or("");
    }
}

}  // namespace

Parsed<HeartbeatSpec> ParseHeartbeatCreate(std::string_view body) {
    auto parsed = ParseObject(body, false);
    if (auto* err = std::get_if<ApiError>(&parsed)) return *err;
    Reader r(std::get<json::object>(parsed));
    HeartbeatSpec hb;
    auto name = r.Str("name", kMaxHeartbeatName, true);
    if (name && name->find('/') != std::string::npos) r.Fail("name", "name can not contain '/'");
    if (name) hb.name = *name;
    if (!r.Has("interval")) r.Fail("interval", "interval is required");
    if (!r.Has("intervalUnit")) r.Fail("intervalUnit", "intervalUnit is required");
    ReadHeartbeatFields(r, hb);
    if (r.error) return *r.error;
    return hb;
}

Parsed<HeartbeatSpec> ParseHeartbeatUpdate(std::string_view body, HeartbeatSpec current) {
    auto parsed = ParseObject(body, true);
    if (auto* err = std::get_if<ApiError>(&parsed)) return *err;
    Reader r(std::get<json::object>(parsed));
    ReadHeartbeatFields(r, current);
    if (r.error) return *r.error;
    return current;
}

HeartbeatSpec SpecOf(const Heartbeat& stored) {
    HeartbeatSpec s;
    s.name = stored.name;
    s.description = stored.description;
    s.interval = stored.interval;
    s.interval_unit = stored.interval_unit;
    s.enabled = stored.enabled;
    boost::system::error_code ec;
    json::value v = json::parse(stored.alerting_json, ec);
    if (ec || !v.is_object()) return s;
    const auto& o = v.get_object();
    if (const auto* m = o.if_contains("alertMessage"); m && m->is_string()) s.alert_message = m->get_string();
    if (const auto* t = o.if_contains("alertTags"); t && t->is_array()) {
        for (const auto& tag : t->get_array()) {
            if (tag.is_string()) s.alert_tags.emplace_back(tag.get_string());
        }
    }
    if (const auto* p = o.if_contains("alertPriority"); p && p->is_string()) {
        s.alert_priority = ParsePriority(p->get_string()).value_or(3);
    }
    if (const auto* t = o.if_contains("ownerTeam"); t && t->is_string()) s.owner_team = t->get_string();
    return s;
}

void StoreSpec(const HeartbeatSpec& spec, Heartbeat& stored) {
    stored.name = spec.name;
    stored.description = spec.description;
    stored.interval = static_cast<int>(spec.interval);
    stored.interval_unit = spec.interval_unit;
    stored.enabled = spec.enabled;
    json::array tags;
    for (const auto& t : spec.alert_tags) tags.emplace_back(t);
    json::object o{{"alertPriority", PriorityText(spec.alert_priority)}, {"alertTags", std::move(tags)}};
    if (!spec.alert_message.empty()) o["alertMessage"] = spec.alert_message;
    if (!spec.owner_team.empty()) o["ownerTeam"] = spec.owner_team;
    stored.alerting_json = json::serialize(o);
}

std::string HeartbeatAlias(std::string_view name) {
    return "heartbeat:" + std::string(name);
}

IntakeEvent HeartbeatExpiredEvent(const HeartbeatSpec& hb, TimePoint expired_at) {
    IntakeEvent e;
    e.dialect = Dialect::kOpsgenie;
    e.action = IntakeAction::kTrigger;
    e.identifier = HeartbeatAlias(hb.name);
    e.identifier_type = IdentifierType::kDedupKey;
    e.summary = hb.ExpiryMessage();
    e.description =
        "Heartbeat " + hb.name + " was not pinged within " + std::to_string(hb.interval) + " " + hb.interval_unit + ".";
    e.source = "heartbeat";
    e.entity = hb.name;
    e.priority = hb.alert_priority;
    e.tags = hb.alert_tags;
    for (const auto& t : hb.alert_tags) e.labels.emplace_back(t, "");
    e.details_json = json::serialize(json::object{{"heartbeat", hb.name}});
    e.occurred_at = expired_at;
    return e;
}

IntakeEvent HeartbeatRecoveredEvent(const HeartbeatSpec& hb, TimePoint pinged_at) {
    IntakeEvent e;
    e.dialect = Dialect::kOpsgenie;
    e.action = IntakeAction::kResolve;
    e.identifier = HeartbeatAlias(hb.name);
    e.identifier_type = IdentifierType::kDedupKey;
    e.source = "heartbeat";
    e.note = "Heartbeat " + hb.name + " was pinged again.";
    e.occurred_at = pinged_at;
    return e;
}

}  // namespace tocsin::alerts::opsgenie
