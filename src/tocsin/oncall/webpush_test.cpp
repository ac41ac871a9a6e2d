#include "tocsin/oncall/webpush.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <boost/json.hpp>

#include <memory>

namespace tocsin::oncall {
namespace {

// The receiving browser's side, written against OpenSSL's own HKDF (not the sender's HMAC
// steps) so that a mistake in the sender's key schedule cannot cancel itself out.

std::string B64UrlDecodeText(std::string s) {
    for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (s.size() % 4 != 0) s += '=';
    std::string out(s.size(), '\0');
    int n = EVP_DecodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(s.data()),
        static_cast<int>(s.size())
    );
    EXPECT_GE(n, 0);
    out.resize(static_cast<std::size_t>(n) - (s.size() - s.find_last_not_of('=') - 1));
    return out;
}

Bytes ToBytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> LoadPem(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    return {PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
}

Bytes Hkdf(const Bytes& salt, const Bytes& ikm, const Bytes& info, std::size_t len) {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free
    );
    Bytes out(len);
    EXPECT_EQ(EVP_PKEY_derive_init(ctx.get()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size())), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())), 1);
    EXPECT_EQ(EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), info.data(), static_cast<int>(info.size())), 1);
    EXPECT_EQ(EVP_PKEY_derive(ctx.get(), out.data(), &len), 1);
    return out;
}

Bytes Point(EVP_PKEY* key) {
    Bytes out(65);
    std::size_t len = 0;
    EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(), &len), 1);
    return out;
}

// Decrypts an aes128gcm body as RFC 8291 section 3 describes the user agent doing it.
std::optional<std::string> BrowserDecrypt(const Bytes& body, const std::string& ua_pem, const Bytes& auth) {
    if (body.size() < 21 + 65 + 16) return std::nullopt;
    Bytes salt(body.begin(), body.begin() + 16);
    std::uint32_t rs =
        (std::uint32_t{body[16]} << 24) | (std::uint32_t{body[17]} << 16) | (std::uint32_t{body[18]} << 8) | body[19];
    EXPECT_EQ(rs, 4096u);
    EXPECT_EQ(body[20], 65);
    Bytes as_public(body.begin() + 21, body.begin() + 86);
    auto ua = LoadPem(ua_pem);
    Bytes ua_public = Point(ua.get());

    // The sender's public key as an EVP_PKEY, via a DER SubjectPublicKeyInfo built by hand.
    const unsigned char spki_prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                         0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
    Bytes spki(std::begin(spki_prefix), std::end(spki_prefix));
    spki.insert(spki.end(), as_public.begin(), as_public.end());
    const unsigned char* p = spki.data();
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> as(
        d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())), &EVP_PKEY_free
    );
    if (!as) return std::nullopt;
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> dctx(
        EVP_PKEY_CTX_new(ua.get(), nullptr), &EVP_PKEY_CTX_free
    );
    std::size_t len = 32;
    Bytes ecdh(32);
    EXPECT_EQ(EVP_PKEY_derive_init(dctx.get()), 1);
    EXPECT_EQ(EVP_PKEY_derive_set_peer(dctx.get(), as.get()), 1);
    EXPECT_EQ(EVP_PKEY_derive(dctx.get(), ecdh.data(), &len), 1);

    std::string key_info_text("WebPush: info");
    Bytes key_info(key_info_text.begin(), key_info_text.end());
    key_info.push_back(0);
    key_info.insert(key_info.end(), ua_public.begin(), ua_public.end());
    key_info.insert(key_info.end(), as_public.begin(), as_public.end());
    Bytes ikm = Hkdf(auth, ecdh, key_info, 32);
    std::string cek_text("Content-Encoding: aes128gcm");
    Bytes cek_info(cek_text.begin(), cek_text.end());
    cek_info.push_back(0);
    std::string nonce_text("Content-Encoding: nonce");
    Bytes nonce_info(nonce_text.begin(), nonce_text.end());
    nonce_info.push_back(0);
    Bytes cek = Hkdf(salt, ikm, cek_info, 16);
    Bytes nonce = Hkdf(salt, ikm, nonce_info, 12);

    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> c(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    EVP_DecryptInit_ex(c.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
    EVP_DecryptInit_ex(c.get(), nullptr, nullptr, cek.data(), nonce.data());
    const std::size_t n = body.size() - 86 - 16;
    Bytes plain(n + 16);
    int out_len = 0;
    EVP_DecryptUpdate(c.get(), plain.data(), &out_len, body.data() + 86, static_cast<int>(n));
    Bytes tag(body.end() - 16, body.end());
    EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data());
    int fin = 0;
    if (EVP_DecryptFinal_ex(c.get(), plain.data() + out_len, &fin) != 1) return std::nullopt;
    plain.resize(static_cast<std::size_t>(out_len + fin));
    if (plain.empty() || plain.back() != 0x02) return std::nullopt;
    plain.pop_back();
    return std::string(plain.begin(), plain.end());
}

