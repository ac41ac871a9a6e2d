#include "tocsin/oncall/webpush.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <boost/json.hpp>

#include <array>
#include <memory>

namespace tocsin::oncall {
namespace {

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PKeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

constexpr std::size_t kPointSize = 65;  // uncompressed P-256 point: 0x04 || x || y
constexpr std::uint32_t kRecordSize = 4096;
constexpr std::size_t kTagSize = 16;

// ---- base64url (RFC 4648 section 5, no padding) ----

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string B64Url(const unsigned char* p, std::size_t n) {
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kB64[(acc >> bits) & 0x3F];
        }
    }
    if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3F];
    return out;
}

std::string B64Url(const Bytes& b) {
    return B64Url(b.data(), b.size());
}
std::string B64Url(std::string_view s) {
    return B64Url(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

std::optional<Bytes> B64UrlDecode(std::string_view s) {
    while (!s.empty() && s.back() == '=') s.remove_suffix(1);
    Bytes out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        auto pos = kB64.find(c);
        if (c == '+') pos = 62;  // tolerate standard base64 from some browsers' toJSON polyfills
        if (c == '/') pos = 63;
        if (pos == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

// ---- keys ----

Error Crypto(std::string_view what) {
    return Error::Internal(fmt::format("web push: {} failed (OpenSSL)", what));
}

Result<PKey> LoadPrivateKey(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) return Crypto("BIO_new_mem_buf");
    PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) {
        return Error::Invalid("vapid_private_key", "must be a P-256 private key in PEM");
    }
    return key;
}

Result<PKey> NewP256() {
    PKey key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    if (!key) return Crypto("EVP_EC_gen");
    return key;
}

Result<Bytes> PublicPoint(EVP_PKEY* key) {
    Bytes out(kPointSize);
    std::size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(), &len) != 1 ||
        len != kPointSize) {
        return Crypto("reading the public key");
    }
    return out;
}

// A public-only P-256 key from an uncompressed point; rejects points off the curve.
Result<PKey> PublicKeyFromPoint(const Bytes& point, std::string_view field) {
    if (point.size() != kPointSize || point[0] != 0x04) {
        return Error::Invalid(std::string(field), "must be an uncompressed P-256 point (65 bytes)");
    }
    std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
    if (!bld) return Crypto("OSSL_PARAM_BLD_new");
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
        OSSL_PARAM_BLD_to_param(bld.get()), &OSSL_PARAM_free
    );
    PKeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY* raw = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return Error::Invalid(std::string(field), "is not a point on P-256");
    }
    PKey key(raw, &EVP_PKEY_free);
    PKeyCtx check(EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        return Error::Invalid(std::string(field), "is not a point on P-256");
    }
    return key;
}

Result<Bytes> Ecdh(EVP_PKEY* mine, EVP_PKEY* peer) {
    PKeyCtx ctx(EVP_PKEY_CTX_new(mine, nullptr), &EVP_PKEY_CTX_free);
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
        return Crypto("ECDH");
    }
    Bytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) return Crypto("ECDH");
    secret.resize(len);
    return secret;
}

Bytes Hmac(const Bytes& key, const Bytes& data) {
    Bytes out(32);
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(), &len);
    out.resize(len);
    return out;
}

Bytes Text(std::string_view s, bool with_nul) {
    Bytes out(s.begin(), s.end());
    if (with_nul) out.push_back(0);
    return out;
}

struct Keys {
    Bytes cek, nonce;
};

// RFC 8291 section 3.4 then RFC 8188 section 2.2: the content key and nonce of the message.
Keys DeriveKeys(
    const Bytes& ecdh, const Bytes& auth, const Bytes& ua_public, const Bytes& as_public, const Bytes& salt
) {
    const Bytes prk_key = Hmac(auth, ecdh);
    Bytes key_info = Text("WebPush: info", true);
    key_info.insert(key_info.end(), ua_public.begin(), ua_public.end());
    key_info.insert(key_info.end(), as_public.begin(), as_public.end());
    key_info.push_back(0x01);
    const Bytes ikm = Hmac(prk_key, key_info);
    const Bytes prk = Hmac(salt, ikm);
    Bytes cek_info = Text("Content-Encoding: aes128gcm", true);
    cek_info.push_back(0x01);
    Bytes nonce_info = Text("Content-Encoding: nonce", true);
    nonce_info.push_back(0x01);
    Keys k{Hmac(prk, cek_info), Hmac(prk, nonce_info)};
    k.cek.resize(16);
    k.nonce.resize(12);
    return k;
}

