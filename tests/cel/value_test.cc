#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>

#include "evaluator/cel/value.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

constexpr char kDeployment[] = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "scorer", "namespace": "ml",
               "annotations": {"aimsgate.io/owner": "team-a", "aimsgate.io/risk-tier": "high"},
               "labels": {"app": "scorer"}},
  "spec": {"replicas": 3, "ratio": 0.5, "big": 18446744073709551615,
           "template": {"spec": {"containers": [
              {"name": "model", "image": "ghcr.io/acme/scorer:1.2", "resources": {"limits": {"cpu": "500m"}}},
              {"name": "sidecar", "image": "envoy:1.29"}]}}}
})";

TEST(ValueTest, ScalarsAndDebugString) {
  EXPECT_EQ(Value::Null().DebugString(), "null");
  EXPECT_EQ(Value::Bool(true).DebugString(), "true");
  EXPECT_EQ(Value::Int(-7).DebugString(), "-7");
  EXPECT_EQ(Value::Uint(7).DebugString(), "7u");
  EXPECT_EQ(Value::Double(1).DebugString(), "1.0");
  EXPECT_EQ(Value::Double(0.25).DebugString(), "0.25");
  EXPECT_EQ(Value::String("a\"b").DebugString(), "\"a\\\"b\"");
  EXPECT_EQ(Value::Bytes(std::string("\xff", 1)).DebugString(), "b\"\\xff\"");
  EXPECT_EQ(Value::Timestamp(1234567890, 0).DebugString(), "timestamp(\"2009-02-13T23:31:30Z\")");
  EXPECT_EQ(Value::Duration(90, 500000000).DebugString(), "duration(\"90.5s\")");
  EXPECT_EQ(Value::List({Value::Int(1), Value::String("x")}).DebugString(), "[1, \"x\"]");
  EXPECT_EQ(Value::Error("boom").ErrorMessage(), "boom");
  EXPECT_TRUE(Value::Error("boom").IsError());
}

TEST(ValueTest, ToDisplayStringIsUnquoted) {
  EXPECT_EQ(Value::String("scorer").ToDisplayString(), "scorer");
  EXPECT_EQ(Value::Int(42).ToDisplayString(), "42");
  EXPECT_EQ(Value::Double(123.456).ToDisplayString(), "123.456");
  EXPECT_EQ(Value::Double(-4.5e-3).ToDisplayString(), "-0.0045");
  EXPECT_EQ(Value::Bool(false).ToDisplayString(), "false");
}

TEST(ValueTest, HeterogeneousNumericEquality) {
  EXPECT_TRUE(Equal(Value::Int(1), Value::Uint(1)));
  EXPECT_TRUE(Equal(Value::Int(1), Value::Double(1.0)));
  EXPECT_TRUE(Equal(Value::Uint(1), Value::Double(1.0)));
  EXPECT_FALSE(Equal(Value::Int(-1), Value::Uint(UINT64_MAX)));
  EXPECT_FALSE(Equal(Value::Double(NAN), Value::Double(NAN)));
  EXPECT_FALSE(Equal(Value::Int(1), Value::String("1")));
  EXPECT_FALSE(Equal(Value::Null(), Value::Bool(false)));
  EXPECT_EQ(Compare(Value::Int(-1), Value::Uint(0)), Ordering::kLess);
  EXPECT_EQ(Compare(Value::Uint(UINT64_MAX), Value::Int(1)), Ordering::kGreater);
  EXPECT_EQ(Compare(Value::Double(NAN), Value::Int(1)), Ordering::kUnordered);
  EXPECT_EQ(Compare(Value::String("a"), Value::Int(1)), Ordering::kError);
}

TEST(ValueTest, ListAndMapEquality) {
  Value a = Value::List({Value::Int(1), Value::Double(2.0)});
  Value b = Value::List({Value::Uint(1), Value::Int(2)});
  EXPECT_TRUE(Equal(a, b));
  EXPECT_FALSE(StrictEqual(a, b));
  Value m1 = Value::Map({{Value::String("k"), Value::Int(1)}, {Value::Int(2), Value::Null()}});
  Value m2 = Value::Map({{Value::Uint(2), Value::Null()}, {Value::String("k"), Value::Double(1)}});
  EXPECT_TRUE(Equal(m1, m2));
  Value m3 = Value::Map({{Value::String("k"), Value::Int(2)}, {Value::Int(2), Value::Null()}});
  EXPECT_FALSE(Equal(m1, m3));
}

