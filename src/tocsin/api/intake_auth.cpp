#include "tocsin/api/intake_auth.hpp"

#include "tocsin/auth/auth.hpp"

#include <sodium.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace tocsin::api {

namespace grafana_hmac {

std::string Sign(std::string_view secret, std::string_view timestamp, std::string_view body) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    if (!timestamp.empty()) {
        crypto_auth_hmacsha256_update(
            &state, reinterpret_cast<const unsigned char*>(timestamp.data()), timestamp.size()
        );
        crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(":"), 1);
    }
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    return std::string(hex.data(), crypto_auth_hmacsha256_BYTES * 2);
}

std::string Problem(
    std::string_view secret,
    std::string_view body,
    std::string_view timestamp,
    std::string_view signature,
    TimePoint now
) {
    while (!signature.empty() && signature.front() == ' ') signature.remove_prefix(1);
    while (!signature.empty() && signature.back() == ' ') signature.remove_suffix(1);
    if (signature.empty()) {
        return "this integration key requires Grafana's HMAC signature: the " + std::string(kSignatureHeader) +
               " header is missing (set the contact point's HMAC signature secret to the key's signing secret)";
    }
    if (!timestamp.empty()) {
        long long seconds = 0;
        auto [p, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
        if (ec != std::errc{} || p != timestamp.data() + timestamp.size()) {
            return "the signature timestamp '" + std::string(timestamp.substr(0, 40)) + "' is not Unix seconds";
        }
        const auto at = TimePoint(std::chrono::seconds(seconds));
        const auto skew = at > now ? at - now : now - at;
        if (skew > kMaxSkew) {
            return "the signature timestamp is more than " + std::to_string(kMaxSkew.count()) +
                   " seconds away from this server's clock (a replay, or a clock out of sync)";
        }
    }
    const std::string expected = Sign(secret, timestamp, body);
    std::string presented(signature);
    std::transform(presented.begin(), presented.end(), presented.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    if (presented.size() != expected.size() || sodium_memcmp(presented.data(), expected.data(), expected.size()) != 0) {
        return "the " + std::string(kSignatureHeader) +
               " signature does not match the body (HMAC-SHA256 with the key's signing secret" +
               (timestamp.empty() ? ")" : " over timestamp:body)");
    }
    return {};
}

std::string SecretOf(std::string_view mapping_json) {
    if (mapping_json.find("signing_secret") == std::string_view::npos) return {};
    boost::system::error_code ec;
    auto v = boost::json::parse(boost::json::string_view(mapping_json.data(), mapping_json.size()), ec);
    if (ec || !v.is_object()) return {};
    const auto* s = v.as_object().if_contains("signing_secret");
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
}

}  // namespace grafana_hmac

IntakeAuth::IntakeAuth(const Clock& clock, IntakeRateOptions options) : clock_(clock), options_(options) {}

std::string IntakeAuth::HashSecret(std::string_view secret) {
    return auth::HashToken(secret);
}

std::string IntakeAuth::NewSecret() {
    return auth::NewSecret("").substr(0, 32);
}

Result<void> IntakeAuth::Load(store::Store& store) {
    std::vector<store::ActiveIntegrationKey> keys;
    TOCSIN_TRY(store.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(found, tx.ListActiveIntegrationKeys());
        keys = std::move(found);
        return {};
    }));
    std::unordered_map<std::string, Entry> by_hash;
    for (const auto& k : keys) {
        by_hash[k.secret_hash] = Entry{
            k.key.id,
            k.key.service_id,
            k.key.mapping_json,
            k.key.dialect == alerts::Dialect::kGrafana ? grafana_hmac::SecretOf(k.key.mapping_json) : std::string(),
            k.key.dialect};
    }
    std::lock_guard lock(mu_);
    by_hash_ = std::move(by_hash);
    return {};
}

std::optional<IntakeKey> IntakeAuth::Check(alerts::Dialect dialect, std::string_view secret) {
    if (secret.empty() || secret.size() > 256) return std::nullopt;
    const std::string hash = HashSecret(secret);
    std::lock_guard lock(mu_);
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end() || it->second.dialect != dialect) return std::nullopt;
    IntakeKey key{
        it->second.key_id, it->second.service_id, false, {}, it->second.mapping_json, it->second.signing_secret};
    // GCRA: each request moves the key's theoretical arrival time (tat) one emission interval
    // ahead; a request is refused when that would put tat more than `burst` intervals past now.
    const auto interval = std::chrono::milliseconds(60'000 / std::max(1, options_.per_minute));
    const auto tolerance = interval * std::max(1, options_.burst);
    const TimePoint now = clock_.Now();
    TimePoint& tat = tat_[key.key_id];
    const TimePoint new_tat = std::max(tat, now) + interval;
    if (new_tat - now > tolerance) {
        key.rate_limited = true;
        const auto wait = new_tat - now - tolerance;
        key.retry_after = std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
        return key;
    }
    tat = new_tat;
    return key;
}

void IntakeAuth::Put(
    const std::string& secret_hash,
    const std::string& key_id,
    const std::string& service_id,
    alerts::Dialect dialect,
    const std::string& mapping_json
) {
    std::lock_guard lock(mu_);
    by_hash_[secret_hash] = Entry{
        key_id,
        service_id,
        mapping_json,
        dialect == alerts::Dialect::kGrafana ? grafana_hmac::SecretOf(mapping_json) : std::string(),
        dialect};
}

void IntakeAuth::Forget(const std::string& key_id) {
    std::lock_guard lock(mu_);
    for (auto it = by_hash_.begin(); it != by_hash_.end();) {
        if (it->second.key_id == key_id) {
            it = by_hash_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace tocsin::api
