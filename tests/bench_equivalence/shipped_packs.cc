#include "tests/bench_equivalence/shipped_packs.h"

#include <algorithm>
#include <filesystem>

#include "evaluator/pack/embedded_files.h"

namespace aimsgate {

namespace fs = std::filesystem;
namespace {
const std::string kRoot = AIMSGATE_SOURCE_DIR;
}

std::vector<std::string> ShippedPacks() {
  std::vector<std::string> packs;
  for (const auto& e : fs::directory_iterator(kRoot + "/rules")) {
    if (fs::exists(e.path() / "pack.yaml")) packs.push_back((e.path() / "pack.yaml").string());
  }
  for (const auto& f : EmbeddedFiles()) {
    const std::string p = f.path;  // rules/<name>/pack.yaml
    if (p.rfind("rules/", 0) == 0 && p.size() > 16 && p.compare(p.size() - 10, 10, "/pack.yaml") == 0) {
      packs.push_back("builtin:" + p.substr(6, p.size() - 16));
    }
  }
  packs.push_back(kRoot + "/examples/packs/gpu-quota/pack.yaml");
  packs.push_back(kRoot + "/examples/vap/policies");
  packs.push_back(kRoot + "/bench/micro/typical10.yaml");
  std::sort(packs.begin(), packs.end());
  return packs;
}

std::shared_ptr<const Engine> LoadShippedPack(const std::string& pack, bool fold, bool with_inputs,
                                              std::vector<Diagnostic>* diagnostics) {
  EngineOptions o;
  o.rule_paths = {pack};
  if (pack.find("/vap/") != std::string::npos) o.context_paths = {kRoot + "/examples/vap/manifests"};
  if (with_inputs) {
    o.inventory_path = kRoot + "/rules/iso42001/tests/inventory.yaml";
    o.bom_path = kRoot + "/examples/model/bom.json";
  }
  o.limits.fold = fold;
  return Engine::Load(o, diagnostics);
}

}  // namespace aimsgate
