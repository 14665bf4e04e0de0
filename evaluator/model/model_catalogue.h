// The model catalogue (`check --models DIR`, `serve --models DIR`): the metadata of
// every model the organisation deploys, keyed by model id, so the model rules run per
// workload at admission and not only in CI with one --model-card.
//
//   DIR/<id>/README.md    Hugging Face model card (optional)
//   DIR/<id>/bom.json     CycloneDX 1.5+/1.6 ML-BOM (optional)
//   DIR/<id>/model.sig    OpenSSF Model Signing bundle (optional) ...
//   DIR/<id>/verify.yaml  ... with how to verify it (required beside model.sig):
//       publicKey: signing-key.pub     # key mode, or
//       ca: root.pem                   # certificate mode (+ certificateChain: chain.pem)
//       modelDir: /mnt/models/fraud    # the signed files; default: this folder
//     Paths are relative to the folder <id>.
//
//   std::vector<Diagnostic> errors;
//   auto catalogue = LoadModelCatalogue("models/", {}, &errors);   // null on error
//   std::string reason;
//   const CatalogueEntry* e = catalogue->Resolve("fraud-scorer@sha256:ab…", &reason);
//   // e->model: the normalised model object (model_metadata.h) plus `id` and, with
//   // model.sig, `signature` (model_signature.h); e == nullptr: `reason` says why.
//
// A folder holds at least one of README.md, bom.json and model.sig; names starting with
// '.' are skipped (a mounted ConfigMap's ..data links), other files at the top are ignored.
// Every model.sig is verified at load (every file of the model hashed once): a failed
// verification is data (signature.verified false, .errors), an unreadable or malformed
// input is a load error.
//
// Thread-safety: immutable after loading; share it by shared_ptr.  Cost of Resolve: one
// hash lookup.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {

struct CatalogueEntry {
  std::string id;        // folder name
  std::string folder;    // DIR/<id>
  std::string root_digest;  // "sha256:<hex>" of the signed manifest, "" without model.sig
  aimsgate::JsonDocument model;
};

struct CatalogueOptions {
  int64_t now_unix = 0;  // certificate validity when the bundle has no signing time; 0 = now
  int jobs = 0;          // hashing threads per model; 0 = hardware concurrency
};

class ModelCatalogue {
 public:
  const std::string& root() const { return root_; }
  size_t size() const { return entries_.size(); }
  const CatalogueEntry* Find(std::string_view id) const;
  // `reference` is a catalogue id or NAME@sha256:<64 hex> (matched against the root
  // digests of the catalogue's signatures; NAME picks among equal digests).  Null with
  // *reason ("model 'x' is not in the model catalogue DIR (models: a, b)") when unknown.
  const CatalogueEntry* Resolve(std::string_view reference, std::string* reason) const;
  // Ids in name order.
  std::vector<std::string> ids() const;

 private:
  friend std::shared_ptr<const ModelCatalogue> LoadModelCatalogue(const std::string&, const CatalogueOptions&,
                                                                   std::vector<Diagnostic>*);
  std::string root_;
  std::map<std::string, std::unique_ptr<CatalogueEntry>, std::less<>> entries_;
  std::multimap<std::string, const CatalogueEntry*, std::less<>> by_digest_;
};

std::shared_ptr<const ModelCatalogue> LoadModelCatalogue(const std::string& dir, const CatalogueOptions& options,
                                                         std::vector<Diagnostic>* errors);

}  // namespace aimsgate::model
