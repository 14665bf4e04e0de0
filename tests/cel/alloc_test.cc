// Field selection on a borrowed JSON document allocates nothing: the hot path
// of every rule evaluation.  Counts global operator new calls while enabled.
// And an allocation that fails (operator new made to throw, once, at the n-th
// call) is the evaluated program's error, not the process's end.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

// The replacement operators pair malloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
// >= 0: the calls of operator new left before one throws std::bad_alloc; -1 off.
std::atomic<long> g_fail_countdown{-1};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (g_fail_countdown.load(std::memory_order_relaxed) >= 0 && g_fail_countdown.fetch_sub(1) == 0) {
    throw std::bad_alloc();
  }
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
  aimsgate::JsonDocument doc;
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

// '' is the commonest string an evaluation builds (an absent field's default):
// it is a view of a literal, whatever made it.
TEST(AllocationTest, EmptyStringsDoNotAllocate) {
  const char* exprs[] = {
      "object.metadata.name.replace('scorer', '') == ''",
      "size(object.metadata.name.lowerAscii().replace('scorer', '')) == 0",
  };
  for (const char* e : exprs) {
    Value v;
    EXPECT_EQ(AllocationsOf(e, &v), 0) << e;
    EXPECT_EQ(v.StringValue(), "true") << e;
  }
  const Value empty = Value::String(std::string());
  EXPECT_TRUE(empty.IsString());
  EXPECT_EQ(empty.StringValue(), "");
  EXPECT_TRUE(Equal(empty, Value::StringView("")));
  EXPECT_EQ(empty.DebugString(), "\"\"");
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

// Every allocation of an evaluation in turn fails, once: the evaluation answers
// the error (not an exception out of Program::Evaluate), and the same
// EvalState then evaluates the next activation as if nothing had happened (no
// half-built memo entry, frame or match kept).  The expression allocates in a
// memoized helper, in map() and filter(), in string building and in a regex
// match's memo.
TEST(AllocationTest, AFailedAllocationIsTheProgramsErrorAndLeavesNothingBehind) {
  aimsgate::JsonDocument doc;
  doc.Parse(kDeployment);
  ASSERT_FALSE(doc.HasParseError());
  Env env;
  const int object = env.DeclareVariable("object");
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(env.DeclareFunction("imagesOf", {"o"}, "o.spec.template.spec.containers.map(c, c.image + '#' + c.name)",
                                  &diags));
  CompileResult r = env.Compile(
      "imagesOf(object).filter(i, i.matches('^ghcr[.]io/')).map(i, i.upperAscii()).join(',') + '/' + "
      "object.metadata.name");
  ASSERT_TRUE(r.ok());
  const std::string expected = R"("GHCR.IO/ACME/M:1#M,GHCR.IO/ACME/S:2#S/scorer")";
  EvalState state;
  auto evaluate = [&](long fail_at, bool* failed) {
    Activation act(env);
    act.Set(object, Value::Json(doc));
    g_fail_countdown = fail_at;
    Value v = r.program->Evaluate(act, &state);
    *failed = fail_at >= 0 && g_fail_countdown.load() == -1;  // the countdown reached 0: an allocation threw
    g_fail_countdown = -1;
    return v.IsError() ? "error: " + v.ErrorMessage() : v.DebugString();
  };
  bool failed = false;
  ASSERT_EQ(evaluate(-1, &failed), expected);
  int failures = 0;
  for (long n = 0; n < 1000; ++n) {
    const std::string shown = evaluate(n, &failed);
    if (!failed) {
      EXPECT_EQ(shown, expected) << "no allocation failed at " << n;
      break;
    }
    ++failures;
    EXPECT_EQ(shown, "error: out of memory during evaluation") << "allocation " << n;
    EXPECT_EQ(evaluate(-1, &failed), expected) << "after the failure of allocation " << n;
  }
  // The first evaluation on a fresh state sized its scratch; these count the rest.
  EXPECT_GE(failures, 5);
}

}  // namespace
}  // namespace aimsgate::cel