struct Browser {
    std::string pem;
    Bytes public_point;
    Bytes auth;
};

Browser NewBrowser() {
    Browser b;
    b.pem = NewVapidKeyPem().value();
    b.public_point = ToBytes(B64UrlDecodeText(VapidPublicKey(b.pem).value()));
    b.auth.resize(16);
    RAND_bytes(b.auth.data(), 16);
    return b;
}

TEST(WebPushEncryption, TheSubscribersPrivateKeyDecryptsIt) {
    auto browser = NewBrowser();
    ASSERT_EQ(browser.public_point.size(), 65u);
    const std::string text = R"({"title":"#42 [high] Database down","body":"Büro"})";
    auto body = EncryptWebPush(text, browser.public_point, browser.auth);
    ASSERT_TRUE(body) << body.error().message;
    EXPECT_EQ(body->size(), 16 + 4 + 1 + 65 + text.size() + 1 + 16);
    EXPECT_EQ(BrowserDecrypt(*body, browser.pem, browser.auth), text);
    auto ours = DecryptWebPush(*body, browser.pem, browser.auth);
    ASSERT_TRUE(ours) << ours.error().message;
    EXPECT_EQ(*ours, text);
}

TEST(WebPushEncryption, EachMessageHasItsOwnSaltAndKey) {
    auto browser = NewBrowser();
    auto a = EncryptWebPush("same", browser.public_point, browser.auth).value();
    auto b = EncryptWebPush("same", browser.public_point, browser.auth).value();
    EXPECT_NE(Bytes(a.begin(), a.begin() + 16), Bytes(b.begin(), b.begin() + 16));
    EXPECT_NE(Bytes(a.begin() + 21, a.begin() + 86), Bytes(b.begin() + 21, b.begin() + 86));
}

TEST(WebPushEncryption, WrongKeyWrongSecretOrChangedByteFail) {
    auto browser = NewBrowser();
    auto other = NewBrowser();
    auto body = EncryptWebPush("secret page", browser.public_point, browser.auth).value();
    EXPECT_FALSE(BrowserDecrypt(body, other.pem, browser.auth));
    EXPECT_FALSE(BrowserDecrypt(body, browser.pem, other.auth));
    EXPECT_FALSE(DecryptWebPush(body, other.pem, browser.auth));
    auto changed = body;
    changed[changed.size() - 20] ^= 0x01;
    EXPECT_FALSE(BrowserDecrypt(changed, browser.pem, browser.auth));
    EXPECT_FALSE(DecryptWebPush(changed, browser.pem, browser.auth));
}

TEST(WebPushEncryption, RejectsBadSubscriptionKeys) {
    auto browser = NewBrowser();
    Bytes off_curve(65, 0x01);
    off_curve[0] = 0x04;
    EXPECT_EQ(EncryptWebPush("x", off_curve, browser.auth).error().field, "data.keys.p256dh");
    EXPECT_EQ(EncryptWebPush("x", Bytes(33, 0x02), browser.auth).error().field, "data.keys.p256dh");
    EXPECT_EQ(EncryptWebPush("x", browser.public_point, Bytes(8, 0)).error().field, "data.keys.auth");
}

