#include <string>
#include <unordered_map>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/regex_cache.h"

namespace aimsgate::cel::internal {

const FunctionDecl* FindFunction(std::string_view name) {
  static const auto* registry = [] {
    static std::vector<FunctionDecl> decls;
    RegisterCore(&decls);
    RegisterString(&decls);
    RegisterTime(&decls);
    RegisterK8s(&decls);
    RegisterCollections(&decls);
    RegisterMath(&decls);
    auto* m = new std::unordered_map<std::string_view, const FunctionDecl*>();
    for (const auto& d : decls) m->emplace(d.name, &d);
    return m;
  }();
  auto it = registry->find(name);
  return it == registry->end() ? nullptr : it->second;
}

std::shared_ptr<const RE2> RegexForEval(std::string_view pattern, EvalContext& ctx, Value* error) {
  std::string err;
  std::shared_ptr<const RE2> re;
  if (ctx.regex_cache != nullptr) {
    re = ctx.regex_cache->Get(pattern, &err);
  } else {
    re = RegexCache::Compile(pattern, ctx.limits->regex_max_mem, ctx.limits->regex_max_program_size, &err);
  }
  if (!re) *error = Value::Error(err);
  return re;
}

}  // namespace aimsgate::cel::internal
