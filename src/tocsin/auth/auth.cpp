#include "tocsin/auth/auth.hpp"

#include "tocsin/common/ids.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace tocsin::auth {
namespace {

std::string ToHex(const unsigned char* data, std::size_t n) {
    std::string out(n * 2, '0');
    sodium_bin2hex(out.data(), out.size() + 1, data, n);
    return out;
}

}  // namespace

std::string_view ToString(Role r) {
    switch (r) {
        case Role::kOwner:
            return "owner";
        case Role::kResponder:
            return "responder";
        case Role::kStakeholder:
            return "stakeholder";
        case Role::kProbe:
            return "probe";
    }
    return "stakeholder";
}

std::optional<Role> ParseRole(std::string_view s) {
    if (s == "owner") return Role::kOwner;
    if (s == "responder") return Role::kResponder;
    if (s == "stakeholder") return Role::kStakeholder;
    if (s == "probe") return Role::kProbe;
    return std::nullopt;
}

Result<void> Init() {
    if (sodium_init() < 0) return Error::Internal("libsodium failed to initialise");
    return {};
}

std::string HashToken(std::string_view secret) {
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(
        digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0
    );
    return ToHex(digest.data(), digest.size());
}

std::string NewSecret(std::string_view prefix) {
    std::array<unsigned char, 32> raw{};
    randombytes_buf(raw.data(), raw.size());
    return std::string(prefix) + ToHex(raw.data(), raw.size());
}

Result<NewToken> CreateToken(store::Store& store, const Clock& clock, std::string name, Role role) {
    if (name.empty()) name = "token";
    if (name.size() > 100) return Error::Invalid("name", "must be at most 100 characters");
    NewToken t;
    t.secret = NewSecret("tcn_");
    t.token = store::ApiToken{NewId(), std::move(name), std::string(ToString(role)), clock.Now(), std::nullopt};
    std::string hash = HashToken(t.secret);
    TOCSIN_TRY(store.Write([&](store::Tx& tx) { return tx.InsertToken(t.token, hash); }));
    return t;
}

Result<std::optional<Principal>> Authenticate(store::Store& store, std::string_view header) {
    constexpr std::string_view kBearer = "bearer ";
    // Authentication schemes are case-insensitive (RFC 7235 section 2.1): "bearer" is Bearer.
    auto is_bearer = header.size() > kBearer.size() &&
                     std::equal(kBearer.begin(), kBearer.end(), header.begin(), [](char want, char got) {
                         return want == std::tolower(static_cast<unsigned char>(got));
                     });
    if (is_bearer) header.remove_prefix(kBearer.size());
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
    if (header.size() != 68 || header.substr(0, 4) != "tcn_") return std::optional<Principal>();
    std::string hash = HashToken(header);
    std::optional<store::ApiToken> found;
    TOCSIN_TRY(store.Read([&](store::Tx& tx) -> Result<void> {
        auto r = tx.FindTokenByHash(hash);
        if (!r) return r.error();
        found = std::move(*r);
        return {};
    }));
    if (!found || found->revoked_at) return std::optional<Principal>();
    auto role = ParseRole(found->role);
    if (!role) return std::optional<Principal>();
    return std::optional<Principal>(Principal{found->id, found->name, *role, {}, {}});
}

Result<std::string> HashPassword(std::string_view password) {
    if (password.size() < 10) return Error::Invalid("password", "must be at least 10 characters");
    if (password.size() > 1024) return Error::Invalid("password", "must be at most 1024 characters");
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(
            out.data(),
            password.data(),
            password.size(),
            crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE
        ) != 0) {
        return Error::Unavailable("out of memory while hashing the password");
    }
    return std::string(out.data());
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<void> ValidateEmail(std::string_view email) {
    auto at = email.find('@');
    if (email.size() > 254 || at == std::string::npos || at == 0 || at == email.size() - 1) {
        return Error::Invalid("email", "must be an e-mail address");
    }
    if (std::any_of(email.begin(), email.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
        return Error::Invalid("email", "must be an e-mail address");
    }
    return {};
}

bool IsUserLanguage(std::string_view language) {
    return language == "en" || language == "de";
}

Result<store::User> CreateUser(
    store::Store& store,
    const Clock& clock,
    std::string email,
    std::string name,
    Role role,
    std::string_view password,
    std::string language
) {
    TOCSIN_TRY(ValidateEmail(email));
    if (name.empty() || name.size() > 200) return Error::Invalid("name", "must be 1 to 200 characters");
    if (role == Role::kProbe) return Error::Invalid("role", "must be owner, responder or stakeholder");
    if (!IsUserLanguage(language)) return Error::Invalid("language", "must be en or de");
    TOCSIN_ASSIGN(hash, HashPassword(password));
    store::User u{
        NewId(),
        std::move(email),
        std::move(name),
        std::string(ToString(role)),
        hash,
        clock.Now(),
        std::move(language),
        {}};
    auto r = store.Write([&](store::Tx& tx) { return tx.InsertUser(u); });
    if (!r) {
        if (r.error().kind == ErrorKind::kConflict) return Error::Conflict("a user with this e-mail already exists");
        return r.error();
    }
    return u;
}

}  // namespace tocsin::auth
