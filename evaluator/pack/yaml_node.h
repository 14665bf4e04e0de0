// Helpers for the small YAML inputs read with yaml-cpp (rule packs, waivers,
// inventories, test suites, config): positions and conversion to JSON.
//
//   SourcePos p = PosOf(node);                       // 1-based line/column
//   rapidjson::Value v = ToJson(node, allocator);     // Kubernetes scalar typing
//
// yaml-cpp throws; every function here is called inside the loaders'
// try/catch boundary.
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/diagnostic.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/yaml_checked.h"  // LoadYamlChecked, for the loaders here

namespace aimsgate {

SourcePos PosOf(const YAML::Node& node);
SourcePos PosOf(const YAML::Mark& mark);

// Converts a yaml-cpp tree to JSON, typing plain scalars as sigs.k8s.io/yaml
// does (manifest::ResolvePlain) and quoted ones as strings.  Map keys
// become strings.
aimsgate::JsonValue ToJson(const YAML::Node& node, aimsgate::JsonPool& alloc,
                        int depth = 0);

// True when the node is a scalar written without quotes or block indicators.
bool IsPlainScalar(const YAML::Node& node);

}  // namespace aimsgate
