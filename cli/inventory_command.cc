// aimsgate inventory discover [PATH…|-]: the AI systems in the input, found with the pack's
// own isAISystem (evaluator/pack/ai_discovery.h), as a table, a `kind: Inventory` draft of the
// unregistered ones (the shadow-AI list), or a CycloneDX 1.6 ML-BOM (docs/inventory.md).

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/output_file.h"
#include "cli/scan.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/model/model_catalogue.h"
#include "evaluator/pack/ai_discovery.h"

namespace aimsgate::cli {
namespace {

struct DiscoverFlags {
  EngineOptions engine;
  std::vector<std::string> paths;
  std::string format = "table";
  std::string output;
  std::string models;  // --models: the catalogue fills the BOM's model components
  int64_t max_file_bytes = 64ll << 20;
  bool allow_empty = false;
};

// One AI workload found in the input.
struct Workload {
  std::string api_version, kind, namespace_, name, source;
  int line = 0;
  AiSystemFacts facts;
  std::string where() const { return (namespace_.empty() ? "" : namespace_ + "/") + kind + "/" + name; }
};

// The workloads of one system id (the annotation, else the workload's name).
struct System {
  std::string id;
  bool declared_id = false;  // the id comes from the system-id annotation
  const aimsgate::JsonValue* entry = nullptr;  // the inventory's, or null
  std::vector<const Workload*> workloads;
};

std::string StringAt(const aimsgate::JsonValue* v, const char* key) {
  if (v == nullptr || !v->IsObject()) return "";
  auto it = v->FindMember(key);
  return it != v->MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

using kernel::Member;

// First non-empty of the workloads' values (in input order), else the inventory's.
std::string FirstOf(const System& s, std::string AiSystemFacts::*member, const char* inventory_key = nullptr) {
  for (const Workload* w : s.workloads) {
    if (!(w->facts.*member).empty()) return w->facts.*member;
  }
  return inventory_key ? StringAt(s.entry, inventory_key) : "";
}

std::string YamlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void PrintTable(const std::vector<System>& systems, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"SYSTEM", "WHERE", "OWNER", "RISK", "REGISTERED"}};
  for (const System& s : systems) {
    for (const Workload* w : s.workloads) {
      std::string owner = w->facts.owner.empty() ? StringAt(s.entry, "owner") : w->facts.owner;
      std::string tier = w->facts.risk_tier.empty() ? StringAt(s.entry, "riskTier") : w->facts.risk_tier;
      rows.push_back({s.declared_id ? s.id : "-", w->where(), owner.empty() ? "-" : owner, tier.empty() ? "-" : tier,
                      s.entry ? "yes" : "no"});
    }
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
}

void PrintInventoryDraft(const std::vector<System>& systems, bool have_inventory, std::ostream& out) {
  size_t n = 0;
  for (const System& s : systems) n += s.entry ? 0 : 1;
  out << "# AI systems found by `aimsgate inventory discover` that are not in "
      << (have_inventory ? "--inventory" : "an inventory (none given)") << ": " << n << ".\n"
      << "# A draft for the AI-system register (docs/inventory.md): fill in owner, riskTier,\n"
      << "# intendedPurpose and the impact assessments, then name each workload's entry with\n"
      << "# the annotation aimsgate.io/system-id.\n"
      << "apiVersion: aimsgate.io/v1alpha1\n"
      << "kind: Inventory\n"
      << "metadata:\n"
      << "  name: discovered-ai-systems\n";
  if (n == 0) {
    out << "systems: []\n";
    return;
  }
  out << "systems:\n";
  for (const System& s : systems) {
    if (s.entry) continue;
    out << "- id: " << YamlString(s.id) << "\n";
    for (const Workload* w : s.workloads) {
      out << "  # " << w->where() << " (" << w->source << ":" << w->line << "): ";
      for (size_t i = 0; i < w->facts.reasons.size(); ++i) out << (i ? ", " : "") << w->facts.reasons[i];
      out << "\n";
    }
    out << "  owner: " << YamlString(FirstOf(s, &AiSystemFacts::owner)) << "\n";
    out << "  riskTier: " << YamlString(FirstOf(s, &AiSystemFacts::risk_tier)) << "\n";
    out << "  intendedPurpose: " << YamlString(FirstOf(s, &AiSystemFacts::intended_purpose)) << "\n";
    const std::string model = FirstOf(s, &AiSystemFacts::model);
    if (!model.empty()) out << "  model: " << YamlString(model) << "\n";
    out << "  impactAssessments: []\n";
    const std::string supplier = FirstOf(s, &AiSystemFacts::supplier);
    if (supplier.empty()) {
      out << "  suppliers: []\n";
    } else {
      out << "  suppliers:\n  - name: " << YamlString(supplier) << "\n";
    }
  }
}

// name and version of an image reference: "repo:tag@sha256:…" → ("repo", "tag@sha256:…").
std::pair<std::string, std::string> SplitImage(const std::string& image) {
  size_t at = image.find('@');
  std::string head = image.substr(0, at), digest = at == std::string::npos ? "" : image.substr(at + 1);
  size_t slash = head.rfind('/'), colon = head.rfind(':');
  std::string tag;
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = head.substr(colon + 1);
    head = head.substr(0, colon);
  }
  std::string version = tag.empty() ? digest : digest.empty() ? tag : tag + "@" + digest;
  return {head, version};
}

// The catalogue entry a system's model reference (annotation, else register) names, or null with *reason.
const model::CatalogueEntry* CatalogueModel(const System& s, const model::ModelCatalogue* catalogue, std::string* reason) {
  if (catalogue == nullptr) return nullptr;
  std::string reference = FirstOf(s, &AiSystemFacts::model, "model");
  if (reference.empty()) return nullptr;
  return catalogue->Resolve(reference, reason);
}

std::string JsonString(const aimsgate::JsonValue& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

void PrintCycloneDx(const std::vector<System>& systems, size_t objects, const model::ModelCatalogue* catalogue,
                    std::ostream& out) {
  aimsgate::JsonDocument bom(rapidjson::kObjectType);
  auto& a = bom.GetAllocator();
  auto str = [&](const std::string& s) { return aimsgate::JsonValue(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); };
  auto property = [&](aimsgate::JsonValue* props, const std::string& name, const std::string& value) {
    if (value.empty()) return;
    aimsgate::JsonValue p(rapidjson::kObjectType);
    p.AddMember("name", str(name), a).AddMember("value", str(value), a);
    props->PushBack(p, a);
  };
  bom.AddMember("bomFormat", "CycloneDX", a);
  bom.AddMember("specVersion", "1.6", a);
  bom.AddMember("version", 1, a);
  aimsgate::JsonValue metadata(rapidjson::kObjectType), tools(rapidjson::kObjectType), tool_list(rapidjson::kArrayType),
      tool(rapidjson::kObjectType);
  tool.AddMember("type", "application", a).AddMember("name", "aimsgate", a).AddMember("version", str(AIMSGATE_VERSION), a);
  tool_list.PushBack(tool, a);
  tools.AddMember("components", tool_list, a);
  metadata.AddMember("tools", tools, a);
  aimsgate::JsonValue meta_props(rapidjson::kArrayType);
  property(&meta_props, "aimsgate:discovery:objects", std::to_string(objects));
  property(&meta_props, "aimsgate:discovery:ai-systems", std::to_string(systems.size()));
  metadata.AddMember("properties", meta_props, a);
  bom.AddMember("metadata", metadata, a);

  aimsgate::JsonValue components(rapidjson::kArrayType), dependencies(rapidjson::kArrayType);
  std::map<std::string, std::set<std::string>> image_users;  // image -> model refs (sorted, unique)
  for (const System& s : systems) {
    const std::string ref = "model:" + s.id;
    aimsgate::JsonValue c(rapidjson::kObjectType), props(rapidjson::kArrayType), refs(rapidjson::kArrayType);
    const std::string model = FirstOf(s, &AiSystemFacts::model, "model");
    std::string unknown;
    const model::CatalogueEntry* entry = CatalogueModel(s, catalogue, &unknown);
    const aimsgate::JsonValue* meta = entry ? &entry->model : nullptr;
    c.AddMember("type", "machine-learning-model", a);
    c.AddMember("bom-ref", str(ref), a);
    const std::string card_name = meta ? JsonString(*meta, "name") : "";
    c.AddMember("name", str(!card_name.empty() ? card_name : model.empty() ? s.id : model), a);
    if (meta && !JsonString(*meta, "version").empty()) c.AddMember("version", str(JsonString(*meta, "version")), a);
    if (entry && entry->root_digest.size() == 7 + 64) {
      // The signed manifest's root digest identifies exactly the files deployed.
      aimsgate::JsonValue hashes(rapidjson::kArrayType), h(rapidjson::kObjectType);
      h.AddMember("alg", "SHA-256", a).AddMember("content", str(entry->root_digest.substr(7)), a);
      hashes.PushBack(h, a);
      c.AddMember("hashes", hashes, a);
    }
    if (meta && !JsonString(*meta, "license").empty()) {
      aimsgate::JsonValue licenses(rapidjson::kArrayType), l(rapidjson::kObjectType), lic(rapidjson::kObjectType);
      lic.AddMember("name", str(JsonString(*meta, "license")), a);
      l.AddMember("license", lic, a);
      licenses.PushBack(l, a);
      c.AddMember("licenses", licenses, a);
    }
    std::string supplier = FirstOf(s, &AiSystemFacts::supplier);
    if (supplier.empty() && meta) supplier = JsonString(*meta, "supplier");
    if (!supplier.empty()) {
      aimsgate::JsonValue sup(rapidjson::kObjectType);
      sup.AddMember("name", str(supplier), a);
      c.AddMember("supplier", sup, a);
    }
    const std::string purpose = FirstOf(s, &AiSystemFacts::intended_purpose, "intendedPurpose");
    std::string format = FirstOf(s, &AiSystemFacts::model_format);
    if (format.empty() && meta) format = JsonString(*meta, "architecture");
    const std::string task = meta ? JsonString(*meta, "task") : "";
    const aimsgate::JsonValue* datasets = meta && meta->HasMember("datasets") ? &(*meta)["datasets"] : nullptr;
    const aimsgate::JsonValue* metrics = meta && meta->HasMember("metrics") ? &(*meta)["metrics"] : nullptr;
    const bool has_datasets = datasets && datasets->IsArray() && !datasets->Empty();
    const bool has_metrics = metrics && metrics->IsArray() && !metrics->Empty();
    if (!purpose.empty() || !format.empty() || !task.empty() || has_datasets || has_metrics) {
      aimsgate::JsonValue card(rapidjson::kObjectType);
      if (!format.empty() || !task.empty() || has_datasets) {
        aimsgate::JsonValue params(rapidjson::kObjectType);
        if (!task.empty()) params.AddMember("task", str(task), a);
        if (!format.empty()) params.AddMember("modelArchitecture", str(format), a);
        if (has_datasets) {
          aimsgate::JsonValue list(rapidjson::kArrayType);
          for (const auto& d : datasets->GetArray()) {
            if (!d.IsString()) continue;
            aimsgate::JsonValue data(rapidjson::kObjectType);
            data.AddMember("type", "dataset", a).AddMember("name", str(d.GetString()), a);
            list.PushBack(data, a);
          }
          params.AddMember("datasets", list, a);
        }
        card.AddMember("modelParameters", params, a);
      }
      if (has_metrics) {
        aimsgate::JsonValue analysis(rapidjson::kObjectType), list(rapidjson::kArrayType);
        for (const auto& m : metrics->GetArray()) {
          if (!m.IsObject() || !m.HasMember("value") || !m["value"].IsNumber()) continue;
          aimsgate::JsonValue metric(rapidjson::kObjectType);
          std::ostringstream value;
          value << m["value"].GetDouble();
          metric.AddMember("type", str(JsonString(m, "type").empty() ? JsonString(m, "name") : JsonString(m, "type")), a);
          metric.AddMember("value", str(value.str()), a);
          if (!JsonString(m, "dataset").empty()) metric.AddMember("slice", str(JsonString(m, "dataset")), a);
          list.PushBack(metric, a);
        }
        analysis.AddMember("performanceMetrics", list, a);
        card.AddMember("quantitativeAnalysis", analysis, a);
      }
      if (!purpose.empty()) {
        aimsgate::JsonValue considerations(rapidjson::kObjectType), uses(rapidjson::kArrayType);
        uses.PushBack(str(purpose), a);
        considerations.AddMember("useCases", uses, a);
        card.AddMember("considerations", considerations, a);
      }
      c.AddMember("modelCard", card, a);
    }
    const std::string card_url = FirstOf(s, &AiSystemFacts::model_card);
    if (!card_url.empty()) {
      aimsgate::JsonValue ext(rapidjson::kArrayType), e(rapidjson::kObjectType);
      e.AddMember("type", "model-card", a).AddMember("url", str(card_url), a);
      ext.PushBack(e, a);
      c.AddMember("externalReferences", ext, a);
    }
    property(&props, "aimsgate:system-id", s.declared_id ? s.id : "");
    property(&props, "aimsgate:registered", s.entry ? "true" : "false");
    property(&props, "aimsgate:owner", FirstOf(s, &AiSystemFacts::owner, "owner"));
    property(&props, "aimsgate:risk-tier", FirstOf(s, &AiSystemFacts::risk_tier, "riskTier"));
    property(&props, "aimsgate:model-source", FirstOf(s, &AiSystemFacts::model_source));
    property(&props, "aimsgate:data-provenance", FirstOf(s, &AiSystemFacts::data_provenance));
    property(&props, "aimsgate:model-storage-uri", FirstOf(s, &AiSystemFacts::storage_uri));
    if (catalogue != nullptr && !model.empty()) {
      property(&props, "aimsgate:model-catalogue-id", entry ? entry->id : "");
      property(&props, "aimsgate:model-unknown", unknown);
      const aimsgate::JsonValue* sig = meta && meta->HasMember("signature") ? &(*meta)["signature"] : nullptr;
      property(&props, "aimsgate:model-signature",
               !entry ? "" : !sig ? "unsigned" : (*sig)["verified"].IsBool() && (*sig)["verified"].GetBool() ? "verified" : "failed");
      if (sig) property(&props, "aimsgate:model-signer", JsonString(*sig, "signer"));
    }
    std::set<std::string> images;
    for (const Workload* w : s.workloads) {
      property(&props, "aimsgate:workload", w->where());
      std::string reasons;
      for (const auto& r : w->facts.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
      property(&props, "aimsgate:detected-by", w->where() + ": " + reasons);
      for (const auto& i : w->facts.images) images.insert(i);
    }
    c.AddMember("properties", props, a);
    components.PushBack(c, a);
    aimsgate::JsonValue dep(rapidjson::kObjectType), on(rapidjson::kArrayType);
    for (const auto& i : images) {
      on.PushBack(str("image:" + i), a);
      image_users[i].insert(ref);
    }
    dep.AddMember("ref", str(ref), a);
    dep.AddMember("dependsOn", on, a);
    dependencies.PushBack(dep, a);
  }
  for (const auto& [image, users] : image_users) {
    auto [name, version] = SplitImage(image);
    aimsgate::JsonValue c(rapidjson::kObjectType);
    c.AddMember("type", "container", a);
    c.AddMember("bom-ref", str("image:" + image), a);
    c.AddMember("name", str(name), a);
    if (!version.empty()) c.AddMember("version", str(version), a);
    components.PushBack(c, a);
    aimsgate::JsonValue dep(rapidjson::kObjectType);
    dep.AddMember("ref", str("image:" + image), a);
    dependencies.PushBack(dep, a);
  }
  bom.AddMember("components", components, a);
  bom.AddMember("dependencies", dependencies, a);
  aimsgate::JsonStringBuffer buffer;
  aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  bom.Accept(writer);
  out << buffer.GetString() << "\n";
}

int RunDiscover(const DiscoverFlags& f) {
  std::vector<FileUse> uses = {{"-o " + f.output, f.output, true},
                               {"--inventory " + f.engine.inventory_path, f.engine.inventory_path, false}};
  for (const auto& p : f.paths) uses.push_back({"input " + p, p, false});
  for (const auto& p : f.engine.rule_paths) uses.push_back({"--rules " + p, p, false});
  if (std::string conflict = SameFileConflict(uses); !conflict.empty()) {
    std::cerr << "aimsgate inventory discover: error: " << conflict << "\n";
    return 2;
  }
  std::vector<Diagnostic> diags;
  auto finder = AiSystemFinder::Load(f.engine, &diags);
  PrintDiagnostics(diags);
  if (!finder) return 2;
  std::shared_ptr<const Inventory> inventory;
  if (!f.engine.inventory_path.empty()) {
    std::vector<Diagnostic> inv_diags;
    inventory = LoadInventory(f.engine.inventory_path, &inv_diags);
    PrintDiagnostics(inv_diags);
    if (!inventory) return 2;
  }
  std::shared_ptr<const model::ModelCatalogue> catalogue;
  if (!f.models.empty()) {
    std::vector<Diagnostic> model_errors;
    catalogue = model::LoadModelCatalogue(f.models, {}, &model_errors);
    for (const auto& e : model_errors) std::cerr << e.ToString() << "\n";
    if (!catalogue) return 2;
  }
  std::vector<Diagnostic> errors;
  const std::vector<std::string> paths = f.paths.empty() ? std::vector<std::string>{"-"} : f.paths;
  std::vector<std::string> files = ExpandInputs(paths, &errors);
  // As `check` does: a file named on the command line is read as manifests whatever it holds; a file
  // found by walking a directory that holds no Kubernetes object (values.yaml, a model card's bom.json)
  // or is an unrendered Helm template is skipped.
  const std::set<std::string> named = NamedFiles(paths);
  // Workloads keep their facts only; each object is freed once probed, so a
  // cluster-sized List on stdin holds one item at a time.
  std::vector<std::unique_ptr<Workload>> workloads;
  size_t objects = 0;
  cel::EvalState scratch;
  for (const std::string& path : files) {
    const bool walked = path != "-" && named.count(path) == 0;
    ManifestInput input = ReadManifests(path, walked, f.max_file_bytes, &errors, [&](const manifest::Resource& res) {
      const aimsgate::JsonValue& object = *res.object;
      auto w = std::make_unique<Workload>();
      std::string error;
      if (!finder->Probe(object, &scratch, &w->facts, &error)) {
        errors.push_back({res.source, res.line, res.column, "cannot tell whether this is an AI system: " + error});
        return true;
      }
      if (!w->facts.ai) return true;
      w->api_version = StringAt(&object, "apiVersion");
      w->kind = StringAt(&object, "kind");
      const aimsgate::JsonValue* metadata = Member(object, "metadata");
      w->name = StringAt(metadata, "name");
      if (w->name.empty()) w->name = StringAt(metadata, "generateName");
      w->namespace_ = StringAt(metadata, "namespace");
      w->source = res.source;
      w->line = res.line;
      workloads.push_back(std::move(w));
      return true;
    });
    objects += input.objects;
  }
  for (const auto& e : errors) std::cerr << e.ToString() << "\n";
  if (!errors.empty()) return 2;
  if (objects == 0 && !f.allow_empty) {
    std::cerr << "aimsgate inventory discover: error: no Kubernetes objects in the input (--allow-empty to accept)\n";
    return 2;
  }
  // Systems by id, in id order; workloads in input order within.
  std::map<std::string, System> by_id;
  for (const auto& w : workloads) {
    const bool declared = !w->facts.system_id.empty();
    const std::string id = declared ? w->facts.system_id : w->name;
    System& s = by_id[id];
    s.id = id;
    s.declared_id = s.declared_id || declared;
    if (inventory && declared) s.entry = inventory->Find(id);
    s.workloads.push_back(w.get());
  }
  std::vector<System> systems;
  for (auto& [id, s] : by_id) systems.push_back(std::move(s));

  OutputFile file;
  std::string why;
  if (!f.output.empty() && !file.Open(f.output, &why)) {
    std::cerr << f.output << ": error: cannot write the output file: " << why << "\n";
    return 2;
  }
  std::ostream& out = f.output.empty() ? std::cout : file.stream();
  if (f.format == "table") PrintTable(systems, out);
  else if (f.format == "inventory") PrintInventoryDraft(systems, inventory != nullptr, out);
  else PrintCycloneDx(systems, objects, catalogue.get(), out);
  if (f.output.empty()) return ReportStdoutFailure() ? 2 : 0;
  if (!file.Commit(&why)) {
    std::cerr << f.output << ": error: write failed: " << why << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

void AddInventoryCommands(CLI::App& root, CommandList* commands) {
  CLI::App* inventory = root.add_subcommand("inventory", "The AI-system register: find what actually runs");
  inventory->require_subcommand(1);
  auto f = std::make_shared<DiscoverFlags>();
  CLI::App* discover = inventory->add_subcommand(
      "discover", "Find every AI system in manifests or a cluster List (the pack's isAISystem) and print a table, "
                  "a kind: Inventory draft of the unregistered ones, or a CycloneDX 1.6 ML-BOM");
  discover->add_option("paths", f->paths, "Files, directories (recursive) or - for stdin (default: -)");
  discover->add_option("--format", f->format, "table (default), inventory or cyclonedx")
      ->check(CLI::IsMember({"table", "inventory", "cyclonedx"}));
  discover->add_option("--inventory", f->engine.inventory_path,
                       "The AI-system register: REGISTERED column, and the draft leaves its systems out");
  discover->add_option("--rules", f->engine.rule_paths,
                       "Pack whose isAISystem decides (default: builtin:iso42001)")->allow_extra_args(false);
  discover->add_option("--param", f->engine.param_overrides,
                       "Override a pack parameter, e.g. modelServingImages=[...] (value is YAML)")->allow_extra_args(false);
  discover->add_option("--params", f->engine.params_files, "YAML file of parameter overrides")->allow_extra_args(false);
  discover->add_option("--models", f->models,
                       "Model catalogue (as for check): the BOM takes each system's model card, licence, datasets, "
                       "metrics and signed root digest from it");
  discover->add_option("-o,--output", f->output, "Write to FILE instead of stdout");
  discover->add_option("--max-file-bytes", f->max_file_bytes, "Largest object accepted: a YAML document, a JSON value or one item of a List")->check(CLI::PositiveNumber);
  discover->add_flag("--allow-empty", f->allow_empty, "Exit 0 when the input holds no Kubernetes object");
  commands->push_back({discover, [f] { return RunDiscover(*f); }});
}

}  // namespace aimsgate::cli
