// CycloneDX ML-BOM reader (JSON, specVersion 1.5 and later): the component of
// type machine-learning-model and its modelCard (modelParameters,
// quantitativeAnalysis.performanceMetrics, considerations), licences, supplier
// and pedigree ancestors (base model).
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "evaluator/kernel/json.h"
#include "evaluator/model/gpai.h"
#include "evaluator/model/markdown_sections.h"
#include "evaluator/model/metadata_util.h"
#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {
namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxItems = 10000;

using Json = aimsgate::JsonValue;

const Json* Member(const Json& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string Str(const Json& v, const char* key) {
  const Json* m = Member(v, key);
  return m != nullptr && m->IsString() ? TrimAscii(std::string_view(m->GetString(), m->GetStringLength())) : "";
}

const Json* Array(const Json& v, const char* key) {
  const Json* m = Member(v, key);
  return m != nullptr && m->IsArray() ? m : nullptr;
}

// Every component of the BOM by bom-ref, and the ML models in document order
// (metadata.component first).
struct Components {
  std::unordered_map<std::string, const Json*> by_ref;
  std::vector<const Json*> models;
};

void Collect(const Json& component, int depth, Components* out) {
  if (!component.IsObject() || depth > kMaxDepth || out->by_ref.size() > kMaxItems) return;
  std::string ref = Str(component, "bom-ref");
  if (!ref.empty()) out->by_ref.emplace(ref, &component);
  if (Str(component, "type") == "machine-learning-model") out->models.push_back(&component);
  if (const Json* nested = Array(component, "components")) {
    for (const Json& c : nested->GetArray()) Collect(c, depth + 1, out);
  }
}

// licenses: [{license: {id | name}} | {expression}]
std::string License(const Json& component) {
  const Json* licenses = Array(component, "licenses");
  if (licenses == nullptr) return "";
  for (const Json& l : licenses->GetArray()) {
    std::string expression = Str(l, "expression");
    if (!expression.empty()) return expression;
    const Json* license = Member(l, "license");
    if (license == nullptr) continue;
    std::string id = Str(*license, "id");
    if (!id.empty()) return id;
    std::string name = Str(*license, "name");
    if (!name.empty()) return name;
  }
  return "";
}

void StringList(const Json& v, const char* key, std::vector<std::string>* out) {
  const Json* list = Array(v, key);
  if (list == nullptr) return;
  for (const Json& item : list->GetArray()) {
    if (item.IsString()) AddUnique(TrimAscii(std::string_view(item.GetString(), item.GetStringLength())), out);
  }
}

void ReadModelParameters(const Json& params, const Components& components, ModelMetadata* out) {
  out->task = Str(params, "task");
  std::string family = Str(params, "architectureFamily");
  std::string architecture = Str(params, "modelArchitecture");
  out->architecture = family.empty() ? architecture
                      : architecture.empty() ? family
                                             : family + " / " + architecture;
  // datasets: [{ref} | {type, name, ...}] (a ref names a component of type data)
  if (const Json* datasets = Array(params, "datasets")) {
    for (const Json& d : datasets->GetArray()) {
      std::string name = Str(d, "name");
      std::string ref = Str(d, "ref");
      if (name.empty() && !ref.empty()) {
        auto it = components.by_ref.find(ref);
        name = it != components.by_ref.end() ? Str(*it->second, "name") : ref;
      }
      AddUnique(name, &out->datasets);
    }
  }
}

void ReadMetrics(const Json& analysis, ModelMetadata* out) {
  const Json* metrics = Array(analysis, "performanceMetrics");
  if (metrics == nullptr) return;
  for (const Json& m : metrics->GetArray()) {
    if (out->metrics.size() >= kMaxItems) break;
    Metric metric;
    metric.type = Str(m, "type");
    metric.name = metric.type;
    metric.dataset = Str(m, "slice");
    const Json* value = Member(m, "value");
    bool ok = false;
    if (value != nullptr && value->IsNumber()) {
      metric.value = value->GetDouble();
      ok = true;
    } else if (value != nullptr && value->IsString()) {
      ok = ParseNumber(value->GetString(), &metric.value);  // the schema types value as a string
    }
    if (ok && !metric.type.empty()) out->metrics.push_back(std::move(metric));
  }
}

void ReadConsiderations(const Json& c, ModelMetadata* out) {
  std::vector<std::string> use_cases;
  StringList(c, "useCases", &use_cases);
  std::string uses;
  for (const std::string& u : use_cases) uses += (uses.empty() ? "" : "; ") + u;
  out->intended_use = uses;
  StringList(c, "technicalLimitations", &out->limitations);
  if (const Json* ethical = Array(c, "ethicalConsiderations")) {
    for (const Json& e : ethical->GetArray()) {
      std::string text = Str(e, "name");
      std::string mitigation = Str(e, "mitigationStrategy");
      if (!mitigation.empty()) text += (text.empty() ? "" : " ") + std::string("(mitigation: ") + mitigation + ")";
      AddUnique(text, &out->ethical_considerations);
    }
  }
  // environmentalConsiderations (1.6): {energyConsumptions: [{activity, activityEnergyCost: {value, unit}}], properties}
  if (const Json* env = Member(c, "environmentalConsiderations")) {
    if (const Json* energy = Array(*env, "energyConsumptions")) {
      for (const Json& e : energy->GetArray()) {
        std::string text = "energy: " + Str(e, "activity");
        if (const Json* cost = Member(e, "activityEnergyCost")) {
          const Json* value = Member(*cost, "value");
          if (value != nullptr && value->IsNumber()) {
            std::ostringstream v;
            v << value->GetDouble();
            text += " " + v.str() + " " + Str(*cost, "unit");
          }
        }
        AddUnique(TrimAscii(text), &out->societal_impact);
      }
    }
    if (out->societal_impact.empty() && env->IsObject() && env->MemberCount() > 0) {
      AddUnique("environmental considerations declared", &out->societal_impact);
    }
  }
  if (const Json* fairness = Array(c, "fairnessAssessments")) {
    for (const Json& f : fairness->GetArray()) {
      std::string group = Str(f, "groupAtRisk");
      std::string harms = Str(f, "harms");
      if (!group.empty() || !harms.empty()) {
        AddUnique("fairness: " + group + (harms.empty() ? "" : ": " + harms), &out->ethical_considerations);
      }
    }
  }
}

// "1.6" -> 106; -1 when malformed.
int SpecVersion(const std::string& v) {
  size_t dot = v.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 >= v.size()) return -1;
  char* end = nullptr;
  long major = std::strtol(v.c_str(), &end, 10);
  if (end != v.c_str() + dot) return -1;
  long minor = std::strtol(v.c_str() + dot + 1, &end, 10);
  if (*end != '\0' || major < 0 || minor < 0 || minor > 99 || major > 99) return -1;
  return static_cast<int>(major * 100 + minor);
}

}  // namespace

