// Env: variables, helper functions, compile-time diagnostics, programs on JSON.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <thread>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

constexpr char kDeployment[] = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "scorer", "namespace": "ml",
               "annotations": {"aimsgate.io/owner": "team-a", "aimsgate.io/risk-tier": "high"}},
  "spec": {"replicas": 3, "template": {"spec": {"containers": [
      {"name": "model", "image": "ghcr.io/acme/scorer:1.2"},
      {"name": "sidecar", "image": "envoy:1.29"}]}}}
})";

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    object_ = env_.DeclareVariable("object");
    params_ = env_.DeclareVariable("params");
    doc_.Parse(kDeployment);
    params_doc_.Parse(R"({"annotationPrefix": "aimsgate.io/", "highRiskTiers": ["high"]})");
  }
  Value Run(const std::string& expr) {
    CompileResult r = env_.Compile(expr);
    if (!r.ok()) return Value::Error("compile: " + r.diagnostics.at(0).message);
    Activation act(env_);
    act.Set(object_, Value::Json(doc_));
    act.Set(params_, Value::Json(params_doc_));
    EvalState state;
    return r.program->Evaluate(act, &state);
  }

  Env env_;
  int object_ = -1, params_ = -1;
  aimsgate::JsonDocument doc_, params_doc_;
};

TEST_F(EnvTest, DeclareVariableIsIdempotent) {
  EXPECT_EQ(env_.DeclareVariable("object"), object_);
  EXPECT_NE(object_, params_);
}

TEST_F(EnvTest, EvaluatesAgainstTheManifest) {
  EXPECT_EQ(Run("object.metadata.name").DebugString(), "\"scorer\"");
  EXPECT_EQ(Run("object.metadata.annotations['aimsgate.io/owner']").DebugString(), "\"team-a\"");
  EXPECT_TRUE(Run("has(object.metadata.annotations) && (params.annotationPrefix + 'owner') in "
                  "object.metadata.annotations").BoolValue());
  EXPECT_TRUE(Run("object.metadata.annotations['aimsgate.io/risk-tier'] in params.highRiskTiers").BoolValue());
  EXPECT_TRUE(Run("object.spec.template.spec.containers.exists(c, c.image.startsWith('ghcr.io/'))").BoolValue());
  EXPECT_EQ(Run("object.spec.template.spec.containers.map(c, c.name)").DebugString(), "[\"model\", \"sidecar\"]");
  EXPECT_EQ(Run("object.spec.replicas * 2").DebugString(), "6");
  EXPECT_FALSE(Run("has(object.status)").BoolValue());
  Value missing = Run("object.status.phase");
  ASSERT_TRUE(missing.IsError());
  EXPECT_NE(missing.ErrorMessage().find("no such key: 'status'"), std::string::npos);
}

TEST_F(EnvTest, HelperFunctions) {
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(env_.DeclareFunction("hasAnno", {"o", "key"},
                                   "has(o.metadata.annotations) && (params.annotationPrefix + key) in "
                                   "o.metadata.annotations",
                                   &diags));
  ASSERT_TRUE(env_.DeclareFunction("isOwned", {"o"}, "hasAnno(o, 'owner') && hasAnno(o, 'risk-tier')", &diags));
  EXPECT_TRUE(Run("isOwned(object)").BoolValue());
  EXPECT_FALSE(Run("hasAnno(object, 'model-card')").BoolValue());
  // Helpers nest inside comprehensions without clobbering the caller's variables.
  EXPECT_EQ(Run("[object, object].map(o, isOwned(o) && o.kind == 'Deployment')").DebugString(), "[true, true]");
  // Error arguments behave as if the body were inline: absorbed by ||.
  ASSERT_TRUE(env_.DeclareFunction("orTrue", {"x"}, "x || true", &diags));
  EXPECT_TRUE(Run("orTrue(1/0 == 1)").BoolValue());
}

