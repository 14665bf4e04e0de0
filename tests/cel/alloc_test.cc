// Field selection on a borrowed JSON document allocates nothing: the hot path
// of every rule evaluation.  Counts global operator new calls while enabled.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "evaluator/cel/cel.h"

// The replacement operators pair malloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace aimsgate::cel {
namespace {

TEST(AllocationTest, JsonFieldSelectionDoesNotAllocate) {
  rapidjson::Document doc;
  doc.Parse(R"({"kind": "Deployment", "metadata": {"name": "scorer", "labels": {"app": "scorer"},
                "annotations": {"aimsgate.io/owner": "team-a", "aimsgate.io/risk-tier": "high"}},
                "spec": {"replicas": 2, "template": {"spec": {"containers": [
                   {"name": "m", "image": "ghcr.io/acme/m:1"}, {"name": "s", "image": "ghcr.io/acme/s:2"}]}}}})");
  Env env;
  int object = env.DeclareVariable("object");
  const char* exprs[] = {
      "object.metadata.annotations['aimsgate.io/owner'] == 'team-a' && has(object.metadata.labels)",
      "object.kind in ['Deployment', 'StatefulSet'] && object.spec.replicas >= 2",
      "object.spec.template.spec.containers.all(c, c.image.startsWith('ghcr.io/'))",
      "object.metadata.name.matches('^[a-z]+$')",
  };
  for (const char* e : exprs) {
    CompileResult r = env.Compile(e);
    ASSERT_TRUE(r.ok()) << e;
    Activation act(env);
    act.Set(object, Value::Json(doc));
    EvalState state;
    ASSERT_TRUE(r.program->Evaluate(act, &state).BoolValue()) << e;  // warm-up sizes the scratch
    g_allocations = 0;
    g_counting = true;
    Value v = r.program->Evaluate(act, &state);
    g_counting = false;
    EXPECT_TRUE(v.BoolValue()) << e;
    EXPECT_EQ(g_allocations.load(), 0) << e;
  }
}

}  // namespace
}  // namespace aimsgate::cel
