#include "evaluator/pack/model_binding.h"

#include "evaluator/kernel/json.h"
#include "evaluator/model/model_catalogue.h"

namespace aimsgate {
namespace {

const aimsgate::JsonValue* Member(const aimsgate::JsonValue* v, const char* key) {
  if (v == nullptr || !v->IsObject()) return nullptr;
  auto it = v->FindMember(key);
  return it == v->MemberEnd() ? nullptr : &it->value;
}

std::string StringAt(const aimsgate::JsonValue* map, const std::string& key) {
  if (map == nullptr || !map->IsObject()) return "";
  auto it = map->FindMember(key.c_str());
  return it != map->MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The pod template's metadata, as the pack's templateOf() finds it.
const aimsgate::JsonValue* TemplateMetadata(const aimsgate::JsonValue& object) {
  const aimsgate::JsonValue* kind = Member(&object, "kind");
  if (kind == nullptr || !kind->IsString() || std::string(kind->GetString()) == "Pod") return nullptr;
  const aimsgate::JsonValue* spec = Member(&object, "spec");
  if (std::string(kind->GetString()) == "CronJob") spec = Member(Member(spec, "jobTemplate"), "spec");
  return Member(Member(spec, "template"), "metadata");
}

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

}  // namespace

void BindModelFromCatalogue(const model::ModelCatalogue& catalogue, const aimsgate::JsonValue& object,
                            const std::string& prefix, const aimsgate::JsonValue* inventory_entry, ModelBinding* out) {
  const std::string key = prefix + "model";
  std::string reference = Trim(StringAt(Member(Member(&object, "metadata"), "annotations"), key)), source;
  if (!reference.empty()) {
    source = "metadata.annotations['" + key + "']";
  } else if (!(reference = Trim(StringAt(Member(TemplateMetadata(object), "annotations"), key))).empty()) {
    source = std::string(StringAt(&object, "kind") == "CronJob" ? "spec.jobTemplate.spec.template" : "spec.template") +
             ".metadata.annotations['" + key + "']";
  } else if (!(reference = Trim(StringAt(inventory_entry, "model"))).empty()) {
    source = "inventory entry '" + StringAt(inventory_entry, "id") + "' (model)";
  } else {
    return;
  }
  std::string reason;
  const model::CatalogueEntry* entry = catalogue.Resolve(reference, &reason);
  out->model = entry ? &entry->model : nullptr;
  aimsgate::JsonDocument& ref = out->ref.emplace();
  auto& a = ref.GetAllocator();
  auto str = [&](const std::string& s) { return aimsgate::JsonValue(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); };
  ref.SetObject();
  ref.AddMember("reference", str(reference), a);
  ref.AddMember("source", str(source), a);
  ref.AddMember("id", str(entry ? entry->id : ""), a);
  ref.AddMember("found", entry != nullptr, a);
  ref.AddMember("reason", str(entry ? "" : reason + " (read from " + source + ")"), a);
}

std::shared_ptr<const model::ModelCatalogue> LoadModelCatalogueInput(const std::string& dir, int64_t now_unix,
                                                                     std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> errors;
  model::CatalogueOptions options;
  options.now_unix = now_unix;
  auto catalogue = model::LoadModelCatalogue(dir, options, &errors);
  diagnostics->insert(diagnostics->end(), errors.begin(), errors.end());
  return catalogue;
}

}  // namespace aimsgate
