// Internal to evaluator/model: the in-toto statement inside an OMS v1.0 DSSE
// envelope, checked and turned into the list of resources the model must match.
//
//   OmsManifest m;
//   std::string problem;
//   if (!ParseOmsStatement(payload, &m, &problem)) ...   // problem: why the statement is refused
//
// Checks: `_type` is https://in-toto.io/Statement/v1, `predicateType` is
// https://model_signing/signature/v1.0, one subject whose digest.sha256 equals
// SHA-256 over the raw resource digests in predicate order (how the reference
// signer builds it), serialization.method is files or shards with hash_type
// sha256, every resource is {name, algorithm: sha256, digest: 64 hex} and names
// are unique.  Stateless, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aimsgate::model {

inline constexpr char kInTotoPayloadType[] = "application/vnd.in-toto+json";
inline constexpr char kInTotoStatementType[] = "https://in-toto.io/Statement/v1";
inline constexpr char kOmsPredicateType[] = "https://model_signing/signature/v1.0";

struct OmsResource {
  std::string name;    // "dir/file" (files) or "dir/file:start:end" (shards)
  std::string digest;  // 64 lower-case hex digits
};

struct OmsManifest {
  std::string model_name;   // subject[0].name (informative)
  std::string root_digest;  // subject[0].digest.sha256, hex
  std::string method;       // "files" | "shards"
  bool allow_symlinks = false;
  uint64_t shard_size = 0;  // shards only
  std::vector<std::string> ignore_paths;
  std::vector<OmsResource> resources;  // predicate order
};

enum class StatementProblem { kNone, kMalformed, kWrongType, kWrongPredicate, kRootDigest, kUnsupported };

// False with *problem (a sentence) and *kind when the payload is refused.
bool ParseOmsStatement(std::string_view payload, OmsManifest* out, std::string* problem, StatementProblem* kind);

}  // namespace aimsgate::model
