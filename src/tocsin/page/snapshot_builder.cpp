#include "tocsin/page/snapshot_builder.hpp"

#include "tocsin/common/check.hpp"
#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/maintenance.hpp"
#include "tocsin/domain/status_rollup.hpp"
#include "tocsin/page/embeds.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/markdown.hpp"
#include "tocsin/page/uptime_render.hpp"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

namespace tocsin::page::embedded {
std::string_view Find(std::string_view name);
}  // namespace tocsin::page::embedded

namespace tocsin::page {
namespace {

namespace mu = kainjow::mustache;
using domain::Component;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;

std::string Embedded(std::string_view name) {
    auto bytes = embedded::Find(name);
    TOCSIN_CHECK(!bytes.empty(), "embedded web asset missing from the build");
    return std::string(bytes);
}

// FNV-1a: a stable strong validator; collisions only cost a revalidation miss.
std::string ETagOf(std::string_view bytes, std::string_view variant) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("\"{:016x}{}\"", h, variant);
}

std::string WithLang(const std::string& path, const std::string& lang) {
    return path + (path.find('?') == std::string::npos ? "?lang=" : "&lang=") + lang;
}

std::string DurationText(const Catalog& cat, const std::string& lang, std::chrono::milliseconds d) {
    auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    if (minutes < 120) return cat.Format(lang, "minutes", std::to_string(std::max<long long>(1, minutes)));
    if (minutes < 48 * 60) return cat.Format(lang, "hours", std::to_string(minutes / 60));
    return cat.Format(lang, "days", std::to_string(minutes / (24 * 60)));
}

class LanguageRenderer {
public:
    LanguageRenderer(const domain::PageState& state, TimePoint now, std::string lang, const PageOptions& options)
        : state_(state),
          now_(now),
          lang_(std::move(lang)),
          options_(options),
          cat_(Catalog::Embedded()),
          time_(state.settings.time_zone, cat_, lang_),
          utc_("UTC", cat_, lang_),
          locale_{cat_, lang_, time_, utc_} {
        for (const auto& c : state.components) by_id_[c.id] = &c;
        for (const auto& [k, v] : cat_.All(lang_)) t_[k] = v;
        // Public monitors are those of components on the page; the loader promises this,
        // and a monitor of a deleted component must not leak its name in between.
        for (const auto& m : state.uptime.monitors) {
            if (std::any_of(m.component_ids.begin(), m.component_ids.end(), [&](const std::string& id) {
                    return by_id_.count(id) > 0;
                })) {
                monitors_.push_back(&m);
            }
        }
    }

    bool HasUptimePage() const { return !monitors_.empty(); }

    const mu::object& T() const { return t_; }

    mu::data Base(const std::string& title, const std::string& path) const {
        mu::data d;
        d.set("lang", lang_);
        d.set("t", t_);
        d.set("title", title);
        d.set("page_name", state_.settings.name);
        d.set("logo", mu::data(!state_.settings.logo.empty()));
        d.set("theme_version", ETagOf(state_.settings.accent_color, "").substr(1, 8));
        d.set("times_in", cat_.Format(lang_, "times_in", time_.ZoneName()));
        mu::list langs, alternates;
        for (const auto& code : domain::SupportedLanguages()) {
            std::string upper = code;
            std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
            mu::object o{{"code", code}, {"code_upper", upper}, {"href", WithLang(path, code)}};
            o["current"] = mu::data(code == lang_);
            langs.emplace_back(o);
            alternates.emplace_back(mu::object{{"code", code}, {"href", state_.settings.url + WithLang(path, code)}});
        }
        d.set("languages", langs);
        d.set("alternates", alternates);
        mu::list links;
        for (const auto& l : state_.settings.footer_links)
            links.emplace_back(mu::object{{"label", l.label}, {"url", l.url}});
        d.set("has_footer_links", mu::data(!links.empty()));
        d.set("footer_links", links);
        d.set("uptime_href", UptimeHref());
        return d;
    }

