// Merging, JSON form and file loading of model metadata.
#include "evaluator/model/model_metadata.h"

#include "evaluator/kernel/json.h"
#include "evaluator/model/gpai.h"
#include "evaluator/model/metadata_util.h"

namespace aimsgate::model {
namespace {

void FillString(const std::string& from, std::string* into) {
  if (into->empty()) *into = from;
}

void MergeList(const std::vector<std::string>& from, std::vector<std::string>* into) {
  for (const std::string& s : from) AddUnique(s, into);
}

aimsgate::JsonValue StringValue(const std::string& s, aimsgate::JsonPool& a) {
  aimsgate::JsonValue v;
  v.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  return v;
}

void AddString(aimsgate::JsonDocument* doc, const char* key, const std::string& value) {
  auto& a = doc->GetAllocator();
  doc->AddMember(rapidjson::StringRef(key), StringValue(value, a), a);
}

void AddList(aimsgate::JsonDocument* doc, const char* key, const std::vector<std::string>& values) {
  auto& a = doc->GetAllocator();
  aimsgate::JsonValue list(rapidjson::kArrayType);
  for (const std::string& s : values) list.PushBack(StringValue(s, a), a);
  doc->AddMember(rapidjson::StringRef(key), list, a);
}

}  // namespace

void MergeModelMetadata(const ModelMetadata& from, ModelMetadata* into) {
  FillString(from.name, &into->name);
  FillString(from.version, &into->version);
  FillString(from.license, &into->license);
  FillString(from.supplier, &into->supplier);
  FillString(from.base_model, &into->base_model);
  FillString(from.architecture, &into->architecture);
  FillString(from.task, &into->task);
  FillString(from.library, &into->library);
  FillString(from.intended_use, &into->intended_use);
  MergeList(from.datasets, &into->datasets);
  MergeList(from.languages, &into->languages);
  MergeList(from.tags, &into->tags);
  MergeList(from.limitations, &into->limitations);
  MergeList(from.ethical_considerations, &into->ethical_considerations);
  MergeList(from.societal_impact, &into->societal_impact);
  MergeList(from.data_preparation, &into->data_preparation);
  MergeList(from.sources, &into->sources);
  into->metrics.insert(into->metrics.end(), from.metrics.begin(), from.metrics.end());
  MergeGpai(from.gpai, &into->gpai);
}

void ModelMetadataToJson(const ModelMetadata& m, aimsgate::JsonDocument* out) {
  out->SetObject();
  auto& a = out->GetAllocator();
  AddString(out, "name", m.name);
  AddString(out, "version", m.version);
  AddString(out, "license", m.license);
  AddString(out, "supplier", m.supplier);
  AddString(out, "baseModel", m.base_model);
  AddString(out, "architecture", m.architecture);
  AddString(out, "task", m.task);
  AddString(out, "library", m.library);
  AddList(out, "datasets", m.datasets);
  AddList(out, "languages", m.languages);
  AddList(out, "tags", m.tags);
  aimsgate::JsonValue metrics(rapidjson::kArrayType);
  for (const Metric& metric : m.metrics) {
    aimsgate::JsonValue v(rapidjson::kObjectType);
    v.AddMember("name", StringValue(metric.name, a), a);
    v.AddMember("type", StringValue(metric.type, a), a);
    v.AddMember("value", aimsgate::JsonValue(metric.value), a);
    v.AddMember("dataset", StringValue(metric.dataset, a), a);
    metrics.PushBack(v, a);
  }
  out->AddMember("metrics", metrics, a);
  AddList(out, "limitations", m.limitations);
  AddString(out, "intendedUse", m.intended_use);
  AddList(out, "ethicalConsiderations", m.ethical_considerations);
  AddList(out, "societalImpact", m.societal_impact);
  AddList(out, "dataPreparation", m.data_preparation);
  AddList(out, "sources", m.sources);
  out->AddMember("gpai", GpaiToJson(m.gpai, a), a);
}

bool LoadModelMetadata(const std::string& model_card_path, const std::string& bom_path,
                       aimsgate::JsonDocument* out, std::vector<Diagnostic>* errors) {
  out->SetNull();
  if (model_card_path.empty() && bom_path.empty()) return true;
  ModelMetadata merged;
  bool ok = true;
  std::string text;
  if (!model_card_path.empty()) {
    ok = ReadInputFile(model_card_path, &text, errors) &&
         ParseHuggingFaceModelCard(text, model_card_path, &merged, errors);
  }
  if (!bom_path.empty()) {
    bool bom_ok = ReadInputFile(bom_path, &text, errors) && ParseCycloneDxBom(text, bom_path, &merged, errors);
    ok = ok && bom_ok;
  }
  if (!ok) return false;
  ModelMetadataToJson(merged, out);
  return true;
}

}  // namespace aimsgate::model
