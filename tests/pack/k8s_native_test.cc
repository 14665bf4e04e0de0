// The k8s library's native functions (k8s_library.h, K8sNative) against their
// CEL bodies: for every object below, well-formed or not, each expression gives
// the same value, or the same error, with the natives (folded plan) and without
// (Limits::fold = false runs the bodies only).  The natives answer the shapes a
// well-formed object has and leave the rest to the body, so a field of another
// type must still end in the body's answer.  That the natives run at all is
// checked too: they cost fewer budget units than the bodies.
#include <gtest/gtest.h>

#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/k8s_library.h"

namespace aimsgate {
namespace {

// Objects of every kind k8s.podSpecs reads, then each field it reads replaced
// by null, a string, a number, a list or a map where another type belongs.
const char* const kObjects[] = {
    // Well-formed.
    R"({"kind": "Pod", "spec": {"initContainers": [{"image": "busybox:1.36"}],
        "containers": [{"image": "vllm/vllm-openai:v0.6.3"}, {"name": "no-image"}, {"image": null}]}})",
    R"({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"image": "a b  c"}, {"image": ""}]}}}})",
    R"({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}}})",
    R"({"kind": "ReplicationController", "spec": {"template": {"spec": {"containers": [{"image": "rc"}]}}}})",
    R"({"kind": "InferenceService", "spec": {"predictor": {"model": {"image": "kserve/sklearnserver"},
        "containers": [{"image": "p"}]}, "transformer": {"containers": [{"image": "t"}]}, "explainer": null}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": [{"spec": {"containers": [{"image": "s0"}]}},
        {"nospec": 1}]}, {}, {"componentSpecs": []}, {"componentSpecs": [{"spec": {"containers": []}}]},
        {"componentSpecs": [{"spec": {"containers": [{"image": "fifth-not-read"}]}}]}]}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"headGroupSpec": {"template": {"spec": {"containers":
        [{"image": "rayproject/ray:2.9"}]}}}, "workerGroupSpecs": [{"template": {"spec": {"containers": [{"image": "w"}]}}},
        {"template": {}}, {"replicas": 2}]}}})",
    R"({"kind": "Service", "spec": {"ports": []}})",
    R"({"kind": "Deployment"})",
    R"({"kind": "Deployment", "spec": {"template": {"spec": {}}}})",
    R"({"kind": "Pod"})",
    R"({"kind": "RayService", "spec": {}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {}}})",
    // Malformed: the body decides.
    R"({"spec": {}})",
    R"({"kind": 7, "spec": {}})",
    R"({"kind": "Pod", "spec": null})",
    R"({"kind": "Pod", "spec": "s"})",
    R"({"kind": "Pod", "spec": [1]})",
    R"({"kind": "Pod", "spec": {"containers": {"image": "m"}}})",
    R"({"kind": "Pod", "spec": {"containers": "c"}})",
    R"({"kind": "Pod", "spec": {"containers": null, "initContainers": [7]}})",
    R"({"kind": "Pod", "spec": {"containers": [null]}})",
    R"({"kind": "Pod", "spec": {"containers": [{"image": 5}]}})",
    R"({"kind": "Pod", "spec": {"containers": [{"image": true}]}})",
    R"({"kind": "Pod", "spec": {"containers": [{"image": ["a"]}]}})",
    R"({"kind": "Pod", "spec": {"model": "m", "containers": []}})",
    R"({"kind": "Deployment", "spec": null})",
    R"({"kind": "Deployment", "spec": "x"})",
    R"({"kind": "Deployment", "spec": ["template"]})",
    R"({"kind": "Deployment", "spec": {"template": "t"}})",
    R"({"kind": "Deployment", "spec": {"template": {"spec": "s"}}})",
    R"({"kind": "Deployment", "spec": {"template": {"spec": [1, 2]}}})",
    R"({"kind": "CronJob", "spec": {"jobTemplate": [1]}})",
    R"({"kind": "CronJob", "spec": {"jobTemplate": {"spec": null}}})",
    R"({"kind": "InferenceService", "spec": "x"})",
    R"({"kind": "InferenceService", "spec": ["predictor"]})",
    R"({"kind": "InferenceService", "spec": {"predictor": "p"}})",
    R"({"kind": "InferenceService", "spec": {"predictor": [1]}})",
    R"({"kind": "SeldonDeployment", "spec": null})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": null}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": {"a": 1}}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": "ab"}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [1]}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": null}]}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": [3]}]}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": [{"spec": 3}]}]}})",
    R"({"kind": "SeldonDeployment", "spec": {"predictors": [{"componentSpecs": [{"spec": null}]}]}})",
    R"({"kind": "RayService", "spec": null})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": null}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"headGroupSpec": null}}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"headGroupSpec": {"template": 1}}}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"headGroupSpec": {"template": {"spec": null}}}}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"workerGroupSpecs": {"a": 1}}}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"workerGroupSpecs": [null]}}})",
    R"({"kind": "RayService", "spec": {"rayClusterConfig": {"workerGroupSpecs": [{"template": "t"}]}}})",
    // Annotations and labels, on the object and on its pods.
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": "team-a"}, "labels": {"a/tier": "high"}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": ""}}, "spec": {"template": {"metadata":
        {"annotations": {"a/owner": "pods"}, "labels": {"a/tier": "t"}}}}})",
    R"({"kind": "CronJob", "metadata": {}, "spec": {"jobTemplate": {"spec": {"template": {"metadata":
        {"annotations": {"a/owner": "cron"}}}}}}})",
    R"({"kind": "Pod", "metadata": {"annotations": {"a/owner": null}, "labels": null}})",
    R"({"kind": "InferenceService", "metadata": {"annotations": {"a/other": "x"}}})",
    R"({"metadata": {"annotations": {"a/owner": "no kind"}}})",
    R"({"metadata": {"annotations": {"a/owner": ""}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": "  padded  "}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": "\u00a0nbsp"}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": 5, "a/tier": true}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": ["x"]}}})",
    R"({"kind": "Deployment", "metadata": {"annotations": "a"}})",
    R"({"kind": "Deployment", "metadata": {"annotations": ["a/owner"]}})",
    R"({"kind": "Deployment", "metadata": null, "spec": {"template": {"metadata": {"annotations": {"a/owner": "t"}}}}})",
    R"({"kind": "Deployment", "metadata": [1]})",
    R"({"kind": "Deployment", "spec": {"template": {"metadata": "m"}}})",
    R"({"kind": "Deployment", "spec": {"template": {"metadata": {"annotations": {"a/owner": " t"}}}}})",
    R"({"kind": 3, "metadata": {}})",
};