    mu::data UptimeHref() const { return HasUptimePage() ? mu::data("/uptime?lang=" + lang_) : mu::data(false); }

    // The 90-day bar of a component, or false. Always set, even to false: mustache would
    // otherwise find a group's bar from inside its children.
    mu::data UptimeBar(const Component& c) const {
        auto monitors = MonitorsOf(state_.uptime, c.id);
        if (monitors.empty()) return mu::data(false);
        auto days = CombineDays(monitors, now_);
        mu::object u{
            {"svg", RenderUptimeBar(days, locale_)},
            {"total", cat_.Format(lang_, "uptime_n", FormatPercent(CombineUptime90d(monitors), locale_))},
            {"caption", cat_.Format(lang_, "bar_caption", c.name)},
        };
        mu::list rows;
        for (auto it = days.rbegin(); it != days.rend(); ++it) {
            bool no_data = it->health == domain::DayHealth::kNoData && !it->uptime_percent;
            rows.emplace_back(mu::object{
                {"date", utc_.Date(it->day_start)},
                {"health", std::string(HealthName(it->health))},
                {"health_label", HealthLabel(it->health, locale_)},
                {"uptime", FormatPercent(it->uptime_percent, locale_)},
                {"outage", no_data ? std::string("—") : OutageText(it->outage_seconds, locale_)},
            });
        }
        u["days"] = rows;
        return u;
    }

    mu::data Uptime(ChartRange range) const {
        mu::data d;
        mu::list ranges;
        for (auto r : {ChartRange::k24Hours, ChartRange::k7Days, ChartRange::k30Days}) {
            mu::object o{
                {"label", cat_.Get(lang_, "range_" + std::string(RangeName(r)))},
                {"href", WithLang(std::string(RangePath(r)), lang_)},
            };
            o["current"] = mu::data(r == range);
            ranges.emplace_back(o);
        }
        d.set("ranges", ranges);
        d.set("over", cat_.Get(lang_, "range." + std::string(RangeName(range)) + ".over"));
        mu::list monitors;
        int n = 0;
        for (const auto* m : monitors_) {
            ++n;
            auto health = m->state == "up"         ? domain::DayHealth::kOperational
                          : m->state == "degraded" ? domain::DayHealth::kDegraded
                          : m->state == "down"     ? domain::DayHealth::kOutage
                                                   : domain::DayHealth::kNoData;
            mu::list cells;
            for (auto value : {m->uptime_24h, m->uptime_7d, m->uptime_30d, m->uptime_90d}) {
                mu::object cell{{"value", FormatPercent(value, locale_)}};
                cell["absent"] = mu::data(!value.has_value());
                cells.emplace_back(cell);
            }
            mu::object o{
                {"anchor", "monitor-" + std::to_string(n)},
                {"name", m->name},
                {"type", m->type},
                {"health", std::string(HealthName(health))},
                {"health_label", HealthLabel(health, locale_)},
                {"chart_svg", RenderLatencyChart(*m, range, locale_, "chart-" + std::to_string(n))},
                {"summary", ChartSummary(RangePoints(*m, range), range, locale_)},
            };
            o["cells"] = cells;
            monitors.emplace_back(o);
        }
        d.set("monitors", monitors);
        return d;
    }

    std::string ComponentLabel(domain::ComponentStatus s) const {
        return cat_.Get(lang_, "component." + std::string(domain::ToString(s)));
    }
    std::string StatusLabel(IncidentStatus s) const {
        return cat_.Get(lang_, "incident." + std::string(domain::ToString(s)));
    }

