#include "tocsin/oncall/senders.hpp"

#include "tocsin/notify/mime.hpp"
#include "tocsin/oncall/webpush.hpp"

#include <cctz/time_zone.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <boost/json.hpp>

#include <array>

namespace tocsin::oncall {
namespace {

namespace json = boost::json;

bool German(const PageMessage& msg) {
    return msg.language == "de";
}

// Cuts at a UTF-8 boundary so a shortened title never ends in half a character.
std::string Shorten(std::string_view s, std::size_t max) {
    if (s.size() <= max) return std::string(s);
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

std::string Base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(bytes.data()),
        static_cast<int>(bytes.size())
    );
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string FormEncode(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        out += FormEncode(k) + "=" + FormEncode(v);
    }
    return out;
}

std::string XmlEscape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// HTTP header values must be one line of ASCII; others become an RFC 2047 encoded word,
// which ntfy decodes.
std::string HeaderWord(std::string_view s) {
    std::string line;
    for (char c : s) line += (c == '\r' || c == '\n') ? ' ' : c;
    bool ascii = true;
    for (unsigned char c : line) {
        if (c >= 0x80) ascii = false;
    }
    return ascii ? line : "=?UTF-8?B?" + Base64(line) + "?=";
}

std::string WithQuery(std::string_view url, std::string_view key, std::string_view value) {
    std::string out(url);
    out += url.find('?') == std::string_view::npos ? '?' : '&';
    out += FormEncode(key) + "=" + FormEncode(value);
    return out;
}

std::string UrgencyWord(const PageMessage& msg) {
    if (German(msg)) return msg.urgency == Urgency::kHigh ? "hoch" : "niedrig";
    return std::string(ToString(msg.urgency));
}

std::string MailHost(const SenderConfig& cfg) {
    auto at = cfg.from_address.rfind('@');
    return at == std::string::npos ? "localhost" : cfg.from_address.substr(at + 1);
}

std::string RandomHex(std::size_t bytes) {
    std::vector<unsigned char> b(bytes);
    RAND_bytes(b.data(), static_cast<int>(b.size()));
    std::string out;
    for (auto c : b) out += fmt::format("{:02x}", c);
    return out;
}

// ---- the channels ----

Result<Outgoing> BuildEmail(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    const bool de = German(msg);
    notify::MailMessage mail;
    mail.from = {cfg.from_name, cfg.from_address};
    mail.to = {"", m.address};
    mail.date = msg.now;
    mail.message_id =
        fmt::format("<{}.{}@{}>", msg.incident_id.empty() ? "verify" : msg.incident_id, RandomHex(8), MailHost(cfg));
    std::string& t = mail.text;
    if (!msg.notice.empty()) {
        mail.subject = "[tocsin] " + Shorten(msg.notice, 150);
        t = msg.notice + "\n";
    } else if (!msg.verification_code.empty()) {
        mail.subject = de ? "Ihr tocsin-Bestätigungscode" : "Your tocsin verification code";
        t = de ? fmt::format(
                     "Ihr Bestätigungscode lautet: {}\n\nGeben Sie ihn in tocsin ein, um diese Adresse für "
                     "Benachrichtigungen zu bestätigen. Er gilt 15 Minuten.\n",
                     msg.verification_code
                 )
               : fmt::format(
                     "Your verification code is: {}\n\nEnter it in tocsin to confirm this address for "
                     "notifications. It is valid for 15 minutes.\n",
                     msg.verification_code
                 );
    } else {
        mail.subject = fmt::format("[tocsin] {}", PageHeadline(msg));
        mail.in_reply_to = "";
        t += de ? fmt::format("Vorfall #{}: {}\n", msg.incident_number, msg.incident_title)
                : fmt::format("Incident #{}: {}\n", msg.incident_number, msg.incident_title);
        t += de ? fmt::format("Dienst: {}\nDringlichkeit: {}\n", msg.service_name, UrgencyWord(msg))
                : fmt::format("Service: {}\nUrgency: {}\n", msg.service_name, UrgencyWord(msg));
        if (msg.bundled > 0) {
            t += de ? fmt::format("Dazu {} weitere offene Vorfälle.\n", msg.bundled)
                    : fmt::format("Plus {} more open incidents.\n", msg.bundled);
        }
        t += "\n";
        if (!msg.ack_url.empty()) t += (de ? "Bestätigen: " : "Acknowledge: ") + msg.ack_url + "\n";
        if (!msg.resolve_url.empty()) t += (de ? "Beheben: " : "Resolve: ") + msg.resolve_url + "\n";
        if (!msg.open_url.empty()) t += (de ? "Öffnen: " : "Open: ") + msg.open_url + "\n";
    }
    TOCSIN_ASSIGN(data, notify::BuildMessage(mail));
    Outgoing out;
    out.mail = notify::OutgoingMail{cfg.from_address, m.address, std::move(data)};
    return out;
}

Result<Outgoing> BuildPhone(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg, bool voice) {
    const auto& p = cfg.phone;
    if (p.account_sid.empty() || p.auth_token.empty() || p.from_number.empty()) {
        return Error::Unavailable("no SMS/voice provider is configured (oncall.phone)");
    }
    notify::OutgoingHttp h;
    std::string base = p.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    h.url = fmt::format(
        "{}/2010-04-01/Accounts/{}/{}", base, FormEncode(p.account_sid), voice ? "Calls.json" : "Messages.json"
    );
    h.headers = {
        {"Authorization", BasicAuthorization(p.account_sid, p.auth_token)},
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
    };
    if (voice) {
        std::string action =
            p.voice_action_url.empty() ? cfg.public_url + std::string(kVoiceInboundPath) : p.voice_action_url;
        h.body = Form({{"To", m.address}, {"From", p.from_number}, {"Twiml", VoiceTwiml(msg, action)}});
    } else {
        h.body = Form({{"To", m.address}, {"From", p.from_number}, {"Body", SmsText(msg)}});
    }
    Outgoing out;
    out.http = std::move(h);
    return out;
}

std::string PushText(const PageMessage& msg) {
    if (!msg.notice.empty()) return msg.notice;
    if (!msg.verification_code.empty()) {
        return (German(msg) ? "Ihr tocsin-Bestätigungscode: " : "Your tocsin verification code: ") +
               msg.verification_code;
    }
    std::string t = fmt::format("{} ({})", msg.incident_title, msg.service_name);
    if (msg.bundled > 0) {
        t += German(msg) ? fmt::format(", dazu {} weitere", msg.bundled) : fmt::format(", plus {} more", msg.bundled);
    }
    return t;
}

std::string PushTitle(const PageMessage& msg) {
    if (!msg.notice.empty()) return German(msg) ? "tocsin: Bereitschaft" : "tocsin: on call";
    if (!msg.verification_code.empty()) return German(msg) ? "tocsin: Bestätigung" : "tocsin: verification";
    return fmt::format("#{} [{}] {}", msg.incident_number, UrgencyWord(msg), Shorten(msg.incident_title, 120));
}

Result<Outgoing> BuildNtfy(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    const bool de = German(msg);
    notify::OutgoingHttp h;
    h.url = m.address;
    h.body = PushText(msg);
    h.headers.emplace_back("Title", HeaderWord(PushTitle(msg)));
    h.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    if (msg.verification_code.empty()) {
        h.headers.emplace_back("Priority", msg.urgency == Urgency::kHigh ? "5" : "3");
        h.headers.emplace_back("Tags", msg.urgency == Urgency::kHigh ? "rotating_light" : "warning");
        // ntfy's action list: "<action>, <label>, <url>[, key=value...]" separated by ";". The
        // links are one-time tokens in base64url, so they hold no "," or ";".
        std::vector<std::string> actions;
        if (!msg.ack_url.empty()) {
            actions.push_back(
                fmt::format("http, {}, {}, method=POST, clear=true", de ? "Bestätigen" : "Acknowledge", msg.ack_url)
            );
        }
        if (!msg.resolve_url.empty()) {
            actions.push_back(
                fmt::format("http, {}, {}, method=POST, clear=true", de ? "Beheben" : "Resolve", msg.resolve_url)
            );
        }
        if (!msg.open_url.empty()) actions.push_back(fmt::format("view, {}, {}", de ? "Öffnen" : "Open", msg.open_url));
        if (!actions.empty()) {
            std::string joined;
            for (const auto& a : actions) joined += (joined.empty() ? "" : "; ") + a;
            h.headers.emplace_back("Actions", HeaderWord(joined));
        }
        if (!msg.open_url.empty()) h.headers.emplace_back("Click", msg.open_url);
    } else {
        h.headers.emplace_back("Priority", "3");
    }
    if (!cfg.ntfy_token.empty()) h.headers.emplace_back("Authorization", "Bearer " + cfg.ntfy_token);
    Outgoing out;
    out.http = std::move(h);
    return out;
}

// Slack and Telegram links in their markup; plain text when nothing links.
std::string ChatText(const PageMessage& msg, bool slack) {
    if (!msg.verification_code.empty() || !msg.notice.empty()) return PushText(msg);
    const bool de = German(msg);
    std::string t = PageHeadline(msg);
    auto link = [&](std::string_view label, const std::string& url) {
        if (url.empty()) return;
        t += slack ? fmt::format("\n<{}|{}>", url, label) : fmt::format("\n{}: {}", label, url);
    };
    link(de ? "Bestätigen" : "Acknowledge", msg.ack_url);
    link(de ? "Beheben" : "Resolve", msg.resolve_url);
    link(de ? "Öffnen" : "Open", msg.open_url);
    return t;
}

Result<Outgoing> BuildSlack(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    notify::OutgoingHttp h;
    h.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    json::object body{{"text", ChatText(msg, true)}};
    if (m.address.starts_with("https://")) {
        h.url = m.address;
    } else {
        if (cfg.slack_bot_token.empty()) return Error::Unavailable("no Slack bot token is configured (oncall.slack)");
        h.url = cfg.slack_api_url + "/chat.postMessage";
        h.headers.emplace_back("Authorization", "Bearer " + cfg.slack_bot_token);
        body["channel"] = m.address;
    }
    h.body = json::serialize(body);
    Outgoing out;
    out.http = std::move(h);
    return out;
}

Result<Outgoing> BuildTeams(const ContactMethod& m, const PageMessage& msg) {
    const bool de = German(msg);
    json::array blocks{
        json::object{{"type", "TextBlock"}, {"text", PushTitle(msg)}, {"weight", "Bolder"}, {"wrap", true}},
        json::object{{"type", "TextBlock"}, {"text", PushText(msg)}, {"wrap", true}},
    };
    json::array actions;
    auto add = [&](std::string_view label, const std::string& url) {
        if (!url.empty()) actions.push_back(json::object{{"type", "Action.OpenUrl"}, {"title", label}, {"url", url}});
    };
    add(de ? "Bestätigen" : "Acknowledge", msg.ack_url);
    add(de ? "Beheben" : "Resolve", msg.resolve_url);
    add(de ? "Öffnen" : "Open", msg.open_url);
    json::object card{
        {"type", "AdaptiveCard"},
        {"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
        {"version", "1.4"},
        {"body", std::move(blocks)},
        {"actions", std::move(actions)},
    };
    json::object body{
        {"type", "message"},
        {"attachments",
         json::array{
             json::object{{"contentType", "application/vnd.microsoft.card.adaptive"}, {"content", std::move(card)}}}},
    };
    notify::OutgoingHttp h;
    h.url = m.address;
    h.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    h.body = json::serialize(body);
    Outgoing out;
    out.http = std::move(h);
    return out;
}

Result<Outgoing> BuildTelegram(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    if (cfg.telegram_bot_token.empty())
        return Error::Unavailable("no Telegram bot token is configured (oncall.telegram)");
    const bool de = German(msg);
    json::object body{{"chat_id", m.address}, {"text", ChatText(msg, false)}, {"disable_web_page_preview", true}};
    json::array row;
    auto add = [&](std::string_view label, const std::string& url) {
        if (!url.empty()) row.push_back(json::object{{"text", label}, {"url", url}});
    };
    add(de ? "Bestätigen" : "Acknowledge", msg.ack_url);
    add(de ? "Beheben" : "Resolve", msg.resolve_url);
    if (!row.empty()) body["reply_markup"] = json::object{{"inline_keyboard", json::array{std::move(row)}}};
    notify::OutgoingHttp h;
    h.url = fmt::format("{}/bot{}/sendMessage", cfg.telegram_api_url, cfg.telegram_bot_token);
    h.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    h.body = json::serialize(body);
    Outgoing out;
    out.http = std::move(h);
    return out;
}

Result<Outgoing> BuildWebhook(const ContactMethod& m, const PageMessage& msg) {
    notify::OutgoingHttp h;
    h.url = m.address;
    h.headers = {{"Content-Type", "application/json; charset=utf-8"}};
    h.body = WebhookJson(msg);
    Outgoing out;
    out.http = std::move(h);
    return out;
}

Result<Outgoing> BuildPush(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    if (cfg.vapid_private_key_pem.empty()) return Error::Unavailable("no VAPID key is available");
    boost::system::error_code ec;
    auto data = json::parse(m.data_json, ec);
    if (ec || !data.is_object()) return Error::Invalid("data", "must be the browser's push subscription object");
    const auto* keys = data.as_object().if_contains("keys");
    if (keys == nullptr || !keys->is_object()) return Error::Invalid("data.keys", "must be an object");
    auto key = [&](std::string_view name) -> std::string {
        const auto* v = keys->as_object().if_contains(name);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    json::object payload{
        {"title", PushTitle(msg)},
        {"body", PushText(msg)},
        {"incident_id", msg.incident_id},
        {"urgency", ToString(msg.urgency)},
        {"open_url", msg.open_url},
        {"ack_url", msg.ack_url},
        {"resolve_url", msg.resolve_url},
    };
    WebPushRequest r;
    r.endpoint = m.address;
    r.p256dh = key("p256dh");
    r.auth = key("auth");
    r.payload = json::serialize(payload);
    r.vapid_private_key_pem = cfg.vapid_private_key_pem;
    r.vapid_subject = cfg.vapid_subject;
    r.ttl = cfg.push_ttl;
    r.urgency = msg.urgency == Urgency::kHigh || !msg.verification_code.empty() ? "high" : "normal";
    r.now = msg.now;
    TOCSIN_ASSIGN(h, BuildWebPush(r));
    Outgoing out;
    out.http = std::move(h);
    return out;
}

}  // namespace

std::string PageHeadline(const PageMessage& msg) {
    std::string t = fmt::format(
        "#{} [{}] {} ({})", msg.incident_number, UrgencyWord(msg), Shorten(msg.incident_title, 160), msg.service_name
    );
    if (msg.bundled > 0) t += fmt::format(" +{}", msg.bundled);
    return t;
}

std::string SmsText(const PageMessage& msg) {
    const bool de = German(msg);
    if (!msg.notice.empty()) return "tocsin: " + Shorten(msg.notice, 300);
    if (!msg.verification_code.empty()) {
        return de ? "Ihr tocsin-Bestätigungscode: " + msg.verification_code
                  : "Your tocsin verification code: " + msg.verification_code;
    }
    std::string t = fmt::format(
        "tocsin #{} [{}] {} ({})",
        msg.incident_number,
        UrgencyWord(msg),
        Shorten(msg.incident_title, 100),
        Shorten(msg.service_name, 40)
    );
    if (msg.bundled > 0) t += de ? fmt::format(" +{} weitere", msg.bundled) : fmt::format(" +{} more", msg.bundled);
    if (!msg.reply_code.empty()) {
        t += de ? fmt::format(". Antwort {0} bestätigt, r {0} behebt.", msg.reply_code)
                : fmt::format(". Reply {0} to ack, r {0} to resolve.", msg.reply_code);
    }
    if (!msg.open_url.empty() && t.size() + msg.open_url.size() < 320) t += " " + msg.open_url;
    return t;
}

std::string VoiceText(const PageMessage& msg) {
    const bool de = German(msg);
    if (!msg.notice.empty()) return (de ? "Hier ist tocsin. " : "This is tocsin. ") + msg.notice;
    if (!msg.verification_code.empty()) {
        std::string spaced;
        for (char c : msg.verification_code) spaced += fmt::format("{} ", c);
        return de ? "Ihr tocsin-Bestätigungscode lautet: " + spaced + ". Noch einmal: " + spaced
                  : "Your tocsin verification code is: " + spaced + ". Again: " + spaced;
    }
    std::string t = de ? fmt::format(
                             "Hier ist tocsin. Vorfall {} mit {} Dringlichkeit: {}. Dienst: {}.",
                             msg.incident_number,
                             msg.urgency == Urgency::kHigh ? "hoher" : "niedriger",
                             Shorten(msg.incident_title, 200),
                             msg.service_name
                         )
                       : fmt::format(
                             "This is tocsin. {} urgency incident {}: {}. Service: {}.",
                             msg.urgency == Urgency::kHigh ? "High" : "Low",
                             msg.incident_number,
                             Shorten(msg.incident_title, 200),
                             msg.service_name
                         );
    if (msg.bundled > 0) {
        t += de ? fmt::format(" Dazu {} weitere offene Vorfälle.", msg.bundled)
                : fmt::format(" Plus {} more open incidents.", msg.bundled);
    }
    if (!msg.reply_code.empty()) {
        t += de ? " Drücken Sie 1 zum Bestätigen oder 2 zum Beheben." : " Press 1 to acknowledge, or 2 to resolve.";
    }
    return t;
}

std::string VoiceTwiml(const PageMessage& msg, std::string_view action_url) {
    const std::string lang = German(msg) ? "de-DE" : "en-US";
    const std::string say = fmt::format("<Say language=\"{}\">{}</Say>", lang, XmlEscape(VoiceText(msg)));
    if (!msg.verification_code.empty() || msg.reply_code.empty()) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + say + "</Response>";
    }
    // Said twice: the Gather waits for a key while the text plays, then once more.
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather numDigits=\"1\" timeout=\"10\" "
        "method=\"POST\" action=\"{}\">{}{}</Gather></Response>",
        XmlEscape(WithQuery(action_url, "code", msg.reply_code)),
        say,
        say
    );
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
    return "Basic " + Base64(std::string(user) + ":" + std::string(password));
}

