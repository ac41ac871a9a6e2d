/// @file
/// @brief Start-up helpers for people on call: the Web Push VAPID key kept in the store, and
/// the complete SenderConfig (config file + notification identity + that key) that the people
/// API and the escalation engine build their messages with.
#pragma once

#include "tocsin/common/result.hpp"
#include "tocsin/notify/options.hpp"
#include "tocsin/oncall/oncall_options.hpp"
#include "tocsin/store/store.hpp"

#include <string>
#include <string_view>

namespace tocsin::service {

/// The server_secrets row holding the VAPID private key (PKCS#8 PEM).
inline constexpr std::string_view kVapidKeySecret = "web_push_vapid_key";

/// The VAPID private key, generated and stored on the first call (the first start). Blocking.
[[nodiscard]] Result<std::string> LoadOrCreateVapidKey(store::Store& store);

/// `options.senders` completed with the public URL (without trailing slash; `fallback_url`
/// when the config has none), the sender address and name of `notifications:`, and the VAPID key.
[[nodiscard]] Result<oncall::SenderConfig> MakeSenderConfig(
    store::Store& store,
    const oncall::OncallOptions& options,
    const notify::DeliveryOptions& delivery,
    std::string_view fallback_url
);

}  // namespace tocsin::service
