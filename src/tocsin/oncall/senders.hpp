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

}  // namespace tocsin::oncall
