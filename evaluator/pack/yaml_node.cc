#include "evaluator/pack/yaml_node.h"

#include <unordered_map>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/yaml_to_json.h"

namespace aimsgate {

SourcePos PosOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

SourcePos PosOf(const YAML::Node& node) { return PosOf(node.Mark()); }

bool IsPlainScalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

namespace {

// Visits at most `*budget` nodes: yaml-cpp shares aliased nodes, so an alias bomb
// would make the walk exponential; ToJson refuses such a tree later with its own error.
void RefuseDuplicateKeys(const YAML::Node& node, size_t* budget) {
  if (*budget == 0) return;
  --*budget;
  if (node.IsSequence()) {
    for (const auto& item : node) RefuseDuplicateKeys(item, budget);
  } else if (node.IsMap()) {
    std::unordered_map<std::string, int> first_line;
    for (const auto& entry : node) {
      if (entry.first.IsScalar()) {
        auto [it, inserted] = first_line.emplace(entry.first.Scalar(), entry.first.Mark().line + 1);
        if (!inserted) {
          throw YAML::ParserException(entry.first.Mark(), "duplicate key '" + entry.first.Scalar() +
                                                              "' (first at line " + std::to_string(it->second) + ")");
        }
      }
      RefuseDuplicateKeys(entry.second, budget);
    }
  }
}

}  // namespace

YAML::Node LoadYamlChecked(const std::string& text) {
  YAML::Node node = YAML::Load(text);
  size_t budget = yaml_json::kMaxNodes;
  RefuseDuplicateKeys(node, &budget);
  return node;
}

std::vector<YAML::Node> LoadAllYamlChecked(const std::string& text) {
  std::vector<YAML::Node> docs = YAML::LoadAll(text);
  size_t budget = yaml_json::kMaxNodes;
  for (const auto& doc : docs) RefuseDuplicateKeys(doc, &budget);
  return docs;
}

aimsgate::JsonValue ToJson(const YAML::Node& node, aimsgate::JsonPool& alloc,
                        int depth) {
  return yaml_json::ToJson<YAML::Node>(node, alloc, depth);
}

}  // namespace aimsgate