    mu::object Card(const Incident& inc) const {
        mu::object o{
            {"id", inc.id},
            {"name", inc.name},
            {"impact", std::string(domain::ToString(inc.impact))},
            {"lang", lang_},
        };
        bool maintenance = inc.kind == IncidentKind::kMaintenance;
        o["is_maintenance"] = mu::data(maintenance);
        o["hide_title"] = mu::data(false);
        if (maintenance && inc.scheduled_for && inc.scheduled_until) {
            o["scheduled_for"] = time_.DateTime(*inc.scheduled_for);
            o["scheduled_for_iso"] = FormatIso8601(*inc.scheduled_for);
            o["scheduled_until"] = time_.DateTime(*inc.scheduled_until);
            o["scheduled_until_iso"] = FormatIso8601(*inc.scheduled_until);
            if (inc.status == IncidentStatus::kScheduled && *inc.scheduled_for > now_) {
                o["starts_in"] = cat_.Format(lang_, "starts_in", DurationText(cat_, lang_, *inc.scheduled_for - now_));
            } else {
                o["starts_in"] = mu::data(false);
            }
        }
        std::string names;
        for (const auto& id : inc.component_ids) {
            auto it = by_id_.find(id);
            if (it == by_id_.end()) continue;
            names += (names.empty() ? "" : ", ") + it->second->name;
        }
        o["has_components"] = mu::data(!names.empty());
        o["components"] = names;
        mu::list updates;
        for (const auto& u : inc.updates) {
            updates.emplace_back(mu::object{
                {"status", std::string(domain::ToString(u.status))},
                {"status_label", StatusLabel(u.status)},
                {"display_at", time_.DateTime(u.display_at)},
                {"display_at_iso", FormatIso8601(u.display_at)},
                {"body_html", RenderMarkdown(u.body)},
            });
        }
        o["updates"] = updates;
        return o;
    }

    mu::data Index() const {
        mu::data d;
        auto st = domain::ComputePageStatus(state_.components, state_.incidents);
        d.set("indicator", std::string(domain::ToString(st.indicator)));
        d.set("status_text", cat_.Get(lang_, domain::I18nKey(st.condition)));
        d.set("built_at", time_.DateTime(now_));
        d.set("built_at_iso", FormatIso8601(now_));

        mu::list active, active_maint;
        std::vector<const Incident*> upcoming;
        for (const auto& inc : state_.incidents) {
            if (inc.IsClosed()) continue;
            if (inc.kind == IncidentKind::kIncident) {
                active.emplace_back(Card(inc));
            } else if (inc.status == IncidentStatus::kInProgress || inc.status == IncidentStatus::kVerifying) {
                active_maint.emplace_back(Card(inc));
            } else {
                upcoming.push_back(&inc);
            }
        }
        std::sort(upcoming.begin(), upcoming.end(), [](const Incident* a, const Incident* b) {
            return a->scheduled_for.value_or(TimePoint{}) < b->scheduled_for.value_or(TimePoint{});
        });
        mu::list upcoming_list;
        for (const auto* inc : upcoming) upcoming_list.emplace_back(Card(*inc));
        d.set("has_active_incidents", mu::data(!active.empty()));
        d.set("active_incidents", active);
        d.set("has_active_maintenance", mu::data(!active_maint.empty()));
        d.set("active_maintenance", active_maint);
        d.set("has_upcoming_maintenance", mu::data(!upcoming_list.empty()));
        d.set("upcoming_maintenance", upcoming_list);

        mu::list components;
        for (const auto& c : state_.components) {
            if (c.group_id) {
                auto parent = by_id_.find(*c.group_id);
                if (parent != by_id_.end() && parent->second->is_group) continue;  // shown inside its group
            }
            auto status = c.is_group ? domain::GroupStatus(c, state_.components) : c.status;
            if (c.only_show_if_degraded && status == domain::ComponentStatus::kOperational) continue;
            mu::object o{
                {"name", c.name},
                {"status", std::string(domain::ToString(status))},
                {"status_label", ComponentLabel(status)},
            };
            o["description"] = c.description.empty() ? mu::data(false) : mu::data(c.description);
            o["uptime"] = UptimeBar(c);
            o["is_group"] = mu::data(c.is_group);
            if (c.is_group) {
                mu::list children;
                for (const auto& child : state_.components) {
                    if (!child.group_id || *child.group_id != c.id) continue;
                    if (child.only_show_if_degraded && child.status == domain::ComponentStatus::kOperational) continue;
                    mu::object co{
                        {"name", child.name},
                        {"status", std::string(domain::ToString(child.status))},
                        {"status_label", ComponentLabel(child.status)},
                    };
                    co["description"] = child.description.empty() ? mu::data(false) : mu::data(child.description);
                    co["uptime"] = UptimeBar(child);
                    children.emplace_back(co);
                }
                o["children"] = children;
            }
            components.emplace_back(o);
        }
        d.set("components", components);
        d.set("uptime_href", UptimeHref());

        mu::list days;
        for (int back = 0; back < options_.past_days_on_index; ++back) {
            TimePoint start = time_.StartOfDay(now_, back);
            TimePoint end = back == 0 ? TimePoint::max() : time_.StartOfDay(now_, back - 1);
            mu::list items;
            for (const auto& inc : state_.incidents) {
                if (inc.kind == IncidentKind::kMaintenance && !inc.IsClosed()) continue;
                if (inc.started_at < start || inc.started_at >= end) continue;
                items.emplace_back(mu::object{
                    {"id", inc.id},
                    {"name", inc.name},
                    {"status", std::string(domain::ToString(inc.status))},
                    {"status_label", StatusLabel(inc.status)},
                    {"lang", lang_},
                });
            }
            mu::object day{{"date", time_.Date(start)}};
            day["incidents"] = items;
            days.emplace_back(day);
        }
        d.set("past_days", days);
        return d;
    }

