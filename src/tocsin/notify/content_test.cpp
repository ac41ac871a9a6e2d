#include "tocsin/notify/content.hpp"

#include "test/support/temp_dir.hpp"
#include "tocsin/common/time_format.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <thread>

namespace tocsin::notify {
namespace {

namespace json = boost::json;
using domain::ComponentStatus;
using domain::Impact;
using domain::IncidentKind;
using domain::IncidentStatus;

TimePoint At(std::string_view iso) {
    auto t = ParseIso8601(iso);
    EXPECT_TRUE(t.has_value()) << iso;
    return t.value_or(TimePoint{});
}

bool Contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Whitespace runs as single spaces, so wrapped text can be searched for a phrase.
std::string Squash(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::size_t CodePoints(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

Facts Incident() {
    Facts f;
    f.page_name = "Acme Status";
    f.page_url = "https://status.example.com";
    f.time_zone = "Europe/Berlin";
    f.incident_id = "inc1";
    f.incident_name = "API unavailable";
    f.kind = IncidentKind::kIncident;
    f.status = IncidentStatus::kInvestigating;
    f.impact = Impact::kCritical;
    f.components = {
        {"c1", "API", ComponentStatus::kMajorOutage},
        {"c2", "Website", ComponentStatus::kDegradedPerformance},
    };
    f.update_id = "upd1";
    f.update_markdown =
        "We are **investigating** errors on the [API](https://api.example.com/health).\n\n"
        "- EU region\n- US region\n";
    f.update_at = At("2026-12-04T16:22:00Z");  // 17:22 CET
    f.started_at = At("2026-12-04T16:05:00Z");
    return f;
}

Facts Maintenance() {
    Facts f = Incident();
    f.incident_id = "mnt7";
    f.incident_name = "Database upgrade";
    f.kind = IncidentKind::kMaintenance;
    f.status = IncidentStatus::kScheduled;
    f.impact = Impact::kMaintenance;
    f.components = {{"c3", "Database", ComponentStatus::kOperational}};
    f.update_markdown = "We upgrade the primary database.";
    f.scheduled_for = At("2026-12-10T21:00:00Z");    // 22:00 CET
    f.scheduled_until = At("2026-12-10T23:30:00Z");  // 00:30 CET next day
    f.started_at = *f.scheduled_for;
    return f;
}

EmailLinks Links() {
    return {
        "https://status.example.com/subscribe/manage?token=MMM", "https://status.example.com/unsubscribe?token=UUU"};
}

std::shared_ptr<const Templates> BuiltIn() {
    auto t = Templates::Load("");
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
    return t ? *t : nullptr;
}

std::string Str(const json::value& v) {
    return json::value_to<std::string>(v);
}

json::value Parse(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    EXPECT_FALSE(ec) << body;
    return v;
}

// Decodes application/x-www-form-urlencoded.
std::map<std::string, std::string> ParseForm(const std::string& body) {
    auto decode = [](std::string_view s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') {
                out += ' ';
            } else if (s[i] == '%' && i + 2 < s.size()) {
                out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
                i += 2;
            } else {
                out += s[i];
            }
        }
        return out;
    };
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start < body.size()) {
        auto end = body.find('&', start);
        if (end == std::string::npos) end = body.size();
        auto pair = std::string_view(body).substr(start, end - start);
        auto eq = pair.find('=');
        EXPECT_NE(eq, std::string_view::npos) << pair;
        // Only unreserved characters may stay unencoded in our bodies.
        for (char c : pair) {
            EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || Contains("-._~%=", std::string(1, c))) << pair;
        }
        out[decode(pair.substr(0, eq))] = decode(pair.substr(eq + 1));
        start = end + 1;
    }
    return out;
}

// --- e-mail -----------------------------------------------------------------------------

TEST(Templates, EnglishUpdateHasEveryFact) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    auto mail = t->RenderUpdate(Incident(), "en", Links());
    EXPECT_EQ(mail.subject, "[Acme Status] Major Outage: API unavailable — Investigating");

    const std::string text = Squash(mail.text);
    for (std::string_view want : {
             "API unavailable",
             "Status: Investigating",
             "Impact: Critical impact",
             "Affected components:",
             "- API: Major Outage",
             "- Website: Degraded Performance",
             "We are investigating errors on the API (https://api.example.com/health).",
             "- EU region - US region",
             "Started: December 4, 2026, 17:05 CET",
             "Posted: December 4, 2026, 17:22 CET",
             "https://status.example.com/incidents/inc1?lang=en",
             "https://status.example.com/subscribe/manage?token=MMM",
             "https://status.example.com/unsubscribe?token=UUU",
         }) {
        EXPECT_TRUE(Contains(text, want)) << want << "\n" << mail.text;
    }
    EXPECT_FALSE(Contains(mail.text, "**"));
    EXPECT_FALSE(Contains(mail.text, "](")) << "Markdown link syntax must not reach the text part";
    // Layout: no leading or doubled blank lines, the times stand together.
    EXPECT_EQ(mail.text.rfind("API unavailable\n", 0), 0u) << mail.text;
    EXPECT_FALSE(Contains(mail.text, "\n\n\n")) << mail.text;
    EXPECT_TRUE(Contains(mail.text, "Started: December 4, 2026, 17:05 CET\nPosted: December 4, 2026, 17:22 CET\n"))
        << mail.text;

    for (std::string_view want : {
             "<strong>investigating</strong>",
             "href=\"https://api.example.com/health\"",
             "background-color:#cf222e",
             "Critical impact",
             ">API</td>",
             "Major Outage",
             "December 4, 2026, 17:22 CET",
             "href=\"https://status.example.com/incidents/inc1?lang=en\"",
             "View incident",
             "href=\"https://status.example.com/subscribe/manage?token=MMM\"",
             "href=\"https://status.example.com/unsubscribe?token=UUU\"",
             "<html lang=\"en\">",
         }) {
        EXPECT_TRUE(Contains(mail.html, want)) << want;
    }
}