const char* const kExpressions[] = {
    "k8s.podSpecs(object)",
    "k8s.images(object)",
    "k8s.podSpecs(object).map(s, k8s.specContainers(s))",
    "k8s.podSpecs(object).map(s, k8s.specContainers(s).size())",
    "[object].map(o, k8s.images(o))",  // an argument that reads a local: no memo slot
    "k8s.images(object).size() + k8s.podSpecs(object).size()",
    "k8s.specContainers(object)",  // the object is no pod spec: usually declined
    "k8s.mapAt(object.spec, 'template')",
    "k8s.mapAt(k8s.mapAt(object, 'spec'), 'template')",
    "k8s.podTemplate(object)",
    "[object].map(o, k8s.mapAt(k8s.mapAt(o, 'spec'), 'template'))",
    "k8s.workloadAnnotation(object, 'a/owner')",
    "k8s.workloadLabel(object, 'a/tier')",
    "[object].map(o, k8s.workloadAnnotation(o, 'a/' + 'owner'))",
    "k8s.textAt(k8s.annotations(object), 'a/owner')",
    "k8s.textAt(object, 'kind')",
    "k8s.textAt(object, 1)",
    "k8s.workloadAnnotation(object, 1)",
};

struct Side {
  std::unique_ptr<cel::Env> env;
  int object = -1;
};

Side MakeSide(bool fold, int64_t cost_limit = 0, int64_t max_iterations = 0) {
  cel::Limits limits;
  limits.fold = fold;
  if (cost_limit > 0) limits.cost_limit = cost_limit;
  if (max_iterations > 0) limits.max_comprehension_iterations = max_iterations;
  Side s;
  s.env = std::make_unique<cel::Env>(limits);
  s.object = s.env->DeclareVariable("object");
  for (const FunctionSpec& f : K8sLibrary()) {
    std::vector<cel::Diagnostic> diags;
    EXPECT_TRUE(s.env->DeclareFunction(f.name, f.params, f.expression.text, &diags)) << f.name;
    if (const auto native = K8sNative(f.name)) {
      EXPECT_TRUE(s.env->SetNative(f.name, native));
    }
  }
  return s;
}

