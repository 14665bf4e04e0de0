// ToJson (yaml_node.h) over any node type with yaml-cpp's reading interface:
// YAML::Node, and LiteNode (lite_yaml.h) for the built-in packs' fast path.
// Internal to evaluator/pack.
#pragma once

#include <cstddef>
#include <string>

#include <rapidjson/document.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/scalar.h"

namespace aimsgate::yaml_json {

constexpr int kMaxDepth = 64;
// Nodes one ToJson call may produce.  yaml-cpp shares aliased nodes, so converting
// `&a [x, x]`, `&b [*a, *a]`, ... to JSON doubles per level ("billion laughs"); the
// manifest loader's alias cap has the same value.
constexpr size_t kMaxNodes = 1000000;
// Text (scalars and keys) one ToJson call may produce: a few nodes can alias a
// long string (`big: &b "<4 MiB>"`, `l: [*b, *b, ...]`), which the node count misses.
constexpr size_t kMaxBytes = size_t{64} << 20;

template <typename Node>
bool IsPlain(const Node& node) {
  return node.IsScalar() && node.Tag() == "?";
}

template <typename Node>
aimsgate::JsonValue Scalar(const Node& node, aimsgate::JsonPool& alloc) {
  const std::string& text = node.Scalar();
  aimsgate::JsonValue out;
  if (IsPlain(node)) {
    manifest::ScalarValue v;
    manifest::ResolvePlain(text, &v);
    switch (v.kind) {
      case manifest::ScalarValue::kNull: break;
      case manifest::ScalarValue::kBool: out.SetBool(v.b); break;
      case manifest::ScalarValue::kInt: out.SetInt64(v.i); break;
      case manifest::ScalarValue::kUint: out.SetUint64(v.u); break;
      case manifest::ScalarValue::kFloat: out.SetDouble(v.d); break;
      case manifest::ScalarValue::kString:
        out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
        break;
    }
  } else {
    out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), alloc);
  }
  return out;
}

template <typename Node>
aimsgate::JsonValue ToJson(const Node& node, aimsgate::JsonPool& alloc, int depth) {
  if (depth > kMaxDepth) throw YAML::ParserException(node.Mark(), "nesting too deep");
  thread_local size_t nodes = 0, bytes = 0;  // per top-level call (depth 0)
  if (depth == 0) nodes = bytes = 0;
  if (++nodes > kMaxNodes) {
    throw YAML::ParserException(node.Mark(), "more than " + std::to_string(kMaxNodes) +
                                                 " nodes after alias expansion (billion laughs?)");
  }
  auto count_text = [&node](size_t n) {
    bytes += n;
    if (bytes > kMaxBytes) {
      throw YAML::ParserException(node.Mark(), "more than " + std::to_string(kMaxBytes >> 20) +
                                                   " MiB of text after alias expansion");
    }
  };
  aimsgate::JsonValue out;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
    case YAML::NodeType::Scalar:
      count_text(node.Scalar().size());
      return Scalar(node, alloc);
    case YAML::NodeType::Sequence:
      out.SetArray();
      for (const auto& item : node) out.PushBack(ToJson<Node>(item, alloc, depth + 1), alloc);
      break;
    case YAML::NodeType::Map:
      out.SetObject();
      for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        count_text(key.size());
        aimsgate::JsonValue k(key.data(), static_cast<rapidjson::SizeType>(key.size()), alloc);
        out.AddMember(k, ToJson<Node>(entry.second, alloc, depth + 1), alloc);
      }
      break;
  }
  return out;
}

}  // namespace aimsgate::yaml_json
