/// @file
/// @brief People on call: contact methods, notification rules, teams, and what is sent to them.
///
/// Pure values and validation (no store, no HTTP, no clock of its own). The escalation engine
/// (ESC) reads a user's notification rules and contact methods from the store, builds the
/// request for each with BuildOutgoing (senders.cpp) and hands it to notify::Transport.
/// Inbound replies (SMS answers, voice key presses) are parsed here and acted on by ESC.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/notify/transport.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::oncall {

enum class ContactKind { kEmail, kSms, kVoice, kNtfy, kWebPush, kSlack, kTeams, kTelegram, kWebhook };

/// "email", "sms", "voice", "ntfy", "web_push", "slack", "teams", "telegram", "webhook".
[[nodiscard]] std::string_view ToString(ContactKind k);
[[nodiscard]] std::optional<ContactKind> ParseContactKind(std::string_view s);

/// One way to reach a user. `address` by kind:
///   email     an addr-spec ("ann@example.com")
///   sms/voice an E.164 number ("+4915112345678")
///   ntfy      the topic URL ("https://ntfy.sh/ann-pages"); http:// is refused
///   web_push  the push service endpoint (https); data_json holds the browser's subscription
///             {"endpoint": ..., "keys": {"p256dh": base64url, "auth": base64url}}
///   slack     a Slack member or channel id ("U0123ABCD"), sent with the bot token of the config;
///             or a Slack incoming-webhook URL (https://hooks.slack.com/...)
///   teams     a Teams / Power Automate incoming-webhook URL (https)
///   telegram  the chat id (the user's numeric id after they wrote to the bot), bot from the config
///   webhook   any https URL; receives the JSON described in docs/oncall.md
struct ContactMethod {
    std::string id, user_id;
    ContactKind kind = ContactKind::kEmail;
    std::string label;
    std::string address;
    std::string data_json = "{}";
    bool verified = false;
    TimePoint created_at{};
};

/// Checks `m.kind`'s address rules (above) and data_json; the error names the field
/// ("address", "data.keys.p256dh", "label"). `allow_http`: http:// URLs pass where https://
/// is required (SenderConfig::allow_http_urls: a LAN ntfy, tests).
[[nodiscard]] Result<void> ValidateContactMethod(const ContactMethod& m, bool allow_http = false);

/// E.164: "+" then 8..15 digits, the first not 0.
[[nodiscard]] bool IsE164(std::string_view s);
/// A plain addr-spec without display name or comments; at most 254 bytes.
[[nodiscard]] bool IsEmailAddress(std::string_view s);
/// An absolute https URL with a host and no user info, at most 2048 bytes.
[[nodiscard]] bool IsHttpsUrl(std::string_view s);
/// An IANA zone cctz can load ("Europe/Berlin", "UTC").
[[nodiscard]] bool IsTimeZone(const std::string& s);
/// Languages notifications are written in: "en", "de".
[[nodiscard]] bool IsLanguage(std::string_view s);

enum class Urgency { kHigh, kLow };  // same meaning as alerts::Urgency
/// "high", "low".
[[nodiscard]] std::string_view ToString(Urgency u);
[[nodiscard]] std::optional<Urgency> ParseUrgency(std::string_view s);

/// "Notify me on `contact_method_id` `delay` after I am paged for an incident of `urgency`."
/// Delay is 0..1440 minutes.
struct NotificationRule {
    std::string id, user_id, contact_method_id;
    Urgency urgency = Urgency::kHigh;
    std::chrono::minutes delay{0};
};

struct Team {
    std::string id, name, description;
};

/// role: "manager" | "member". position orders members for round-robin targets (ascending).
struct TeamMember {
    std::string team_id, user_id;
    std::string role = "member";
    int position = 0;
};

/// What to send: an incident page, or a verification code.
struct PageMessage {
    std::string incident_id, incident_title, service_name;
    std::int64_t incident_number = 0;
    Urgency urgency = Urgency::kHigh;
    std::string language = "en";                 // "en" | "de"; others fall back to "en"
    std::string ack_url, resolve_url, open_url;  // signed one-time links (ESC builds them)
    std::string reply_code;                      // SMS: "reply 1234 to acknowledge"; voice: sent with the key press
    int bundled = 0;                             // other open incidents included in this message
    std::string verification_code;               // set: this is a verification message instead
    std::string notice;                          // set: a plain notice (handoffs) instead of a page
    TimePoint now{};                             // the mail's Date; the caller's clock
};

