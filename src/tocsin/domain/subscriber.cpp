#include "tocsin/domain/subscriber.hpp"

#include <array>
#include <utility>

namespace tocsin::domain {
namespace {

constexpr std::array<std::pair<Channel, std::string_view>, 7> kChannelNames{{
    {Channel::kEmail, "email"},
    {Channel::kWebhook, "webhook"},
    {Channel::kSlack, "slack"},
    {Channel::kTeams, "teams"},
    {Channel::kDiscord, "discord"},
    {Channel::kTelegram, "telegram"},
    {Channel::kMastodon, "mastodon"},
}};

}  // namespace

std::string_view ToString(Channel c) {
    for (const auto& [value, name] : kChannelNames) {
        if (value == c) return name;
    }
    return "email";
}

std::optional<Channel> ParseChannel(std::string_view s) {
    for (const auto& [value, name] : kChannelNames) {
        if (name == s) return value;
    }
    return std::nullopt;
}

}  // namespace tocsin::domain
