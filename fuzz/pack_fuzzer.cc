// libFuzzer target: rule-pack loading (YAML -> PackSpec) and compilation
// (every expression, helper, kind pattern and parameter) of a fuzzed pack file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"
#include "evaluator/pack/pack_loader.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (32 << 10)) return 0;
  auto file = aimsgate::SourceFile::FromString("fuzz.yaml", std::string(aimsgate::fuzz::AsView(data, size)));
  std::vector<aimsgate::Diagnostic> diags;
  std::vector<aimsgate::PackSpec> specs = aimsgate::LoadPackSpecs(file, &diags);
  aimsgate::cel::Limits limits;
  for (aimsgate::PackSpec& spec : specs) {
    std::vector<aimsgate::Diagnostic> compile_diags;
    auto pack = aimsgate::CompilePack(std::move(spec), limits, &compile_diags);
    if (!pack && !aimsgate::HasErrors(compile_diags)) __builtin_trap();  // a failure must say why
  }
  for (const auto& d : diags) (void)d.ToString(file.get());  // caret rendering on any position
  return 0;
}
