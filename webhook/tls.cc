#include "webhook/tls.h"

#include <cstring>
#include <ctime>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "evaluator/kernel/sha256.h"

namespace aimsgate::webhook {

struct TlsMaterial {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;
  X509_STORE* client_store = nullptr;        // null without --client-ca
  STACK_OF(X509_NAME)* client_names = nullptr;
  // SHA-256 over the client CA certificates (DER) and client_cn: what a session was
  // verified under.  A session ticket carries it (see DecryptTicket).
  unsigned char trust_digest[kernel::kSha256Bytes] = {};
  int64_t not_after = 0;

  ~TlsMaterial() {
    X509_free(cert);
    EVP_PKEY_free(key);
    if (chain) sk_X509_pop_free(chain, X509_free);
    X509_STORE_free(client_store);
    if (client_names) sk_X509_NAME_pop_free(client_names, X509_NAME_free);
  }
};

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

namespace {

// ECDHE key exchange, AEAD only (TLS 1.2); TLS 1.3 suites are all AEAD already.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

int ContextIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

struct BioCloser {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioCloser>;

BioPtr OpenFile(const std::string& path, const char* what, std::string* error) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    *error = path + ": error: cannot read " + what + ": " + std::strerror(errno);
  }
  return bio;
}

bool LoadCertChain(const std::string& path, TlsMaterial* m, std::string* error) {
  BioPtr bio = OpenFile(path, "TLS certificate", error);
  if (!bio) return false;
  m->cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (!m->cert) {
    *error = path + ": error: no PEM certificate: " + OpenSslErrors();
    return false;
  }
  m->chain = sk_X509_new_null();
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) sk_X509_push(m->chain, extra);
  ERR_clear_error();  // the loop ends on "no start line"
  return true;
}

bool LoadKey(const std::string& path, TlsMaterial* m, std::string* error) {
  BioPtr bio = OpenFile(path, "TLS private key", error);
  if (!bio) return false;
  m->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!m->key) {
    *error = path + ": error: no PEM private key: " + OpenSslErrors();
    return false;
  }
  if (X509_check_private_key(m->cert, m->key) != 1) {
    ERR_clear_error();
    *error = path + ": error: the private key does not match the certificate";
    return false;
  }
  return true;
}

int64_t NotAfter(const X509* cert) {
  std::tm t{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &t) != 1) return 0;
  return static_cast<int64_t>(timegm(&t));
}

bool LoadClientCa(const std::string& path, const std::string& client_cn, TlsMaterial* m, std::string* error) {
  BioPtr bio = OpenFile(path, "client CA", error);
  if (!bio) return false;
  m->client_store = X509_STORE_new();
  m->client_names = sk_X509_NAME_new_null();
  kernel::Sha256 sha;
  sha.Update(client_cn);
  int count = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    unsigned char* der = nullptr;
    int der_len = i2d_X509(ca, &der);
    if (der_len > 0) sha.Update(der, static_cast<size_t>(der_len));
    OPENSSL_free(der);
    X509_STORE_add_cert(m->client_store, ca);
    sk_X509_NAME_push(m->client_names, X509_NAME_dup(X509_get_subject_name(ca)));
    X509_free(ca);
    ++count;
  }
  ERR_clear_error();
  if (count == 0) {
    *error = path + ": error: no PEM certificate in the client CA bundle";
    return false;
  }
  if (!sha.Digest(m->trust_digest)) {
    *error = path + ": error: cannot hash the client CA bundle";
    return false;
  }
  return true;
}

// A new session ticket records what the client certificate was verified under.
int GenerateTicket(SSL* ssl, void* arg) {
  std::shared_ptr<const TlsMaterial> m = static_cast<TlsContext*>(arg)->Current();
  SSL_SESSION* session = SSL_get_session(ssl);
  if (!m || !session) return 0;
  return SSL_SESSION_set1_ticket_appdata(session, m->trust_digest, sizeof m->trust_digest);
}