/// Providers and identities for the senders: everything under `oncall:` in the config file
/// plus what the application adds (public URL, VAPID keys from the store).
struct SenderConfig {
    std::string public_url;  // base of links, no trailing slash
    std::string from_address = "tocsin@localhost";
    std::string from_name = "tocsin";

    /// SMS and voice through a Twilio-compatible HTTP API (docs/oncall.md describes the request):
    /// POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json and .../Calls.json,
    /// form-encoded, HTTP basic auth account_sid:auth_token.
    struct Phone {
        std::string base_url = "https://api.twilio.com";
        std::string account_sid;
        std::string auth_token;
        std::string from_number;  // E.164
        /// Where the provider posts voice key presses and SMS replies; "" uses
        /// public_url + kVoiceInboundPath / kSmsInboundPath.
        std::string voice_action_url;
    } phone;

    /// Accept http:// ntfy, webhook, Teams and push URLs (a self-hosted ntfy on the LAN; tests).
    bool allow_http_urls = false;
    std::string ntfy_token;  // "" sends no Authorization header; else "Bearer <token>"
    std::string slack_api_url = "https://slack.com/api";
    std::string slack_bot_token;  // needed for member/channel ids (chat.postMessage)
    std::string telegram_api_url = "https://api.telegram.org";
    std::string telegram_bot_token;

    /// Web Push (RFC 8292): the application server's P-256 key pair, PEM (PKCS#8 private key),
    /// generated on first start and kept in the store; `vapid_subject` is a mailto: or https: URL.
    std::string vapid_private_key_pem;
    std::string vapid_subject = "mailto:tocsin@localhost";
    std::chrono::seconds push_ttl{3600};
};

/// The inbound routes ESC serves (paths under public_url) and SenderConfig's defaults use.
inline constexpr std::string_view kSmsInboundPath = "/hooks/oncall/sms";
inline constexpr std::string_view kVoiceInboundPath = "/hooks/oncall/voice";

/// The request to send for one contact method: either a mail or an HTTP request (notify module).
struct Outgoing {
    std::optional<notify::OutgoingMail> mail;
    std::optional<notify::OutgoingHttp> http;
};

/// Builds the mail or HTTP request for `m` (senders.cpp). Errors: the method's kind needs a
/// provider the config lacks (kUnavailable, e.g. no SMS account), or `m` is invalid (kInvalidInput).
/// Does not check `m.verified`: the caller does (verification messages go to unverified methods).
[[nodiscard]] Result<Outgoing> BuildOutgoing(const ContactMethod& m, const PageMessage& msg, const SenderConfig& cfg);

/// What an inbound SMS or key press asks for.
enum class ReplyAction { kAcknowledge, kResolve };

struct InboundReply {
    std::string from;        // E.164 of the phone (the provider's "From")
    std::string reply_code;  // SMS: the digits in the body; voice: the "code" query parameter
    ReplyAction action = ReplyAction::kAcknowledge;
};

/// A Twilio-style SMS webhook: form-encoded body with From and Body. Body forms accepted
/// (case-insensitive, any spacing): "1234", "ack 1234", "1234 ack", "a 1234", "resolve 1234",
/// "1234 r", "r 1234". Invalid (naming the field): no From, no digits, an unknown word.
[[nodiscard]] Result<InboundReply> ParseInboundSms(std::string_view form_body);

/// A Twilio-style <Gather> callback: form body with From (the callee, for outbound calls "To";
/// both are read, "To" wins for outbound-api calls when Direction says so) and Digits;
/// `query` is the action URL's query string holding code=<reply_code>. Digits "1" acknowledges,
/// "2" resolves; anything else is invalid (field "Digits").
[[nodiscard]] Result<InboundReply> ParseVoiceKeyPress(std::string_view form_body, std::string_view query);

/// Decodes an application/x-www-form-urlencoded string ("+" is a space) into pairs.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view form);

/// A new 6-digit verification code (cryptographically random).
[[nodiscard]] std::string NewVerificationCode();
/// The hash kept in the store for `code` of `contact_method_id` (hex SHA-256 over both).
[[nodiscard]] std::string HashVerificationCode(std::string_view contact_method_id, std::string_view code);

}  // namespace tocsin::oncall