TEST(ValueTest, MapRejectsDuplicateAndInvalidKeys) {
  EXPECT_TRUE(Value::Map({{Value::Int(0), Value::Int(1)}, {Value::Uint(0), Value::Int(2)}}).IsError());
  EXPECT_TRUE(Value::Map({{Value::Double(1.5), Value::Int(1)}}).IsError());
  EXPECT_TRUE(Value::Map({{Value::Null(), Value::Int(1)}}).IsError());
  // Large maps use a hash index; lookups still find heterogeneous numeric keys.
  std::vector<std::pair<Value, Value>> entries;
  for (int i = 0; i < 50; ++i) entries.emplace_back(Value::Int(i), Value::Int(i * 10));
  Value big = Value::Map(entries);
  Value out;
  ASSERT_TRUE(big.MapFind(Value::Uint(42), &out));
  EXPECT_EQ(out.IntValue(), 420);
  ASSERT_TRUE(big.MapFind(Value::Double(7.0), &out));
  EXPECT_EQ(out.IntValue(), 70);
  EXPECT_FALSE(big.MapFind(Value::Double(7.5), &out));
  entries.emplace_back(Value::Uint(3), Value::Null());
  EXPECT_TRUE(Value::Map(entries).IsError());
}

TEST(ValueTest, JsonBorrowsTheDocument) {
  aimsgate::JsonDocument doc;
  doc.Parse(kDeployment);
  ASSERT_FALSE(doc.HasParseError());
  Value obj = Value::Json(doc);
  ASSERT_TRUE(obj.IsMap());
  EXPECT_EQ(obj.json(), &doc);
  Value meta = obj.MapGet("metadata");
  EXPECT_EQ(meta.json(), &doc["metadata"]);  // no copy: points into the DOM
  Value name = meta.MapGet("name");
  ASSERT_TRUE(name.IsString());
  EXPECT_EQ(name.StringValue(), "scorer");
  EXPECT_EQ(name.StringValue().data(), doc["metadata"]["name"].GetString());
  Value owner;
  ASSERT_TRUE(meta.MapGet("annotations").MapFindString("aimsgate.io/owner", &owner));
  EXPECT_EQ(owner.StringValue(), "team-a");
  Value spec = obj.MapGet("spec");
  EXPECT_TRUE(spec.MapGet("replicas").IsInt());
  EXPECT_TRUE(spec.MapGet("ratio").IsDouble());
  EXPECT_TRUE(spec.MapGet("big").IsDouble());  // does not fit int64
  Value containers = spec.MapGet("template").MapGet("spec").MapGet("containers");
  ASSERT_TRUE(containers.IsList());
  EXPECT_EQ(containers.ListSize(), 2u);
  EXPECT_EQ(containers.ListAt(1).MapGet("image").StringValue(), "envoy:1.29");
  EXPECT_TRUE(obj.MapGet("status").IsError());
  EXPECT_EQ(obj.MapSize(), 4u);
}

TEST(ValueTest, JsonEqualsBuiltValues) {
  aimsgate::JsonDocument doc;
  doc.Parse(R"({"a": [1, 2.5, "x"], "b": {"k": true}})");
  Value j = Value::Json(doc);
  Value built = Value::Map({{Value::String("b"), Value::Map({{Value::String("k"), Value::Bool(true)}})},
                            {Value::String("a"), Value::List({Value::Uint(1), Value::Double(2.5), Value::String("x")})}});
  EXPECT_TRUE(Equal(j, built));
  EXPECT_TRUE(Equal(built, j));
}

TEST(ValueTest, OptionalValues) {
  Value some = Value::OptionalOf(Value::Int(3));
  EXPECT_TRUE(some.OptionalHasValue());
  EXPECT_EQ(some.OptionalValue().IntValue(), 3);
  EXPECT_FALSE(Value::OptionalNone().OptionalHasValue());
  EXPECT_TRUE(Value::OptionalNone().OptionalValue().IsError());
  EXPECT_EQ(some.DebugString(), "optional.of(3)");
}

// The in-place forms the engine rebinds variables with give the same values as
// the constructors, whatever the value held before (an owned string, a list).
TEST(ValueTest, ClearAndAssignJsonInPlace) {
  aimsgate::JsonDocument d;
  d.Parse(R"({"list": [1, 2], "n": 7, "s": "x"})");
  Value v = Value::String("owned");
  v.AssignJson(d);
  EXPECT_TRUE(v.IsMap());
  EXPECT_EQ(v.BorrowedJson(), &d);
  EXPECT_EQ(v.MapSize(), 3u);
  v = Value::List({Value::Int(1)});
  v.AssignJson(d["list"]);
  EXPECT_TRUE(v.IsList());
  EXPECT_EQ(v.ListSize(), 2u);
  v.AssignJson(d["n"]);  // a scalar: a value of its own, borrowing nothing
  EXPECT_EQ(v.IntValue(), 7);
  EXPECT_EQ(v.BorrowedJson(), nullptr);
  v.AssignJson(d["s"]);
  EXPECT_EQ(v.StringValue(), "x");
  v.Clear();
  EXPECT_TRUE(v.IsNull());
  EXPECT_EQ(v.DebugString(), Value().DebugString());
}

}  // namespace
}  // namespace aimsgate::cel
