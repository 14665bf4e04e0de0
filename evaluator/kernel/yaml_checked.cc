#include "evaluator/kernel/yaml_checked.h"

#include <unordered_map>

namespace aimsgate {
namespace {

void RefuseDuplicateKeys(const YAML::Node& node, size_t* budget, int line_offset) {
  // Past the budget the rest would go unchecked: an alias bomb placed first would hide a
  // repeated key after it, so the document is refused instead.
  if (*budget == 0) {
    throw YAML::ParserException(node.Mark(), "alias expansion past " + std::to_string(kMaxCheckedNodes) +
                                                 " nodes: refused unchecked");
  }
  --*budget;
  if (node.IsSequence()) {
    for (const auto& item : node) RefuseDuplicateKeys(item, budget, line_offset);
  } else if (node.IsMap()) {
    std::unordered_map<std::string, int> first_line;
    for (const auto& entry : node) {
      if (entry.first.IsScalar()) {
        auto [it, inserted] = first_line.emplace(entry.first.Scalar(), entry.first.Mark().line + 1 + line_offset);
        if (!inserted) {
          throw YAML::ParserException(entry.first.Mark(), "duplicate key '" + entry.first.Scalar() +
                                                              "' (first at line " + std::to_string(it->second) + ")");
        }
      }
      RefuseDuplicateKeys(entry.second, budget, line_offset);
    }
  }
}

}  // namespace

YAML::Node LoadYamlChecked(const std::string& text, int line_offset) {
  YAML::Node node = YAML::Load(text);
  size_t budget = kMaxCheckedNodes;
  RefuseDuplicateKeys(node, &budget, line_offset);
  return node;
}

std::vector<YAML::Node> LoadAllYamlChecked(const std::string& text) {
  std::vector<YAML::Node> docs = YAML::LoadAll(text);
  size_t budget = kMaxCheckedNodes;
  for (const auto& doc : docs) RefuseDuplicateKeys(doc, &budget, 0);
  return docs;
}

}  // namespace aimsgate
