// Canonical JSON and SHA-256 for evidence: the hash of an object must not depend
// on key order or whitespace.
//
//   std::string c = manifest::CanonicalJson(*resource.object);  // {"a":1,"b":[true]}
//   std::string h = manifest::Sha256Hex(c);                     // 64 lowercase hex digits
//
// CanonicalJson: object members sorted by key in UTF-16 code-unit order (RFC 8785),
// no whitespace, strings and numbers as RapidJSON writes them (ints as ints,
// doubles in shortest round-trip form such as 1.0 or 1e21; NaN and Infinity,
// which only YAML can produce, as NaN/Infinity/-Infinity). Recursion depth is
// that of the value (the loader bounds it with Limits::max_depth).
// Thread-safe; allocates only the output and a sort buffer per object.
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/kernel/sha256.h"

namespace aimsgate::manifest {

std::string CanonicalJson(const rapidjson::Value& value);

// SHA-256 of `data` (OpenSSL EVP) as lowercase hex.
using kernel::Sha256Hex;  // the one SHA-256 (evaluator/kernel/sha256.h)

}  // namespace aimsgate::manifest
