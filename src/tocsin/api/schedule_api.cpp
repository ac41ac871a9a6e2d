#include "tocsin/api/schedule_api.hpp"

#include "tocsin/api/guard.hpp"
#include "tocsin/api/json_input.hpp"
#include "tocsin/auth/auth.hpp"
#include "tocsin/common/ids.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/oncall/ical.hpp"
#include "tocsin/oncall/schedule.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>

namespace tocsin::api {
namespace {

namespace json = boost::json;
using auth::Role;
using http::HttpError;
using http::Method;
using http::Request;
using http::Response;
using std::chrono::days;

constexpr days kMaxRange{1000};
constexpr days kDefaultRange{14};
constexpr days kFeedPast{7};
constexpr days kFeedFuture{8 * 7};
constexpr days kFeedMargin{35};  // shifts are computed this far beyond the feed so UIDs do not move

constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

[[noreturn]] void Bad(const std::string& field, const std::string& message) {
    throw HttpError(400, "invalid-field", message, field);
}

std::string HhMm(int minute) {
    return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

// "HH:MM" (00:00..23:59) -> minutes after midnight.
int ParseHhMm(const json::object& o, std::string_view key, const std::string& prefix, int fallback) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return fallback;
    const std::string name = prefix + std::string(key);
    if (!v->is_string()) Bad(name, name + " must be a time of day \"HH:MM\"");
    std::string_view s = v->as_string();
    if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
        !std::isdigit(static_cast<unsigned char>(s[1])) || !std::isdigit(static_cast<unsigned char>(s[3])) ||
        !std::isdigit(static_cast<unsigned char>(s[4]))) {
        Bad(name, name + " must be a time of day \"HH:MM\"");
    }
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59) Bad(name, name + " must be between 00:00 and 23:59");
    return h * 60 + m;
}

// A weekday as a name ("monday") or a number (0 = Monday .. 6 = Sunday); null/absent -> fallback.
int ParseWeekday(const json::object& o, std::string_view key, const std::string& prefix, int fallback) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) return fallback;
    const std::string name = prefix + std::string(key);
    if (v->is_int64() && v->as_int64() >= 0 && v->as_int64() <= 6) return static_cast<int>(v->as_int64());
    if (v->is_string()) {
        std::string lower(v->as_string());
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
            if (lower == kWeekdays[i]) return static_cast<int>(i);
        }
    }
    Bad(name, name + " must be a weekday (monday..sunday, or 0 = Monday .. 6 = Sunday)");
}

json::value WeekdayJson(int d) {
    return d >= 0 && d < 7 ? json::value(kWeekdays[static_cast<std::size_t>(d)]) : json::value(nullptr);
}

