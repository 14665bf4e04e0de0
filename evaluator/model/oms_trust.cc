#include "evaluator/model/oms_trust.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/model/metadata_util.h"

namespace aimsgate::model {
namespace {

std::shared_ptr<EVP_PKEY> WrapKey(EVP_PKEY* k) {
  return std::shared_ptr<EVP_PKEY>(k, [](EVP_PKEY* p) { EVP_PKEY_free(p); });
}
std::shared_ptr<X509> WrapCert(X509* c) {
  return std::shared_ptr<X509>(c, [](X509* p) { X509_free(p); });
}

// "" when the key is one the OMS signers use, else why not.
std::string CheckEcKey(EVP_PKEY* key) {
  if (EVP_PKEY_base_id(key) != EVP_PKEY_EC) return "only ECDSA keys (P-256, P-384, P-521) are supported";
  int bits = EVP_PKEY_get_bits(key);
  if (bits != 256 && bits != 384 && bits != 521) return "unsupported elliptic curve of " + std::to_string(bits) + " bits";
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) return "cannot read the key's curve";
  std::string g(group);
  if (g != "prime256v1" && g != "P-256" && g != "secp384r1" && g != "P-384" && g != "secp521r1" && g != "P-521") {
    return "unsupported elliptic curve " + g + " (P-256, P-384 and P-521 are supported)";
  }
  return "";
}

// The reference signer pairs the curve with its hash: P-256/SHA-256, P-384/SHA-384, P-521/SHA-512.
const EVP_MD* HashFor(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  return bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
}

bool VerifyAny(EVP_PKEY* key, const SigstoreBundle& b) {
  std::string pae = DssePreAuthEncoding(b.payload_type, b.payload);
  for (const std::string& sig : b.signatures) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool good = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, HashFor(key), nullptr, key) == 1 &&
                EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                 reinterpret_cast<const unsigned char*>(pae.data()), pae.size()) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    if (good) return true;
  }
  return false;
}

std::string PemHint(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio != nullptr && PEM_write_bio_PUBKEY(bio, key) == 1) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return pem.empty() ? "" : kernel::Sha256Hex(pem);
}

// Every certificate in a PEM file (or one DER certificate).
bool ReadCertificates(const std::string& path, std::vector<std::shared_ptr<X509>>* out,
                      std::vector<Diagnostic>* errors) {
  std::string text;
  if (!ReadInputFile(path, &text, errors)) return false;
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out->push_back(WrapCert(c));
  BIO_free(bio);
  ERR_clear_error();
  if (out->empty()) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
    if (X509* c = d2i_X509(nullptr, &p, static_cast<long>(text.size()))) out->push_back(WrapCert(c));
    ERR_clear_error();
  }
  if (out->empty()) {
    AddError(errors, path, 0, 0, "no X.509 certificate in the file (PEM or DER expected)");
    return false;
  }
  return true;
}

std::string SignerOf(X509* cert) {
  std::string signer;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names) && signer.empty(); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_EMAIL || n->type == GEN_URI) {
      const ASN1_IA5STRING* s = n->type == GEN_EMAIL ? n->d.rfc822Name : n->d.uniformResourceIdentifier;
      signer.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  GENERAL_NAMES_free(names);
  if (!signer.empty()) return signer;
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  signer.assign(data, static_cast<size_t>(n));
  BIO_free(bio);
  return signer;
}

}  // namespace

bool SignatureTrust::Load(const TrustOptions& o, SignatureTrust* out, std::vector<Diagnostic>* errors) {
  *out = SignatureTrust();
  out->now_unix_ = o.now_unix;
  if (o.public_key_path.empty() == o.ca_path.empty()) {
    AddError(errors, "model verify", 0, 0, "give either --pubkey or --ca (with an optional --cert-chain)");
    return false;
  }
  if (!o.public_key_path.empty()) {
    std::string text;
    if (!ReadInputFile(o.public_key_path, &text, errors)) return false;
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data());
      key = d2i_PUBKEY(nullptr, &p, static_cast<long>(text.size()));
    }
    ERR_clear_error();
    if (key == nullptr) {
      AddError(errors, o.public_key_path, 0, 0, "not a public key (PEM or DER SubjectPublicKeyInfo expected)");
      return false;
    }
    out->key_ = WrapKey(key);
    if (std::string why = CheckEcKey(key); !why.empty()) {
      AddError(errors, o.public_key_path, 0, 0, why);
      return false;
    }
    out->key_hint_ = PemHint(key);
    return true;
  }
  if (!ReadCertificates(o.ca_path, &out->roots_, errors)) return false;
  if (!o.cert_chain_path.empty() && !ReadCertificates(o.cert_chain_path, &out->chain_, errors)) return false;
  return true;
}