cel::Value Eval(const Side& s, const std::string& expr, const JsonValue& object, int64_t* cost = nullptr) {
  cel::CompileResult r = s.env->Compile(expr);
  EXPECT_TRUE(r.ok()) << expr;
  if (!r.ok()) return cel::Value::Error("compile");
  cel::Activation act(*s.env);
  act.Set(s.object, cel::Value::Json(object));
  cel::EvalState state;
  cel::Value v = r.program->Evaluate(act, &state);
  if (cost != nullptr) *cost = cel::Program::LastCost(state);
  return v;
}

TEST(K8sNativeTest, NativesAnswerAsTheBodiesDoOnEveryShape) {
  const Side native = MakeSide(true), body = MakeSide(false);
  int errors = 0;
  for (const char* text : kObjects) {
    JsonDocument object;
    object.Parse(text);
    ASSERT_FALSE(object.HasParseError()) << text;
    for (const char* expr : kExpressions) {
      const cel::Value n = Eval(native, expr, object), b = Eval(body, expr, object);
      ASSERT_EQ(n.IsError(), b.IsError()) << expr << " on " << text << ": " << n.DebugString() << " vs "
                                          << b.DebugString();
      if (b.IsError()) {
        ++errors;
        EXPECT_EQ(n.ErrorMessage(), b.ErrorMessage()) << expr << " on " << text;
      } else {
        EXPECT_EQ(n.DebugString(), b.DebugString()) << expr << " on " << text;
      }
    }
  }
  EXPECT_GT(errors, 20);  // the malformed objects do reach the bodies' errors
}

// As a pack runs them: one state and one activation for every rule, the
// documents parsed in place into one JsonDocument and set again.  The natives'
// member lookups are then cached from program to program (NativeContext) and
// must be forgotten with each new document.
TEST(K8sNativeTest, NativesAnswerAsTheBodiesDoOnOneReusedStateAndDocument) {
  const Side native = MakeSide(true), body = MakeSide(false);
  std::vector<std::shared_ptr<const cel::Program>> programs;
  for (const char* expr : kExpressions) {
    cel::CompileResult r = native.env->Compile(expr);
    ASSERT_TRUE(r.ok()) << expr;
    programs.push_back(std::move(r.program));
  }
  cel::Activation act(*native.env);
  cel::EvalState state;
  JsonDocument object;
  for (int round = 0; round < 2; ++round) {
    for (const char* text : kObjects) {
      object.Parse(text);
      ASSERT_FALSE(object.HasParseError()) << text;
      act.SetJson(native.object, object);
      for (size_t i = 0; i < programs.size(); ++i) {
        const cel::Value n = programs[i]->Evaluate(act, &state), b = Eval(body, kExpressions[i], object);
        EXPECT_EQ(n.DebugString(), b.DebugString()) << kExpressions[i] << " on " << text;
      }
    }
  }
}

// Near the cost and iteration limits, and on a large object, the natives step
// aside for the body.  Where a limit is reached depends on the plan (folding
// charges differently too), so at tight limits the two may differ only by
// one of them running out; every answer given is the body's.
TEST(K8sNativeTest, LimitsHoldAsTheBodiesMeetThem) {
  std::vector<std::string> objects(std::begin(kObjects), std::end(kObjects));
  std::string big = R"({"kind": "Pod", "spec": {"containers": [)";
  for (int i = 0; i < 3000; ++i) big += std::string(i ? "," : "") + R"({"image": "img)" + std::to_string(i) + R"("})";
  objects.push_back(big + "]}}");
  int limited = 0, same = 0;
  for (int64_t cost : {0, 5, 20, 60, 200, 1000}) {
    for (int64_t iterations : {0, 1, 3, 10, 40}) {
      const Side native = MakeSide(true, cost, iterations), body = MakeSide(false, cost, iterations);
      for (const std::string& text : objects) {
        JsonDocument object;
        object.Parse(text.c_str());
        ASSERT_FALSE(object.HasParseError());
        for (const char* expr : kExpressions) {
          const cel::Value n = Eval(native, expr, object), b = Eval(body, expr, object);
          auto out_of_limits = [](const cel::Value& v) {
            return v.IsError() && v.ErrorMessage().find("exceeded") != std::string::npos;
          };
          if (out_of_limits(b)) ++limited;
          if (out_of_limits(n) || out_of_limits(b)) {
            if (cost == 0 && iterations == 0) ADD_FAILURE() << expr << " ran out at the default limits";
            continue;
          }
          ++same;
          ASSERT_EQ(n.DebugString(), b.DebugString()) << expr << ", cost limit " << cost << ", iterations "
                                                      << iterations << ", on " << text.substr(0, 200);
        }
      }
    }
  }
  EXPECT_GT(limited, 500);                 // the limits were reached, many times
  EXPECT_GT(same, 10000);                  // and the answers given were compared
}

