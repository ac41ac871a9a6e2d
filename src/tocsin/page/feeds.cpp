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

// RFC 5545 text escaping and 75-octet line folding.
std::string ICalText(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case ';':
                out += "\\;";
                break;
            case ',':
                out += "\\,";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string Fold(const std::string& line) {
    std::string out;
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size();) {
        // Fold before a whole UTF-8 sequence would pass 75 octets, so that no physical line is
        // longer and no character is split (checking only the lead byte let 3- and 4-byte
        // characters run to 76 and 77 octets).
        unsigned char c = static_cast<unsigned char>(line[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        len = std::min(len, line.size() - i);
        if (col + len > 75) {
            out += "\r\n ";
            col = 1;
        }
        out.append(line, i, len);
        col += len;
        i += len;
    }
    return out + "\r\n";
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
    out += Fold("BEGIN:VCALENDAR");
    out += Fold("VERSION:2.0");
    out += Fold("PRODID:-//tocsin//status page//EN");
    out += Fold("CALSCALE:GREGORIAN");
    out += Fold("METHOD:PUBLISH");
    out += Fold("X-WR-CALNAME:" + ICalText(state.settings.name + " maintenance"));
    for (const auto& inc : state.incidents) {
        if (inc.kind != domain::IncidentKind::kMaintenance || !inc.scheduled_for || !inc.scheduled_until) continue;
        out += Fold("BEGIN:VEVENT");
        out += Fold("UID:" + inc.id + "@" + state.settings.page_id + ".tocsin");
        out += Fold("DTSTAMP:" + FormatICalUtc(now));
        out += Fold("LAST-MODIFIED:" + FormatICalUtc(inc.updated_at));
        out += Fold("DTSTART:" + FormatICalUtc(*inc.scheduled_for));
        out += Fold("DTEND:" + FormatICalUtc(*inc.scheduled_until));
        out += Fold("SUMMARY:" + ICalText(inc.name));
        std::string description = inc.updates.empty() ? std::string() : inc.updates.front().body;
        if (!description.empty()) out += Fold("DESCRIPTION:" + ICalText(description));
        if (!state.settings.url.empty()) out += Fold("URL:" + state.settings.url + "/incidents/" + inc.id);
        out += Fold("STATUS:CONFIRMED");
        out += Fold("TRANSP:OPAQUE");
        out += Fold("END:VEVENT");
    }
    out += Fold("END:VCALENDAR");
    return out;
}

}  // namespace tocsin::page