Result<Bytes> Gcm(bool encrypt, const Keys& k, const unsigned char* in, std::size_t n, const unsigned char* tag) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) return Crypto("EVP_CIPHER_CTX_new");
    auto* init = encrypt ? &EVP_EncryptInit_ex : &EVP_DecryptInit_ex;
    if (init(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(k.nonce.size()), nullptr) != 1 ||
        init(ctx.get(), nullptr, nullptr, k.cek.data(), k.nonce.data()) != 1) {
        return Crypto("AES-GCM setup");
    }
    Bytes out(n + kTagSize);
    int len = 0;
    int total = 0;
    if (encrypt) {
        if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, in, static_cast<int>(n)) != 1) return Crypto("AES-GCM");
        total = len;
        if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1) return Crypto("AES-GCM");
        total += len;
        if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + total) != 1) {
            return Crypto("AES-GCM tag");
        }
        out.resize(static_cast<std::size_t>(total) + kTagSize);
        return out;
    }
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &len, in, static_cast<int>(n)) != 1) return Crypto("AES-GCM");
    total = len;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, const_cast<unsigned char*>(tag)) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out.data() + total, &len) != 1) {
        return Error::Invalid("body", "does not decrypt (wrong key or changed bytes)");
    }
    out.resize(static_cast<std::size_t>(total + len));
    return out;
}

// "https://push.example:8443/path" -> "https://push.example:8443".
std::string Origin(std::string_view url) {
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    auto end = url.find_first_of("/?#", scheme + 3);
    return std::string(url.substr(0, end));
}

}  // namespace

Result<std::string> NewVapidKeyPem() {
    TOCSIN_ASSIGN(key, NewP256());
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return Crypto("PEM_write_bio_PrivateKey");
    }
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

Result<std::string> VapidPublicKey(const std::string& private_key_pem) {
    TOCSIN_ASSIGN(key, LoadPrivateKey(private_key_pem));
    TOCSIN_ASSIGN(point, PublicPoint(key.get()));
    return B64Url(point);
}

Result<std::string> VapidJwt(
    const std::string& private_key_pem, std::string_view audience, std::string_view subject, TimePoint expires
) {
    TOCSIN_ASSIGN(key, LoadPrivateKey(private_key_pem));
    const auto exp = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
    const std::string header = B64Url(std::string_view(R"({"typ":"JWT","alg":"ES256"})"));
    const std::string claims =
        B64Url(boost::json::serialize(boost::json::object{{"aud", audience}, {"exp", exp}, {"sub", subject}}));
    const std::string signing_input = header + "." + claims;

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t der_len = 0;
    if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_DigestSign(
            md.get(),
            nullptr,
            &der_len,
            reinterpret_cast<const unsigned char*>(signing_input.data()),
            signing_input.size()
        ) != 1) {
        return Crypto("ES256 signing");
    }
    Bytes der(der_len);
    if (EVP_DigestSign(
            md.get(),
            der.data(),
            &der_len,
            reinterpret_cast<const unsigned char*>(signing_input.data()),
            signing_input.size()
        ) != 1) {
        return Crypto("ES256 signing");
    }
    // JWS wants r || s, 32 bytes each (RFC 7518 section 3.4); OpenSSL gives DER.
    const unsigned char* p = der.data();
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)), &ECDSA_SIG_free
    );
    if (!sig) return Crypto("decoding the ECDSA signature");
    Bytes raw(64);
    if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32) != 32) {
        return Crypto("encoding the ECDSA signature");
    }
    return signing_input + "." + B64Url(raw);
}

