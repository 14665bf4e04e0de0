// Internal to evaluator/model: who may have signed a model, and the check of a
// bundle's DSSE signature against them (OpenSSL).
//
//   SignatureTrust trust;
//   if (!SignatureTrust::Load({.public_key_path = "key.pub"}, &trust, &errors)) ...   // exit 2
//   TrustCheck c = trust.Check(bundle);   // c.ok, c.signer, or c.problem/c.kind
//
// Key mode (--pubkey): an ECDSA P-256/P-384/P-521 public key (PEM or DER); the
// signature is verified with SHA-256/384/512 respectively over the DSSE PAE; a
// bundle's publicKey.hint, when present, must be the hex SHA-256 of the key's PEM.
// Certificate mode (--ca, optional --cert-chain): the leaf is the bundle's
// certificate (or the first of --cert-chain when the bundle has none); it must
// chain to a --ca root through the bundle's and --cert-chain's intermediates, be
// valid at the signing time (the bundle's tlog integratedTime when present, else
// `now`), allow digitalSignature or codeSigning, and its key verifies the signature.
// Immutable after Load; Check is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/model/model_metadata.h"
#include "evaluator/model/oms_bundle.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;

namespace aimsgate::model {

struct TrustOptions {
  std::string public_key_path;
  std::string cert_chain_path;
  std::string ca_path;
  int64_t now_unix = 0;  // 0: the current time
};

enum class TrustProblem { kNone, kKeyMismatch, kBadSignature, kCertificate, kNoMaterial };

struct TrustCheck {
  bool ok = false;
  std::string mode;     // "key" | "certificate"
  std::string signer;   // key: hex SHA-256 of the public key PEM; certificate: SAN email/URI, else subject DN
  std::string problem;  // why not, one sentence
  TrustProblem kind = TrustProblem::kNone;
};

class SignatureTrust {
 public:
  static bool Load(const TrustOptions& options, SignatureTrust* out, std::vector<Diagnostic>* errors);
  TrustCheck Check(const SigstoreBundle& bundle) const;

 private:
  TrustCheck CheckKey(const SigstoreBundle& bundle) const;
  TrustCheck CheckCertificate(const SigstoreBundle& bundle) const;

  std::shared_ptr<EVP_PKEY> key_;
  std::string key_hint_;
  std::vector<std::shared_ptr<X509>> roots_;
  std::vector<std::shared_ptr<X509>> chain_;  // --cert-chain, in file order
  int64_t now_unix_ = 0;
};

}  // namespace aimsgate::model
