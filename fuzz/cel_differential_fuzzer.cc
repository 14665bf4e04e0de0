// libFuzzer target: one fuzzed CEL expression over a fuzzed JSON document,
// compiled folded (the default plan: folding, native all/exists/map/filter
// loops, truth evaluation of booleans, constant comparisons, null guards) and
// plain (cel::Limits::fold = false, the macro expansions walked node by node).
// Input: "expression|json", the JSON bound to `object`, `oldObject` and
// `params`.  Traps when one plan compiles and the other does not (but for a
// static type error only the folded plan finds), or when
// both finish within their limits with different values or error messages.
// (A limit error on either side is not compared: the folded plan is charged
// less for all()/exists(), so it may finish where the plain one runs out.)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "fuzz/fuzz_util.h"

namespace {

using aimsgate::cel::Value;

constexpr size_t kMaxInput = 8 << 10;
struct Side {
  aimsgate::cel::Env env;
  int object, old_object, params;
  aimsgate::cel::EvalState state;
  explicit Side(bool fold) : env(Limits(fold)) {
    object = env.DeclareVariable("object");
    old_object = env.DeclareVariable("oldObject");
    params = env.DeclareVariable("params");
  }
  static aimsgate::cel::Limits Limits(bool fold) {
    aimsgate::cel::Limits l;
    l.fold = fold;
    l.cost_limit = 200000;  // keeps each input fast; limit errors are not compared anyway
    return l;
  }
  Value Evaluate(const aimsgate::cel::Program& program, const aimsgate::JsonDocument& doc) {
    aimsgate::cel::Activation act(env);
    act.Set(object, Value::Json(doc));
    act.Set(old_object, Value::Json(doc));
    act.Set(params, Value::Json(doc));
    return program.Evaluate(act, &state);
  }
};

bool HitALimit(const Value& v) {
  if (!v.IsError()) return false;
  const std::string& m = v.ErrorMessage();
  // "comprehension iteration limit exceeded", "list size limit exceeded in split", ...
  for (std::string_view limit : {"cost budget exceeded", "limit exceeded", "nested too deeply"}) {
    if (m.find(limit) != std::string::npos) return true;
  }
  return false;
}

[[noreturn]] void Differ(std::string_view expr, const Value& folded, const Value& plain) {
  std::fprintf(stderr, "folded and plain plans differ on: %.*s\n  folded: %s\n  plain:  %s\n",
               static_cast<int>(expr.size()), expr.data(), folded.DebugString().c_str(), plain.DebugString().c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  static Side* folded = new Side(true);
  static Side* plain = new Side(false);
  auto [expr, json] = aimsgate::fuzz::SplitAt(data, size, '|');
  const std::string source(expr);
  aimsgate::cel::CompileResult f = folded->env.Compile(source);
  aimsgate::cel::CompileResult p = plain->env.Compile(source);
  // Folded, a call on constants only is tried at plan time, and a missing
  // overload there is reported as the checker would (`[1] > [0]`, even under
  // `true || ...`); the plain plan leaves that to run time.
  if (!f.ok() && p.ok() && !f.diagnostics.empty() &&
      f.diagnostics[0].message.rfind("found no matching overload", 0) == 0) {
    return 0;
  }
  if (f.ok() != p.ok()) {
    std::fprintf(stderr, "compiles %s folded, %s plain: %s\n", f.ok() ? "ok" : "not", p.ok() ? "ok" : "not",
                 source.c_str());
    __builtin_trap();
  }
  if (!f.ok()) return 0;
  aimsgate::JsonDocument doc;
  std::string text(json);
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(text.c_str(), text.size());
  if (doc.HasParseError()) doc.SetNull();
  if (!aimsgate::fuzz::DepthOk(doc, 0)) return 0;
  const Value a = folded->Evaluate(*f.program, doc);
  const Value b = plain->Evaluate(*p.program, doc);
  if (HitALimit(a) || HitALimit(b)) return 0;
  if (a.IsError() != b.IsError()) Differ(source, a, b);
  if (a.IsError()) {
    if (a.ErrorMessage() != b.ErrorMessage()) Differ(source, a, b);
  } else if (!aimsgate::cel::StrictEqual(a, b)) {
    Differ(source, a, b);
  }
  return 0;
}
