/// @file
/// @brief Signed links for subscribers (confirm, manage, unsubscribe) with libsodium.
///
/// A token is base64url(purpose | expiry | subscriber id | HMAC-SHA-512-256 over them),
/// keyed by a 32-byte secret the caller keeps (the store's "subscriber_links" secret). A token cannot be forged or
/// re-purposed, and once the subscriber is deleted it leads nowhere.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::notify {

enum class LinkPurpose {
    kConfirm = 1,
    kManage = 2,
    kUnsubscribe = 3,
    kPageAcknowledge = 4,  // on-call pages (issue 7): the id is a notification attempt's
    kPageResolve = 5,
};

class LinkSigner {
public:
    /// `key`: 32 raw bytes.
    explicit LinkSigner(std::string key);

    /// A new random 32-byte key (libsodium); the service module keeps it in the store.
    [[nodiscard]] static std::string NewKey();

    /// A token valid until `expires` (nullopt: no expiry).
    [[nodiscard]] std::string Sign(
        LinkPurpose purpose, const std::string& subscriber_id, std::optional<TimePoint> expires
    ) const;

    /// The subscriber id if `token` is intact, of this purpose and not expired at `now`.
    [[nodiscard]] std::optional<std::string> Verify(LinkPurpose purpose, std::string_view token, TimePoint now) const;

private:
    std::string key_;
};

// The public routes behind the tokens (page_url without trailing slash):
//   {page_url}/subscribe/confirm?token=T   GET asks with a button, POST confirms and shows the manage link
//   {page_url}/subscribe/manage?token=T    components and language (GET form, POST saves)
//   {page_url}/unsubscribe?token=T         GET asks, POST deletes (also RFC 8058 one-click)
[[nodiscard]] std::string ConfirmUrl(std::string_view page_url, std::string_view token);
[[nodiscard]] std::string ManageUrl(std::string_view page_url, std::string_view token);
[[nodiscard]] std::string UnsubscribeUrl(std::string_view page_url, std::string_view token);

}  // namespace tocsin::notify
