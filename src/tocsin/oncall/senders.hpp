/// @file
/// @brief The words of a page in each language and the pieces senders share. BuildOutgoing
/// (declared in contact.hpp) is implemented in senders.cpp on top of these.
///
/// Pure: no I/O. Texts are plain UTF-8; each channel escapes them for its own format
/// (MIME, form encoding, TwiML XML, JSON, HTTP header words).
#pragma once

#include "tocsin/oncall/contact.hpp"

#include <string>
#include <string_view>

namespace tocsin::oncall {

/// One line naming the incident: "#42 [high] Database down (Payments) +2 more".
[[nodiscard]] std::string PageHeadline(const PageMessage& msg);

/// The SMS text: headline, how to reply (when reply_code is set) and the open link; or the
/// verification code. Titles are shortened so the text stays within 320 characters.
[[nodiscard]] std::string SmsText(const PageMessage& msg);

/// What a voice call says (no markup).
[[nodiscard]] std::string VoiceText(const PageMessage& msg);

/// The TwiML document of a call: a <Gather numDigits="1"> posting the key press to
/// `action_url` (with "code=<reply_code>" added) around the spoken text; verification calls
/// only speak the code twice.
[[nodiscard]] std::string VoiceTwiml(const PageMessage& msg, std::string_view action_url);

/// "Basic base64(user:password)".
[[nodiscard]] std::string BasicAuthorization(std::string_view user, std::string_view password);

/// The JSON a generic webhook receives (docs/oncall.md).
[[nodiscard]] std::string WebhookJson(const PageMessage& msg);

/// The text of a handoff notice: "You are on call for Payments primary from Mon 2026-12-07
/// 09:00 CET to Mon 2026-12-14 09:00 CET." (`ending`: "Your on-call shift for ... ended at
/// ..."), in `time_zone` (IANA; UTC if unknown) and `language` (en, de).
[[nodiscard]] std::string HandoffText(
    std::string_view schedule_name,
    TimePoint start,
    TimePoint end,
    const std::string& time_zone,
    const std::string& language,
    bool ending
);

/// Reads a provider's answer that the transport counted as delivered (2xx) for the errors some
/// providers report inside a 2xx: Slack's chat.postMessage `{"ok": false, "error": "..."}`,
/// Telegram's `{"ok": false, "error_code", "description"}`, a legacy Teams connector's
/// "Webhook message delivery failed ..." text. Such an answer becomes a failure naming the
/// provider's error: transient (retried) for rate limits and server-side errors, permanent
/// otherwise. Other answers are returned unchanged.
[[nodiscard]] notify::SendResult CheckProviderAnswer(ContactKind kind, notify::SendResult r);

}  // namespace tocsin::oncall