TEST(Templates, GermanUpdateUsesGermanWordsAndDates) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    auto mail = t->RenderUpdate(Incident(), "de", Links());
    EXPECT_EQ(mail.subject, "[Acme Status] Schwerer Ausfall: API unavailable — Wird untersucht");
    const std::string text = Squash(mail.text);
    for (std::string_view want : {
             "Zustand: Wird untersucht",
             "Auswirkung: Kritische Auswirkung",
             "Betroffene Komponenten:",
             "- API: Schwerer Ausfall",
             "- Website: Eingeschränkte Leistung",
             "Begonnen: 4. Dezember 2026, 17:05 CET",
             "Veröffentlicht: 4. Dezember 2026, 17:22 CET",
             "https://status.example.com/incidents/inc1?lang=de",
             "Abmelden: https://status.example.com/unsubscribe?token=UUU",
         }) {
        EXPECT_TRUE(Contains(text, want)) << want << "\n" << mail.text;
    }
    EXPECT_FALSE(Contains(mail.text, "Investigating"));
    for (std::string_view want : {"<html lang=\"de\">", "Störung ansehen", "Abonnement verwalten", "Abmelden"}) {
        EXPECT_TRUE(Contains(mail.html, want)) << want;
    }
}

TEST(Templates, UnknownLanguageFallsBackToEnglish) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    EXPECT_EQ(t->RenderUpdate(Incident(), "fr", Links()).subject, t->RenderUpdate(Incident(), "en", Links()).subject);
}

TEST(Templates, TimesFollowThePageTimeZoneAndDaylightSaving) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.started_at = At("2026-07-01T10:00:00Z");
    f.update_at = At("2026-07-01T10:30:00Z");
    EXPECT_TRUE(Contains(Squash(t->RenderUpdate(f, "en", Links()).text), "Started: July 1, 2026, 12:00 CEST"));
    f.time_zone = "America/New_York";
    EXPECT_TRUE(Contains(Squash(t->RenderUpdate(f, "en", Links()).text), "Started: July 1, 2026, 06:00 EDT"));
}

TEST(Templates, MaintenanceReminderHasItsOwnSubjectAndWindow) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Maintenance();
    f.occasion = Occasion::kMaintenanceReminder;
    f.minutes_until_start = 60;

    auto en = t->RenderUpdate(f, "en", Links());
    EXPECT_EQ(en.subject, "[Acme Status] Scheduled maintenance starts in 60 minutes: Database upgrade");
    EXPECT_TRUE(Contains(Squash(en.text), "Starts: December 10, 2026, 22:00 CET")) << en.text;
    EXPECT_TRUE(Contains(Squash(en.text), "Ends: December 11, 2026, 00:30 CET")) << en.text;
    EXPECT_TRUE(Contains(en.text, "View maintenance:"));
    EXPECT_TRUE(Contains(en.html, "background-color:#0969da"));

    auto de = t->RenderUpdate(f, "de", Links());
    EXPECT_EQ(de.subject, "[Acme Status] Geplante Wartung beginnt in 60 Minuten: Database upgrade");
    EXPECT_TRUE(Contains(Squash(de.text), "Beginn: 10. Dezember 2026, 22:00 CET")) << de.text;
    EXPECT_TRUE(Contains(Squash(de.text), "Ende: 11. Dezember 2026, 00:30 CET")) << de.text;

    f.minutes_until_start = 1;
    EXPECT_EQ(
        t->RenderUpdate(f, "en", Links()).subject,
        "[Acme Status] Scheduled maintenance starts in 1 minute: Database upgrade"
    );

    f.occasion = Occasion::kUpdate;
    EXPECT_EQ(t->RenderUpdate(f, "en", Links()).subject, "[Acme Status] Maintenance: Database upgrade — Scheduled");
}

TEST(Templates, ResolvedIncidentShowsEndTimeWithoutOutageWord) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.status = IncidentStatus::kResolved;
    for (auto& c : f.components) c.status = ComponentStatus::kOperational;
    f.resolved_at = At("2026-12-04T18:40:00Z");
    auto mail = t->RenderUpdate(f, "en", Links());
    EXPECT_EQ(mail.subject, "[Acme Status] API unavailable — Resolved");
    EXPECT_TRUE(Contains(Squash(mail.text), "Resolved: December 4, 2026, 19:40 CET")) << mail.text;
    EXPECT_TRUE(Contains(mail.html, "background-color:#1a7f37"));
    EXPECT_EQ(t->RenderUpdate(f, "de", Links()).subject, "[Acme Status] API unavailable — Behoben");
}