    std::vector<const Incident*> Closed() const {
        std::vector<const Incident*> out;
        for (const auto& inc : state_.incidents) {
            if (inc.IsClosed()) out.push_back(&inc);
        }
        return out;
    }

    int HistoryPages() const {
        auto n = static_cast<int>(Closed().size());
        return std::max(1, (n + options_.history_page_size - 1) / options_.history_page_size);
    }

    mu::data History(int page) const {
        auto closed = Closed();
        int pages = HistoryPages();
        std::size_t from = static_cast<std::size_t>((page - 1) * options_.history_page_size);
        std::size_t to = std::min(closed.size(), from + static_cast<std::size_t>(options_.history_page_size));
        mu::list months;
        std::string current_key;
        mu::list current_items;
        std::string current_label;
        auto flush = [&] {
            if (current_key.empty()) return;
            mu::object m{{"key", current_key}, {"label", current_label}};
            m["incidents"] = current_items;
            months.emplace_back(m);
            current_items = mu::list{};
        };
        for (std::size_t i = from; i < to; ++i) {
            const Incident& inc = *closed[i];
            std::string key = time_.MonthKey(inc.started_at);
            if (key != current_key) {
                flush();
                current_key = key;
                current_label = time_.MonthLabel(inc.started_at);
            }
            mu::object o{
                {"id", inc.id},
                {"name", inc.name},
                {"lang", lang_},
                {"status", std::string(domain::ToString(inc.status))},
                {"status_label", StatusLabel(inc.status)},
                {"started_at", time_.DateTime(inc.started_at)},
                {"started_at_iso", FormatIso8601(inc.started_at)},
            };
            if (inc.resolved_at) {
                o["resolved_at"] = time_.DateTime(*inc.resolved_at);
                o["resolved_at_iso"] = FormatIso8601(*inc.resolved_at);
            } else {
                o["resolved_at"] = mu::data(false);
            }
            o["latest"] = inc.updates.empty() ? mu::data(false) : mu::data(RenderMarkdown(inc.updates.front().body));
            current_items.emplace_back(o);
        }
        flush();
        mu::data d;
        d.set("months", months);
        d.set("page_label", cat_.Format(lang_, "page_n", std::to_string(page)));
        d.set(
            "newer_href",
            page > 1 ? mu::data(HistoryPath(page - 1) + (page - 1 == 1 ? "?" : "&") + "lang=" + lang_) : mu::data(false)
        );
        d.set("older_href", page < pages ? mu::data(HistoryPath(page + 1) + "&lang=" + lang_) : mu::data(false));
        return d;
    }

    static std::string HistoryPath(int page) {
        return page == 1 ? "/history" : "/history?page=" + std::to_string(page);
    }