TEST(K8sNativeTest, WellFormedObjectsGiveWhatTheDocsSay) {
  const Side native = MakeSide(true);
  auto images = [&](const char* text) {
    JsonDocument object;
    object.Parse(text);
    return Eval(native, "k8s.images(object)", object).DebugString();
  };
  EXPECT_EQ(images(kObjects[0]), R"(["busybox:1.36", "vllm/vllm-openai:v0.6.3"])");
  EXPECT_EQ(images(kObjects[1]), R"(["a", "b", "c"])");  // split at spaces, empty names dropped
  EXPECT_EQ(images(kObjects[4]), R"(["p", "kserve/sklearnserver", "t"])");
  EXPECT_EQ(images(kObjects[5]), R"(["s0"])");  // the fifth predictor is not read
  EXPECT_EQ(images(kObjects[6]), R"(["rayproject/ray:2.9", "w"])");
  EXPECT_EQ(images(kObjects[7]), "[]");

  auto owner = [&](const char* text) {
    JsonDocument object;
    object.Parse(text);
    return Eval(native, "k8s.workloadAnnotation(object, 'a/owner')", object).DebugString();
  };
  EXPECT_EQ(owner(R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": "own"}},
      "spec": {"template": {"metadata": {"annotations": {"a/owner": "pods"}}}}})"), R"("own")");
  EXPECT_EQ(owner(R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": " "}},
      "spec": {"template": {"metadata": {"annotations": {"a/owner": "pods"}}}}})"), R"("pods")");
  EXPECT_EQ(owner(R"({"kind": "Deployment", "metadata": {"annotations": {"a/owner": "  padded "}}})"), R"("padded")");
  EXPECT_EQ(owner(R"({"kind": "Pod", "metadata": {}})"), R"("")");
}

TEST(K8sNativeTest, TheNativesRunAndCostLess) {
  const Side native = MakeSide(true), body = MakeSide(false);
  JsonDocument object;
  object.Parse(kObjects[0]);
  int64_t native_cost = 0, body_cost = 0;
  Eval(native, "k8s.images(object)", object, &native_cost);
  Eval(body, "k8s.images(object)", object, &body_cost);
  EXPECT_GT(native_cost, 0);
  EXPECT_LT(native_cost * 4, body_cost);

  JsonDocument annotated;
  annotated.Parse(R"({"kind": "Deployment", "spec": {"template": {"metadata": {"annotations": {"a/owner": "t"}}}}})");
  Eval(native, "k8s.workloadAnnotation(object, 'a/owner')", annotated, &native_cost);
  Eval(body, "k8s.workloadAnnotation(object, 'a/owner')", annotated, &body_cost);
  EXPECT_LT(native_cost * 4, body_cost);
}

TEST(K8sNativeTest, ADeclinedCallRunsTheBodyUnderTheSameBudget) {
  // A malformed object sends k8s.images to its body, which must still run out
  // of budget, not past it.
  JsonDocument object;
  object.Parse(R"({"kind": "Pod", "spec": {"containers": [{"image": 5}]}})");
  const Side tight = MakeSide(true, 5);
  const cel::Value v = Eval(tight, "k8s.images(object)", object);
  ASSERT_TRUE(v.IsError());
  EXPECT_NE(v.ErrorMessage().find("cost budget exceeded"), std::string::npos) << v.ErrorMessage();
}

}  // namespace
}  // namespace aimsgate
