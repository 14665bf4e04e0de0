#include "evaluator/pack/yaml_node.h"

#include "evaluator/kernel/json.h"
#include "evaluator/pack/yaml_to_json.h"

namespace aimsgate {

SourcePos PosOf(const YAML::Mark& mark) {
  if (mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

SourcePos PosOf(const YAML::Node& node) { return PosOf(node.Mark()); }

bool IsPlainScalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

aimsgate::JsonValue ToJson(const YAML::Node& node, aimsgate::JsonPool& alloc,
                        int depth) {
  return yaml_json::ToJson<YAML::Node>(node, alloc, depth);
}

}  // namespace aimsgate
