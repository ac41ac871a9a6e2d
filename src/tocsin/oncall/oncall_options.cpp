#include "tocsin/oncall/oncall_options.hpp"

namespace tocsin::oncall {
namespace {

bool IsHttpUrl(const std::string& s) {
    return s.starts_with("http://") || s.starts_with("https://");
}

}  // namespace

Result<void> OncallOptions::Validate() const {
    const auto& p = senders.phone;
    if (!IsHttpUrl(p.base_url)) return Error::Invalid("oncall.phone.base_url", "must start with http:// or https://");
    // A half-configured provider would fail every page at 3 a.m.; refuse it at start-up.
    const bool any = !p.account_sid.empty() || !p.auth_token.empty() || !p.from_number.empty();
    if (any) {
        if (p.account_sid.empty())
            return Error::Invalid("oncall.phone.account_sid", "must be set with auth_token and from");
        if (p.auth_token.empty())
            return Error::Invalid("oncall.phone.auth_token", "must be set with account_sid and from");
        if (!IsE164(p.from_number))
            return Error::Invalid("oncall.phone.from", "must be an E.164 number (+15005550006)");
    }
    if (!p.voice_action_url.empty() && !IsHttpUrl(p.voice_action_url)) {
        return Error::Invalid("oncall.phone.voice_action_url", "must start with http:// or https://");
    }
    if (!IsHttpUrl(senders.slack_api_url))
        return Error::Invalid("oncall.slack.api_url", "must start with http:// or https://");
    if (!IsHttpUrl(senders.telegram_api_url)) {
        return Error::Invalid("oncall.telegram.api_url", "must start with http:// or https://");
    }
    if (!senders.vapid_subject.starts_with("mailto:") && !senders.vapid_subject.starts_with("https://")) {
        return Error::Invalid("oncall.web_push.subject", "must be a mailto: or https: URL");
    }
    if (senders.push_ttl.count() < 0 || senders.push_ttl > std::chrono::hours(24 * 28)) {
        return Error::Invalid("oncall.web_push.ttl_seconds", "must be 0 to 2419200");
    }
    if (verification_lifetime < std::chrono::minutes(1) || verification_lifetime > std::chrono::hours(24)) {
        return Error::Invalid("oncall.verification.lifetime_minutes", "must be 1 to 1440");
    }
    if (verification_attempts < 1 || verification_attempts > 20) {
        return Error::Invalid("oncall.verification.max_attempts", "must be 1 to 20");
    }
    if (verification_resend.count() < 0 || verification_resend > std::chrono::hours(1)) {
        return Error::Invalid("oncall.verification.resend_seconds", "must be 0 to 3600");
    }
    return {};
}

}  // namespace tocsin::oncall