    mu::data IncidentPage(const Incident& inc) const {
        mu::data d;
        d.set("name", inc.name);
        d.set("status", std::string(domain::ToString(inc.status)));
        d.set("status_label", StatusLabel(inc.status));
        d.set("impact_label", cat_.Get(lang_, "impact." + std::string(domain::ToString(inc.impact))));
        auto card = Card(inc);
        card["hide_title"] = mu::data(true);  // the page's h1 already names it
        d.set("incident", card);
        return d;
    }

    mu::data NotFound() const { return mu::data(); }

private:
    const domain::PageState& state_;
    TimePoint now_;
    std::string lang_;
    const PageOptions& options_;
    const Catalog& cat_;
    TimeFormatter time_;
    TimeFormatter utc_;  // monitoring days are UTC days
    RenderLocale locale_;
    mu::object t_;
    std::unordered_map<std::string, const Component*> by_id_;
    std::vector<const domain::MonitorUptime*> monitors_;  // public ones, in the state's order
};

// Outputs meant to be read by scripts or shown by other sites: they alone get CORS.
bool IsCorsEmbed(const std::string& key) {
    auto path = std::string_view(key).substr(0, key.find('#'));
    return path.rfind("/api/v2/", 0) == 0 || path == "/embed/status.json" || path == "/embed/banner.js" ||
           path == "/badge.svg" || path.rfind("/badge/", 0) == 0;
}

bool IsTextual(const std::string& content_type) {
    return content_type.rfind("text/", 0) == 0 || content_type.find("json") != std::string::npos ||
           content_type.find("xml") != std::string::npos || content_type.find("svg") != std::string::npos ||
           content_type.find("calendar") != std::string::npos;
}

}  // namespace

struct SnapshotBuilder::Templates {
    mu::mustache layout{Embedded("templates/layout.mustache")};
    mu::mustache index{Embedded("templates/index.mustache")};
    mu::mustache incident{Embedded("templates/incident.mustache")};
    mu::mustache history{Embedded("templates/history.mustache")};
    mu::mustache not_found{Embedded("templates/not_found.mustache")};
    mu::mustache uptime{Embedded("templates/uptime.mustache")};
    std::string card = Embedded("templates/incident_card.mustache");
    std::string uptime_bar = Embedded("templates/uptime_bar.mustache");
    std::string page_css = Embedded("assets/page.css");
    std::string favicon = Embedded("assets/favicon.svg");
    std::string banner_js = Embedded("assets/banner.js");

    Templates() {
        for (auto* t : {&layout, &index, &incident, &history, &not_found, &uptime}) {
            TOCSIN_CHECK(t->is_valid(), "embedded template does not parse");
        }
    }

    std::string Render(mu::mustache& tmpl, mu::data& d) const {
        std::string card_copy = card;
        d.set("incident_card", mu::partial([card_copy] { return card_copy; }));
        std::string bar_copy = uptime_bar;
        d.set("uptime_bar", mu::partial([bar_copy] { return bar_copy; }));
        return tmpl.render(d);
    }
};

SnapshotBuilder::SnapshotBuilder(PageOptions options) : options_(options), templates_(std::make_unique<Templates>()) {}

SnapshotBuilder::~SnapshotBuilder() = default;