Result<Bytes> EncryptWebPush(
    std::string_view plaintext,
    const Bytes& receiver_public_key,
    const Bytes& auth_secret,
    const Bytes& salt_in,
    const std::string& sender_private_key_pem
) {
    if (auth_secret.size() != 16) return Error::Invalid("data.keys.auth", "must be 16 bytes");
    // One record: plaintext, the 0x02 last-record delimiter, and the 16-byte tag must fit.
    if (plaintext.size() + 1 + kTagSize > kRecordSize) return Error::Invalid("payload", "is too large for one record");
    TOCSIN_ASSIGN(ua, PublicKeyFromPoint(receiver_public_key, "data.keys.p256dh"));
    PKey as(nullptr, &EVP_PKEY_free);
    if (sender_private_key_pem.empty()) {
        TOCSIN_ASSIGN(k, NewP256());
        as = std::move(k);
    } else {
        TOCSIN_ASSIGN(k, LoadPrivateKey(sender_private_key_pem));
        as = std::move(k);
    }
    TOCSIN_ASSIGN(as_public, PublicPoint(as.get()));
    Bytes salt = salt_in;
    if (salt.empty()) {
        salt.resize(16);
        if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) return Crypto("RAND_bytes");
    }
    if (salt.size() != 16) return Error::Invalid("salt", "must be 16 bytes");
    TOCSIN_ASSIGN(secret, Ecdh(as.get(), ua.get()));
    const Keys keys = DeriveKeys(secret, auth_secret, receiver_public_key, as_public, salt);

    Bytes record(plaintext.begin(), plaintext.end());
    record.push_back(0x02);
    TOCSIN_ASSIGN(cipher, Gcm(true, keys, record.data(), record.size(), nullptr));

    Bytes body = salt;
    for (int shift : {24, 16, 8, 0}) body.push_back(static_cast<unsigned char>((kRecordSize >> shift) & 0xFF));
    body.push_back(static_cast<unsigned char>(as_public.size()));
    body.insert(body.end(), as_public.begin(), as_public.end());
    body.insert(body.end(), cipher.begin(), cipher.end());
    return body;
}

Result<std::string> DecryptWebPush(
    const Bytes& body, const std::string& receiver_private_key_pem, const Bytes& auth_secret
) {
    constexpr std::size_t kHeader = 16 + 4 + 1;
    if (body.size() < kHeader) return Error::Invalid("body", "is shorter than the aes128gcm header");
    const Bytes salt(body.begin(), body.begin() + 16);
    const std::size_t idlen = body[20];
    if (idlen != kPointSize || body.size() < kHeader + idlen + kTagSize) {
        return Error::Invalid("body", "has no sender key or no record");
    }
    const Bytes as_public(body.begin() + kHeader, body.begin() + static_cast<std::ptrdiff_t>(kHeader + idlen));
    TOCSIN_ASSIGN(ua, LoadPrivateKey(receiver_private_key_pem));
    TOCSIN_ASSIGN(ua_public, PublicPoint(ua.get()));
    TOCSIN_ASSIGN(as, PublicKeyFromPoint(as_public, "keyid"));
    TOCSIN_ASSIGN(secret, Ecdh(ua.get(), as.get()));
    const Keys keys = DeriveKeys(secret, auth_secret, ua_public, as_public, salt);
    const std::size_t start = kHeader + idlen;
    const std::size_t cipher_len = body.size() - start - kTagSize;
    TOCSIN_ASSIGN(plain, Gcm(false, keys, body.data() + start, cipher_len, body.data() + body.size() - kTagSize));
    while (!plain.empty() && plain.back() == 0) plain.pop_back();  // padding
    if (plain.empty() || plain.back() != 0x02) return Error::Invalid("body", "lacks the last-record delimiter");
    plain.pop_back();
    return std::string(plain.begin(), plain.end());
}

Result<notify::OutgoingHttp> BuildWebPush(const WebPushRequest& r) {
    if (r.payload.size() > 3993) return Error::Invalid("payload", "must be at most 3993 bytes");
    auto p256dh = B64UrlDecode(r.p256dh);
    if (!p256dh) return Error::Invalid("data.keys.p256dh", "must be base64url");
    auto auth = B64UrlDecode(r.auth);
    if (!auth || auth->size() != 16) return Error::Invalid("data.keys.auth", "must be a 16-byte secret in base64url");
    const std::string audience = Origin(r.endpoint);
    if (audience.empty()) return Error::Invalid("address", "must be the push endpoint URL");
    TOCSIN_ASSIGN(body, EncryptWebPush(r.payload, *p256dh, *auth));
    // RFC 8292 section 2: at most 24 hours; 12 leaves room for clock skew at the push service.
    TOCSIN_ASSIGN(jwt, VapidJwt(r.vapid_private_key_pem, audience, r.vapid_subject, r.now + std::chrono::hours(12)));
    TOCSIN_ASSIGN(k, VapidPublicKey(r.vapid_private_key_pem));
    notify::OutgoingHttp h;
    h.url = r.endpoint;
    h.headers = {
        {"Authorization", fmt::format("vapid t={}, k={}", jwt, k)},
        {"Content-Encoding", "aes128gcm"},
        {"Content-Type", "application/octet-stream"},
        {"TTL", std::to_string(r.ttl.count())},
        {"Urgency", r.urgency},
    };
    h.body.assign(body.begin(), body.end());
    return h;
}

}  // namespace tocsin::oncall
