// libFuzzer target: the /validate handler (HandleAdmissionReview) over fuzzed
// bodies, with the built-in iso42001 pack loaded once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "evaluator/pack/engine.h"
#include "fuzz/fuzz_util.h"
#include "webhook/admission.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (64 << 10)) return 0;
  static std::shared_ptr<const aimsgate::Engine> engine = [] {
    aimsgate::EngineOptions o;  // empty rule_paths = the built-in pack
    std::vector<aimsgate::Diagnostic> diags;
    auto e = aimsgate::Engine::Load(o, &diags);
    if (!e) abort();
    return e;
  }();
  static aimsgate::cel::EvalState* scratch = new aimsgate::cel::EvalState();
  aimsgate::webhook::HandlerOptions options;
  options.now_unix = 1767225600;  // deterministic
  options.digest_object = true;
  options.record = [](const aimsgate::webhook::AdmissionDecision& d, std::string*) {
    return d.evaluation != nullptr;
  };
  aimsgate::webhook::AdmissionResponse r =
      aimsgate::webhook::HandleAdmissionReview(aimsgate::fuzz::AsView(data, size), *engine, options, scratch);
  if (r.body.empty()) __builtin_trap();
  if (r.http_status != 200 && r.error.empty()) __builtin_trap();
  return 0;
}
