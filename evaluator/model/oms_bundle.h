// Internal to evaluator/model: the outer layers of an OpenSSF Model Signing (OMS)
// signature: a Sigstore bundle (JSON) holding a DSSE envelope, read without any
// trust decision.  A file may hold one bundle, or one bundle per line (the
// claims.jsonl layout, where attestations accumulate: oldest first).
//
//   std::vector<SigstoreBundle> bundles;
//   std::vector<Diagnostic> errors;
//   if (!ParseSigstoreBundles(text, "model.sig", &bundles, &errors)) ...   // located errors
//   std::string pae = DssePreAuthEncoding(b.payload_type, b.payload);      // what was signed
//
// Stateless, thread-safe, linear in the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {

struct SigstoreBundle {
  int line = 1;                             // where the bundle starts in the file (JSONL: its line)
  std::string media_type;
  std::string payload_type;                 // DSSE payloadType
  std::string payload;                      // DSSE payload, base64-decoded
  std::vector<std::string> signatures;      // DSSE signatures[].sig, base64-decoded
  std::string public_key_hint;              // verificationMaterial.publicKey.hint
  std::vector<std::string> certificates;    // DER: certificate.rawBytes or x509CertificateChain (leaf first)
  int64_t integrated_time = 0;              // first tlogEntries[].integratedTime (0 = none)
};

// Parses one JSON bundle, or JSON Lines of bundles.  False (with errors located at
// path:line:col) when the text is not JSON, a bundle lacks its DSSE envelope, or a
// base64 field does not decode.
bool ParseSigstoreBundles(std::string_view text, const std::string& path, std::vector<SigstoreBundle>* out,
                          std::vector<Diagnostic>* errors);

// DSSE v1 pre-authentication encoding: "DSSEv1 <len> <type> <len> <body>".
std::string DssePreAuthEncoding(std::string_view payload_type, std::string_view payload);

// Standard or URL-safe base64, padding optional (protobuf JSON accepts both).
bool DecodeBase64(std::string_view text, std::string* out);

}  // namespace aimsgate::model
