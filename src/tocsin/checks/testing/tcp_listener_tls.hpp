/// @file
/// @brief TlsListener (a TLS server that completes handshakes) and MakeSelfSignedCertificate.
///
/// Test-only, header-only. The certificate is generated with the OpenSSL C API (an EC
/// P-256 key, SAN DNS:localhost, IP:127.0.0.1, IP:::1), valid from `not_before` to
/// `not_after` relative to now, so expiry can be tested without fixtures that rot.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::checks::testing {

struct CertificateAndKey {
    std::string certificate_pem;
    std::string key_pem;
};

/// A self-signed certificate for CN=localhost valid over [now + not_before, now + not_after].
inline CertificateAndKey MakeSelfSignedCertificate(
    std::chrono::seconds not_after, std::chrono::seconds not_before = std::chrono::hours(-1)
) {
    auto fail = [](const char* what) { throw std::runtime_error(std::string("test certificate: ") + what); };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    if (!key) fail("EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count()));
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0
    );
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (san == nullptr) fail("subjectAltName");
    X509_add_ext(cert.get(), san, -1);
    X509_EXTENSION_free(san);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");

    auto to_string = [](BIO* bio) {
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(size));
        BIO_free(bio);
        return out;
    };
    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert.get());
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return CertificateAndKey{to_string(cert_bio), to_string(key_bio)};
}

/// Accepts TLS connections with the given certificate and holds them open; remembers the
/// SNI name the last client sent.
class TlsListener {
public:
    TlsListener(boost::asio::io_context& io, const CertificateAndKey& identity, std::string_view ip = "127.0.0.1")
        : state_(std::make_shared<State>(io, boost::asio::ip::make_address(std::string(ip)))) {
        state_->context.use_certificate_chain(boost::asio::buffer(identity.certificate_pem));
        state_->context.use_private_key(boost::asio::buffer(identity.key_pem), boost::asio::ssl::context::pem);
        SSL_CTX* ctx = state_->context.native_handle();
        SSL_CTX_set_tlsext_servername_arg(ctx, state_.get());
        SSL_CTX_set_tlsext_servername_callback(ctx, &TlsListener::OnServerName);
        Accept(state_);
    }
    ~TlsListener() {
        boost::system::error_code ignored;
        state_->acceptor.close(ignored);
        for (auto& s : state_->sessions) s->lowest_layer().close(ignored);
    }
    TlsListener(const TlsListener&) = delete;
    TlsListener& operator=(const TlsListener&) = delete;

    [[nodiscard]] int Port() const { return state_->port; }
    [[nodiscard]] int Handshakes() const { return state_->handshakes; }
    [[nodiscard]] const std::string& LastServerName() const { return state_->last_server_name; }

private:
    using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

    struct State {
        State(boost::asio::io_context& io, const boost::asio::ip::address& ip)
            : context(boost::asio::ssl::context::tls_server),
              acceptor(io, boost::asio::ip::tcp::endpoint(ip, 0)),
              port(acceptor.local_endpoint().port()) {}
        boost::asio::ssl::context context;
        boost::asio::ip::tcp::acceptor acceptor;
        int port;
        int handshakes = 0;
        std::string last_server_name;
        std::vector<std::shared_ptr<Stream>> sessions;
    };

    static int OnServerName(SSL* ssl, int*, void* arg) {
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        static_cast<State*>(arg)->last_server_name = name != nullptr ? name : "";
        return SSL_TLSEXT_ERR_OK;
    }

    static void Accept(const std::shared_ptr<State>& state) {
        state->acceptor.async_accept([state](const boost::system::error_code& ec, boost::asio::ip::tcp::socket s) {
            if (ec == boost::asio::error::operation_aborted || !state->acceptor.is_open()) return;
            if (!ec) {
                state->last_server_name.clear();
                auto stream = std::make_shared<Stream>(std::move(s), state->context);
                state->sessions.push_back(stream);
                stream->async_handshake(
                    boost::asio::ssl::stream_base::server,
                    [state, stream](const boost::system::error_code& hec) {
                        if (!hec) ++state->handshakes;
                    }
                );
            }
            Accept(state);
        });
    }

    std::shared_ptr<State> state_;
};

}  // namespace tocsin::checks::testing
