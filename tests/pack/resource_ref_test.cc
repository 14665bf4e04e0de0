// ResourceRef (evaluator/decision/decision.h): its ten strings share one buffer.
// Each field reads back what was assigned, a setter changes its field only (also
// from a view of the same ref, inline or on the heap), copies and moves keep the
// values, and only an identity past the inline buffer allocates (operator new is
// counted in this binary).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "evaluator/decision/decision.h"
#include "tests/pack/allocation_counter.h"

namespace aimsgate {
namespace {

ResourceRef::Fields Sample() {
  ResourceRef::Fields f;
  f.api_version = "apps/v1";
  f.kind = "Deployment";
  f.namespace_ = "ml";
  f.name = "scorer";
  f.source = "deploy/scorer.yaml";
  f.system_id = "credit-scoring";
  f.uid = "0b7c-uid";
  f.controller_uid = "";
  f.owner = "risk-team";
  f.risk_tier = "high";
  return f;
}

// Every field, in order, with a separator no sample holds.
std::string All(const ResourceRef& r) {
  std::string out;
  for (std::string_view s : {r.api_version(), r.kind(), r.namespace_(), r.name(), r.source(), r.system_id(), r.uid(),
                             r.controller_uid(), r.owner(), r.risk_tier()}) {
    out.append(s) += '|';
  }
  return out;
}

TEST(ResourceRef, DefaultIsEmpty) {
  ResourceRef r;
  EXPECT_EQ(All(r), "||||||||||");
  EXPECT_EQ(r.line, 0);
  EXPECT_EQ(r.document_index, 0);
  EXPECT_EQ(r.item_index, -1);
  EXPECT_NE(r.name().data(), nullptr);  // rapidjson asserts against a null string
}

TEST(ResourceRef, AssignSetsEveryFieldAndLeavesTheNumbers) {
  ResourceRef r;
  r.line = 7;
  r.item_index = 2;
  r.Assign(Sample());
  EXPECT_EQ(All(r), "apps/v1|Deployment|ml|scorer|deploy/scorer.yaml|credit-scoring|0b7c-uid||risk-team|high|");
  EXPECT_EQ(r.line, 7);
  EXPECT_EQ(r.item_index, 2);
  // Assigning again replaces, never appends.
  ResourceRef::Fields g;
  g.kind = "Pod";
  r.Assign(g);
  EXPECT_EQ(All(r), "|Pod|||||||||");
}

TEST(ResourceRef, SettersChangeOneFieldOnly) {
  ResourceRef r;
  r.Assign(Sample());
  r.set_name("a-much-longer-name-than-before-to-move-the-fields-after-it");
  r.set_api_version("");
  r.set_controller_uid("ctrl");
  r.set_risk_tier("limited");
  EXPECT_EQ(All(r),
            "|Deployment|ml|a-much-longer-name-than-before-to-move-the-fields-after-it|deploy/scorer.yaml|credit-scoring|"
            "0b7c-uid|ctrl|risk-team|limited|");
  r.set_kind("Job");
  r.set_namespace_("prod");
  r.set_source("-");
  r.set_system_id("s");
  r.set_uid("u");
  r.set_owner("o");
  EXPECT_EQ(All(r), "|Job|prod|a-much-longer-name-than-before-to-move-the-fields-after-it|-|s|u|ctrl|o|limited|");
}

TEST(ResourceRef, AValueMayViewTheSameRef) {
  ResourceRef r;
  r.Assign(Sample());
  ResourceRef heap;  // the same, with its text on the heap
  ResourceRef::Fields long_source = Sample();
  const std::string source = std::string(250, 's');
  long_source.controller_uid = source;
  heap.Assign(long_source);
  heap.set_name(heap.kind());
  heap.set_controller_uid(heap.controller_uid().substr(0, 3));
  EXPECT_EQ(heap.name(), "Deployment");
  EXPECT_EQ(heap.controller_uid(), "sss");
  r.set_name(r.kind());              // a view into the buffer being rebuilt
  r.set_owner(r.source().substr(7));  // "scorer.yaml"
  EXPECT_EQ(r.name(), "Deployment");
  EXPECT_EQ(r.owner(), "scorer.yaml");
  ResourceRef::Fields f = r.fields();
  std::swap(f.kind, f.namespace_);
  r.Assign(f);
  EXPECT_EQ(All(r), "apps/v1|ml|Deployment|Deployment|deploy/scorer.yaml|credit-scoring|0b7c-uid||scorer.yaml|high|");
}

TEST(ResourceRef, CopiesAndMovesKeepTheValues) {
  const std::string past_inline(300, 'n');  // past the inline buffer: on the heap
  for (const char* name : {"x", "a-name-long-enough-that-no-small-string-buffer-holds-it", past_inline.c_str()}) {
    ResourceRef r;
    ResourceRef::Fields f;
    f.kind = "Pod";
    f.name = name;
    r.Assign(f);
    r.line = 3;
    const std::string want = All(r);
    ResourceRef copy = r;
    EXPECT_EQ(All(copy), want);
    std::vector<ResourceRef> v;
    v.push_back(std::move(r));
    for (int i = 0; i < 20; ++i) v.push_back(copy);  // reallocations move the elements
    for (const ResourceRef& e : v) {
      EXPECT_EQ(All(e), want);
      EXPECT_EQ(e.line, 3);
    }
    copy.set_kind("Service");  // a copy owns its buffer
    EXPECT_EQ(v[0].kind(), "Pod");
  }
}

TEST(ResourceRef, AllocatesOnlyPastTheInlineBuffer) {
  if (!test::CountsAllocations()) GTEST_SKIP() << "operator new is AddressSanitizer's in this build";
  ResourceRef r;
  long before = test::Allocations();
  r.Assign(Sample());  // a resource's usual identity
  ResourceRef copy = r;
  ResourceRef moved = std::move(copy);
  EXPECT_EQ(test::Allocations() - before, 0);
  EXPECT_EQ(All(moved), All(r));
  ResourceRef::Fields big = Sample();
  const std::string name(300, 'n');
  big.name = name;
  before = test::Allocations();
  r.Assign(big);
  EXPECT_EQ(test::Allocations() - before, 1);
  ResourceRef heap_copy = r;
  EXPECT_EQ(test::Allocations() - before, 2);
  ResourceRef heap_moved = std::move(heap_copy);  // takes the buffer
  EXPECT_EQ(test::Allocations() - before, 2);
  EXPECT_EQ(heap_moved.name(), name);
  EXPECT_EQ(All(heap_copy), "||||||||||");  // a moved-from ref is empty
}

}  // namespace
}  // namespace aimsgate