oncall::Layer ReadLayer(const json::value& v, std::size_t index) {
    const std::string prefix = fmt::format("layers[{}].", index);
    if (!v.is_object()) Bad(fmt::format("layers[{}]", index), fmt::format("layers[{}] must be an object", index));
    const auto& o = v.as_object();
    Fields f(o, prefix);
    f.RejectUnknown(
        {"name",
         "kind",
         "start",
         "end",
         "turn_length_hours",
         "handoff_time",
         "handoff_weekday",
         "user_ids",
         "restrictions"}
    );
    oncall::Layer l;
    l.name = f.String("name", 100).value_or("");
    if (auto k = f.String("kind", 20, false)) {
        auto kind = oncall::ParseLayerKind(*k);
        if (!kind) Bad(prefix + "kind", prefix + "kind must be daily, weekly or custom");
        l.kind = *kind;
    }
    auto start = f.Time("start");
    if (!start) Bad(prefix + "start", prefix + "start is required (the first handoff, ISO 8601)");
    l.start = *start;
    l.end = f.Time("end");
    if (auto h = f.Int("turn_length_hours", 1, 365 * 24)) {
        if (l.kind != oncall::Layer::Kind::kCustom) {
            Bad(prefix + "turn_length_hours", prefix + "turn_length_hours is only for kind custom");
        }
        l.turn_length = std::chrono::hours(*h);
    } else if (l.kind == oncall::Layer::Kind::kCustom) {
        Bad(prefix + "turn_length_hours", prefix + "turn_length_hours is required for kind custom");
    }
    l.handoff_minute = ParseHhMm(o, "handoff_time", prefix, 9 * 60);
    l.handoff_weekday = ParseWeekday(o, "handoff_weekday", prefix, 0);
    auto users = f.StringArray("user_ids", 200);
    if (!users || users->empty()) Bad(prefix + "user_ids", prefix + "user_ids needs at least one user id");
    l.user_ids = *users;
    if (const auto* rs = o.if_contains("restrictions"); rs && !rs->is_null()) {
        if (!rs->is_array()) Bad(prefix + "restrictions", prefix + "restrictions must be an array");
        if (rs->as_array().size() > 50) Bad(prefix + "restrictions", prefix + "restrictions has more than 50 items");
        for (std::size_t j = 0; j < rs->as_array().size(); ++j) {
            const std::string rp = fmt::format("{}restrictions[{}].", prefix, j);
            const auto& item = rs->as_array()[j];
            if (!item.is_object()) Bad(rp.substr(0, rp.size() - 1), rp.substr(0, rp.size() - 1) + " must be an object");
            const auto& r = item.as_object();
            Fields(r, rp).RejectUnknown({"start_weekday", "start_time", "end_weekday", "end_time"});
            if (!r.contains("start_time")) Bad(rp + "start_time", rp + "start_time is required");
            if (!r.contains("end_time")) Bad(rp + "end_time", rp + "end_time is required");
            oncall::Restriction x;
            x.start_weekday = ParseWeekday(r, "start_weekday", rp, -1);
            x.end_weekday = ParseWeekday(r, "end_weekday", rp, -1);
            if ((x.start_weekday < 0) != (x.end_weekday < 0)) {
                Bad(rp + (x.start_weekday < 0 ? "start_weekday" : "end_weekday"),
                    rp + "start_weekday and end_weekday go together: both for a weekly window, neither for a "
                         "daily one");
            }
            x.start_minute = ParseHhMm(r, "start_time", rp, 0);
            x.end_minute = ParseHhMm(r, "end_time", rp, 0);
            l.restrictions.push_back(x);
        }
    }
    return l;
}

// Reads the writable fields of a schedule (all optional on PATCH; layers replace the list).
void ReadSchedule(const json::object& body, oncall::Schedule& s, bool create) {
    Fields f(body);
    f.RejectUnknown({"name", "description", "time_zone", "team_id", "layers"});
    if (create && !f.Has("name")) Bad("name", "name is required");
    if (create && !f.Has("time_zone")) Bad("time_zone", "time_zone is required (an IANA zone, e.g. Europe/Berlin)");
    if (auto v = f.String("name", 200, false)) s.name = *v;
    if (auto v = f.String("description", 2000)) s.description = *v;
    if (auto v = f.String("time_zone", 64, false)) s.time_zone = *v;
    if (auto v = f.String("team_id", 100)) s.team_id = *v;
    if (const auto* layers = body.if_contains("layers"); layers && !layers->is_null()) {
        if (!layers->is_array()) Bad("layers", "layers must be an array");
        if (layers->as_array().size() > 20) Bad("layers", "layers has more than 20 items");
        s.layers.clear();
        for (std::size_t i = 0; i < layers->as_array().size(); ++i)
            s.layers.push_back(ReadLayer(layers->as_array()[i], i));
    }
}

// Validate() names model fields; the API spells a few differently.
std::string ApiField(std::string field) {
    for (auto [from, to] :
         {std::pair<std::string_view, std::string_view>{".turn_length", ".turn_length_hours"},
          {".handoff_minute", ".handoff_time"},
          {".start_minute", ".start_time"},
          {".end_minute", ".end_time"}}) {
        if (field.ends_with(from)) return field.substr(0, field.size() - from.size()) + std::string(to);
    }
    return field;
}