// A ticket issued under another client CA (or client_cn) is ignored: the client falls back
// to a full handshake, where its certificate is verified against the current CA.
SSL_TICKET_RETURN DecryptTicket(SSL*, SSL_SESSION* session, const unsigned char*, size_t, SSL_TICKET_STATUS status,
                                void* arg) {
  if (status == SSL_TICKET_EMPTY || status == SSL_TICKET_NO_DECRYPT) return SSL_TICKET_RETURN_IGNORE_RENEW;
  if (status != SSL_TICKET_SUCCESS && status != SSL_TICKET_SUCCESS_RENEW) return SSL_TICKET_RETURN_ABORT;
  std::shared_ptr<const TlsMaterial> m = static_cast<TlsContext*>(arg)->Current();
  void* data = nullptr;
  size_t len = 0;
  if (!m || SSL_SESSION_get0_ticket_appdata(session, &data, &len) != 1 || len != sizeof m->trust_digest ||
      std::memcmp(data, m->trust_digest, len) != 0) {
    return SSL_TICKET_RETURN_IGNORE_RENEW;
  }
  return status == SSL_TICKET_SUCCESS_RENEW ? SSL_TICKET_RETURN_USE_RENEW : SSL_TICKET_RETURN_USE;
}

// Per handshake: the current key pair and client CA.
int CertCallback(SSL* ssl, void* arg) {
  auto* self = static_cast<TlsContext*>(arg);
  std::shared_ptr<const TlsMaterial> m = self->Current();
  if (!m) return 0;
  if (SSL_use_cert_and_key(ssl, m->cert, m->key, m->chain, 1) != 1) return 0;
  if (m->client_store) {
    SSL_set1_verify_cert_store(ssl, m->client_store);
    SSL_set_client_CA_list(ssl, SSL_dup_CA_list(m->client_names));
  }
  return 1;
}

bool NameMatches(X509* cert, const std::string& expected) {
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
    const unsigned char* bytes = ASN1_STRING_get0_data(data);
    int len = ASN1_STRING_length(data);
    if (len >= 0 && static_cast<size_t>(len) == expected.size() &&
        std::memcmp(bytes, expected.data(), expected.size()) == 0) {
      return true;
    }
  }
  return X509_check_host(cert, expected.data(), expected.size(),
                         X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS, nullptr) == 1;
}

int VerifyCallback(int preverify_ok, X509_STORE_CTX* store) {
  if (!preverify_ok) return 0;
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (!ssl) return 0;
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ContextIndex()));
  if (!self || self->options().client_cn.empty()) return 1;
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (cert && NameMatches(cert, self->options().client_cn)) return 1;
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

}  // namespace

bool PeerHasCertificate(const SSL* ssl) { return ssl && SSL_get0_peer_certificate(ssl) != nullptr; }

TlsContext::TlsContext(TlsOptions options) : options_(std::move(options)) {}
TlsContext::~TlsContext() = default;

int64_t TlsContext::CertificateNotAfter() const {
  std::shared_ptr<const TlsMaterial> m = Current();
  return m ? m->not_after : 0;
}

std::shared_ptr<const TlsMaterial> TlsContext::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return material_;
}

bool TlsContext::Load(std::string* error) {
  auto m = std::make_shared<TlsMaterial>();
  if (!LoadCertChain(options_.cert_path, m.get(), error) || !LoadKey(options_.key_path, m.get(), error)) return false;
  if (!options_.client_ca_path.empty() && !LoadClientCa(options_.client_ca_path, options_.client_cn, m.get(), error)) {
    return false;
  }
  m->not_after = NotAfter(m->cert);
  std::lock_guard<std::mutex> lock(mu_);
  material_ = std::move(m);
  return true;
}

bool TlsContext::Configure(SSL_CTX* ctx, std::string* error) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  int min = options_.min_version == "1.2" ? TLS1_2_VERSION : options_.min_version == "1.3" ? TLS1_3_VERSION : 0;
  if (min == 0) {
    *error = "--tls-min-version '" + options_.min_version + "': expected 1.2 or 1.3";
    return false;
  }
  if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
      (min == TLS1_2_VERSION && SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)) {
    *error = "cannot configure TLS: " + OpenSslErrors();
    return false;
  }
  SSL_CTX_set_ex_data(ctx, ContextIndex(), this);
  SSL_CTX_set_cert_cb(ctx, CertCallback, this);
  // Tickets only (no server-side cache to resume from), each bound to the client CA.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_session_ticket_cb(ctx, GenerateTicket, DecryptTicket, this);
  if (!options_.client_ca_path.empty()) {
    // A presented certificate must verify (and match client_cn) or the handshake fails.  A
    // missing one is let through the handshake so the kubelet's HTTPS probes (which never
    // present one) reach /healthz and /readyz; POST /validate refuses it (PeerHasCertificate).
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, VerifyCallback);
    // Resumed sessions skip verification: keep them bound to this configuration (and, per
    // ticket, to the client CA: DecryptTicket).
    static const unsigned char kSessionContext[] = "aimsgate-webhook";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  return true;
}

}  // namespace aimsgate::webhook
