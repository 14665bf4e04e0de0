// The export inliner (evaluator/pack/vap_export.h): pack functions become VAP
// variables or cel.bind, params become literals, aimsgate-only inputs refuse.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/vap_export.h"

namespace aimsgate {
namespace {

FunctionSpec Fn(const std::string& name, std::vector<std::string> params, const std::string& body) {
  FunctionSpec f;
  f.name = name;
  f.params = std::move(params);
  f.expression.text = body;
  return f;
}

class InlinerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    params_.Parse(R"({"prefix": "corp/", "tiers": ["high", "low"], "max": 3})");
    functions_ = {Fn("spec", {"o"}, "o.kind == 'Pod' ? o.spec : o.spec.template.spec"),
                  Fn("ann", {"o", "key"}, "has(o.metadata.annotations) && (params.prefix + key) in o.metadata.annotations"),
                  Fn("images", {"o"}, "spec(o).containers.map(c, c.image)"),
                  Fn("registered", {"o"}, "inventory != null")};
  }
  aimsgate::JsonDocument params_;
  std::vector<FunctionSpec> functions_;
};

TEST_F(InlinerTest, CallsOnObjectBecomeVariablesInDependencyOrder) {
  Inliner in(functions_, params_);
  std::string out, why;
  ASSERT_TRUE(in.Inline("size(images(object)) > 0 && spec(object).replicas <= params.max", &out, &why)) << why;
  EXPECT_EQ(out, "size(variables.images) > 0 && variables.spec.replicas <= (3)");
  ASSERT_EQ(in.variables().size(), 2u);
  EXPECT_EQ(in.variables()[0].first, "spec");  // images depends on spec
  EXPECT_EQ(in.variables()[1].first, "images");
  EXPECT_EQ(in.variables()[1].second, "variables.spec.containers.map(c, c.image)");
}

TEST_F(InlinerTest, OtherArgumentsAreBoundOnceUnderFreshNames) {
  Inliner in(functions_, params_);
  std::string out, why;
  ASSERT_TRUE(in.Inline("ann(oldObject, 'owner') && 'ann(x)' != ''", &out, &why)) << why;
  EXPECT_EQ(out,
            "cel.bind(ag1_o, oldObject, cel.bind(ag2_key, 'owner', (has(ag1_o.metadata.annotations) && "
            "((\"corp/\") + ag2_key) in ag1_o.metadata.annotations))) && 'ann(x)' != ''");
}

TEST_F(InlinerTest, AimsgateOnlyInputsAreNotExportable) {
  Inliner in(functions_, params_);
  std::string out, why;
  EXPECT_FALSE(in.Inline("registered(object)", &out, &why));
  EXPECT_NE(why.find("AI-system register"), std::string::npos);
  Inliner m(functions_, params_);
  EXPECT_FALSE(m.Inline("model.license == 'mit'", &out, &why));
  EXPECT_NE(why.find("model metadata"), std::string::npos);
  Inliner ok(functions_, params_);
  EXPECT_TRUE(ok.Inline("object.metadata.model == 'x' && params.tiers[0] == 'high'", &out, &why)) << why;
  EXPECT_EQ(out, "object.metadata.model == 'x' && ([\"high\", \"low\"])[0] == 'high'");
}

TEST_F(InlinerTest, RunawayRecursionIsRefused) {
  std::vector<FunctionSpec> loop = {Fn("f", {"x"}, "f(x + 1)")};
  Inliner in(loop, params_);
  std::string out, why;
  EXPECT_FALSE(in.Inline("f(1)", &out, &why));
  EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace aimsgate