json::object ScheduleJson(const oncall::Schedule& s) {
    json::array layers;
    for (const auto& l : s.layers) {
        json::array restrictions;
        for (const auto& r : l.restrictions) {
            restrictions.push_back(json::object{
                {"start_weekday", WeekdayJson(r.start_weekday)},
                {"start_time", HhMm(r.start_minute)},
                {"end_weekday", WeekdayJson(r.end_weekday)},
                {"end_time", HhMm(r.end_minute)},
            });
        }
        json::object layer{
            {"name", l.name},
            {"kind", oncall::LayerKindName(l.kind)},
            {"start", FormatIso8601(l.start)},
            {"end", l.end ? json::value(FormatIso8601(*l.end)) : json::value(nullptr)},
            {"user_ids", json::array(l.user_ids.begin(), l.user_ids.end())},
            {"restrictions", std::move(restrictions)},
        };
        if (l.kind == oncall::Layer::Kind::kCustom) {
            layer["turn_length_hours"] = l.turn_length.count() / 60;
        } else {
            layer["handoff_time"] = HhMm(l.handoff_minute);
            if (l.kind == oncall::Layer::Kind::kWeekly) layer["handoff_weekday"] = WeekdayJson(l.handoff_weekday);
        }
        layers.push_back(std::move(layer));
    }
    json::array overrides;
    for (const auto& o : s.overrides) {
        overrides.push_back(json::object{
            {"id", o.id}, {"user_id", o.user_id}, {"start", FormatIso8601(o.start)}, {"end", FormatIso8601(o.end)}});
    }
    return json::object{
        {"id", s.id},
        {"name", s.name},
        {"description", s.description},
        {"time_zone", s.time_zone},
        {"team_id", s.team_id},
        {"layers", std::move(layers)},
        {"overrides", std::move(overrides)},
    };
}

using UserNames = std::map<std::string, std::string>;

json::object ShiftJson(const oncall::Shift& sh, const UserNames& names) {
    auto it = names.find(sh.user_id);
    return json::object{
        {"user_id", sh.user_id},
        {"user_name", it == names.end() ? std::string() : it->second},
        {"start", FormatIso8601(sh.start)},
        {"end", FormatIso8601(sh.end)},
        {"layer", sh.layer},
        {"override", sh.layer < 0},
    };
}

std::optional<TimePoint> TimeParam(const Request& req, const char* name) {
    auto v = req.QueryParam(name);
    if (!v || v->empty()) return std::nullopt;
    auto t = ParseIso8601(*v);
    if (!t) Bad(name, std::string(name) + " must be an ISO 8601 time, e.g. 2026-03-01T10:00:00Z");
    return t;
}

std::pair<TimePoint, TimePoint> RangeParams(const Request& req, TimePoint now) {
    const auto from = TimeParam(req, "from").value_or(now);
    const auto to = TimeParam(req, "to").value_or(from + kDefaultRange);
    if (to <= from) Bad("to", "to must be after from");
    if (to - from > kMaxRange) Bad("to", "from..to may span at most 1000 days");
    return {from, to};
}

class ScheduleApi : public std::enable_shared_from_this<ScheduleApi> {
public:
    explicit ScheduleApi(ScheduleApiDeps deps) : d_(std::move(deps)) {}

