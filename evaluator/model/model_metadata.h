// Model metadata for CI gates: a Hugging Face model card (Markdown with YAML
// front matter) and/or a CycloneDX 1.5+ ML-BOM, normalised into the one `model`
// object that rule expressions read (SPEC §6).
//
//   std::vector<aimsgate::Diagnostic> errors;
//   rapidjson::Document model;
//   if (!aimsgate::model::LoadModelMetadata("model/README.md", "model/bom.json",
//                                           &model, &errors)) {
//     for (const auto& e : errors) std::cerr << e.ToString() << "\n";  // file:line:col: error: ...
//   }
//   // model: {"name": "...", "license": "apache-2.0", "datasets": [...], "metrics": [...], ...}
//
// The normalised object always has every key (empty string / empty list when
// unknown), so expressions need no has() guards:
//   name, version, license, supplier, baseModel, architecture, task, library: string
//   datasets, languages, tags: [string]
//   metrics: [{name, type: string, value: double, dataset: string}]  (numeric values only)
//   limitations, ethicalConsiderations: [string]   (one entry per section or item)
//   societalImpact: [string]   (environmental / societal impact: HF co2_eq_emissions and
//                               "Environmental Impact"/"Societal Impact" sections,
//                               CycloneDX considerations.environmentalConsiderations)
//   dataPreparation: [string]  (HF "Preprocessing" sections)
//   intendedUse: string
//   sources: ["huggingface-model-card"?, "cyclonedx"?]
//   gpai: {generalPurpose: bool, technicalDocumentation, downstreamInformation, copyrightPolicy,
//          trainingDataSummary, evaluation, incidentReporting, cybersecurity: string (references),
//          trainingComputeFlop: double (-1 = not stated)}   (EU AI Act Art. 51, 53, 55; gpai.h)
// With both inputs, the model card's values win and the BOM fills what the card
// lacks; lists are merged without duplicates, metrics are concatenated.
//
// Thread-safety: stateless functions, safe to call concurrently.  Cost: linear in
// the input; inputs over kMaxInputBytes are rejected.  Never throws (yaml-cpp
// exceptions are caught and reported as errors with their position).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/diagnostic.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::model {

// Inputs larger than this are rejected (model cards and BOMs are kilobytes).
inline constexpr size_t kMaxInputBytes = 16u << 20;

struct Metric {
  std::string name;     // display name (falls back to type)
  std::string type;     // metric id, e.g. "accuracy", "f1", "wer"
  double value = 0;
  std::string dataset;  // dataset name or slice, may be empty
};

// What the EU AI Act asks of a general-purpose model's provider (gpai.h).
struct GpaiReferences {
  bool general_purpose = false;
  std::string technical_documentation, downstream_information, copyright_policy, training_data_summary;
  std::string evaluation, incident_reporting, cybersecurity;  // systemic risk (Art. 55)
  double training_compute_flop = -1;                          // -1 = not stated
};

struct ModelMetadata {
  std::string name;
  std::string version;
  std::string license;
  std::string supplier;
  std::string base_model;
  std::string architecture;
  std::string task;
  std::string library;
  std::vector<std::string> datasets;
  std::vector<std::string> languages;
  std::vector<std::string> tags;
  std::vector<Metric> metrics;
  std::vector<std::string> limitations;
  std::vector<std::string> ethical_considerations;
  std::vector<std::string> societal_impact;
  std::vector<std::string> data_preparation;
  std::string intended_use;
  std::vector<std::string> sources;
  GpaiReferences gpai;
};

// Parses a Hugging Face model card and merges it into *out (MergeModelMetadata:
// values already in *out win).  A card without front matter is valid (its
// Markdown sections are still read).  Returns false and appends errors (with the
// card's line and column) when the front matter is unterminated or malformed.
bool ParseHuggingFaceModelCard(std::string_view text, const std::string& source, ModelMetadata* out,
                               std::vector<Diagnostic>* errors);

// Parses a CycloneDX JSON BOM and reads its first component of type
// machine-learning-model (metadata.component first, then components[] depth
// first), merged into *out like the card.  Errors: malformed JSON (line:col), not a CycloneDX BOM, a
// specVersion before 1.5, no machine-learning-model component.
bool ParseCycloneDxBom(std::string_view text, const std::string& source, ModelMetadata* out,
                       std::vector<Diagnostic>* errors);

// Fills the empty fields of *into from `from` and merges lists (see above).
void MergeModelMetadata(const ModelMetadata& from, ModelMetadata* into);

// The normalised JSON object; *out becomes an object using its own allocator.
void ModelMetadataToJson(const ModelMetadata& metadata, aimsgate::JsonDocument* out);

// Reads and parses the files (either path may be empty), merges them and writes
// the normalised object to *out.  With both paths empty *out is null and the
// result is true.  Returns false when any file is unreadable or invalid; *out is
// then null.
bool LoadModelMetadata(const std::string& model_card_path, const std::string& bom_path,
                       aimsgate::JsonDocument* out, std::vector<Diagnostic>* errors);

}  // namespace aimsgate::model
