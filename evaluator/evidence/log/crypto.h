// Ed25519 signing and key ids for the evidence log, on OpenSSL EVP (the SHA-256 is the
// kernel's: evaluator/kernel/sha256.h).
//
//   evidence::SigningKey key;
//   if (!(s = evidence::SigningKey::LoadPem(path, &key)).ok()) ...
//   std::string sig = key.SignBase64(message);                  // empty on failure
//   evidence::VerifyKey pub;  evidence::VerifyKey::LoadPem(pub_path, &pub);
//   bool good = pub.VerifyBase64(message, sig);
//   evidence::GenerateKeyPair("keys/");   // evidence-signing.key (0600) + evidence-signing.pub
//
// keyId = lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of the public key, i.e.
//   openssl pkey -in evidence-signing.pub -pubin -outform DER | sha256sum
//
// Thread-safety: keys are immutable after loading; Sign/Verify may be called from many
// threads (each call uses its own EVP_MD_CTX). Cost: one Ed25519 signature ~50 µs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "evaluator/evidence/log/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace aimsgate::evidence {

std::string Base64Encode(std::string_view data);
// False on malformed input (bad characters or length).
bool Base64Decode(std::string_view text, std::string* out);
// `bytes` bytes from the OpenSSL CSPRNG as lower-case hex; empty on failure.
std::string RandomHex(size_t bytes);

class SigningKey {
 public:
  // Reads an Ed25519 private key (PEM, PKCS#8). Other key types are rejected.
  static Status LoadPem(const std::string& path, SigningKey* key);
  static Status FromPem(std::string_view pem, SigningKey* key);
  bool loaded() const { return pkey_ != nullptr; }
  const std::string& key_id() const { return key_id_; }
  // Base64 Ed25519 signature of `message`; empty string on failure.
  std::string SignBase64(std::string_view message) const;

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string key_id_;
};

class VerifyKey {
 public:
  // Reads an Ed25519 public key (PEM SubjectPublicKeyInfo). A private key PEM is also
  // accepted (its public half is used).
  static Status LoadPem(const std::string& path, VerifyKey* key);
  static Status FromPem(std::string_view pem, VerifyKey* key);
  bool loaded() const { return pkey_ != nullptr; }
  const std::string& key_id() const { return key_id_; }
  bool VerifyBase64(std::string_view message, std::string_view signature_base64) const;

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string key_id_;
};

inline constexpr char kPrivateKeyFile[] = "evidence-signing.key";
inline constexpr char kPublicKeyFile[] = "evidence-signing.pub";

// Writes DIR/evidence-signing.key (PKCS#8 PEM, mode 0600) and DIR/evidence-signing.pub
// (SubjectPublicKeyInfo PEM). Refuses to overwrite either file. `*key_id` gets the keyId.
Status GenerateKeyPair(const std::string& dir, std::string* key_id);

}  // namespace aimsgate::evidence