    void Register(http::Router& r) {
        auto self = shared_from_this();
        auto add = [&](Method m,
                       const std::string& path,
                       Role need,
                       void (ScheduleApi::*fn)(const Request&, Response&, const auth::Principal&)) {
            AddGuarded(r, d_.store, d_.sessions, self, m, path, need, fn);
        };
        add(Method::kGet, "/api/v1/schedules", Role::kStakeholder, &ScheduleApi::List);
        add(Method::kPost, "/api/v1/schedules", Role::kResponder, &ScheduleApi::Create);
        add(Method::kGet, "/api/v1/schedules/{id}", Role::kStakeholder, &ScheduleApi::Get);
        add(Method::kPatch, "/api/v1/schedules/{id}", Role::kResponder, &ScheduleApi::Patch);
        add(Method::kDelete, "/api/v1/schedules/{id}", Role::kResponder, &ScheduleApi::Delete);
        add(Method::kGet, "/api/v1/schedules/{id}/oncall", Role::kStakeholder, &ScheduleApi::OnCall);
        add(Method::kGet, "/api/v1/schedules/{id}/shifts", Role::kStakeholder, &ScheduleApi::ScheduleShifts);
        add(Method::kPost, "/api/v1/schedules/{id}/overrides", Role::kResponder, &ScheduleApi::CreateOverride);
        add(Method::kDelete, "/api/v1/schedules/{id}/overrides/{oid}", Role::kResponder, &ScheduleApi::DeleteOverride);
        add(Method::kPost, "/api/v1/schedules/{id}/ical-token", Role::kResponder, &ScheduleApi::RotateScheduleFeed);
        add(Method::kGet, "/api/v1/oncall", Role::kStakeholder, &ScheduleApi::OnCallAll);
        add(Method::kGet, "/api/v1/users/{id}/shifts", Role::kStakeholder, &ScheduleApi::UserShifts);
        add(Method::kPost, "/api/v1/users/{id}/ical-token", Role::kResponder, &ScheduleApi::RotateUserFeed);
        r.Add(
            Method::kGet,
            "/ical/schedules/{file}",
            [self](const Request& q, Response& s) { self->Feed(q, s, "schedule"); },
            http::RouteOptions{.blocking = true}
        );
        r.Add(
            Method::kGet,
            "/ical/users/{file}",
            [self](const Request& q, Response& s) { self->Feed(q, s, "user"); },
            http::RouteOptions{.blocking = true}
        );
    }

private:
    template <class F>
    void Read(F&& f) {
        ValueOrThrow(d_.store.Read(std::forward<F>(f)));
    }
    template <class F>
    void Write(F&& f) {
        ValueOrThrow(d_.store.Write(std::forward<F>(f)));
        if (d_.on_change) d_.on_change("schedules");
    }

    static oncall::Schedule Load(store::Tx& tx, const std::string& id) {
        auto s = ValueOrThrow(tx.GetSchedule(id));
        if (!s) throw HttpError(404, "not-found", "schedule " + id + " does not exist");
        return std::move(*s);
    }

    static store::User LoadUser(store::Tx& tx, const std::string& id) {
        auto u = ValueOrThrow(tx.GetUser(id));
        if (!u) throw HttpError(404, "not-found", "user " + id + " does not exist");
        return std::move(*u);
    }

    static UserNames Names(store::Tx& tx) {
        UserNames out;
        for (const auto& u : ValueOrThrow(tx.ListUsers())) out[u.id] = u.name.empty() ? u.email : u.name;
        return out;
    }

    // The model's rules, then the team and every participant must exist.
    static Result<void> Check(store::Tx& tx, const oncall::Schedule& s) {
        if (auto r = oncall::Validate(s); !r) {
            auto e = r.error();
            e.field = ApiField(e.field);
            return e;
        }
        if (!s.team_id.empty()) {
            TOCSIN_ASSIGN(team, tx.GetTeam(s.team_id));
            if (!team) return Error::Invalid("team_id", "team " + s.team_id + " does not exist");
        }
        for (std::size_t i = 0; i < s.layers.size(); ++i) {
            for (std::size_t j = 0; j < s.layers[i].user_ids.size(); ++j) {
                TOCSIN_ASSIGN(u, tx.GetUser(s.layers[i].user_ids[j]));
                if (!u) {
                    return Error::Invalid(
                        fmt::format("layers[{}].user_ids[{}]", i, j),
                        "user " + s.layers[i].user_ids[j] + " does not exist"
                    );
                }
            }
        }
        return {};
    }

