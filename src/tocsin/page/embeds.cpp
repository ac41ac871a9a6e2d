#include "tocsin/page/embeds.hpp"

#include "tocsin/common/time_format.hpp"
#include "tocsin/domain/status_rollup.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/local_time.hpp"
#include "tocsin/page/markdown.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>

namespace tocsin::page {
namespace {

namespace json = boost::json;
using domain::Incident;
using domain::IncidentKind;
using domain::IncidentStatus;

// What an embed lists: open incidents, and maintenance in progress or starting soon.
struct Active {
    std::vector<const Incident*> incidents;
    std::vector<const Incident*> maintenances;
};

Active ActiveItems(const domain::PageState& state, TimePoint now) {
    Active a;
    for (const auto& inc : state.incidents) {
        if (inc.IsClosed()) continue;
        if (inc.kind == IncidentKind::kIncident) {
            a.incidents.push_back(&inc);
            continue;
        }
        bool running = inc.status == IncidentStatus::kInProgress || inc.status == IncidentStatus::kVerifying;
        bool soon = inc.status == IncidentStatus::kScheduled && inc.scheduled_for &&
                    *inc.scheduled_for <= now + kEmbedUpcomingWindow &&
                    (!inc.scheduled_until || *inc.scheduled_until > now);
        if (running || soon) a.maintenances.push_back(&inc);
    }
    std::sort(a.maintenances.begin(), a.maintenances.end(), [](const Incident* x, const Incident* y) {
        return x->scheduled_for.value_or(TimePoint{}) < y->scheduled_for.value_or(TimePoint{});
    });
    return a;
}

std::string IncidentUrl(const domain::PageState& state, const Incident& inc, const std::string& lang) {
    // Relative when the page has no public URL configured: a script resolves it against its origin.
    return state.settings.url + "/incidents/" + inc.id + "?lang=" + lang;
}

std::string StatusLabel(const Catalog& cat, const std::string& lang, IncidentStatus s) {
    return cat.Get(lang, "incident." + std::string(domain::ToString(s)));
}

std::string OptionalIso(const std::optional<TimePoint>& t) {
    return t ? FormatIso8601(*t) : std::string();
}

}  // namespace

std::string RenderEmbedJson(const domain::PageState& state, TimePoint now, const std::string& lang) {
    const auto& cat = Catalog::Embedded();
    auto st = domain::ComputePageStatus(state.components, state.incidents);
    auto active = ActiveItems(state, now);
    json::array incidents;
    for (const auto* inc : active.incidents) {
        json::object o{
            {"id", inc->id},
            {"name", inc->name},
            {"status", domain::ToString(inc->status)},
            {"status_label", StatusLabel(cat, lang, inc->status)},
            {"impact", domain::ToString(inc->impact)},
            {"url", IncidentUrl(state, *inc, lang)},
            {"updated_at", FormatIso8601(inc->updated_at)},
        };
        // Updates are newest first; the body is Markdown source, to be shown as plain text.
        o["latest_update"] = inc->updates.empty() ? json::value(nullptr) : json::value(inc->updates.front().body);
        incidents.push_back(std::move(o));
    }
    json::array maintenances;
    for (const auto* inc : active.maintenances) {
        maintenances.push_back(json::object{
            {"id", inc->id},
            {"name", inc->name},
            {"status", domain::ToString(inc->status)},
            {"status_label", StatusLabel(cat, lang, inc->status)},
            {"scheduled_for", OptionalIso(inc->scheduled_for)},
            {"scheduled_until", OptionalIso(inc->scheduled_until)},
            {"url", IncidentUrl(state, *inc, lang)},
        });
    }
    json::object doc{
        {"page", json::object{{"name", state.settings.name}, {"url", state.settings.url}}},
        {"lang", lang},
        {"status",
         json::object{
             {"indicator", domain::ToString(st.indicator)},
             {"description", cat.Get(lang, domain::I18nKey(st.condition))},
         }},
        {"incidents", std::move(incidents)},
        {"maintenances", std::move(maintenances)},
    };
    return json::serialize(doc) + "\n";
}

std::string RenderEmbedBanner(const domain::PageState& state, TimePoint now, const std::string& lang) {
    const auto& cat = Catalog::Embedded();
    TimeFormatter time(state.settings.time_zone, cat, lang);
    auto st = domain::ComputePageStatus(state.components, state.incidents);
    auto active = ActiveItems(state, now);
    std::string home = state.settings.url.empty() ? "/" : state.settings.url + "/";
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"" + EscapeHtml(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
    // No script: the frame reloads itself once a minute.
    out += "<meta http-equiv=\"refresh\" content=\"60\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += "<title>" + EscapeHtml(state.settings.name) + "</title>\n";
    out += R"(<style>
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:transparent}
.tb{display:flex;flex-direction:column;gap:4px;padding:6px 10px}
.tb a{color:inherit;text-decoration:none;display:flex;gap:8px;align-items:baseline}
.tb a:hover,.tb a:focus{text-decoration:underline}
.tb .dot{display:inline-block;width:10px;height:10px;border-radius:50%;flex:none;background:#2e7d32}
.tb .minor .dot{background:#9a6700}.tb .major .dot{background:#c2410c}.tb .critical .dot{background:#b91c1c}
.tb .maintenance .dot{background:#1d4ed8}.tb .item-none .dot{background:#57606a}
.tb .label{color:#57606a}
@media (prefers-color-scheme:dark){body{color:#e6edf3}.tb .label{color:#9da7b3}}
</style>
</head>
<body>
<div class="tb" role="status">
)";
    out += "<a class=\"" + std::string(domain::ToString(st.indicator)) + "\" href=\"" + EscapeHtml(home) +
           "?lang=" + EscapeHtml(lang) + "\" target=\"_blank\" rel=\"noopener\"><span class=\"dot\"></span><strong>" +
           EscapeHtml(cat.Get(lang, domain::I18nKey(st.condition))) + "</strong></a>\n";
    for (const auto* inc : active.incidents) {
        // An open incident without impact gets grey, not the green of the overall "all is well".
        std::string cls =
            inc->impact == domain::Impact::kNone ? "item-none" : std::string(domain::ToString(inc->impact));
        out += "<a class=\"" + cls + "\" data-tocsin-item=\"" + EscapeHtml(inc->id) + "\" href=\"" +
               EscapeHtml(IncidentUrl(state, *inc, lang)) +
               "\" target=\"_blank\" rel=\"noopener\"><span class=\"dot\"></span><span>" + EscapeHtml(inc->name) +
               "</span><span class=\"label\">" + EscapeHtml(StatusLabel(cat, lang, inc->status)) + "</span></a>\n";
    }
    for (const auto* inc : active.maintenances) {
        std::string when = inc->scheduled_for ? time.DateTime(*inc->scheduled_for) : std::string();
        out += "<a class=\"maintenance\" data-tocsin-item=\"" + EscapeHtml(inc->id) + "\" href=\"" +
               EscapeHtml(IncidentUrl(state, *inc, lang)) +
               "\" target=\"_blank\" rel=\"noopener\"><span class=\"dot\"></span><span>" + EscapeHtml(inc->name) +
               "</span><span class=\"label\">" + EscapeHtml(StatusLabel(cat, lang, inc->status)) +
               (when.empty() ? "" : " · " + EscapeHtml(when)) + "</span></a>\n";
    }
    out += "</div>\n</body>\n</html>\n";
    return out;
}

int BadgeTextWidth(std::string_view text) {
    // Rough advance widths of Verdana 11 px by character class; a badge a few pixels too
    // wide looks fine, one too narrow clips.
    double w = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: counted with its lead
        if (c >= 0x80) {
            w += 7.5;
        } else if (std::string_view("iljtfI.,:;'|!()[] ").find(static_cast<char>(c)) != std::string_view::npos) {
            w += 3.8;
        } else if (std::string_view("mwMW%@").find(static_cast<char>(c)) != std::string_view::npos) {
            w += 10.5;
        } else if (c >= 'A' && c <= 'Z') {
            w += 7.6;
        } else {
            w += 6.8;
        }
    }
    return static_cast<int>(w + 0.999);
}

std::string RenderBadge(std::string_view label, std::string_view value, std::string_view color) {
    int lw = BadgeTextWidth(label) + 12;
    int vw = BadgeTextWidth(value) + 12;
    std::string l = EscapeHtml(label), v = EscapeHtml(value), c = EscapeHtml(color);
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"20\" role=\"img\" aria-label=\"{1}: {2}\">"
        "<title>{1}: {2}</title>"
        "<rect width=\"{3}\" height=\"20\" fill=\"#555\"/>"
        "<rect x=\"{3}\" width=\"{4}\" height=\"20\" fill=\"{5}\"/>"
        "<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" "
        "font-size=\"11\">"
        "<text x=\"{6}\" y=\"14\">{1}</text>"
        "<text x=\"{7}\" y=\"14\">{2}</text>"
        "</g></svg>\n",
        lw + vw,
        l,
        v,
        lw,
        vw,
        c,
        lw / 2.0,
        lw + vw / 2.0
    );
}

namespace {

// Colours dark enough for white 11 px text (contrast ≥ 4.5:1).
std::string_view ImpactColor(domain::Impact i) {
    switch (i) {
        case domain::Impact::kNone:
            return "#2e7d32";
        case domain::Impact::kMinor:
            return "#8a5a00";
        case domain::Impact::kMajor:
            return "#b4410b";
        case domain::Impact::kCritical:
            return "#b91c1c";
        case domain::Impact::kMaintenance:
            return "#1d4ed8";
    }
    return "#6b7280";
}

std::string_view ComponentColor(domain::ComponentStatus s) {
    switch (s) {
        case domain::ComponentStatus::kOperational:
            return ImpactColor(domain::Impact::kNone);
        case domain::ComponentStatus::kDegradedPerformance:
            return ImpactColor(domain::Impact::kMinor);
        case domain::ComponentStatus::kPartialOutage:
            return ImpactColor(domain::Impact::kMajor);
        case domain::ComponentStatus::kMajorOutage:
            return ImpactColor(domain::Impact::kCritical);
        case domain::ComponentStatus::kUnderMaintenance:
            return ImpactColor(domain::Impact::kMaintenance);
    }
    return "#6b7280";
}

std::string UptimeColor(std::optional<double> percent) {
    if (!percent) return "#6b7280";
    if (*percent >= 99.9) return "#2e7d32";
    if (*percent >= 99.0) return "#5f7d0e";
    if (*percent >= 95.0) return "#8a5a00";
    return "#b91c1c";
}

std::string PercentText(double p, const std::string& lang) {
    std::string s = fmt::format("{:.2f}", std::min(100.0, std::max(0.0, p)));
    if (s == "100.00") s = "100";
    if (lang == "de") {
        std::replace(s.begin(), s.end(), '.', ',');
        return s + "\u00a0%";
    }
    return s + "%";
}

}  // namespace

std::vector<BadgeEntry> RenderBadges(const domain::PageState& state, TimePoint, const std::string& lang) {
    const auto& cat = Catalog::Embedded();
    std::vector<BadgeEntry> out;
    auto st = domain::ComputePageStatus(state.components, state.incidents);
    out.push_back(
        {"/badge.svg",
         RenderBadge(
             cat.Get(lang, "badge.status"),
             cat.Get(lang, "badge." + std::string(domain::ToString(st.indicator))),
             ImpactColor(st.indicator)
         )}
    );
    for (const auto& c : state.components) {
        auto status = c.is_group ? domain::GroupStatus(c, state.components) : c.status;
        out.push_back(
            {"/badge/components/" + c.id + ".svg",
             RenderBadge(
                 c.name, cat.Get(lang, "component." + std::string(domain::ToString(status))), ComponentColor(status)
             )}
        );
    }
    // Only monitors of components on the page are public (as on /uptime).
    for (const auto& m : state.uptime.monitors) {
        bool is_public = std::any_of(m.component_ids.begin(), m.component_ids.end(), [&](const std::string& id) {
            return std::any_of(state.components.begin(), state.components.end(), [&](const domain::Component& c) {
                return c.id == id;
            });
        });
        if (!is_public) continue;
        struct Window {
            int days;
            std::optional<double> value;
        };
        for (auto w :
             {Window{1, m.uptime_24h}, Window{7, m.uptime_7d}, Window{30, m.uptime_30d}, Window{90, m.uptime_90d}}) {
            std::string span =
                w.days == 1 ? cat.Get(lang, "badge.24h") : cat.Format(lang, "badge.days", std::to_string(w.days));
            std::string label = cat.Format(lang, "badge.uptime", span);
            std::string value = w.value ? PercentText(*w.value, lang) : cat.Get(lang, "badge.no_data");
            std::string svg = RenderBadge(label, value, UptimeColor(w.value));
            std::string base = "/badge/monitors/" + m.id + "/uptime.svg";
            if (w.days == 30) out.push_back({base, svg});
            out.push_back({base + "?days=" + std::to_string(w.days), std::move(svg)});
        }
    }
    return out;
}

}  // namespace tocsin::page