std::shared_ptr<const Snapshot> SnapshotBuilder::Build(
    const domain::PageState& state, TimePoint now, std::uint64_t generation, const Snapshot* previous
) const {
    auto snap = std::make_shared<Snapshot>();
    snap->generation = generation;
    snap->built_at = now;
    snap->default_language = state.settings.default_language;
    snap->languages.push_back(state.settings.default_language);
    for (const auto& l : domain::SupportedLanguages()) {
        if (l != state.settings.default_language) snap->languages.push_back(l);
    }
    std::string ancestors;
    for (const auto& a : state.settings.frame_ancestors) ancestors += " " + a;
    snap->content_security_policy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors" +
        (ancestors.empty() ? std::string(" 'none'") : ancestors);
    snap->frame_options = ancestors.empty() ? "DENY" : "";

    std::string last_modified = FormatHttpDate(now);
    auto add = [&](const std::string& key,
                   std::string content_type,
                   std::string body,
                   bool localized,
                   bool html,
                   std::string cache_control,
                   int status = 200) {
        Entry e;
        e.status = status;
        e.content_type = std::move(content_type);
        const Entry* before = previous ? previous->Find(key) : nullptr;
        if (before && before->body == body && before->content_type == e.content_type) {
            // Unchanged bytes keep their validators and compressed copy: clients' caches stay
            // valid and the rebuild skips the compression.
            e.etag = before->etag;
            e.etag_gzip = before->etag_gzip;
            e.gzip = before->gzip;
            e.last_modified = before->last_modified;
        } else {
            e.etag = ETagOf(body, "");
            if (IsTextual(e.content_type) && body.size() > 200) {
                e.gzip = Gzip(body);
                // The gzip variant is a different representation and needs its own validator.
                e.etag_gzip = e.etag.substr(0, e.etag.size() - 1) + "-gz\"";
            }
            e.last_modified = last_modified;
        }
        e.body = std::move(body);
        e.cache_control = std::move(cache_control);
        e.localized = localized;
        e.html = html;
        auto lang = key.find('#') == std::string::npos ? std::string() : key.substr(key.find('#') + 1);
        for (bool gz : {false, true}) {
            if (gz && e.gzip.empty()) break;
            auto& h = gz ? e.headers_gzip : e.headers;
            if (e.status == 200) {
                h.emplace_back("ETag", gz ? e.etag_gzip : e.etag);
                h.emplace_back("Last-Modified", e.last_modified);
            }
            h.emplace_back("Cache-Control", e.cache_control);
            if (!e.gzip.empty()) {
                h.emplace_back("Vary", localized ? "Accept-Encoding, Accept-Language" : "Accept-Encoding");
            } else if (localized) {
                h.emplace_back("Vary", "Accept-Language");
            }
            h.emplace_back("X-Content-Type-Options", "nosniff");
            h.emplace_back("Referrer-Policy", "no-referrer");
            if (IsCorsEmbed(key)) h.emplace_back("Access-Control-Allow-Origin", "*");
            if (key.rfind("/embed/banner#", 0) == 0) {
                // The iframe banner is made to be framed by any site. It runs no script and
                // loads nothing; its links open in a new tab.
                h.emplace_back(
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                    "frame-ancestors *"
                );
                if (!lang.empty()) h.emplace_back("Content-Language", lang);
            } else if (html) {
                h.emplace_back("Content-Security-Policy", snap->content_security_policy);
                if (!snap->frame_options.empty()) h.emplace_back("X-Frame-Options", snap->frame_options);
                if (!lang.empty()) h.emplace_back("Content-Language", lang);
            } else {
                h.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
            }
            if (gz) h.emplace_back("Content-Encoding", "gzip");
        }
        snap->entries[key] = std::move(e);
    };

    // HTML is revalidated quickly: during an outage a stale page is the worst thing we can serve.
    const std::string html_cache = "public, max-age=10";
    const std::string json_cache = "public, max-age=10";
    const std::string asset_cache = "public, max-age=3600";
    // Badges are fetched through image proxies (GitHub's camo) that honour max-age.
    const std::string badge_cache = "public, max-age=60";

    auto& tpl = *templates_;
    for (const auto& lang : snap->languages) {
        LanguageRenderer r(state, now, lang, options_);
        const auto& cat = Catalog::Embedded();
        auto page = [&](mu::mustache& body_tmpl, mu::data data, const std::string& title, const std::string& path) {
            data.set("lang", lang);
            data.set("t", r.T());
            std::string content = tpl.Render(body_tmpl, data);
            mu::data layout = r.Base(title, path);
            layout.set("content", content);
            return tpl.Render(tpl.layout, layout);
        };

        auto st = domain::ComputePageStatus(state.components, state.incidents);
        add(Snapshot::Key("/", lang),
            "text/html; charset=utf-8",
            page(tpl.index, r.Index(), state.settings.name + " – " + cat.Get(lang, domain::I18nKey(st.condition)), "/"),
            true,
            true,
            html_cache);

        int pages = r.HistoryPages();
        for (int p = 1; p <= pages; ++p) {
            std::string path = LanguageRenderer::HistoryPath(p);
            add(Snapshot::Key(path, lang),
                "text/html; charset=utf-8",
                page(tpl.history, r.History(p), state.settings.name + " – " + cat.Get(lang, "incident_history"), path),
                true,
                true,
                html_cache);
        }
        // One entry per range, like the history pages: no JavaScript switches the range.
        if (r.HasUptimePage()) {
            for (auto range : {ChartRange::k24Hours, ChartRange::k7Days, ChartRange::k30Days}) {
                std::string path(RangePath(range));
                add(Snapshot::Key(path, lang),
                    "text/html; charset=utf-8",
                    page(tpl.uptime, r.Uptime(range), state.settings.name + " – " + cat.Get(lang, "uptime_page"), path),
                    true,
                    true,
                    html_cache);
            }
        }
        for (const auto& inc : state.incidents) {
            std::string path = "/incidents/" + inc.id;
            add(Snapshot::Key(path, lang),
                "text/html; charset=utf-8",
                page(tpl.incident, r.IncidentPage(inc), inc.name + " – " + state.settings.name, path),
                true,
                true,
                html_cache);
        }
        add(Snapshot::Key("/404", lang),
            "text/html; charset=utf-8",
            page(tpl.not_found, r.NotFound(), "404 – " + state.settings.name, "/"),
            true,
            true,
            "no-cache",
            404);

        add(Snapshot::Key("/history.atom", lang),
            "application/atom+xml; charset=utf-8",
            RenderAtom(state, now, lang, options_.feed_entries),
            true,
            false,
            json_cache);
        add(Snapshot::Key("/history.rss", lang),
            "application/rss+xml; charset=utf-8",
            RenderRss(state, now, lang, options_.feed_entries),
            true,
            false,
            json_cache);
    }

    // Embeds for other sites (docs/embeds.md).
    for (const auto& lang : snap->languages) {
        add(Snapshot::Key("/embed/status.json", lang),
            "application/json",
            RenderEmbedJson(state, now, lang),
            true,
            false,
            json_cache);
        add(Snapshot::Key("/embed/banner", lang),
            "text/html; charset=utf-8",
            RenderEmbedBanner(state, now, lang),
            true,
            true,
            html_cache);
        for (auto& b : RenderBadges(state, now, lang)) {
            add(Snapshot::Key(b.path, lang), "image/svg+xml", std::move(b.svg), true, false, badge_cache);
        }
    }
    add(Snapshot::Key("/embed/banner.js"),
        "text/javascript; charset=utf-8",
        tpl.banner_js,
        false,
        false,
        "public, max-age=300");

    for (auto& [path, body] : RenderV2Json(state, now, options_.feed_entries)) {
        add(Snapshot::Key(path), "application/json", std::move(body), false, false, json_cache);
    }
    add(Snapshot::Key("/maintenance.ics"),
        "text/calendar; charset=utf-8",
        RenderICal(state, now),
        false,
        false,
        json_cache);
    add(Snapshot::Key("/assets/page.css"), "text/css; charset=utf-8", tpl.page_css, false, false, asset_cache);
    add(Snapshot::Key("/assets/theme.css"),
        "text/css; charset=utf-8",
        ":root { --accent: " + state.settings.accent_color + "; }\n",
        false,
        false,
        asset_cache);
    add(Snapshot::Key("/favicon.svg"), "image/svg+xml", tpl.favicon, false, false, asset_cache);
    if (!state.settings.logo.empty()) {
        add(Snapshot::Key("/assets/logo"),
            state.settings.logo_content_type,
            state.settings.logo,
            false,
            false,
            "public, max-age=300");
    }
    return snap;
}

}  // namespace tocsin::page
