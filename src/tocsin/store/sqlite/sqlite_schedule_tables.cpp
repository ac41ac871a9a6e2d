#include "tocsin/store/sqlite/sqlite_schedule_tables.hpp"

#include "tocsin/common/time_format.hpp"

#include <boost/json.hpp>

namespace tocsin::store::sqlite {
namespace {

namespace json = boost::json;

// layers_json: the store's own compact form of oncall::Layer (times in UTC milliseconds,
// restrictions as [start_weekday, start_minute, end_weekday, end_minute]).
std::string LayersJson(const std::vector<oncall::Layer>& layers) {
    json::array out;
    for (const auto& l : layers) {
        json::array users(l.user_ids.begin(), l.user_ids.end());
        json::array restrictions;
        for (const auto& r : l.restrictions) {
            restrictions.push_back(json::array{r.start_weekday, r.start_minute, r.end_weekday, r.end_minute});
        }
        out.push_back(json::object{
            {"name", l.name},
            {"start", ToMillis(l.start)},
            {"end", l.end ? json::value(ToMillis(*l.end)) : json::value(nullptr)},
            {"kind", oncall::LayerKindName(l.kind)},
            {"turn_minutes", l.turn_length.count()},
            {"handoff_minute", l.handoff_minute},
            {"handoff_weekday", l.handoff_weekday},
            {"user_ids", std::move(users)},
            {"restrictions", std::move(restrictions)},
        });
    }
    return json::serialize(out);
}

std::int64_t IntOr(const json::object& o, std::string_view key, std::int64_t fallback) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->as_int64() : fallback;
}

Result<std::vector<oncall::Layer>> ParseLayers(const std::string& text, const std::string& schedule_id) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return Error::Internal("schedule " + schedule_id + " has unreadable layers");
    std::vector<oncall::Layer> out;
    for (const auto& item : v.as_array()) {
        if (!item.is_object()) return Error::Internal("schedule " + schedule_id + " has an unreadable layer");
        const auto& o = item.as_object();
        oncall::Layer l;
        if (const auto* n = o.if_contains("name"); n && n->is_string()) l.name = n->as_string().c_str();
        l.start = FromMillis(IntOr(o, "start", 0));
        if (const auto* e = o.if_contains("end"); e && e->is_int64()) l.end = FromMillis(e->as_int64());
        if (const auto* k = o.if_contains("kind"); k && k->is_string()) {
            l.kind = oncall::ParseLayerKind(std::string_view(k->as_string())).value_or(oncall::Layer::Kind::kWeekly);
        }
        l.turn_length = std::chrono::minutes(IntOr(o, "turn_minutes", 0));
        l.handoff_minute = static_cast<int>(IntOr(o, "handoff_minute", 9 * 60));
        l.handoff_weekday = static_cast<int>(IntOr(o, "handoff_weekday", 0));
        if (const auto* u = o.if_contains("user_ids"); u && u->is_array()) {
            for (const auto& id : u->as_array()) {
                if (id.is_string()) l.user_ids.emplace_back(id.as_string().c_str());
            }
        }
        if (const auto* rs = o.if_contains("restrictions"); rs && rs->is_array()) {
            for (const auto& r : rs->as_array()) {
                if (!r.is_array() || r.as_array().size() != 4) continue;
                const auto& a = r.as_array();
                auto at = [&](std::size_t i) { return a[i].is_int64() ? static_cast<int>(a[i].as_int64()) : 0; };
                l.restrictions.push_back(oncall::Restriction{at(0), at(1), at(2), at(3)});
            }
        }
        out.push_back(std::move(l));
    }
    return out;
}

constexpr const char* kScheduleColumns = "id, name, description, time_zone, team_id, layers_json";

Result<oncall::Schedule> ReadSchedule(const Statement& s) {
    oncall::Schedule out;
    out.id = s.Text(0);
    out.name = s.Text(1);
    out.description = s.Text(2);
    out.time_zone = s.Text(3);
    out.team_id = s.Text(4);
    TOCSIN_ASSIGN(layers, ParseLayers(s.Text(5), out.id));
    out.layers = std::move(layers);
    return out;
}

Result<void> ConflictAs(Result<void> r, const std::string& message) {
    if (!r && r.error().kind == ErrorKind::kConflict) return Error::Conflict(message);
    return r;
}

}  // namespace

Result<std::vector<oncall::Override>> ScheduleTables::Overrides(const std::string& schedule_id) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("SELECT id, user_id, start_at, end_at FROM schedule_overrides WHERE schedule_id = ?1 "
                    "ORDER BY created_at, rowid")
    );
    s->Bind(1, schedule_id);
    std::vector<oncall::Override> out;
    for (;;) {
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) break;
        out.push_back(oncall::Override{s->Text(0), s->Text(1), FromMillis(s->Int(2)), FromMillis(s->Int(3))});
    }
    return out;
}

Result<std::vector<oncall::Schedule>> ScheduleTables::ListSchedules() {
    std::vector<oncall::Schedule> out;
    {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kScheduleColumns + " FROM schedules ORDER BY name, id"));
        for (;;) {
            TOCSIN_ASSIGN(row, s->Step());
            if (!row) break;
            TOCSIN_ASSIGN(schedule, ReadSchedule(*s));
            out.push_back(std::move(schedule));
        }
    }
    for (auto& schedule : out) {
        TOCSIN_ASSIGN(overrides, Overrides(schedule.id));
        schedule.overrides = std::move(overrides);
    }
    return out;
}

