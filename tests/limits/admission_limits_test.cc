// Webhook handler limits: JSON nesting of the AdmissionReview body (HandlerOptions::max_depth),
// status message and warning sizes.  The socket limits (body bytes, headers, connections,
// request time) are exercised against a running server in tests/faults/.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "evaluator/pack/engine.h"
#include "webhook/admission.h"

namespace aimsgate::webhook {
namespace {

std::shared_ptr<const Engine> Builtin() {
  static std::shared_ptr<const Engine> engine = [] {
    std::vector<Diagnostic> diags;
    return Engine::Load(EngineOptions(), &diags);
  }();
  return engine;
}

// An AdmissionReview whose object carries a `data` value nested `levels` arrays deep.
std::string Review(int levels) {
  std::string nested = std::string(levels, '[') + "1" + std::string(levels, ']');
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE",)"
         R"("userInfo":{"username":"a"},"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":)" +
         nested + "}}}}";
}

TEST(AdmissionLimits, BodyNestingJustOver) {
  auto engine = Builtin();
  ASSERT_NE(engine, nullptr);
  HandlerOptions o;
  o.max_depth = 20;
  cel::EvalState scratch;
  // review(1) object(2) data(3) k's arrays start at depth 4: 16 levels reach 19, the "1" is 20.
  int fits = 0;
  for (int n = 1; n <= 30; ++n) {
    if (HandleAdmissionReview(Review(n), *engine, o, &scratch).http_status == 200) fits = n; else break;
  }
  ASSERT_GT(fits, 10);
  AdmissionResponse over = HandleAdmissionReview(Review(fits + 1), *engine, o, &scratch);
  EXPECT_EQ(over.http_status, 400);
  EXPECT_NE(over.error.find("nested deeper than 20"), std::string::npos) << over.error;
  // Hostile depth with the default limit: 400, never a stack overflow.
  AdmissionResponse deep = HandleAdmissionReview(Review(200000), *engine, HandlerOptions(), &scratch);
  EXPECT_EQ(deep.http_status, 400);
}

TEST(AdmissionLimits, WarningsAreCutAtTheirLimit) {
  std::string w = TruncateWarning(std::string(500, 'w'), 120);
  EXPECT_LE(w.size(), 120u);
  EXPECT_EQ(w.substr(w.size() - 3), "...");
  EXPECT_EQ(TruncateWarning(std::string(120, 'w'), 120), std::string(120, 'w'));
}

}  // namespace
}  // namespace aimsgate::webhook
