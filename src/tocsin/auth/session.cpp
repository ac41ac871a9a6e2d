#include "tocsin/auth/session.hpp"

#include <sodium.h>

#include <algorithm>

namespace tocsin::auth {
namespace {

constexpr std::size_t kSecretHexLength = 64;  // NewSecret("") of 32 random bytes

bool IsHex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string CookieAttributes(bool secure) {
    return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

}  // namespace

Sessions::Sessions(store::Store& store, const Clock& clock, SessionOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

std::string Sessions::HashSecret(std::string_view secret) {
    if (secret.size() != kSecretHexLength || !IsHex(secret)) return {};
    return HashToken(secret);
}

Result<NewSession> Sessions::Create(
    const store::User& user, std::string_view user_agent, std::string_view client_address
) const {
    const TimePoint now = clock_.Now();
    NewSession out;
    out.secret = NewSecret("");
    auto& s = out.session;
    s.secret_hash = HashToken(out.secret);
    s.user_id = user.id;
    s.csrf_token = NewSecret("");
    s.created_at = now;
    s.last_seen_at = now;
    s.expires_at = now + options_.lifetime;
    // Only for the owner's eyes (which sessions exist); bounded so a header cannot bloat rows.
    s.user_agent = std::string(user_agent.substr(0, 300));
    s.client_address = std::string(client_address.substr(0, 100));
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_TRY(tx.DeleteExpiredSessions(now, now - options_.idle_timeout));
        TOCSIN_TRY(tx.InsertSession(s));
        return tx.SetUserLastLogin(user.id, now);
    }));
    return out;
}

Result<std::optional<SignedIn>> Sessions::Resolve(std::string_view secret) const {
    const std::string hash = HashSecret(secret);
    if (hash.empty()) return std::optional<SignedIn>();
    std::optional<SignedIn> found;
    TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(session, tx.FindSessionByHash(hash));
        if (!session) return {};
        TOCSIN_ASSIGN(user, tx.GetUser(session->user_id));
        if (!user) return {};
        found = SignedIn{std::move(*session), std::move(*user)};
        return {};
    }));
    if (!found) return found;
    const TimePoint now = clock_.Now();
    const auto& s = found->session;
    if (now >= s.expires_at || now - s.last_seen_at >= options_.idle_timeout) {
        TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(gone, tx.DeleteSession(hash));
            (void)gone;
            return {};
        }));
        return std::optional<SignedIn>();
    }
    // A write per request would make every page view of the app a durable commit; a minute
    // of imprecision in the idle timeout costs nothing.
    if (now - s.last_seen_at >= options_.touch_interval) {
        TOCSIN_TRY(store_.Write([&](store::Tx& tx) { return tx.TouchSession(hash, now); }));
        found->session.last_seen_at = now;
    }
    return found;
}

Result<bool> Sessions::End(std::string_view secret) const {
    const std::string hash = HashSecret(secret);
    if (hash.empty()) return false;
    bool gone = false;
    TOCSIN_TRY(store_.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(deleted, tx.DeleteSession(hash));
        gone = deleted;
        return {};
    }));
    return gone;
}

std::string Sessions::Cookie(std::string_view secret, bool secure) const {
    auto max_age = std::chrono::duration_cast<std::chrono::seconds>(options_.lifetime).count();
    return std::string(kSessionCookie) + "=" + std::string(secret) + "; Max-Age=" + std::to_string(max_age) +
           CookieAttributes(secure);
}

std::string Sessions::ClearingCookie(bool secure) {
    return std::string(kSessionCookie) + "=; Max-Age=0" + CookieAttributes(secure);
}

PasswordLogin::PasswordLogin(store::Store& store, const Clock& clock, const SessionOptions& options)
    : store_(store),
      clock_(clock),
      limiter_(options.failures_per_email, options.failures_per_client, options.failure_window, options.max_tracked) {}

const std::string& PasswordLogin::DummyHash() {
    std::call_once(dummy_once_, [this] {
        // A hash of a random password nobody knows, made with the same parameters as real ones.
        auto h = HashPassword(NewSecret("dummy-"));
        dummy_hash_ = h ? *h : std::string();
    });
    return dummy_hash_;
}

bool PasswordLogin::Verify(const store::User& user, std::string_view password) {
    return VerifyPassword(user.password_hash, password);
}

Result<PasswordLogin::Outcome> PasswordLogin::Attempt(
    const std::string& email, std::string_view password, const std::string& client_key
) {
    Outcome out;
    const TimePoint now = clock_.Now();
    out.retry_after = limiter_.Wait(email, client_key, now);
    if (out.retry_after.count() > 0) return out;
    std::optional<store::User> user;
    if (email.size() <= 254) {
        TOCSIN_TRY(store_.Read([&](store::Tx& tx) -> Result<void> {
            TOCSIN_ASSIGN(u, tx.FindUserByEmail(email));
            user = std::move(u);
            return {};
        }));
    }
    const std::string& hash = user ? user->password_hash : DummyHash();
    bool ok = VerifyPassword(hash, password) && user.has_value();
    if (!ok) {
        limiter_.Failed(email, client_key, now);
        return out;
    }
    limiter_.Succeeded(email);
    out.user = std::move(user);
    return out;
}

}  // namespace tocsin::auth
