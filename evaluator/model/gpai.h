// The EU AI Act general-purpose model references (Art. 53, 55) and training
// compute (Art. 51) in model metadata: read from a Hugging Face model card's
// front matter and a CycloneDX component's properties, normalised into
// `model.gpai` (model_metadata.h).
//
//   Model card front matter:                CycloneDX model component properties:
//     gpai:                                   {"name": "aimsgate:gpai:<key>", "value": "..."}
//       general_purpose: true                 with <key> = general-purpose, technical-documentation,
//       technical_documentation: https://...  downstream-information, copyright-policy,
//       downstream_information: https://...   training-data-summary, training-compute-flop,
//       copyright_policy: https://...         evaluation, incident-reporting, cybersecurity;
//       training_data_summary: https://...    an externalReference of type "documentation"
//       training_compute_flop: 3.2e25         stands for technical-documentation.
//       evaluation: https://...
//       incident_reporting: https://...
//       cybersecurity: https://...
//
// Thread-safety: stateless.  Internal to evaluator/model.
#pragma once

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {

void ReadGpaiFrontMatter(const YAML::Node& root, GpaiReferences* out);
void ReadGpaiComponent(const aimsgate::JsonValue& component, GpaiReferences* out);
// Fills what `into` lacks from `from`.
void MergeGpai(const GpaiReferences& from, GpaiReferences* into);
// {generalPurpose, technicalDocumentation, downstreamInformation, copyrightPolicy,
//  trainingDataSummary, trainingComputeFlop (-1 = not stated), evaluation,
//  incidentReporting, cybersecurity}
aimsgate::JsonValue GpaiToJson(const GpaiReferences& g, aimsgate::JsonPool& a);

}  // namespace aimsgate::model