bool ParseCycloneDxBom(std::string_view text, const std::string& source, ModelMetadata* out,
                       std::vector<Diagnostic>* errors) {
  if (text.size() > kMaxInputBytes) {
    AddError(errors, source, 0, 0, "BOM is larger than 16 MiB");
    return false;
  }
  aimsgate::JsonDocument doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    int line = 0, column = 0;
    LineColumn(text, doc.GetErrorOffset(), &line, &column);
    AddError(errors, source, line, column,
             std::string("malformed JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()));
    return false;
  }
  if (!doc.IsObject() || Str(doc, "bomFormat") != "CycloneDX") {
    AddError(errors, source, 1, 1, "not a CycloneDX BOM (bomFormat must be \"CycloneDX\"; only the JSON format is read)");
    return false;
  }
  std::string spec = Str(doc, "specVersion");
  int version = SpecVersion(spec);
  if (version < 105) {
    AddError(errors, source, 1, 1,
             "CycloneDX specVersion '" + spec + "' has no ML-BOM: machine-learning-model components need 1.5 or later");
    return false;
  }
  Components components;
  if (const Json* metadata = Member(doc, "metadata")) {
    if (const Json* main = Member(*metadata, "component")) Collect(*main, 0, &components);
  }
  if (const Json* list = Array(doc, "components")) {
    for (const Json& c : list->GetArray()) Collect(c, 0, &components);
  }
  if (components.models.empty()) {
    AddError(errors, source, 1, 1, "the BOM has no component of type \"machine-learning-model\"");
    return false;
  }
  const Json& model = *components.models.front();
  ModelMetadata bom;
  bom.name = Str(model, "name");
  bom.version = Str(model, "version");
  bom.license = License(model);
  if (const Json* supplier = Member(model, "supplier")) bom.supplier = Str(*supplier, "name");
  if (bom.supplier.empty()) {
    if (const Json* manufacturer = Member(model, "manufacturer")) bom.supplier = Str(*manufacturer, "name");
  }
  StringList(model, "tags", &bom.tags);
  if (const Json* pedigree = Member(model, "pedigree")) {
    if (const Json* ancestors = Array(*pedigree, "ancestors")) {
      std::string base;
      for (const Json& a : ancestors->GetArray()) {
        std::string name = Str(a, "name");
        if (!name.empty()) base += (base.empty() ? "" : ", ") + name;
      }
      bom.base_model = base;
    }
  }
  if (const Json* card = Member(model, "modelCard")) {
    if (const Json* params = Member(*card, "modelParameters")) ReadModelParameters(*params, components, &bom);
    if (const Json* analysis = Member(*card, "quantitativeAnalysis")) ReadMetrics(*analysis, &bom);
    if (const Json* considerations = Member(*card, "considerations")) ReadConsiderations(*considerations, &bom);
  }
  ReadGpaiComponent(model, &bom.gpai);
  bom.sources.push_back("cyclonedx");
  MergeModelMetadata(bom, out);
  return true;
}

}  // namespace aimsgate::model
