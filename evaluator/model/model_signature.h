// Verifies an OpenSSF Model Signing (OMS v1.0) signature against a model
// directory, offline: the Sigstore bundle's DSSE signature (key or certificate
// chain), the in-toto statement, and the SHA-256 of every file (or shard).
//
//   ModelVerifyOptions o;
//   o.trust.public_key_path = "signing-key.pub";     // or trust.ca_path (+ cert_chain_path)
//   ModelSignatureResult r = VerifyModelSignature("model/", "model/model.sig", o);
//   if (r.ExitCode() == 2) for (auto& e : r.errors) std::cerr << e.ToString() << "\n";   // unreadable input
//   for (auto& f : r.failures) std::cerr << f.ToString() << "\n";                        // exit 1
//   // r.verified, r.signer, r.root_digest ("sha256:…"), r.files
//
// The signature file holds one bundle, or JSON Lines of bundles (claims.jsonl):
// the newest bundle that the given key or roots accept is the one checked.
// Files under DIR that the manifest does not list are failures, except the
// signature file itself, the manifest's serialization.ignore_paths and the git
// paths the reference signer ignores by default (.git, .gitattributes, .github,
// .gitignore at the top).  Every failure is reported, sorted by kind then path.
//
// Thread-safety: stateless; spawns up to `jobs` threads while hashing.
// Cost: reads every file once (one 1 MiB buffer per thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"
#include "evaluator/model/oms_trust.h"

namespace aimsgate::model {

struct ModelVerifyOptions {
  TrustOptions trust;
  int jobs = 0;  // 0: hardware concurrency
  // Model-relative names that are not "extra" when the manifest does not list them (the model
  // catalogue's README.md, bom.json and verify.yaml beside the model files); listed ones are checked.
  std::vector<std::string> ignore_unlisted;
};

enum class VerifyFailureKind {
  kKeyMismatch,     // the bundle names another key
  kSignature,       // the DSSE signature does not verify
  kCertificate,     // chain, validity or key usage
  kPayloadType,     // not an in-toto payload
  kStatementType,   // _type
  kPredicateType,   // predicateType
  kRootDigest,      // subject digest vs resources
  kStatement,       // malformed or unsupported statement
  kChanged,         // a file's (or shard's) digest differs
  kMissing,         // listed, not on disk
  kExtra,           // on disk, not listed
  kSymlink,         // symlink where the signature does not allow one
  kNotRegular,      // device, socket, pipe
};

struct VerifyFailure {
  VerifyFailureKind kind;
  std::string path;  // model-relative name; empty for signature-level failures
  std::string message;
  std::string ToString() const;  // "error: <path>: <message>" or "error: <message>"
};

struct ModelSignatureResult {
  bool verified = false;
  std::vector<Diagnostic> errors;  // unreadable or malformed input (exit 2)
  std::vector<VerifyFailure> failures;     // verification failures (exit 1)
  std::string mode;         // "key" | "certificate"
  std::string signer;
  std::string root_digest;  // "sha256:<hex>" of the signed manifest
  std::string model_name;   // subject name (informative)
  std::string method;       // "files" | "shards"
  size_t files = 0;         // distinct files checked
  size_t resources = 0;     // manifest entries (files or shards)
  size_t claims = 0;        // bundles in the signature file
  int ExitCode() const { return !errors.empty() ? 2 : verified ? 0 : 1; }
};

ModelSignatureResult VerifyModelSignature(const std::string& dir, const std::string& signature_path,
                                          const ModelVerifyOptions& options);

// The `model.signature` object rules read:
//   {verified: bool, signer, mode, rootDigest, files: int, errors: [string]}
void ModelSignatureToJson(const ModelSignatureResult& result, aimsgate::JsonValue* out,
                          aimsgate::JsonPool& allocator);

}  // namespace aimsgate::model
