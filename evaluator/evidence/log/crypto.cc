#include "evaluator/evidence/log/crypto.h"
#include "evaluator/kernel/read_file.h"
#include "evaluator/kernel/sha256.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace aimsgate::evidence {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::shared_ptr<EVP_PKEY> Wrap(EVP_PKEY* p) {
  return std::shared_ptr<EVP_PKEY>(p, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

std::string KeyIdOf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return "";
  std::string id = kernel::Sha256Hex(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  return id;
}

// A key: PEM of a few hundred bytes, bounded so that a path naming a device or
// an endless pipe is an error.
Status ReadFile(const std::string& path, std::string* out) {
  std::string error;
  if (!kernel::ReadWholeFile(path, kernel::kMaxSmallFileBytes, out, &error)) {
    return Status::Error(path + ": error: cannot read: " + error, errno);
  }
  return Status::Ok();
}

Status WriteNewFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST) return Status::Error(path + ": error: already exists; refusing to overwrite", err);
    return Status::Error(path + ": error: cannot create: " + std::strerror(err), err);
  }
  if (::fchmod(fd, mode) != 0 ||
      ::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
      ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Status::Error(path + ": error: cannot write: " + std::strerror(err), err);
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) return "";
  return kernel::HexEncode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(n < 0 ? 0 : n);
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  std::string buf(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  buf.resize(n - pad);
  *out = std::move(buf);
  return true;
}

Status SigningKey::FromPem(std::string_view pem, SigningKey* key) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* p = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (p == nullptr) return Status::Error("not a PEM private key: " + OpenSslError());
  auto owned = Wrap(p);
  if (EVP_PKEY_id(p) != EVP_PKEY_ED25519) return Status::Error("not an Ed25519 key");
  key->pkey_ = owned;
  key->key_id_ = KeyIdOf(p);
  return Status::Ok();
}

Status SigningKey::LoadPem(const std::string& path, SigningKey* key) {
  std::string pem;
  Status s = ReadFile(path, &pem);
  if (!s.ok()) return s;
  s = FromPem(pem, key);
  if (!s.ok()) return Status::Error(path + ": error: " + s.message());
  return s;
}

std::string SigningKey::SignBase64(std::string_view message) const {
  if (!pkey_) return "";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig;
  size_t len = 0;
  if (ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
      sig.clear();
    } else {
      sig.resize(len);
    }
  }
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return sig.empty() ? std::string() : Base64Encode(sig);
}

Status VerifyKey::FromPem(std::string_view pem, VerifyKey* key) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* p = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (p == nullptr) {
    ERR_clear_error();
    bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    p = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  if (p == nullptr) return Status::Error("not a PEM public key: " + OpenSslError());
  auto owned = Wrap(p);
  if (EVP_PKEY_id(p) != EVP_PKEY_ED25519) return Status::Error("not an Ed25519 key");
  key->pkey_ = owned;
  key->key_id_ = KeyIdOf(p);
  return Status::Ok();
}

Status VerifyKey::LoadPem(const std::string& path, VerifyKey* key) {
  std::string pem;
  Status s = ReadFile(path, &pem);
  if (!s.ok()) return s;
  s = FromPem(pem, key);
  if (!s.ok()) return Status::Error(path + ": error: " + s.message());
  return s;
}

bool VerifyKey::VerifyBase64(std::string_view message, std::string_view signature_base64) const {
  std::string sig;
  if (!pkey_ || !Base64Decode(signature_base64, &sig) || sig.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

Status GenerateKeyPair(const std::string& dir, std::string* key_id) {
  std::string priv_path = dir + "/" + kPrivateKeyFile;
  std::string pub_path = dir + "/" + kPublicKeyFile;
  struct stat st;
  for (const std::string& p : {priv_path, pub_path}) {
    if (::lstat(p.c_str(), &st) == 0) {
      return Status::Error(p + ": error: already exists; refusing to overwrite", EEXIST);
    }
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY* raw = nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &raw) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return Status::Error("cannot generate an Ed25519 key: " + OpenSslError());
  auto pkey = Wrap(raw);
  auto to_pem = [&](bool priv, std::string* out) {
    BIO* bio = BIO_new(BIO_s_mem());
    int r = priv ? PEM_write_bio_PKCS8PrivateKey(bio, raw, nullptr, nullptr, 0, nullptr, nullptr)
                 : PEM_write_bio_PUBKEY(bio, raw);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (r == 1 && len > 0) out->assign(data, len);
    BIO_free(bio);
    return r == 1 && len > 0;
  };
  std::string priv_pem, pub_pem;
  if (!to_pem(true, &priv_pem) || !to_pem(false, &pub_pem)) {
    return Status::Error("cannot encode the key pair: " + OpenSslError());
  }
  Status s = WriteNewFile(priv_path, priv_pem, 0600);
  if (!s.ok()) return s;
  s = WriteNewFile(pub_path, pub_pem, 0644);
  if (!s.ok()) {
    ::unlink(priv_path.c_str());
    return s;
  }
  if (key_id != nullptr) *key_id = KeyIdOf(raw);
  return Status::Ok();
}

}  // namespace aimsgate::evidence