TEST(Templates, HtmlEscapesNamesAndDropsRawHtmlButTextKeepsThem) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.incident_name = "<script>alert(1)</script> & co";
    f.components[0].name = "<b>API</b>";
    f.update_markdown = "Raw <img src=x onerror=alert(1)> and <b>bold</b>.";
    auto mail = t->RenderUpdate(f, "en", Links());
    EXPECT_FALSE(Contains(mail.html, "<script>"));
    EXPECT_FALSE(Contains(mail.html, "<b>"));
    EXPECT_FALSE(Contains(mail.html, "<img"));
    EXPECT_TRUE(Contains(mail.html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    EXPECT_TRUE(Contains(mail.text, "<script>alert(1)</script> & co"));
    EXPECT_TRUE(Contains(mail.subject, "<script>alert(1)</script> & co"));
}

TEST(Templates, HtmlLoadsNothingAndLinksAreAbsolute) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.update_markdown =
        "See [history](/history) and the graph ![latency](/img/latency.png) "
        "and ![remote](https://tracker.example.net/pixel.gif).";
    auto mail = t->RenderUpdate(f, "en", Links());
    EXPECT_FALSE(Contains(mail.html, "<img"));
    EXPECT_FALSE(Contains(mail.html, " src="));
    EXPECT_FALSE(Contains(mail.html, "<script"));
    EXPECT_FALSE(Contains(mail.html, "<link"));
    EXPECT_FALSE(Contains(mail.html, "url("));
    EXPECT_FALSE(Contains(mail.html, "href=\"/"));
    EXPECT_TRUE(Contains(mail.html, "href=\"https://status.example.com/history\""));
    EXPECT_TRUE(Contains(mail.html, "href=\"https://status.example.com/img/latency.png\">latency</a>"));
    const std::string text = Squash(mail.text);
    EXPECT_TRUE(Contains(text, "history (https://status.example.com/history)")) << mail.text;
    EXPECT_TRUE(Contains(text, "latency (https://status.example.com/img/latency.png)")) << mail.text;
}

TEST(Templates, TextPartWrapsLongUpdateLines) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.update_markdown.clear();
    for (int i = 0; i < 60; ++i) f.update_markdown += "Wörter ";
    auto mail = t->RenderUpdate(f, "de", Links());
    std::size_t start = 0;
    while (start < mail.text.size()) {
        auto end = mail.text.find('\n', start);
        if (end == std::string::npos) end = mail.text.size();
        auto line = std::string_view(mail.text).substr(start, end - start);
        // Only a line holding nothing but a URL may be longer.
        if (CodePoints(line) > 78) {
            EXPECT_FALSE(Contains(line, " ")) << line;
        }
        start = end + 1;
    }
    EXPECT_TRUE(Contains(Squash(mail.text), "Wörter Wörter"));
}

TEST(Templates, ConfirmAndWelcomeCarryTheirLinks) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    const std::string confirm = "https://status.example.com/subscribe/confirm?token=CCC";
    auto en = t->RenderConfirm("Acme Status", "https://status.example.com", "en", confirm);
    EXPECT_EQ(en.subject, "Confirm your subscription to Acme Status");
    EXPECT_TRUE(Contains(en.text, confirm));
    EXPECT_TRUE(Contains(en.html, "href=\"" + confirm + "\""));
    auto de = t->RenderConfirm("Acme Status", "https://status.example.com", "de", confirm);
    EXPECT_EQ(de.subject, "Bestätigen Sie Ihr Abonnement von Acme Status");
    EXPECT_TRUE(Contains(de.text, "Bitte bestätigen Sie"));
    EXPECT_TRUE(Contains(de.html, "Abonnement bestätigen"));

    auto welcome = t->RenderWelcome("Acme Status", "https://status.example.com", "de", Links());
    EXPECT_EQ(welcome.subject, "Sie haben Acme Status abonniert");
    EXPECT_TRUE(Contains(welcome.text, Links().manage_url));
    EXPECT_TRUE(Contains(welcome.text, Links().unsubscribe_url));
    EXPECT_TRUE(Contains(welcome.html, "href=\"" + Links().unsubscribe_url + "\""));
}

TEST(Templates, SubjectIsOneLineWhateverTheNameHolds) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    Facts f = Incident();
    f.incident_name = "API\r\nBcc: victim@example.com";
    auto mail = t->RenderUpdate(f, "en", Links());
    EXPECT_EQ(mail.subject.find_first_of("\r\n"), std::string::npos);
    EXPECT_TRUE(Contains(mail.subject, "API Bcc: victim@example.com"));
}

TEST(Templates, OverrideFolderReplacesTemplatesByName) {
    test::TempDir dir;
    std::ofstream(dir.File("update.en.subject.mustache")) << "Custom: {{incident_name}} ({{status}})\n";
    std::ofstream(dir.File("README.txt")) << "not a template";
    auto t = Templates::Load(dir.Path().string());
    ASSERT_TRUE(t.has_value()) << t.error().message;
    EXPECT_EQ((*t)->RenderUpdate(Incident(), "en", Links()).subject, "Custom: API unavailable (Investigating)");
    // Templates not in the folder stay built in.
    EXPECT_EQ(
        (*t)->RenderUpdate(Incident(), "de", Links()).subject,
        "[Acme Status] Schwerer Ausfall: API unavailable — Wird untersucht"
    );
}