TEST_F(EnvTest, HelpersCannotRecurse) {
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(env_.DeclareFunction("again", {"x"}, "again(x)", &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("undeclared reference to 'again'"), std::string::npos);
  ASSERT_TRUE(env_.DeclareFunction("f", {"x"}, "x + 1", &diags));
  EXPECT_FALSE(env_.DeclareFunction("f", {"x"}, "x", &diags));  // redeclaration
  EXPECT_FALSE(env_.DeclareFunction("size", {"x"}, "x", &diags));  // builtin name
  EXPECT_FALSE(env_.DeclareFunction("g", {"x", "x"}, "x", &diags));
  EXPECT_FALSE(env_.DeclareFunction("h", {}, "1 +", &diags));  // syntax error
  EXPECT_EQ(Run("f(f(1))").DebugString(), "3");
}

TEST_F(EnvTest, DiagnosticsPointAtTheNode) {
  CompileResult r = env_.Compile("object.metadata.name == objct.name");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].message, "undeclared reference to 'objct'");
  EXPECT_EQ(r.diagnostics[0].offset, 24);
  EXPECT_EQ(r.diagnostics[0].line, 1);
  EXPECT_EQ(r.diagnostics[0].column, 25);

  r = env_.Compile("true &&\n  isAI(object)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics[0].message, "undeclared reference to 'isAI'");
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].column, 3);

  r = env_.Compile("object.metadata.name.startsWith('a', 'b')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics[0].message.find("found no matching overload for 'startsWith'"), std::string::npos);
  EXPECT_EQ(r.diagnostics[0].offset, 21);  // at the function name, not the receiver
  r = env_.Compile("object.metadata.name.startWith('a')");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics[0].message, "undeclared reference to 'startWith'");
  EXPECT_EQ(r.diagnostics[0].column, 22);

  r = env_.Compile("size()");
  ASSERT_FALSE(r.ok());
  r = env_.Compile("[1].all(x, y > 0)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics[0].message, "undeclared reference to 'y'");
  EXPECT_EQ(r.diagnostics[0].offset, 11);
  r = env_.Compile("object.metadata.name == 'x' || 1 + 'a' == 2");
  ASSERT_FALSE(r.ok());  // constant operands of the wrong types
  EXPECT_EQ(r.diagnostics[0].message, "found no matching overload for '_+_' applied to (int, string)");
  EXPECT_GE(r.diagnostics[0].offset, 30);  // at the '1 + 'a'' subexpression
  EXPECT_LE(r.diagnostics[0].offset, 32);
  EXPECT_TRUE(env_.Compile("false && dyn(1) + dyn('a') == 2").ok());  // dyn opts out
  EXPECT_TRUE(env_.Compile("false && 1 / 0 == 1").ok());               // not a type error
  r = env_.Compile("'a'.matches('(')");
  ASSERT_FALSE(r.ok());  // constant regex compiled at load
}

TEST_F(EnvTest, UncheckedCompilationDefersErrors) {
  CompileOptions no_check;
  no_check.check = false;
  CompileResult r = env_.Compile("x || true", no_check);
  ASSERT_TRUE(r.ok());
  Activation act(env_);
  EXPECT_TRUE(r.program->Evaluate(act, nullptr).BoolValue());
  r = env_.Compile("f_unknown(1)", no_check);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.program->Evaluate(act, nullptr).IsError());
}

TEST_F(EnvTest, ProgramsOutliveTheEnvAndRunConcurrently) {
  std::shared_ptr<const Program> program;
  int slot;
  {
    Env env;
    slot = env.DeclareVariable("object");
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(env.DeclareFunction("named", {"o"}, "o.metadata.name.matches('^s.*r$')", &diags));
    program = env.Compile("named(object) && object.spec.replicas > 1").program;
    ASSERT_NE(program, nullptr);
    // Activation is built from the Env, so build them before it goes away.
  }
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Env shape;  // same variable layout: "object" in slot 0
      shape.DeclareVariable("object");
      Activation act(shape);
      act.Set(slot, Value::Json(doc_));
      EvalState state;
      for (int i = 0; i < 500; ++i) {
        if (program->Evaluate(act, &state).BoolValue()) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 2000);
  EXPECT_EQ(program->source(), "named(object) && object.spec.replicas > 1");
}

}  // namespace
}  // namespace aimsgate::cel
