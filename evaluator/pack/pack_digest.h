// A pack's digest: "sha256:" and the SHA-256 of the canonical JSON of its document,
// so that formatting and comments do not change it.  Taken when first asked for:
// loading a pack must not wait for OpenSSL's first SHA-256 set-up (≈ 5 M
// instructions), which `check` runs on another thread while the pack compiles
// (bench/README.md, "Start-up: the embedded YAML parsed at build time").
//
//   PackDigest d = PackDigest::Of(kernel::CanonicalJson(doc));
//   d.value();                     // "sha256:9f86d0…", computed once
//   PackDigest("sha256:…").value(); // a digest known already
//
// Copies share the one computation.  Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

namespace aimsgate {

class PackDigest {
 public:
  PackDigest() = default;  // "" until assigned
  explicit PackDigest(std::string value);
  // The digest of `canonical_json`, taken on the first value().
  static PackDigest Of(std::string canonical_json);

  const std::string& value() const;
  bool operator==(const PackDigest& other) const { return value() == other.value(); }
  bool operator!=(const PackDigest& other) const { return !(*this == other); }

 private:
  struct Cell {
    std::once_flag once;
    std::string canonical;  // released once hashed
    std::string value;
  };
  std::shared_ptr<Cell> cell_;
};

}  // namespace aimsgate
