// TLS for the webhook: the server key pair and the optional client CA, loaded from PEM
// files and reloadable while the server runs (cert-manager rotates them as file changes).
//
//   TlsOptions o{"tls.crt", "tls.key", "1.3", /*client_ca=*/"", /*client_cn=*/""};
//   TlsContext tls(o);
//   std::string error;
//   if (!tls.Load(&error)) { ...exit 2... }
//   httplib::SSLServer svr([&](SSL_CTX& ctx) { return tls.Configure(&ctx, &error); });
//   ...on file change: if (!tls.Load(&error)) log(error);   // the old pair keeps serving
//
// How: Configure() installs a certificate callback on the SSL_CTX; every handshake takes
// the current key pair (and client-CA store) from a mutex-guarded shared_ptr, so a reload
// swaps them atomically between handshakes without touching the shared SSL_CTX.
// Protocol: TLS 1.3 minimum by default; with min_version "1.2", TLS 1.2 is limited to
// ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305).  With a client CA
// a certificate the client presents must be signed by it and, when client_cn is set, have
// that subject CN (or DNS SAN), else the handshake fails; a client that presents none
// completes the handshake (kubelet probes cannot present one) and the server refuses it
// per endpoint with PeerHasCertificate (POST /validate answers 401).
// Resumption: a session ticket carries a digest of the client CA bundle and client_cn it
// was verified under; after the CA is rotated, such a ticket is ignored and the client
// goes through a full handshake (and verification) again.  There is no server-side
// session cache (tickets only), so no resumption path skips this check.
//
// Thread-safety: Load may run concurrently with handshakes.  Cost: Load parses the PEM
// files; a handshake copies three reference-counted pointers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <openssl/ssl.h>

namespace aimsgate::webhook {

struct TlsOptions {
  std::string cert_path;     // PEM: leaf certificate, then its chain
  std::string key_path;      // PEM private key
  std::string min_version = "1.3";  // "1.2" | "1.3"
  std::string client_ca_path;       // PEM bundle; empty = no client certificates asked
  std::string client_cn;            // expected client CN or DNS SAN; empty = any
};

struct TlsMaterial;

class TlsContext {
 public:
  explicit TlsContext(TlsOptions options);
  ~TlsContext();

  // (Re)loads the key pair and client CA; on error the previous material stays in use.
  bool Load(std::string* error);
  // Sets protocol versions, ciphers, callbacks and client verification on `ctx`.
  bool Configure(SSL_CTX* ctx, std::string* error);
  const TlsOptions& options() const { return options_; }
  // The serving certificate's notAfter (seconds since the epoch); 0 before a Load.
  int64_t CertificateNotAfter() const;

  // Internal: the material for the next handshake.
  std::shared_ptr<const TlsMaterial> Current() const;

 private:
  const TlsOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const TlsMaterial> material_;
};

// True when the connection's client presented a (verified) certificate.
bool PeerHasCertificate(const SSL* ssl);

// The OpenSSL error queue as one string (and cleared).
std::string OpenSslErrors();

}  // namespace aimsgate::webhook
