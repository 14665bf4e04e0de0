#include "evaluator/cel/resolve.h"

namespace aimsgate::cel::internal {

std::string_view TypeIdentifier(std::string_view name) {
  static constexpr std::string_view kTypes[] = {
      "int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type",
      "google.protobuf.Timestamp", "google.protobuf.Duration", "optional_type"};
  for (std::string_view t : kTypes) {
    if (t == name) return t;
  }
  return {};
}

bool QualifiedName(const Expr& e, std::string* out) {
  if (e.kind == Expr::Kind::kIdent) {
    *out = e.ident.name;
    return true;
  }
  if (e.kind == Expr::Kind::kSelect && !e.select.test_only && e.select.operand) {
    if (!QualifiedName(*e.select.operand, out)) return false;
    *out += ".";
    *out += e.select.field;
    return true;
  }
  return false;
}

bool IsSpecialFunction(std::string_view name, bool receiver_style, size_t nargs, bool* arity_ok) {
  struct Special {
    std::string_view name;
    bool receiver;
    size_t nargs;
  };
  static constexpr Special kSpecials[] = {
      {"_&&_", false, 2}, {"_||_", false, 2}, {"_?_:_", false, 3}, {"@not_strictly_false", false, 1},
      {"or", true, 2},    {"orValue", true, 2}, {"cel.bind", false, 3},
  };
  bool found = false;
  *arity_ok = false;
  for (const auto& s : kSpecials) {
    if (s.name == name) {
      found = true;
      if (s.receiver == receiver_style && s.nargs == nargs) *arity_ok = true;
    }
  }
  return found;
}

}  // namespace aimsgate::cel::internal
