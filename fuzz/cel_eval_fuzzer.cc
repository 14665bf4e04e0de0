// libFuzzer target: CEL evaluation of a fuzzed expression over a fuzzed JSON
// document.  Input: "expression|json".  The JSON is parsed as the webhook does
// (iterative parser, nesting capped) and bound to `object`, `oldObject` and `params`.
#include <cstddef>
#include <cstdint>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "fuzz/fuzz_util.h"

namespace {

constexpr size_t kMaxInput = 8 << 10;
struct Shared {
  aimsgate::cel::Env env;
  int object, old_object, params;
  Shared() {
    object = env.DeclareVariable("object");
    old_object = env.DeclareVariable("oldObject");
    params = env.DeclareVariable("params");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  static Shared* shared = new Shared();
  static aimsgate::cel::EvalState* state = new aimsgate::cel::EvalState();
  auto [expr, json] = aimsgate::fuzz::SplitAt(data, size, '|');
  aimsgate::cel::CompileResult c = shared->env.Compile(std::string(expr));
  if (!c.ok()) return 0;
  aimsgate::JsonDocument doc;
  std::string text(json);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(text.c_str(), text.size());
  if (doc.HasParseError()) doc.SetNull();
  if (!aimsgate::fuzz::DepthOk(doc, 0)) return 0;
  aimsgate::cel::Activation act(shared->env);
  act.Set(shared->object, aimsgate::cel::Value::Json(doc));
  act.Set(shared->old_object, aimsgate::cel::Value::Json(doc));
  act.Set(shared->params, aimsgate::cel::Value::Json(doc));
  aimsgate::cel::Value v = c.program->Evaluate(act, state);
  if (v.IsError() && v.ErrorMessage().empty()) __builtin_trap();
  return 0;
}
