// libFuzzer target: CEL parse + check + plan of one expression, with the
// variables a rule pack sees and one helper function declared.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "fuzz/fuzz_util.h"

namespace {

constexpr size_t kMaxInput = 16 << 10;

const aimsgate::cel::Env& SharedEnv() {
  static aimsgate::cel::Env* env = [] {
    auto* e = new aimsgate::cel::Env();
    for (const char* v : {"object", "oldObject", "request", "params", "inventory", "inventoryAll", "model", "now"}) {
      e->DeclareVariable(v);
    }
    std::vector<aimsgate::cel::Diagnostic> diags;
    e->DeclareFunction("isAISystem", {"o"}, "has(o.metadata.annotations)", &diags);
    return e;
  }();
  return *env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  std::string source(aimsgate::fuzz::AsView(data, size));
  aimsgate::cel::CompileResult checked = SharedEnv().Compile(source);
  aimsgate::cel::CompileOptions unchecked;
  unchecked.check = false;
  aimsgate::cel::CompileResult plain = SharedEnv().Compile(source, unchecked);
  // A failed compile must say why.
  if (!checked.ok() && checked.diagnostics.empty()) __builtin_trap();
  if (!plain.ok() && plain.diagnostics.empty()) __builtin_trap();
  return 0;
}