TEST(Templates, OverrideFolderErrorsNameTheFile) {
    {
        test::TempDir dir;
        std::ofstream(dir.File("update.de.html.mustache")) << "<p>{{#components}}{{name}}</p>\n";
        auto t = Templates::Load(dir.Path().string());
        ASSERT_FALSE(t.has_value());
        EXPECT_EQ(t.error().kind, ErrorKind::kInvalidInput);
        EXPECT_TRUE(Contains(t.error().message, "update.de.html.mustache")) << t.error().message;
    }
    {
        test::TempDir dir;
        std::ofstream(dir.File("update.fr.subject.mustache")) << "x\n";
        auto t = Templates::Load(dir.Path().string());
        ASSERT_FALSE(t.has_value());
        EXPECT_TRUE(Contains(t.error().message, "update.fr.subject.mustache")) << t.error().message;
    }
    {
        auto t = Templates::Load("/nonexistent/tocsin-templates");
        ASSERT_FALSE(t.has_value());
        EXPECT_EQ(t.error().kind, ErrorKind::kInvalidInput);
    }
}

TEST(Templates, ConcurrentRendersMatchASingleRender) {
    auto t = BuiltIn();
    ASSERT_TRUE(t);
    const auto expected = t->RenderUpdate(Incident(), "de", Links());
    std::vector<std::thread> threads;
    std::vector<int> mismatches(8, 0);
    for (std::size_t i = 0; i < mismatches.size(); ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < 40; ++n) {
                auto got = t->RenderUpdate(Incident(), "de", Links());
                if (got.subject != expected.subject || got.text != expected.text || got.html != expected.html) {
                    ++mismatches[i];
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

// --- chats ------------------------------------------------------------------------------

TEST(StatusColour, FollowsImpactAndKind) {
    struct Case {
        std::string_view name;
        IncidentKind kind;
        IncidentStatus status;
        Impact impact;
        std::string_view colour;
    };
    const Case cases[] = {
        {"critical", IncidentKind::kIncident, IncidentStatus::kInvestigating, Impact::kCritical, "#cf222e"},
        {"major", IncidentKind::kIncident, IncidentStatus::kIdentified, Impact::kMajor, "#bc4c00"},
        {"minor", IncidentKind::kIncident, IncidentStatus::kMonitoring, Impact::kMinor, "#9a6700"},
        {"none", IncidentKind::kIncident, IncidentStatus::kInvestigating, Impact::kNone, "#5b636e"},
        {"resolved", IncidentKind::kIncident, IncidentStatus::kResolved, Impact::kCritical, "#1a7f37"},
        {"maintenance", IncidentKind::kMaintenance, IncidentStatus::kInProgress, Impact::kMaintenance, "#0969da"},
        {"maintenance done", IncidentKind::kMaintenance, IncidentStatus::kCompleted, Impact::kMaintenance, "#1a7f37"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Facts f;
        f.kind = c.kind;
        f.status = c.status;
        f.impact = c.impact;
        EXPECT_EQ(StatusColour(f), c.colour);
    }
}

TEST(SlackPayload, HasBlocksColourAndLink) {
    auto p = SlackPayload(Incident(), "en", "");
    EXPECT_EQ(p.content_type, "application/json");
    auto v = Parse(p.body);
    const auto& blocks = v.at("blocks").as_array();
    ASSERT_FALSE(blocks.empty());
    EXPECT_EQ(blocks[0].at("type"), "header");
    EXPECT_EQ(blocks[0].at("text").at("type"), "plain_text");
    EXPECT_EQ(blocks[0].at("text").at("text"), "API unavailable");
    EXPECT_TRUE(Contains(json::serialize(blocks), "Investigating"));
    EXPECT_TRUE(Contains(json::serialize(blocks), "Critical impact"));

    const auto& att = v.at("attachments").as_array().at(0);
    EXPECT_EQ(att.at("color"), "#cf222e");
    bool has_button = false, has_context = false, has_components = false, has_update = false;
    for (const auto& b : att.at("blocks").as_array()) {
        const auto& type = b.at("type").as_string();
        if (type == "actions") {
            const auto& button = b.at("elements").as_array().at(0);
            EXPECT_EQ(button.at("type"), "button");
            EXPECT_EQ(button.at("url"), "https://status.example.com/incidents/inc1?lang=en");
            has_button = true;
        } else if (type == "context") {
            auto text = json::value_to<std::string>(b.at("elements").as_array().at(0).at("text"));
            EXPECT_TRUE(Contains(text, "December 4, 2026, 17:05 CET")) << text;
            has_context = true;
        } else if (type == "section") {
            auto text = json::value_to<std::string>(b.at("text").at("text"));
            EXPECT_EQ(b.at("text").at("type"), "mrkdwn");
            has_components |= Contains(text, "API — Major Outage") && Contains(text, "Website — Degraded Performance");
            has_update |= Contains(text, "We are investigating errors on the API (https://api.example.com/health)");
        }
    }
    EXPECT_TRUE(has_button);
    EXPECT_TRUE(has_context);
    EXPECT_TRUE(has_components);
    EXPECT_TRUE(has_update);
}

TEST(SlackPayload, EscapesControlCharactersOfMrkdwn) {
    Facts f = Incident();
    f.update_markdown = "a <!channel> & b";
    auto v = Parse(SlackPayload(f, "en", "").body);
    auto s = json::serialize(v.at("attachments"));
    EXPECT_FALSE(Contains(s, "<!channel>"));
    EXPECT_TRUE(Contains(s, "a &lt;!channel&gt; &amp; b"));
}

TEST(SlackPayload, GermanWords) {
    auto s = SlackPayload(Incident(), "de", "").body;
    EXPECT_TRUE(Contains(s, "Wird untersucht"));
    EXPECT_TRUE(Contains(s, "Schwerer Ausfall"));
    EXPECT_TRUE(Contains(s, "4. Dezember 2026, 17:05 CET"));
    EXPECT_TRUE(Contains(s, "Störung ansehen"));
}

TEST(TeamsPayload, IsAnAdaptiveCardMessage) {
    auto v = Parse(TeamsPayload(Incident(), "en", "").body);
    EXPECT_EQ(v.at("type"), "message");
    const auto& att = v.at("attachments").as_array().at(0);
    EXPECT_EQ(att.at("contentType"), "application/vnd.microsoft.card.adaptive");
    const auto& card = att.at("content");
    EXPECT_EQ(card.at("type"), "AdaptiveCard");
    EXPECT_EQ(card.at("version"), "1.4");
    const auto& action = card.at("actions").as_array().at(0);
    EXPECT_EQ(action.at("type"), "Action.OpenUrl");
    EXPECT_EQ(action.at("url"), "https://status.example.com/incidents/inc1?lang=en");
    bool has_facts = false;
    for (const auto& item : card.at("body").as_array()) {
        if (item.at("type") != "FactSet") continue;
        has_facts = true;
        auto facts = json::serialize(item.at("facts"));
        EXPECT_TRUE(Contains(facts, "Investigating"));
        EXPECT_TRUE(Contains(facts, "Critical impact"));
        EXPECT_TRUE(Contains(facts, "API: Major Outage"));
        EXPECT_TRUE(Contains(facts, "17:05 CET"));
    }
    EXPECT_TRUE(has_facts);
    EXPECT_EQ(card.at("body").as_array().at(0).at("style"), "attention");
    EXPECT_TRUE(Contains(json::serialize(card.at("body")), "API unavailable"));
}

TEST(DiscordPayload, EmbedWithIntegerColourFieldsAndTimestamp) {
    auto v = Parse(DiscordPayload(Incident(), "de", "").body);
    const auto& embed = v.at("embeds").as_array().at(0);
    EXPECT_EQ(embed.at("title"), "API unavailable");
    EXPECT_EQ(embed.at("url"), "https://status.example.com/incidents/inc1?lang=de");
    ASSERT_TRUE(embed.at("color").is_int64());
    EXPECT_EQ(embed.at("color").as_int64(), 0xcf222e);
    EXPECT_EQ(embed.at("timestamp"), "2026-12-04T16:22:00.000Z");
    EXPECT_TRUE(Contains(json::value_to<std::string>(embed.at("description")), "We are investigating errors"));
    std::map<std::string, std::string> fields;
    for (const auto& fld : embed.at("fields").as_array()) {
        fields[json::value_to<std::string>(fld.at("name"))] = json::value_to<std::string>(fld.at("value"));
    }
    EXPECT_EQ(fields["Zustand"], "Wird untersucht");
    EXPECT_EQ(fields["Auswirkung"], "Kritische Auswirkung");
    EXPECT_EQ(fields["Betroffene Komponenten"], "API: Schwerer Ausfall\nWebsite: Eingeschränkte Leistung");
    EXPECT_EQ(fields["Begonnen"], "4. Dezember 2026, 17:05 CET");
    EXPECT_TRUE(v.at("allowed_mentions").at("parse").as_array().empty());
}

TEST(TelegramPayload, HtmlTextEscapedWithBoldTitleAndLink) {
    Facts f = Incident();
    f.incident_name = "Login <broken> & slow";
    f.update_markdown = "Use _the_ **backup** [portal](https://backup.example.com?a=1&b=2) and `code <x>`.";
    auto p = TelegramPayload(f, "en", "-100123", "");
    auto v = Parse(p.body);
    EXPECT_EQ(v.at("chat_id"), "-100123");
    EXPECT_EQ(v.at("parse_mode"), "HTML");
    EXPECT_EQ(v.at("link_preview_options").at("is_disabled"), true);
    auto text = json::value_to<std::string>(v.at("text"));
    EXPECT_TRUE(Contains(text, "<b>Login &lt;broken&gt; &amp; slow</b>")) << text;
    EXPECT_TRUE(Contains(text, "Use the backup portal (https://backup.example.com?a=1&amp;b=2) and code &lt;x&gt;."))
        << text;
    EXPECT_TRUE(Contains(text, "<a href=\"https://status.example.com/incidents/inc1?lang=en\">View incident</a>"));
    EXPECT_TRUE(Contains(text, "API — Major Outage"));
    EXPECT_TRUE(Contains(text, "Started: December 4, 2026, 17:05 CET"));
    // Every '<' opens one of the tags we wrote; everything else was escaped.
    for (auto pos = text.find('<'); pos != std::string::npos; pos = text.find('<', pos + 1)) {
        auto rest = std::string_view(text).substr(pos);
        EXPECT_TRUE(
            rest.rfind("<b>", 0) == 0 || rest.rfind("</b>", 0) == 0 || rest.rfind("<a href=", 0) == 0 ||
            rest.rfind("</a>", 0) == 0
        ) << rest.substr(0, 20);
    }
}

TEST(PlainText, MarkdownBecomesReadableText) {
    struct Case {
        std::string_view name;
        std::string_view markdown;
        std::string_view expected;  // a fragment of the Telegram text (HTML-escaped)
        std::string_view absent;
    };
    const Case cases[] = {
        {"emphasis markers go", "*a* _b_ **c** ~~d~~", "a b c d", "*"},
        {"link keeps text and URL", "[docs](https://x.example.com/d)", "docs (https://x.example.com/d)", "]("},
        {"autolink shown once", "see https://x.example.com/y now", "see https://x.example.com/y now", "(https"},
        {"relative link made absolute", "[h](/history)", "h (https://status.example.com/history)", "(/history"},
        {"unsafe link loses its URL", "[click](javascript:alert(1))", "click", "javascript"},
        {"ordered list numbered", "1. one\n2. two\n", "1. one\n2. two", "1) "},
        {"bullets", "* a\n* b\n", "- a\n- b", "* a"},
        {"nested list indented", "1. a\n2. b\n   - c\n   - d\n", "1. a\n2. b\n   - c\n   - d", "b\n\n"},
        {"loose list keeps blank lines", "- a\n\n- b\n", "- a\n\n- b", "- a\n- b"},
        {"code block indented", "```\nx = 1\n```\n", "    x = 1", "```"},
        {"entities decoded", "Fish &amp; chips &#228;", "Fish &amp; chips ä", "&amp;amp;"},
        {"heading text kept", "# Cause\n\nDisk full", "Cause\n\nDisk full", "#"},
        {"quote", "> quoted", "&gt; quoted", ">quoted"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Facts f = Incident();
        f.update_markdown = std::string(c.markdown);
        auto text = json::value_to<std::string>(Parse(TelegramPayload(f, "en", "1", "").body).at("text"));
        EXPECT_TRUE(Contains(text, c.expected)) << text;
        auto start = text.find("Degraded Performance\n\n");
        ASSERT_NE(start, std::string::npos) << text;
        auto update = text.substr(start, text.find("\n\nStarted") - start);
        EXPECT_FALSE(Contains(update, c.absent)) << update;
    }
}

TEST(MastodonPayload, FormWithStatusVisibilityLanguageAndReply) {
    auto p = MastodonPayload(Incident(), "de", "unlisted", "109876");
    EXPECT_EQ(p.content_type, "application/x-www-form-urlencoded");
    auto form = ParseForm(p.body);
    EXPECT_EQ(form["visibility"], "unlisted");
    EXPECT_EQ(form["language"], "de");
    EXPECT_EQ(form["in_reply_to_id"], "109876");
    const auto& status = form["status"];
    EXPECT_TRUE(Contains(status, "Schwerer Ausfall: API unavailable — Wird untersucht")) << status;
    EXPECT_TRUE(Contains(status, "API (Schwerer Ausfall)"));
    EXPECT_TRUE(Contains(status, "We are investigating errors on the API (https://api.example.com/health)."));
    EXPECT_TRUE(Contains(status, "https://status.example.com/incidents/inc1?lang=de"));
    EXPECT_FALSE(Contains(status, "…"));

    auto no_reply = ParseForm(MastodonPayload(Incident(), "en", "public", "").body);
    EXPECT_EQ(no_reply.count("in_reply_to_id"), 0u);
    EXPECT_EQ(no_reply["visibility"], "public");
}

TEST(MastodonPayload, LongUpdateIsShortenedToFiveHundredCharacters) {
    Facts f = Incident();
    f.update_markdown.clear();
    while (CodePoints(f.update_markdown) < 2000) f.update_markdown += "Größere Störung im Rechenzentrum. ";
    auto status = ParseForm(MastodonPayload(f, "de", "public", "").body)["status"];
    EXPECT_LE(CodePoints(status), 500u);
    EXPECT_GT(CodePoints(status), 400u) << "the update should fill the room it has";
    EXPECT_TRUE(Contains(status, "API unavailable — Wird untersucht"));
    EXPECT_TRUE(Contains(status, "…"));
    EXPECT_TRUE(Contains(status, "Größere Störung"));
    const std::string url = "https://status.example.com/incidents/inc1?lang=de";
    ASSERT_GT(status.size(), url.size());
    EXPECT_EQ(status.substr(status.size() - url.size()), url) << "the link closes the status";

    // Even an absurd title keeps the status within the limit and the link whole.
    f.incident_name = std::string(700, 'x');
    status = ParseForm(MastodonPayload(f, "de", "public", "").body)["status"];
    EXPECT_LE(CodePoints(status), 500u);
    EXPECT_TRUE(Contains(status, "https://status.example.com/incidents/inc1?lang=de"));
}

TEST(WebhookPayload, CarriesTheFactsAsJson) {
    Facts f = Incident();
    auto v = Parse(WebhookPayload(f, "sub42", "key-1", "").body);
    EXPECT_EQ(v.at("event"), "incident.update");
    EXPECT_EQ(v.at("idempotency_key"), "key-1");
    EXPECT_EQ(v.at("subscriber_id"), "sub42");
    EXPECT_EQ(v.at("page").at("name"), "Acme Status");
    EXPECT_EQ(v.at("page").at("url"), "https://status.example.com");
    const auto& inc = v.at("incident");
    EXPECT_EQ(inc.at("id"), "inc1");
    EXPECT_EQ(inc.at("name"), "API unavailable");
    EXPECT_EQ(inc.at("url"), "https://status.example.com/incidents/inc1");
    EXPECT_EQ(inc.at("kind"), "incident");
    EXPECT_EQ(inc.at("status"), "investigating");
    EXPECT_EQ(inc.at("impact"), "critical");
    EXPECT_EQ(inc.at("started_at"), "2026-12-04T16:05:00.000Z");
    EXPECT_TRUE(inc.at("resolved_at").is_null());
    EXPECT_TRUE(inc.at("scheduled_for").is_null());
    EXPECT_TRUE(inc.at("scheduled_until").is_null());
    const auto& comps = inc.at("components").as_array();
    ASSERT_EQ(comps.size(), 2u);
    EXPECT_EQ(comps[0].at("id"), "c1");
    EXPECT_EQ(comps[0].at("name"), "API");
    EXPECT_EQ(comps[0].at("status"), "major_outage");
    EXPECT_EQ(v.at("update").at("id"), "upd1");
    EXPECT_EQ(Str(v.at("update").at("body")), f.update_markdown);
    EXPECT_EQ(v.at("update").at("created_at"), "2026-12-04T16:22:00.000Z");

    Facts m = Maintenance();
    m.occasion = Occasion::kMaintenanceReminder;
    m.minutes_until_start = 30;
    auto r = Parse(WebhookPayload(m, "sub42", "key-2", "").body);
    EXPECT_EQ(r.at("event"), "maintenance.reminder");
    EXPECT_EQ(r.at("incident").at("kind"), "maintenance");
    EXPECT_EQ(r.at("incident").at("scheduled_for"), "2026-12-10T21:00:00.000Z");
    EXPECT_EQ(r.at("incident").at("scheduled_until"), "2026-12-10T23:30:00.000Z");
    EXPECT_EQ(r.at("minutes_until_start"), 30);
}

// ---- the subscriber's manage link ----

const std::string kManageUrl = "https://status.example.com/subscribe/manage?token=abc_DEF-123";

TEST(ManageLink, SlackShowsItInAContextBlockBelowTheButton) {
    auto v = Parse(SlackPayload(Incident(), "en", kManageUrl).body);
    const auto& details = v.at("attachments").as_array().at(0).at("blocks").as_array();
    const auto& last = details.back();
    EXPECT_EQ(last.at("type"), "context");
    EXPECT_EQ(last.at("elements").as_array().at(0).at("type"), "mrkdwn");
    EXPECT_EQ(Str(last.at("elements").as_array().at(0).at("text")), "<" + kManageUrl + "|Manage or unsubscribe>");
    EXPECT_EQ(details.at(details.size() - 2).at("type"), "actions");

    auto de = SlackPayload(Incident(), "de", kManageUrl).body;
    EXPECT_TRUE(Contains(de, "<" + kManageUrl + "|Abo verwalten oder abbestellen>")) << de;
}

TEST(ManageLink, TeamsHasASecondOpenUrlAction) {
    auto v = Parse(TeamsPayload(Incident(), "de", kManageUrl).body);
    const auto& actions = v.at("attachments").as_array().at(0).at("content").at("actions").as_array();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].at("url"), "https://status.example.com/incidents/inc1?lang=de");
    EXPECT_EQ(actions[1].at("type"), "Action.OpenUrl");
    EXPECT_EQ(actions[1].at("title"), "Abo verwalten oder abbestellen");
    EXPECT_EQ(Str(actions[1].at("url")), kManageUrl);
}

TEST(ManageLink, DiscordEndsTheDescriptionWithAMarkdownLink) {
    auto v = Parse(DiscordPayload(Incident(), "en", kManageUrl).body);
    auto description = Str(v.at("embeds").as_array().at(0).at("description"));
    const std::string link = "\n\n[Manage or unsubscribe](" + kManageUrl + ")";
    ASSERT_GE(description.size(), link.size());
    EXPECT_EQ(description.substr(description.size() - link.size()), link) << description;
    EXPECT_TRUE(Contains(description, "We are investigating errors"));

    // A long update is shortened, the link stays whole; without an update it is all there is.
    Facts f = Incident();
    f.update_markdown = std::string(5000, 'x');
    description = Str(Parse(DiscordPayload(f, "de", kManageUrl).body).at("embeds").as_array().at(0).at("description"));
    EXPECT_TRUE(Contains(description, "…\n\n[Abo verwalten oder abbestellen](" + kManageUrl + ")")) << description;
    EXPECT_LE(CodePoints(description), 4096u);
    f.update_markdown.clear();
    description = Str(Parse(DiscordPayload(f, "en", kManageUrl).body).at("embeds").as_array().at(0).at("description"));
    EXPECT_EQ(description, "[Manage or unsubscribe](" + kManageUrl + ")");
}

TEST(ManageLink, TelegramAddsALinkLineAfterTheIncidentLink) {
    const std::string url = kManageUrl + "&lang=en";
    auto text = Str(Parse(TelegramPayload(Incident(), "en", "-100123", url).body).at("text"));
    const std::string line = "\n<a href=\"" + kManageUrl + "&amp;lang=en\">Manage or unsubscribe</a>";
    ASSERT_GE(text.size(), line.size());
    EXPECT_EQ(text.substr(text.size() - line.size()), line) << text;
    EXPECT_TRUE(Contains(text, "View incident</a>" + line));

    auto de = Str(Parse(TelegramPayload(Incident(), "de", "-100123", kManageUrl).body).at("text"));
    EXPECT_TRUE(Contains(de, "<a href=\"" + kManageUrl + "\">Abo verwalten oder abbestellen</a>")) << de;
}

TEST(ManageLink, WebhookCarriesManageUrl) {
    auto v = Parse(WebhookPayload(Incident(), "sub42", "key-1", kManageUrl).body);
    EXPECT_EQ(Str(v.at("manage_url")), kManageUrl);
    auto none = Parse(WebhookPayload(Incident(), "sub42", "key-1", "").body);
    ASSERT_TRUE(none.as_object().contains("manage_url"));
    EXPECT_TRUE(none.at("manage_url").is_null());
}

TEST(ManageLink, NoneWhenEmpty) {
    for (const auto* lang : {"en", "de"}) {
        SCOPED_TRACE(lang);
        const std::string bodies[] = {
            SlackPayload(Incident(), lang, "").body,
            TeamsPayload(Incident(), lang, "").body,
            DiscordPayload(Incident(), lang, "").body,
            TelegramPayload(Incident(), lang, "-100123", "").body,
            WebhookPayload(Incident(), "sub42", "key-1", "").body,
        };
        for (const auto& body : bodies) {
            EXPECT_FALSE(Contains(body, "/subscribe/manage")) << body;
            EXPECT_FALSE(Contains(body, "Manage or unsubscribe")) << body;
            EXPECT_FALSE(Contains(body, "Abo verwalten")) << body;
        }
    }
    // Slack keeps the button as its last block; Teams one action.
    auto slack = Parse(SlackPayload(Incident(), "en", "").body);
    EXPECT_EQ(slack.at("attachments").as_array().at(0).at("blocks").as_array().back().at("type"), "actions");
    auto teams = Parse(TeamsPayload(Incident(), "en", "").body);
    EXPECT_EQ(teams.at("attachments").as_array().at(0).at("content").at("actions").as_array().size(), 1u);
}

TEST(ManageLink, MastodonPostsHaveNone) {
    auto status = ParseForm(MastodonPayload(Incident(), "en", "public", "").body)["status"];
    EXPECT_FALSE(Contains(status, "/subscribe/manage"));
    EXPECT_FALSE(Contains(status, "Manage or unsubscribe"));
}

TEST(ConfirmPayload, EveryChannelCarriesTheConfirmLink) {
    const std::string url = "https://status.example.com/subscribe/confirm?token=abc_DEF-123";
    for (auto channel : {
             domain::Channel::kEmail,
             domain::Channel::kWebhook,
             domain::Channel::kSlack,
             domain::Channel::kTeams,
             domain::Channel::kDiscord,
             domain::Channel::kTelegram,
             domain::Channel::kMastodon,
         }) {
        SCOPED_TRACE(std::string(domain::ToString(channel)));
        auto p = ConfirmPayload(channel, "Acme Status", "de", url, "-100123");
        if (p.content_type == "application/json") {
            auto v = Parse(p.body);
            EXPECT_TRUE(Contains(json::serialize(v), url));
        } else if (p.content_type == "application/x-www-form-urlencoded") {
            EXPECT_TRUE(Contains(ParseForm(p.body)["status"], url));
        } else {
            EXPECT_TRUE(Contains(p.body, url));
        }
    }
    auto webhook = Parse(ConfirmPayload(domain::Channel::kWebhook, "Acme Status", "en", url, "").body);
    EXPECT_EQ(webhook.at("event"), "subscription.confirm");
    EXPECT_EQ(Str(webhook.at("confirm_url")), url);
    auto telegram = Parse(ConfirmPayload(domain::Channel::kTelegram, "Acme Status", "de", url, "-100123").body);
    EXPECT_EQ(telegram.at("chat_id"), "-100123");
    EXPECT_EQ(telegram.at("parse_mode"), "HTML");
    EXPECT_TRUE(Contains(json::value_to<std::string>(telegram.at("text")), "Abonnement bestätigen"));
    auto teams = Parse(ConfirmPayload(domain::Channel::kTeams, "Acme Status", "en", url, "").body);
    EXPECT_EQ(
        Str(teams.at("attachments").as_array().at(0).at("content").at("actions").as_array().at(0).at("url")), url
    );
}

}  // namespace
}  // namespace tocsin::notify
