/// @file
/// @brief Subscribers: who asked to be told about incidents and maintenance, and how.
///
/// Pure model and validation: no I/O. A subscriber is one destination on one channel (an
/// e-mail address, a webhook URL, a chat). The page's own Mastodon account is not a
/// subscriber: it is configured, and its deliveries carry an empty subscriber id.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::domain {

enum class Channel { kEmail, kWebhook, kSlack, kTeams, kDiscord, kTelegram, kMastodon };

/// "email", "webhook", "slack", "teams", "discord", "telegram", "mastodon".
std::string_view ToString(Channel c);
std::optional<Channel> ParseChannel(std::string_view s);

struct Subscriber {
    std::string id;
    Channel channel = Channel::kEmail;
    /// E-mail address (lower-cased domain), webhook or chat hook URL (http or https), or Telegram chat id
    /// ("-100123", "12345" or "@channelname").
    std::string target;
    /// Webhook signing secret (HMAC-SHA256 of timestamp.body); empty for other channels.
    std::string secret;
    std::string language = "en";             // "en" | "de"
    std::vector<std::string> component_ids;  // empty: the whole page
    /// Set once the destination confirmed (double opt-in) or an admin added it confirmed.
    /// Unconfirmed subscribers receive only their confirmation message.
    std::optional<TimePoint> confirmed_at;
    TimePoint created_at{};
    std::string source = "public";  // public | api | import
};

/// A syntactically valid address for SMTP: one '@', dot-atom local part (no quoting), a
/// domain of letter/digit/hyphen labels, at most 254 bytes, no whitespace or control
/// characters (so nothing can be injected into a header). Returns the field error
/// (field "address") or nothing.
[[nodiscard]] Result<void> ValidateEmailAddress(std::string_view address);

/// The address with its domain lower-cased (the local part is kept as typed).
std::string NormalizeEmailAddress(std::string_view address);

/// Checks target (and secret) for the subscriber's channel: e-mail syntax, an http(s) URL
/// with a host and without credentials or whitespace for webhooks and chat hooks, a chat id for Telegram; language
/// en|de; at most 200 component ids. The error names the field ("target", "secret", "language").
[[nodiscard]] Result<void> ValidateSubscriber(const Subscriber& s);

}  // namespace tocsin::domain
