#include "tocsin/api/intake_auth.hpp"

#include "tocsin/auth/auth.hpp"

#include <algorithm>
#include <vector>

namespace tocsin::api {

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
        by_hash[k.secret_hash] = Entry{k.key.id, k.key.service_id, k.key.mapping_json, k.key.dialect};
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
    IntakeKey key{it->second.key_id, it->second.service_id, false, {}, it->second.mapping_json};
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
    by_hash_[secret_hash] = Entry{key_id, service_id, mapping_json, dialect};
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
