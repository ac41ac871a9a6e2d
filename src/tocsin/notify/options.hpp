/// @file
/// @brief Settings of the notification dispatcher: sender identity, retries, the page's own
/// Mastodon account and Telegram bot. Filled by config, used by engine and app.
#pragma once

#include "tocsin/notify/policy.hpp"
#include "tocsin/notify/transport.hpp"

#include <chrono>
#include <string>

namespace tocsin::notify {

struct MastodonOptions {
    std::string instance_url;           // "https://mastodon.example"; "" disables posting
    std::string access_token;           // an application token with write:statuses
    std::string visibility = "public";  // public | unlisted | private
    std::string language;               // "" uses the page's default language
};

struct TelegramOptions {
    std::string api_url = "https://api.telegram.org";
    std::string bot_token;  // "" disables Telegram subscribers' deliveries (they dead-letter)
};

struct DeliveryOptions {
    std::string public_url;  // base of links in messages; "" uses the page's URL setting
    std::string from_address = "status@localhost";
    std::string from_name;      // "" uses the page's name
    std::string templates_dir;  // overrides of the built-in e-mail templates
    int fanout_batch = 1000;    // subscribers read and written per transaction
    int max_in_flight = 2000;   // deliveries handed to the transport and not yet recorded
    int max_attempts = 12;      // then dead-lettered
    std::chrono::seconds retry_base{15};
    std::chrono::seconds retry_max{3600};
    std::chrono::minutes confirm_link_lifetime{7 * 24 * 60};
    /// Outbox messages older than this when the dispatcher first sees them are marked done
    /// without sending (an upgrade from a version without a dispatcher, or a server that was
    /// down for days, must not flood subscribers with old news).
    std::chrono::hours max_event_age{24};
};

/// Everything under `notifications:` in the config file.
struct NotificationOptions {
    bool enabled = true;
    TransportOptions transport;
    DeliveryOptions delivery;
    Policy policy;
    MastodonOptions mastodon;
    TelegramOptions telegram;
    int subscribe_per_client_per_hour = 10;
    int subscribe_per_address_per_hour = 3;
    /// Behind a reverse proxy: the header naming the client for the subscribe form's rate
    /// limit ("X-Forwarded-For", its last entry). Empty: the connection's peer address.
    std::string subscribe_client_address_header;
};

}  // namespace tocsin::notify
