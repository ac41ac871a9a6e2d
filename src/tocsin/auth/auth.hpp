/// @file
/// @brief Who may do what: roles, API tokens and passwords (libsodium).
///
/// Secrets never reach the store: tokens are stored as BLAKE2b hashes (they carry 256
/// bits of entropy, so a fast hash is enough), passwords as argon2id strings. All calls
/// that touch the store are blocking.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/store/store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::auth {

/// Ordered by power: a role may do everything the roles below it may.
/// kProbe: a remote probe agent's token may fetch assignments and push results, nothing else.
enum class Role { kProbe = -1, kStakeholder = 0, kResponder = 1, kOwner = 2 };

std::string_view ToString(Role r);
std::optional<Role> ParseRole(std::string_view s);
/// Human roles are ordered (owner > responder > stakeholder). The probe role stands apart:
/// probe routes take only probe tokens (they hand out monitors' credentials), and a probe
/// token opens nothing else.
inline bool Allows(Role have, Role need) {
    if (need == Role::kProbe || have == Role::kProbe) return have == need;
    return static_cast<int>(have) >= static_cast<int>(need);
}

/// Who is calling: an API token (token_id set) or a signed-in user (user_id and
/// session_hash set; see session.hpp).
struct Principal {
    std::string token_id;
    std::string name;
    Role role = Role::kStakeholder;
    std::string user_id;
    std::string session_hash;  // the session's key, so "end my other sessions" can keep it
};

struct NewToken {
    store::ApiToken token;
    std::string secret;  // shown once: "tcn_" + 64 hex digits
};

/// Initialises libsodium; call once at start-up. An error means no secure randomness.
[[nodiscard]] Result<void> Init();

/// Creates and stores a token; the secret is returned only here.
[[nodiscard]] Result<NewToken> CreateToken(store::Store& store, const Clock& clock, std::string name, Role role);

/// Resolves "Bearer <secret>" (or the bare secret). nullopt: unknown, malformed or revoked.
[[nodiscard]] Result<std::optional<Principal>> Authenticate(store::Store& store, std::string_view authorization_header);

/// A new random secret: `prefix` + 64 hex digits (256 bits from libsodium).
std::string NewSecret(std::string_view prefix);

/// Hash used to look a token up; exposed for tests.
std::string HashToken(std::string_view secret);

/// argon2id (libsodium's interactive limits) of a password, and its check.
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);
[[nodiscard]] bool VerifyPassword(const std::string& hash, std::string_view password);

/// Creates a user with a hashed password. Invalid (naming the field) for a bad e-mail,
/// name, role (probe), language (en | de) or password; Conflict if the e-mail is taken.
[[nodiscard]] Result<store::User> CreateUser(
    store::Store& store,
    const Clock& clock,
    std::string email,
    std::string name,
    Role role,
    std::string_view password,
    std::string language = "en"
);

/// Checks an e-mail address the way CreateUser does (something@something, at most 254 bytes).
[[nodiscard]] Result<void> ValidateEmail(std::string_view email);
/// A user's language: "en" or "de".
[[nodiscard]] bool IsUserLanguage(std::string_view language);

}  // namespace tocsin::auth
