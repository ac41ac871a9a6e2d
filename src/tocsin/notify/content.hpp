/// @file
/// @brief What a notification says, rendered for each channel from one set of facts.
///
/// Pure functions plus Mustache templates (built in, per language, overridable from a
/// folder). Every channel shows the same facts: title, status, impact, affected
/// components, the update text, start and end times in the recipient's language and the
/// page's time zone, and a link to the incident.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/domain/component.hpp"
#include "tocsin/domain/incident.hpp"
#include "tocsin/domain/subscriber.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::notify {

/// Why a message is sent.
enum class Occasion {
    kUpdate,               // an incident or maintenance update (published, in progress, completed...)
    kMaintenanceReminder,  // a while before a maintenance starts
};

struct ComponentFact {
    std::string id;
    std::string name;
    domain::ComponentStatus status = domain::ComponentStatus::kOperational;
};

/// Everything a message may show. Built by the dispatcher from the store; language-free
/// except the texts the team wrote (names, update body).
struct Facts {
    Occasion occasion = Occasion::kUpdate;
    std::string page_name;
    std::string page_url;   // absolute, no trailing slash
    std::string time_zone;  // IANA name of the page
    std::string incident_id;
    std::string incident_name;
    domain::IncidentKind kind = domain::IncidentKind::kIncident;
    domain::IncidentStatus status = domain::IncidentStatus::kInvestigating;
    domain::Impact impact = domain::Impact::kNone;
    std::vector<ComponentFact> components;  // affected, in page order
    std::string update_id;
    std::string update_markdown;  // the update's body as written
    TimePoint update_at{};
    TimePoint started_at{};
    std::optional<TimePoint> resolved_at;
    std::optional<TimePoint> scheduled_for;  // maintenance
    std::optional<TimePoint> scheduled_until;
    bool first_update = false;
    int minutes_until_start = 0;  // kMaintenanceReminder: whole minutes until scheduled_for

    /// page_url + "/incidents/" + incident_id
    [[nodiscard]] std::string IncidentUrl() const;
};

/// Per-recipient links inside an e-mail.
struct EmailLinks {
    std::string manage_url;
    std::string unsubscribe_url;
};

struct EmailContent {
    std::string subject;
    std::string text;  // text/plain, UTF-8, lines <= 78 where the content allows
    std::string html;  // text/html, self-contained (inline styles, no remote images)
};

/// A chat or webhook request body.
struct ChatPayload {
    std::string content_type = "application/json";
    std::string body;
};

/// The e-mail templates (Mustache), compiled once. Built-in templates live in
/// web/notify/templates; a user folder may override any of them by file name
/// ("update.en.html.mustache"). Thread-safe after construction.
///
/// Names are `{message}.{language}.{part}.mustache`: message is update (also used for
/// maintenance reminders), confirm or welcome; language en or de; part subject, text or
/// html. Only html templates HTML-escape `{{value}}`; the subject is collapsed to one line
/// after rendering. Words of statuses, impacts and component states arrive translated
/// (page i18n catalog); the templates hold the rest of the wording. A file in the folder
/// with another name ending in .mustache is refused, so a typo cannot go unnoticed.
/// Values of update: page_name, page_url, incident_name, incident_url, status, impact
/// (false for maintenance), prefix (worst component state, or false), colour, components
/// [name, status, colour], update_text, update_html (use {{{update_html}}}), started,
/// resolved, starts, ends, posted (formatted times, or false), is_maintenance,
/// is_reminder, minutes_text, manage_url, unsubscribe_url. Confirm: confirm_url;
/// welcome: manage_url, unsubscribe_url; all: lang, page_name, page_url.
class Templates {
public:
    /// Loads the built-in templates, then overrides from `override_dir` if not empty.
    /// Invalid: a template in the folder does not compile (names the file and the error).
    [[nodiscard]] static Result<std::shared_ptr<const Templates>> Load(const std::string& override_dir);

    /// An update or reminder for one recipient in `language` ("en" or "de").
    [[nodiscard]] EmailContent RenderUpdate(const Facts& f, const std::string& language, const EmailLinks& links) const;
    /// "Please confirm your subscription" with the link.
    [[nodiscard]] EmailContent RenderConfirm(
        const std::string& page_name,
        const std::string& page_url,
        const std::string& language,
        const std::string& confirm_url
    ) const;
    /// "You are subscribed" after confirmation, with manage and unsubscribe links.
    [[nodiscard]] EmailContent RenderWelcome(
        const std::string& page_name, const std::string& page_url, const std::string& language, const EmailLinks& links
    ) const;

    struct Impl;
    explicit Templates(std::unique_ptr<Impl> impl);
    ~Templates();

private:
    std::unique_ptr<Impl> impl_;
};

// Chat payloads, each in the platform's own rich format, with the status colour, the
// affected components and a link to the incident. `manage_url` is the subscriber's signed
// link to the manage page (change components or language, unsubscribe), shown as a short
// "Manage or unsubscribe" link; empty: no such link.
[[nodiscard]] ChatPayload SlackPayload(  // blocks + attachment colour
    const Facts& f,
    const std::string& language,
    const std::string& manage_url
);
[[nodiscard]] ChatPayload TeamsPayload(  // Adaptive Card in a message
    const Facts& f,
    const std::string& language,
    const std::string& manage_url
);
[[nodiscard]] ChatPayload DiscordPayload(  // embed with colour
    const Facts& f,
    const std::string& language,
    const std::string& manage_url
);
/// Telegram sendMessage body with parse_mode HTML.
[[nodiscard]] ChatPayload TelegramPayload(
    const Facts& f, const std::string& language, const std::string& chat_id, const std::string& manage_url
);
/// The message as plain text (<= 500 characters, counted as code points): title and
/// status, affected components, the update text as plain text (shortened first) and the
/// link. The Mastodon status; also the admin app's preview of a chat message.
[[nodiscard]] std::string ChatText(const Facts& f, const std::string& language);
/// Mastodon status text (<= 500 characters, counted as code points), form-encoded body
/// with status, visibility, language and in_reply_to_id when `reply_to` is set. A public
/// post of the page's own account: no subscriber, so no manage link.
[[nodiscard]] ChatPayload MastodonPayload(
    const Facts& f, const std::string& language, const std::string& visibility, const std::string& reply_to
);
/// tocsin's own webhook event ("incident.update" / "maintenance.reminder"): the facts as
/// JSON plus the subscriber id, the idempotency key and manage_url (null when empty).
[[nodiscard]] ChatPayload WebhookPayload(
    const Facts& f, const std::string& subscriber_id, const std::string& idempotency_key, const std::string& manage_url
);

/// Confirmation request for a chat or webhook subscriber: a short message with the link
/// (for webhooks a JSON event "subscription.confirm" with confirm_url).
[[nodiscard]] ChatPayload ConfirmPayload(
    domain::Channel channel,
    const std::string& page_name,
    const std::string& language,
    const std::string& confirm_url,
    const std::string& chat_id
);

/// Hex colour of a status (impact for incidents, blue for maintenance) used by all chats.
[[nodiscard]] std::string StatusColour(const Facts& f);

}  // namespace tocsin::notify