    // ---- schedules ----

    void List(const Request&, Response& res, const auth::Principal&) {
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(list, tx.ListSchedules());
            for (const auto& s : list) data.push_back(ScheduleJson(s));
            return {};
        });
        WriteJson(res, json::object{{"data", std::move(data)}});
    }

    void Create(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "schedule");
        oncall::Schedule s;
        ReadSchedule(body, s, true);
        s.id = NewId();
        Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_TRY(Check(tx, s));
            return tx.InsertSchedule(s);
        });
        WriteJson(res, ScheduleJson(s), 201);
    }

    void Get(const Request& req, Response& res, const auth::Principal&) {
        oncall::Schedule s;
        Read([&](store::Tx& tx) -> Result<void> {
            s = Load(tx, std::string(req.Param("id")));
            return {};
        });
        WriteJson(res, ScheduleJson(s));
    }

    void Patch(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "schedule");
        oncall::Schedule s;
        Write([&](store::Tx& tx) -> Result<void> {
            s = Load(tx, std::string(req.Param("id")));
            ReadSchedule(body, s, false);
            TOCSIN_TRY(Check(tx, s));
            return tx.UpdateSchedule(s);
        });
        WriteJson(res, ScheduleJson(s));
    }

    void Delete(const Request& req, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) { return tx.DeleteSchedule(std::string(req.Param("id"))); });
        res.status = 204;
        res.body.clear();
    }

    // ---- who is on call, shifts ----

    static json::object OnCallJson(const oncall::Schedule& s, TimePoint at, const UserNames& names) {
        json::array users;
        for (const auto& id : oncall::OnCallAt(s, at)) {
            auto it = names.find(id);
            users.push_back(json::object{{"id", id}, {"name", it == names.end() ? std::string() : it->second}});
        }
        // Until when: the end of the current shift (looked for within 90 days).
        json::value until = nullptr;
        const auto shifts = oncall::Shifts(s, at, at + days(90));
        if (!shifts.empty() && shifts.front().start <= at) until = json::value(FormatIso8601(shifts.front().end));
        return json::object{
            {"schedule_id", s.id},
            {"schedule_name", s.name},
            {"at", FormatIso8601(at)},
            {"users", std::move(users)},
            {"until", std::move(until)},
        };
    }

    void OnCall(const Request& req, Response& res, const auth::Principal&) {
        const auto at = TimeParam(req, "at").value_or(d_.clock.Now());
        json::object out;
        Read([&](store::Tx& tx) -> Result<void> {
            out = OnCallJson(Load(tx, std::string(req.Param("id"))), at, Names(tx));
            return {};
        });
        WriteJson(res, out);
    }

    void OnCallAll(const Request& req, Response& res, const auth::Principal&) {
        const auto at = TimeParam(req, "at").value_or(d_.clock.Now());
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            const auto names = Names(tx);
            TOCSIN_ASSIGN(list, tx.ListSchedules());
            for (const auto& s : list) data.push_back(OnCallJson(s, at, names));
            return {};
        });
        WriteJson(res, json::object{{"at", FormatIso8601(at)}, {"data", std::move(data)}});
    }

    void ScheduleShifts(const Request& req, Response& res, const auth::Principal&) {
        const auto [from, to] = RangeParams(req, d_.clock.Now());
        json::object out;
        Read([&](store::Tx& tx) -> Result<void> {
            const auto s = Load(tx, std::string(req.Param("id")));
            const auto names = Names(tx);
            json::array final_shifts;
            for (const auto& sh : oncall::Shifts(s, from, to)) final_shifts.push_back(ShiftJson(sh, names));
            json::array layers;
            for (std::size_t i = 0; i < s.layers.size(); ++i) {
                json::array shifts;
                for (const auto& sh : oncall::LayerShifts(s, static_cast<int>(i), from, to)) {
                    shifts.push_back(ShiftJson(sh, names));
                }
                layers.push_back(json::object{{"layer", i}, {"name", s.layers[i].name}, {"shifts", std::move(shifts)}});
            }
            out = json::object{
                {"schedule_id", s.id},
                {"from", FormatIso8601(from)},
                {"to", FormatIso8601(to)},
                {"shifts", std::move(final_shifts)},
                {"layers", std::move(layers)},
            };
            return {};
        });
        WriteJson(res, out);
    }

    // A user's final shifts across every schedule, by start.
    static std::vector<std::pair<const oncall::Schedule*, oncall::Shift>> ShiftsOfUser(
        const std::vector<oncall::Schedule>& schedules, const std::string& user_id, TimePoint from, TimePoint to
    ) {
        std::vector<std::pair<const oncall::Schedule*, oncall::Shift>> out;
        for (const auto& s : schedules) {
            for (auto& sh : oncall::Shifts(s, from, to)) {
                if (sh.user_id == user_id) out.emplace_back(&s, std::move(sh));
            }
        }
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return a.second.start < b.second.start;
        });
        return out;
    }

    void UserShifts(const Request& req, Response& res, const auth::Principal&) {
        const auto [from, to] = RangeParams(req, d_.clock.Now());
        const std::string user_id(req.Param("id"));
        json::array data;
        Read([&](store::Tx& tx) -> Result<void> {
            LoadUser(tx, user_id);
            TOCSIN_ASSIGN(schedules, tx.ListSchedules());
            const auto names = Names(tx);
            for (const auto& [s, sh] : ShiftsOfUser(schedules, user_id, from, to)) {
                auto o = ShiftJson(sh, names);
                o["schedule_id"] = s->id;
                o["schedule_name"] = s->name;
                data.push_back(std::move(o));
            }
            return {};
        });
        WriteJson(
            res,
            json::object{
                {"user_id", user_id},
                {"from", FormatIso8601(from)},
                {"to", FormatIso8601(to)},
                {"data", std::move(data)}}
        );
    }

    // ---- overrides ----

    void CreateOverride(const Request& req, Response& res, const auth::Principal&) {
        auto body = ParseBody(req, "override");
        Fields f(body);
        f.RejectUnknown({"user_id", "start", "end"});
        oncall::Override o;
        o.id = NewId();
        auto user = f.String("user_id", 100, false);
        if (!user) Bad("user_id", "user_id is required");
        o.user_id = *user;
        auto start = f.Time("start");
        if (!start) Bad("start", "start is required");
        auto end = f.Time("end");
        if (!end) Bad("end", "end is required");
        if (*end <= *start) Bad("end", "end must be after start");
        if (*end - *start > days(366)) Bad("end", "an override may last at most 366 days");
        o.start = *start;
        o.end = *end;
        const std::string id(req.Param("id"));
        Write([&](store::Tx& tx) -> Result<void> {
            Load(tx, id);
            return tx.InsertScheduleOverride(id, o);
        });
        WriteJson(
            res,
            json::object{
                {"id", o.id},
                {"schedule_id", id},
                {"user_id", o.user_id},
                {"start", FormatIso8601(o.start)},
                {"end", FormatIso8601(o.end)}},
            201
        );
    }

    void DeleteOverride(const Request& req, Response& res, const auth::Principal&) {
        Write([&](store::Tx& tx) {
            return tx.DeleteScheduleOverride(std::string(req.Param("id")), std::string(req.Param("oid")));
        });
        res.status = 204;
        res.body.clear();
    }

    // ---- iCal feeds ----

    void RotateScheduleFeed(const Request& req, Response& res, const auth::Principal&) {
        const std::string id(req.Param("id"));
        const auto token = auth::NewSecret("ics_");
        Write([&](store::Tx& tx) -> Result<void> {
            Load(tx, id);
            return tx.SetICalFeedToken("schedule", id, auth::HashToken(token));
        });
        WriteJson(res, json::object{{"token", token}, {"url", "/ical/schedules/" + token + ".ics"}}, 201);
    }

    void RotateUserFeed(const Request& req, Response& res, const auth::Principal& p) {
        const std::string id(req.Param("id"));
        const auto token = auth::NewSecret("ics_");
        Write([&](store::Tx& tx) -> Result<void> {
            LoadUser(tx, id);
            if (p.role != Role::kOwner && p.user_id != id) {
                throw HttpError(403, "forbidden", "only the user themself or an owner may create a user's feed");
            }
            return tx.SetICalFeedToken("user", id, auth::HashToken(token));
        });
        WriteJson(res, json::object{{"token", token}, {"url", "/ical/users/" + token + ".ics"}}, 201);
    }

    void Feed(const Request& req, Response& res, const std::string& kind) {
        std::string_view file = req.Param("file");
        if (!file.ends_with(".ics")) throw HttpError(404, "not-found", "no such calendar");
        const std::string hash = auth::HashToken(file.substr(0, file.size() - 4));
        const auto now = d_.clock.Now();
        const auto from = now - kFeedPast;
        const auto to = now + kFeedFuture;
        std::string name;
        std::vector<oncall::ICalEvent> events;
        Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(feed, tx.FindICalFeed(hash));
            if (hash.empty() || !feed || feed->kind != kind) throw HttpError(404, "not-found", "no such calendar");
            const auto names = Names(tx);
            // Shifts are computed beyond the feed's window so one that crosses its edge keeps its
            // real start (and UID) while the window moves.
            auto keep = [&](const oncall::Shift& sh) { return sh.end > from && sh.start < to; };
            if (kind == "schedule") {
                TOCSIN_ASSIGN(s, tx.GetSchedule(feed->subject_id));
                if (!s) throw HttpError(404, "not-found", "no such calendar");
                name = s->name + " (on call)";
                for (const auto& sh : oncall::Shifts(*s, from - kFeedMargin, to + kFeedMargin)) {
                    if (!keep(sh)) continue;
                    auto it = names.find(sh.user_id);
                    const std::string who = it == names.end() ? sh.user_id : it->second;
                    events.push_back(oncall::ICalEvent{
                        oncall::ShiftUid(s->id, sh),
                        sh.start,
                        sh.end,
                        "On call: " + who + " (" + s->name + ")",
                        "Schedule " + s->name + (sh.layer < 0 ? ", override" : "")});
                }
            } else {
                auto it = names.find(feed->subject_id);
                if (it == names.end()) throw HttpError(404, "not-found", "no such calendar");
                name = it->second + " (on call)";
                TOCSIN_ASSIGN(schedules, tx.ListSchedules());
                for (const auto& [s, sh] :
                     ShiftsOfUser(schedules, feed->subject_id, from - kFeedMargin, to + kFeedMargin)) {
                    if (!keep(sh)) continue;
                    events.push_back(oncall::ICalEvent{
                        oncall::ShiftUid(s->id, sh),
                        sh.start,
                        sh.end,
                        "On call: " + s->name,
                        "Schedule " + s->name + (sh.layer < 0 ? ", override" : "")});
                }
            }
            return {};
        });
        res.status = 200;
        res.content_type = "text/calendar; charset=utf-8";
        res.SetHeader("Cache-Control", "private, max-age=300");
        res.body = oncall::RenderICal(name, events, now);
    }

    ScheduleApiDeps d_;
};

}  // namespace

void RegisterScheduleRoutes(http::Router& router, ScheduleApiDeps deps) {
    std::make_shared<ScheduleApi>(std::move(deps))->Register(router);
}

}  // namespace tocsin::api