Result<std::optional<oncall::Schedule>> ScheduleTables::GetSchedule(const std::string& id) {
    std::optional<oncall::Schedule> out;
    {
        TOCSIN_ASSIGN(s, db_.Prepare(std::string("SELECT ") + kScheduleColumns + " FROM schedules WHERE id = ?1"));
        s->Bind(1, id);
        TOCSIN_ASSIGN(row, s->Step());
        if (!row) return std::optional<oncall::Schedule>();
        TOCSIN_ASSIGN(schedule, ReadSchedule(*s));
        out = std::move(schedule);
        s->Reset();
    }
    TOCSIN_ASSIGN(overrides, Overrides(id));
    out->overrides = std::move(overrides);
    return out;
}

Result<void> ScheduleTables::InsertSchedule(const oncall::Schedule& sc) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare(
            "INSERT INTO schedules (id, name, description, time_zone, team_id, layers_json, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
        )
    );
    s->Bind(1, sc.id).Bind(2, sc.name).Bind(3, sc.description).Bind(4, sc.time_zone).Bind(5, sc.team_id);
    s->Bind(6, LayersJson(sc.layers)).Bind(7, ToMillis(now_));
    return ConflictAs(s->Exec(), "a schedule named '" + sc.name + "' exists");
}

Result<void> ScheduleTables::UpdateSchedule(const oncall::Schedule& sc) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("UPDATE schedules SET name = ?2, description = ?3, time_zone = ?4, team_id = ?5, layers_json = ?6, "
                    "updated_at = ?7 WHERE id = ?1")
    );
    s->Bind(1, sc.id).Bind(2, sc.name).Bind(3, sc.description).Bind(4, sc.time_zone).Bind(5, sc.team_id);
    s->Bind(6, LayersJson(sc.layers)).Bind(7, ToMillis(now_));
    TOCSIN_TRY(ConflictAs(s->Exec(), "a schedule named '" + sc.name + "' exists"));
    if (s->Changes() == 0) return Error::NotFound("schedule " + sc.id + " does not exist");
    return {};
}

Result<void> ScheduleTables::DeleteSchedule(const std::string& id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM schedules WHERE id = ?1"));
    s->Bind(1, id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("schedule " + id + " does not exist");
    TOCSIN_ASSIGN(f, db_.Prepare("DELETE FROM ical_feeds WHERE kind = 'schedule' AND subject_id = ?1"));
    f->Bind(1, id);
    return f->Exec();
}

Result<void> ScheduleTables::InsertScheduleOverride(const std::string& schedule_id, const oncall::Override& o) {
    {
        TOCSIN_ASSIGN(q, db_.Prepare("SELECT 1 FROM schedules WHERE id = ?1"));
        q->Bind(1, schedule_id);
        TOCSIN_ASSIGN(row, q->Step());
        q->Reset();
        if (!row) return Error::NotFound("schedule " + schedule_id + " does not exist");
    }
    {
        TOCSIN_ASSIGN(q, db_.Prepare("SELECT 1 FROM users WHERE id = ?1"));
        q->Bind(1, o.user_id);
        TOCSIN_ASSIGN(row, q->Step());
        q->Reset();
        if (!row) return Error::Invalid("user_id", "user " + o.user_id + " does not exist");
    }
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO schedule_overrides (id, schedule_id, user_id, start_at, end_at, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
    );
    s->Bind(1, o.id).Bind(2, schedule_id).Bind(3, o.user_id).Bind(4, ToMillis(o.start)).Bind(5, ToMillis(o.end));
    s->Bind(6, ToMillis(now_));
    return s->Exec();
}

Result<void> ScheduleTables::DeleteScheduleOverride(const std::string& schedule_id, const std::string& override_id) {
    TOCSIN_ASSIGN(s, db_.Prepare("DELETE FROM schedule_overrides WHERE schedule_id = ?1 AND id = ?2"));
    s->Bind(1, schedule_id).Bind(2, override_id);
    TOCSIN_TRY(s->Exec());
    if (s->Changes() == 0) return Error::NotFound("override " + override_id + " does not exist");
    return {};
}

Result<void> ScheduleTables::SetICalFeedToken(
    const std::string& kind, const std::string& subject_id, const std::string& token_hash
) {
    TOCSIN_ASSIGN(
        s,
        db_.Prepare("INSERT INTO ical_feeds (token_hash, kind, subject_id, created_at) VALUES (?1, ?2, ?3, ?4) "
                    "ON CONFLICT (kind, subject_id) DO UPDATE SET token_hash = excluded.token_hash, "
                    "created_at = excluded.created_at")
    );
    s->Bind(1, token_hash).Bind(2, kind).Bind(3, subject_id).Bind(4, ToMillis(now_));
    return s->Exec();
}

Result<std::optional<ICalFeed>> ScheduleTables::FindICalFeed(const std::string& token_hash) {
    TOCSIN_ASSIGN(s, db_.Prepare("SELECT kind, subject_id, created_at FROM ical_feeds WHERE token_hash = ?1"));
    s->Bind(1, token_hash);
    TOCSIN_ASSIGN(row, s->Step());
    if (!row) return std::optional<ICalFeed>();
    ICalFeed f{s->Text(0), s->Text(1), FromMillis(s->Int(2))};
    s->Reset();
    return std::optional<ICalFeed>(std::move(f));
}

}  // namespace tocsin::store::sqlite
