// libFuzzer target: the evidence chain verifier over fuzzed log bytes, fed line
// by line as VerifyFile does (a last line without newline is "torn").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "evaluator/evidence/log/verifier.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (64 << 10)) return 0;
  std::string_view all = aimsgate::fuzz::AsView(data, size);
  aimsgate::evidence::VerifyOptions options;
  aimsgate::evidence::ChainVerifier verifier(options, "fuzz.jsonl");
  uint64_t line = 0;
  while (!all.empty()) {
    size_t nl = all.find('\n');
    bool terminated = nl != std::string_view::npos;
    std::string_view text = terminated ? all.substr(0, nl) : all;
    all = terminated ? all.substr(nl + 1) : std::string_view();
    aimsgate::evidence::Entry entry;
    if (!verifier.Feed(text, ++line, terminated, &entry)) break;
  }
  verifier.Finish();
  const auto& r = verifier.result();
  if (!r.ok && r.error.empty()) __builtin_trap();  // a failure must say where and why
  (void)r.ErrorLine();
  (void)r.Summary();
  return 0;
}
