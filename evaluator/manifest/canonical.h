// Canonical JSON and SHA-256 of objects: the hash of an object must not depend on key order or
// whitespace, nor on whether it was read from YAML or JSON.
//
//   std::string c = manifest::CanonicalJson(*resource.object);  // {"a":1,"b":[true]}
//   std::string h = manifest::Sha256Hex(c);                     // 64 lowercase hex digits
//
// Both are the kernel's one implementation (evaluator/kernel/canonical_json.h has the rules:
// keys sorted byte-wise, the evidence log's canonical form), so an object's digest and the
// evidence chain are computed by the same writer.
#pragma once

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::manifest {

using kernel::CanonicalJson;
using kernel::Sha256Hex;

}  // namespace aimsgate::manifest
