// Atom (RFC 4287), RSS 2.0 and iCalendar (RFC 5545) outputs of the page.
#include "tocsin/common/time_format.hpp"
#include "tocsin/page/i18n.hpp"
#include "tocsin/page/markdown.hpp"
#include "tocsin/page/snapshot_builder.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tocsin::page {
namespace {

using domain::Incident;

std::string BaseUrl(const domain::PageState& s) {
    return s.settings.url;
}

TimePoint LastChange(const domain::PageState& s) {
    TimePoint t = s.settings.updated_at;
    for (const auto& i : s.incidents) t = std::max(t, i.updated_at);
    return t;
}

// Every update of the incident, newest first, as HTML (escaped again by the caller for XML).
std::string UpdatesHtml(const Incident& inc, const Catalog& cat, const std::string& lang) {
    std::string html;
    for (const auto& u : inc.updates) {
        html += "<p><strong>" + EscapeHtml(cat.Get(lang, "incident." + std::string(domain::ToString(u.status)))) +
                "</strong> (" + FormatIso8601(u.display_at) + ")</p>" + RenderMarkdown(u.body);
    }
    return html;
}

std::string RssDate(TimePoint t) {
    return FormatHttpDate(t);
}

}  // namespace

std::string RenderAtom(const domain::PageState& state, TimePoint, const std::string& lang, int limit) {
    const auto& cat = Catalog::Embedded();
    std::string base = BaseUrl(state);
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" + lang +
        "\">\n";
    out += "  <id>tag:tocsin," + state.settings.page_id + ":history</id>\n";
    out += "  <title>" + EscapeHtml(state.settings.name + " – " + cat.Get(lang, "incident_history")) + "</title>\n";
    out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + EscapeHtml(base + "/?lang=" + lang) + "\"/>\n";
    out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" +
           EscapeHtml(base + "/history.atom?lang=" + lang) + "\"/>\n";
    out += "  <updated>" + FormatIso8601(LastChange(state)) + "</updated>\n";
    out += "  <author><name>" + EscapeHtml(state.settings.name) + "</name></author>\n";
    int n = 0;
    for (const auto& inc : state.incidents) {
        if (n++ >= limit) break;
        out += "  <entry>\n";
        out += "    <id>tag:tocsin," + state.settings.page_id + ":incident:" + inc.id + "</id>\n";
        out += "    <title>" + EscapeHtml(inc.name) + "</title>\n";
        out += "    <link rel=\"alternate\" type=\"text/html\" href=\"" +
               EscapeHtml(base + "/incidents/" + inc.id + "?lang=" + lang) + "\"/>\n";
        out += "    <published>" + FormatIso8601(inc.created_at) + "</published>\n";
        out += "    <updated>" + FormatIso8601(inc.updated_at) + "</updated>\n";
        out += "    <category term=\"" + std::string(domain::ToString(inc.kind)) + "\"/>\n";
        out += "    <content type=\"html\">" + EscapeHtml(UpdatesHtml(inc, cat, lang)) + "</content>\n";
        out += "  </entry>\n";
    }
    out += "</feed>\n";
    return out;
}

std::string RenderRss(const domain::PageState& state, TimePoint, const std::string& lang, int limit) {
    const auto& cat = Catalog::Embedded();
    std::string base = BaseUrl(state);
    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
        "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n";
    out += "  <title>" + EscapeHtml(state.settings.name + " – " + cat.Get(lang, "incident_history")) + "</title>\n";
    out += "  <link>" + EscapeHtml(base + "/?lang=" + lang) + "</link>\n";
    out += "  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"" +
           EscapeHtml(base + "/history.rss?lang=" + lang) + "\"/>\n";
    out += "  <description>" + EscapeHtml(state.settings.name + " – " + cat.Get(lang, "incident_history")) +
           "</description>\n";
    out += "  <language>" + lang + "</language>\n";
    out += "  <lastBuildDate>" + RssDate(LastChange(state)) + "</lastBuildDate>\n";
    int n = 0;
    for (const auto& inc : state.incidents) {
        if (n++ >= limit) break;
        out += "  <item>\n";
        out += "    <title>" + EscapeHtml(inc.name) + "</title>\n";
        out += "    <link>" + EscapeHtml(base + "/incidents/" + inc.id + "?lang=" + lang) + "</link>\n";
        out += "    <guid isPermaLink=\"false\">" + state.settings.page_id + ":" + inc.id + "</guid>\n";
        out += "    <pubDate>" + RssDate(inc.created_at) + "</pubDate>\n";
        out += "    <category>" + std::string(domain::ToString(inc.kind)) + "</category>\n";
        out += "    <description>" + EscapeHtml(UpdatesHtml(inc, cat, lang)) + "</description>\n";
        out += "  </item>\n";
    }
    out += "</channel>\n</rss>\n";
    return out;
}

std::string RenderICal(const domain::PageState& state, TimePoint now) {
    std::string out;
    out += FoldICalLine("BEGIN:VCALENDAR");
    out += FoldICalLine("VERSION:2.0");
    out += FoldICalLine("PRODID:-//tocsin//status page//EN");
    out += FoldICalLine("CALSCALE:GREGORIAN");
    out += FoldICalLine("METHOD:PUBLISH");
    out += FoldICalLine("X-WR-CALNAME:" + EscapeICalText(state.settings.name + " maintenance"));
    for (const auto& inc : state.incidents) {
        if (inc.kind != domain::IncidentKind::kMaintenance || !inc.scheduled_for || !inc.scheduled_until) continue;
        out += FoldICalLine("BEGIN:VEVENT");
        out += FoldICalLine("UID:" + inc.id + "@" + state.settings.page_id + ".tocsin");
        out += FoldICalLine("DTSTAMP:" + FormatICalUtc(now));
        out += FoldICalLine("LAST-MODIFIED:" + FormatICalUtc(inc.updated_at));
        out += FoldICalLine("DTSTART:" + FormatICalUtc(*inc.scheduled_for));
        out += FoldICalLine("DTEND:" + FormatICalUtc(*inc.scheduled_until));
        out += FoldICalLine("SUMMARY:" + EscapeICalText(inc.name));
        std::string description = inc.updates.empty() ? std::string() : inc.updates.front().body;
        if (!description.empty()) out += FoldICalLine("DESCRIPTION:" + EscapeICalText(description));
        if (!state.settings.url.empty()) out += FoldICalLine("URL:" + state.settings.url + "/incidents/" + inc.id);
        out += FoldICalLine("STATUS:CONFIRMED");
        out += FoldICalLine("TRANSP:OPAQUE");
        out += FoldICalLine("END:VEVENT");
    }
    out += FoldICalLine("END:VCALENDAR");
    return out;
}

}  // namespace tocsin::page
