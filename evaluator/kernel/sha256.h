// The one SHA-256 of the project (object digests, the evidence chain, key ids, pack digests,
// the webhook's TLS session binding).
//
//   std::string h = kernel::Sha256Hex("abc");   // "ba7816bf…", 64 lower-case hex digits
//   kernel::Sha256 s; s.Update(chunk); … s.HexDigest();   // or s.Digest(bytes): 32 raw bytes
//
// Thread-safety: stateless. Cost: linear in the input (OpenSSL EVP).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace aimsgate::kernel {

inline constexpr size_t kSha256Bytes = 32;

std::string Sha256Hex(std::string_view data);

// Incremental SHA-256 for input read in pieces (model files, Merkle roots):
//   Sha256 h; h.Update(a); h.Update(b); std::string hex = h.HexDigest();
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Ends the hash; the object must not be updated afterwards.
  std::string HexDigest();
  // Ends the hash into 32 raw bytes (a TLS session's binding); false on failure.
  bool Digest(unsigned char (&out)[kSha256Bytes]);

 private:
  EVP_MD_CTX* ctx_;
};
// Lower-case hex of `size` bytes.
std::string HexEncode(const unsigned char* bytes, size_t size);

}  // namespace aimsgate::kernel
