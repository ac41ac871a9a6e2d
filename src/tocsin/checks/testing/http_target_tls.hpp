/// @file
/// @brief Test-only: a self-signed certificate made with OpenSSL's C API, for HTTPS targets.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace tocsin::checks::testing {

/// A certificate and its private key, both PEM.
struct TlsIdentity {
    std::string cert_pem;
    std::string key_pem;
};

namespace http_target_detail {

[[noreturn]] inline void Die(const char* what) {
    std::fprintf(stderr, "http_target_tls: %s failed\n", what);
    std::abort();
}

inline std::string BioText(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline void AddExtension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) Die("X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

}  // namespace http_target_detail

/// A P-256 self-signed certificate for CN/SAN localhost and 127.0.0.1, valid from one hour
/// ago until `valid_for` from now. It is its own CA (CA:TRUE), so passing cert_pem as a
/// monitor's ca_pem makes a verifying client trust it.
inline TlsIdentity MakeSelfSignedIdentity(std::chrono::seconds valid_for) {
    using http_target_detail::AddExtension;
    using http_target_detail::Die;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    if (!key) Die("EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    if (!cert) Die("X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_for.count()));
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0
    );
    X509_set_issuer_name(cert.get(), name);
    AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    AddExtension(cert.get(), NID_subject_key_identifier, "hash");
    AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) Die("X509_sign");

    TlsIdentity identity;
    std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!cert_bio || !key_bio) Die("BIO_new");
    if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) Die("PEM_write_bio_X509");
    if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        Die("PEM_write_bio_PrivateKey");
    }
    identity.cert_pem = http_target_detail::BioText(cert_bio.get());
    identity.key_pem = http_target_detail::BioText(key_bio.get());
    return identity;
}

}  // namespace tocsin::checks::testing
