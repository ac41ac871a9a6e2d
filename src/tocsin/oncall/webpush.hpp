/// @file
/// @brief Web Push without a vendor relay: VAPID (RFC 8292) and aes128gcm message encryption
/// (RFC 8291 over RFC 8188), with OpenSSL.
///
/// Pure functions over bytes and PEM strings: no I/O, no clock of its own. The application
/// keeps one P-256 key pair (VAPID) in the store; a browser subscription gives the endpoint,
/// its P-256 public key (p256dh) and a 16-byte auth secret.
#pragma once

#include "tocsin/common/clock.hpp"
#include "tocsin/common/result.hpp"
#include "tocsin/notify/transport.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::oncall {

using Bytes = std::vector<unsigned char>;

/// A new P-256 private key as PKCS#8 PEM (the VAPID key pair kept in the store).
[[nodiscard]] Result<std::string> NewVapidKeyPem();

/// The uncompressed public point (65 bytes) of a PEM private key, base64url: the
/// "applicationServerKey" browsers subscribe with.
[[nodiscard]] Result<std::string> VapidPublicKey(const std::string& private_key_pem);

/// A VAPID JWT (ES256, raw r||s signature) for the push service `audience` (scheme://host[:port])
/// valid until `expires` (at most 24 hours after now, RFC 8292 section 2).
[[nodiscard]] Result<std::string> VapidJwt(
    const std::string& private_key_pem, std::string_view audience, std::string_view subject, TimePoint expires
);

/// RFC 8291 encryption of `plaintext` for a subscription: the aes128gcm body (header with salt,
/// record size 4096 and the sender's public key, then one record). `salt` and the sender's
/// ephemeral key are random unless given (tests pass fixed ones: 16 bytes, PKCS#8 PEM).
[[nodiscard]] Result<Bytes> EncryptWebPush(
    std::string_view plaintext,
    const Bytes& receiver_public_key,  // 65-byte uncompressed P-256 point (p256dh)
    const Bytes& auth_secret,          // 16 bytes
    const Bytes& salt = {},
    const std::string& sender_private_key_pem = {}
);

/// Decryption for tests and for checking our own output: `receiver_private_key_pem` is the
/// browser's key. Fails on a wrong key, a changed byte or a bad header.
[[nodiscard]] Result<std::string> DecryptWebPush(
    const Bytes& body, const std::string& receiver_private_key_pem, const Bytes& auth_secret
);

struct WebPushRequest {
    std::string endpoint;
    std::string p256dh, auth;  // base64url, as the browser gives them
    std::string payload;       // plaintext (JSON), at most 3,993 bytes
    std::string vapid_private_key_pem, vapid_subject;
    std::chrono::seconds ttl{3600};
    std::string urgency = "high";  // RFC 8030: very-low | low | normal | high
    TimePoint now{};
};

/// The POST to the push service: encrypted body, Content-Encoding aes128gcm, TTL, Urgency and
/// "Authorization: vapid t=<jwt>, k=<public key>". Errors name the field ("data.keys.p256dh").
[[nodiscard]] Result<notify::OutgoingHttp> BuildWebPush(const WebPushRequest& r);

}  // namespace tocsin::oncall