std::string WebhookJson(const PageMessage& msg) {
    if (!msg.notice.empty()) {
        return json::serialize(json::object{{"type", "handoff"}, {"text", msg.notice}, {"language", msg.language}});
    }
    if (!msg.verification_code.empty()) {
        return json::serialize(json::object{{"type", "verification"}, {"code", msg.verification_code}});
    }
    return json::serialize(json::object{
        {"type", "page"},
        {"incident",
         json::object{
             {"id", msg.incident_id},
             {"number", msg.incident_number},
             {"title", msg.incident_title},
             {"service", msg.service_name},
             {"urgency", ToString(msg.urgency)},
         }},
        {"links", json::object{{"acknowledge", msg.ack_url}, {"resolve", msg.resolve_url}, {"open", msg.open_url}}},
        {"reply_code", msg.reply_code},
        {"bundled", msg.bundled},
        {"language", msg.language},
    });
}

std::string HandoffText(
    std::string_view schedule_name,
    TimePoint start,
    TimePoint end,
    const std::string& time_zone,
    const std::string& language,
    bool ending
) {
    cctz::time_zone tz;
    if (!cctz::load_time_zone(time_zone, &tz)) tz = cctz::utc_time_zone();
    const bool de = language == "de";
    auto local = [&](TimePoint t) {
        const auto s = std::chrono::time_point_cast<std::chrono::seconds>(t);
        return cctz::format(de ? "%d.%m.%Y %H:%M %Z" : "%a %Y-%m-%d %H:%M %Z", s, tz);
    };
    if (ending) {
        return de ? fmt::format("Ihre Bereitschaft für {} endete {}.", schedule_name, local(end))
                  : fmt::format("Your on-call shift for {} ended {}.", schedule_name, local(end));
    }
    return de ? fmt::format("Sie haben Bereitschaft für {} von {} bis {}.", schedule_name, local(start), local(end))
              : fmt::format("You are on call for {} from {} to {}.", schedule_name, local(start), local(end));
}

