/// @file
/// @brief Settings of the on-call module: everything under `oncall:` in the config file
/// (providers for SMS/voice, ntfy, Slack, Telegram, Web Push; verification codes). Filled by
/// config, used by app, api and the escalation engine. See docs/oncall.md.
#pragma once

#include "tocsin/common/result.hpp"
#include "tocsin/oncall/contact.hpp"

#include <chrono>

namespace tocsin::oncall {

struct OncallOptions {
    /// Provider settings. public_url, from_address, from_name and the VAPID key are not read
    /// from `oncall:`: the application fills them from `notifications:` and the store.
    SenderConfig senders;
    std::chrono::minutes verification_lifetime{15};  // a code's validity
    int verification_attempts = 5;                   // wrong codes before the code is void
    std::chrono::seconds verification_resend{30};    // a new code at most this often per method

    /// Names the offending key ("oncall.phone.from").
    [[nodiscard]] Result<void> Validate() const;
};

}  // namespace tocsin::oncall
