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

constexpr const char* kDeployment = R"({"kind": "Deployment", "metadata": {"name": "scorer", "labels": {"app": "scorer"},
    "annotations": {"aimsgate.io/owner": "team-a", "aimsgate.io/risk-tier": "high"}},
    "spec": {"replicas": 2, "template": {"spec": {"containers": [
       {"name": "m", "image": "ghcr.io/acme/m:1"}, {"name": "s", "image": "ghcr.io/acme/s:2"}]}}}})";

// The allocations of `expr`'s second evaluation on kDeployment (the first sizes
// the scratch); `*result` is its value.
long AllocationsOf(const char* expr, Value* result) {
  rapidjson::Document doc;
  doc.Parse(kDeployment);
  Env env;
  int object = env.DeclareVariable("object");
  CompileResult r = env.Compile(expr);
  EXPECT_TRUE(r.ok()) << expr;
  if (!r.ok()) return -1;
  Activation act(env);
  act.Set(object, Value::Json(doc));
  EvalState state;
  r.program->Evaluate(act, &state);
  g_allocations = 0;
  g_counting = true;
  Value v = r.program->Evaluate(act, &state);
  g_counting = false;
  // Copied out of the document before it goes: the caller compares the text.
  *result = Value::String(v.DebugString());
  return g_allocations.load();
}

TEST(AllocationTest, JsonFieldSelectionDoesNotAllocate) {
  const char* exprs[] = {
      "object.metadata.annotations['aimsgate.io/owner'] == 'team-a' && has(object.metadata.labels)",
      "object.kind in ['Deployment', 'StatefulSet'] && object.spec.replicas >= 2",
      "object.spec.template.spec.containers.all(c, c.image.startsWith('ghcr.io/'))",
      "object.metadata.name.matches('^[a-z]+$')",
      // Nothing to change: the argument itself.
      "object.metadata.name.lowerAscii() == 'scorer' && object.metadata.annotations['aimsgate.io/owner'].lowerAscii() != ''",
  };
  for (const char* e : exprs) {
    Value v;
    EXPECT_EQ(AllocationsOf(e, &v), 0) << e;
    EXPECT_EQ(v.StringValue(), "true") << e;
  }
}

// Lists cost their list: the pieces of split() view the subject's bytes, a
// join() of one element is that element, and map() sizes its result once.
TEST(AllocationTest, ListsAllocateTheirListNotTheirElements) {
  struct Case {
    const char* expr;
    const char* value;
    long allocations;  // a list is two: its shared representation and its elements
  } cases[] = {
      {"object.spec.template.spec.containers[0].image.split('/')", R"(["ghcr.io", "acme", "m:1"])", 2},
      {"[object.metadata.name].join(', ')", R"("scorer")", 2},
      {"object.spec.template.spec.containers.map(c, c.image)", R"(["ghcr.io/acme/m:1", "ghcr.io/acme/s:2"])", 2},
      {"object.spec.template.spec.containers.filter(c, c.name == 's')", R"([{"name": "s", "image": "ghcr.io/acme/s:2"}])",
       2},
  };
  for (const auto& c : cases) {
    Value v;
    EXPECT_EQ(AllocationsOf(c.expr, &v), c.allocations) << c.expr;
    EXPECT_EQ(v.StringValue(), c.value) << c.expr;
  }
}

}  // namespace
}  // namespace aimsgate::cel