notify::SendResult CheckProviderAnswer(ContactKind kind, notify::SendResult r) {
    if (!r.ok) return r;
    auto fail = [&](std::string error, bool permanent) {
        r.ok = false;
        r.permanent = permanent;
        r.error = std::move(error);
        return r;
    };
    if (kind == ContactKind::kSlack || kind == ContactKind::kTelegram) {
        boost::system::error_code ec;
        auto v = json::parse(r.response_body, ec);
        if (ec || !v.is_object()) return r;  // an incoming webhook answers "ok" as text
        const auto& o = v.as_object();
        const auto* ok = o.if_contains("ok");
        if (ok == nullptr || !ok->is_bool() || ok->as_bool()) return r;
        if (kind == ContactKind::kSlack) {
            const auto* e = o.if_contains("error");
            const std::string error = e != nullptr && e->is_string() ? std::string(e->as_string()) : "unknown error";
            // Slack's server-side and rate-limit errors are worth another try; the rest
            // (channel_not_found, invalid_auth, not_in_channel, ...) are not.
            const bool transient = error == "ratelimited" || error == "internal_error" || error == "fatal_error" ||
                                   error == "service_unavailable" || error == "request_timeout";
            return fail("slack: " + error, !transient);
        }
        const auto* code = o.if_contains("error_code");
        const auto* d = o.if_contains("description");
        const std::int64_t c = code != nullptr && code->is_int64() ? code->as_int64() : 0;
        const std::string description = d != nullptr && d->is_string() ? std::string(d->as_string()) : "unknown error";
        if (const auto* p = o.if_contains("parameters"); p != nullptr && p->is_object()) {
            if (const auto* ra = p->as_object().if_contains("retry_after"); ra != nullptr && ra->is_int64()) {
                r.retry_after = std::chrono::seconds(ra->as_int64());
            }
        }
        return fail(fmt::format("telegram: {} {}", c, description), !(c == 429 || c >= 500));
    }
    if (kind == ContactKind::kTeams && r.response_body.find("delivery failed") != std::string::npos) {
        const bool transient = r.response_body.find("HTTP error 429") != std::string::npos ||
                               r.response_body.find("HTTP error 5") != std::string::npos;
        return fail("teams: " + r.response_body.substr(0, 300), !transient);
    }
    return r;
}

Result<Outgoing> BuildOutgoing(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg) {
    TOCSIN_TRY(ValidateContactMethod(m, cfg.allow_http_urls));
    switch (m.kind) {
        case ContactKind::kEmail:
            return BuildEmail(m, msg, cfg);
        case ContactKind::kSms:
            return BuildPhone(m, msg, cfg, false);
        case ContactKind::kVoice:
            return BuildPhone(m, msg, cfg, true);
        case ContactKind::kNtfy:
            return BuildNtfy(m, msg, cfg);
        case ContactKind::kWebPush:
            return BuildPush(m, msg, cfg);
        case ContactKind::kSlack:
            return BuildSlack(m, msg, cfg);
        case ContactKind::kTeams:
            return BuildTeams(m, msg);
        case ContactKind::kTelegram:
            return BuildTelegram(m, msg, cfg);
        case ContactKind::kWebhook:
            return BuildWebhook(m, msg);
    }
    return Error::Internal("unknown contact kind");
}

}  // namespace tocsin::oncall