TEST(Vapid, JwtIsSignedWithEs256AndNamesAudienceAndExpiry) {
    auto pem = NewVapidKeyPem().value();
    const TimePoint exp{std::chrono::milliseconds(1'800'000'000'000)};
    auto jwt = VapidJwt(pem, "https://push.example", "mailto:ops@example.com", exp);
    ASSERT_TRUE(jwt) << jwt.error().message;
    auto dot1 = jwt->find('.');
    auto dot2 = jwt->rfind('.');
    ASSERT_NE(dot1, dot2);
    auto header = boost::json::parse(B64UrlDecodeText(jwt->substr(0, dot1)));
    EXPECT_EQ(header.at("alg").as_string(), "ES256");
    auto claims = boost::json::parse(B64UrlDecodeText(jwt->substr(dot1 + 1, dot2 - dot1 - 1)));
    EXPECT_EQ(claims.at("aud").as_string(), "https://push.example");
    EXPECT_EQ(claims.at("sub").as_string(), "mailto:ops@example.com");
    EXPECT_EQ(claims.at("exp").as_int64(), 1'800'000'000);

    // Verify r || s with the public key, as a push service does.
    auto raw = ToBytes(B64UrlDecodeText(jwt->substr(dot2 + 1)));
    ASSERT_EQ(raw.size(), 64u);
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
    ECDSA_SIG_set0(sig.get(), BN_bin2bn(raw.data(), 32, nullptr), BN_bin2bn(raw.data() + 32, 32, nullptr));
    unsigned char* der = nullptr;
    int der_len = i2d_ECDSA_SIG(sig.get(), &der);
    auto key = LoadPem(pem);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    const std::string input = jwt->substr(0, dot2);
    ASSERT_EQ(EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
    EXPECT_EQ(
        EVP_DigestVerify(
            md.get(),
            der,
            static_cast<std::size_t>(der_len),
            reinterpret_cast<const unsigned char*>(input.data()),
            input.size()
        ),
        1
    );
    OPENSSL_free(der);
}

TEST(Vapid, BuildWebPushSetsTheHeadersAPushServiceNeeds) {
    auto browser = NewBrowser();
    WebPushRequest r;
    r.endpoint = "https://push.example:8443/wpush/v2/abc";
    r.p256dh = VapidPublicKey(browser.pem).value();
    std::string auth_b64;
    {
        static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        std::uint32_t acc = 0;
        int bits = 0;
        for (auto c : browser.auth) {
            acc = (acc << 8) | c;
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                auth_b64 += kAlphabet[(acc >> bits) & 0x3F];
            }
        }
        if (bits > 0) auth_b64 += kAlphabet[(acc << (6 - bits)) & 0x3F];
    }
    r.auth = auth_b64;
    r.payload = R"({"title":"t"})";
    r.vapid_private_key_pem = NewVapidKeyPem().value();
    r.vapid_subject = "mailto:ops@example.com";
    r.now = TimePoint{std::chrono::milliseconds(1'700'000'000'000)};
    auto h = BuildWebPush(r);
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->url, r.endpoint);
    auto header = [&](std::string_view name) {
        for (const auto& [k, v] : h->headers) {
            if (k == name) return v;
        }
        return std::string();
    };
    EXPECT_EQ(header("Content-Encoding"), "aes128gcm");
    EXPECT_EQ(header("TTL"), "3600");
    EXPECT_EQ(header("Urgency"), "high");
    EXPECT_TRUE(header("Authorization").starts_with("vapid t=")) << header("Authorization");
    EXPECT_NE(
        header("Authorization").find(", k=" + VapidPublicKey(r.vapid_private_key_pem).value()), std::string::npos
    );
    auto jwt = header("Authorization").substr(8, header("Authorization").find(',') - 8);
    auto claims =
        boost::json::parse(B64UrlDecodeText(jwt.substr(jwt.find('.') + 1, jwt.rfind('.') - jwt.find('.') - 1)));
    EXPECT_EQ(claims.at("aud").as_string(), "https://push.example:8443");
    EXPECT_EQ(BrowserDecrypt(Bytes(h->body.begin(), h->body.end()), browser.pem, browser.auth), r.payload);

    r.auth = "c2hvcnQ";
    EXPECT_EQ(BuildWebPush(r).error().field, "data.keys.auth");
}

}  // namespace
}  // namespace tocsin::oncall