TrustCheck SignatureTrust::Check(const SigstoreBundle& bundle) const {
  return key_ ? CheckKey(bundle) : CheckCertificate(bundle);
}

TrustCheck SignatureTrust::CheckKey(const SigstoreBundle& b) const {
  TrustCheck c;
  c.mode = "key";
  c.signer = key_hint_;
  if (!b.public_key_hint.empty() && b.public_key_hint != key_hint_) {
    c.kind = TrustProblem::kKeyMismatch;
    c.problem = "the bundle names public key " + b.public_key_hint + ", not the given key " + key_hint_;
    return c;
  }
  if (b.public_key_hint.empty() && !b.certificates.empty()) {
    c.kind = TrustProblem::kKeyMismatch;
    c.problem = "the bundle was signed with a certificate; verify it with --ca";
    return c;
  }
  if (!VerifyAny(key_.get(), b)) {
    c.kind = TrustProblem::kBadSignature;
    c.problem = "the DSSE signature does not verify with the given public key";
    return c;
  }
  c.ok = true;
  return c;
}

TrustCheck SignatureTrust::CheckCertificate(const SigstoreBundle& b) const {
  TrustCheck c;
  c.mode = "certificate";
  std::vector<std::shared_ptr<X509>> bundle_certs;
  for (const std::string& der : b.certificates) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    ERR_clear_error();
    if (cert == nullptr) {
      c.kind = TrustProblem::kCertificate;
      c.problem = "a certificate in the bundle is not valid DER";
      return c;
    }
    bundle_certs.push_back(WrapCert(cert));
  }
  std::shared_ptr<X509> leaf = !bundle_certs.empty() ? bundle_certs[0] : !chain_.empty() ? chain_[0] : nullptr;
  if (!leaf) {
    c.kind = TrustProblem::kNoMaterial;
    c.problem = b.public_key_hint.empty() ? "neither the bundle nor --cert-chain holds a signing certificate"
                                          : "the bundle was signed with a bare key; verify it with --pubkey";
    return c;
  }
  c.signer = SignerOf(leaf.get());

  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (size_t i = 1; i < bundle_certs.size(); ++i) sk_X509_push(untrusted, bundle_certs[i].get());
  for (const auto& cert : chain_) sk_X509_push(untrusted, cert.get());
  X509_STORE* store = X509_STORE_new();
  for (const auto& root : roots_) X509_STORE_add_cert(store, root.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), untrusted);
  // Any --ca certificate is a trust anchor, self-signed or not.
  X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
  int64_t at = b.integrated_time > 0 ? b.integrated_time : now_unix_ > 0 ? now_unix_ : std::time(nullptr);
  X509_STORE_CTX_set_time(ctx, 0, static_cast<time_t>(at));
  bool chained = X509_verify_cert(ctx) == 1;
  std::string why = chained ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  sk_X509_free(untrusted);
  ERR_clear_error();
  if (!chained) {
    c.kind = TrustProblem::kCertificate;
    c.problem = "the signing certificate '" + c.signer + "' does not chain to the --ca root at " +
                (b.integrated_time > 0 ? "the signing time" : "the verification time") + ": " + why;
    return c;
  }
  uint32_t flags = X509_get_extension_flags(leaf.get());
  bool may_sign = ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) != 0) ||
                  ((flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(leaf.get()) & XKU_CODE_SIGN) != 0);
  if (!may_sign) {
    c.kind = TrustProblem::kCertificate;
    c.problem = "the signing certificate '" + c.signer + "' allows neither digitalSignature nor codeSigning";
    return c;
  }
  EVP_PKEY* key = X509_get0_pubkey(leaf.get());
  if (key == nullptr || !CheckEcKey(key).empty()) {
    c.kind = TrustProblem::kCertificate;
    c.problem = "the signing certificate's key is not ECDSA P-256, P-384 or P-521";
    return c;
  }
  if (!VerifyAny(key, b)) {
    c.kind = TrustProblem::kBadSignature;
    c.problem = "the DSSE signature does not verify with the key of certificate '" + c.signer + "'";
    return c;
  }
  c.ok = true;
  return c;
}

}  // namespace aimsgate::model
