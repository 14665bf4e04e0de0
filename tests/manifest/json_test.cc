// JSON input, the JSON/YAML sniffing, and equality of the two front ends.
#include <string>

#include <gtest/gtest.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "tests/manifest/test_util.h"

namespace aimsgate::manifest {
namespace {

using testing::Describe;
using testing::Errors;

const char kDeploymentJson[] = R"({
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "scorer",
    "namespace": "ml",
    "labels": {"app": "scorer", "tier": "1"},
    "annotations": {"aimsgate.io/owner": "team-a"}
  },
  "spec": {
    "replicas": 3,
    "paused": false,
    "progressDeadlineSeconds": 600,
    "ratio": 0.25,
    "big": 18446744073709551615,
    "selector": {"matchLabels": {"app": "scorer"}},
    "template": {
      "metadata": {"labels": {"app": "scorer"}},
      "spec": {
        "containers": [
          {"name": "model", "image": "ghcr.io/acme/scorer:1.2",
           "args": ["--port", "8080"], "env": [{"name": "X", "value": null}],
           "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}
        ]
      }
    }
  }
}
)";

const char kDeploymentYaml[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
  namespace: ml
  labels:
    app: scorer
    tier: "1"
  annotations:
    aimsgate.io/owner: team-a
spec:
  replicas: 3
  paused: false
  progressDeadlineSeconds: 600
  ratio: 0.25
  big: 18446744073709551615
  selector:
    matchLabels: {app: scorer}
  template:
    metadata:
      labels:
        app: scorer
    spec:
      containers:
      - name: model
        image: ghcr.io/acme/scorer:1.2
        args: ["--port", "8080"]
        env:
        - name: X
          value: ~
        resources:
          limits: {cpu: 500m, memory: 1Gi}
)";

TEST(JsonAndYaml, SameObjectGivesEqualDoms) {
  LoadResult j = LoadJson(kDeploymentJson, "d.json");
  LoadResult y = LoadYaml(kDeploymentYaml, "d.yaml");
  ASSERT_TRUE(j.ok()) << Errors(j);
  ASSERT_TRUE(y.ok()) << Errors(y);
  ASSERT_EQ(j.resources.size(), 1u);
  ASSERT_EQ(y.resources.size(), 1u);
  EXPECT_TRUE(*j.resources[0].object == *y.resources[0].object);
  const aimsgate::JsonValue& spec = (*y.resources[0].object)["spec"];
  EXPECT_TRUE(spec["replicas"].IsInt());
  EXPECT_TRUE((*j.resources[0].object)["spec"]["replicas"].IsInt());
  EXPECT_EQ(Describe(spec["big"]), "uint:18446744073709551615");
  // YAML via the JSON parser: the same file loaded as YAML equals the JSON DOM.
  LoadResult jy = LoadYaml(kDeploymentJson, "d.json");
  ASSERT_TRUE(jy.ok()) << Errors(jy);
  EXPECT_TRUE(*jy.resources[0].object == *j.resources[0].object);
}

TEST(Json, PositionsOfObjectsAndFields) {
  LoadResult j = LoadJson(kDeploymentJson, "d.json");
  ASSERT_TRUE(j.ok());
  const Resource& r = j.resources[0];
  EXPECT_EQ(r.line, 1);
  EXPECT_EQ(r.column, 1);
  const aimsgate::JsonValue& o = *r.object;
  EXPECT_EQ(r.FieldLine(&o["metadata"]), 4);
  EXPECT_EQ(r.FieldPosition(&o["metadata"]).column, 15);
  EXPECT_EQ(r.FieldLine(&o["spec"]["replicas"]), 11);
  EXPECT_EQ(r.FieldPosition(&o["spec"]["replicas"]).column, 17);
  const aimsgate::JsonValue& c = o["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(r.FieldLine(&c["image"]), 21);
  EXPECT_EQ(r.FieldPosition(&c["image"]).column, 38);
  EXPECT_EQ(r.FieldLine(&c["args"][1]), 22);
  // Member names have positions too.
  EXPECT_EQ(r.FieldPosition(&o.FindMember("kind")->name).line, 3);
  EXPECT_EQ(r.FieldPosition(&o.FindMember("kind")->name).column, 3);
}

TEST(Json, ListAndStreamOfValues) {
  const char* text =
      "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
      "  {\"apiVersion\": \"v1\", \"kind\": \"Pod\"},\n"
      "  {\"apiVersion\": \"v1\", \"kind\": \"Service\"}]}\n"
      "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}\n";
  LoadResult r = LoadJson(text, "l.json");
  ASSERT_TRUE(r.ok()) << Errors(r);
  ASSERT_EQ(r.resources.size(), 3u);
  EXPECT_EQ(r.resources[0].line, 2);
  EXPECT_EQ(r.resources[0].column, 3);
  EXPECT_EQ(r.resources[0].item_index, 0);
  EXPECT_EQ(r.resources[1].line, 3);
  EXPECT_EQ(r.resources[1].item_index, 1);
  EXPECT_EQ(r.resources[2].line, 4);
  EXPECT_EQ(r.resources[2].document_index, 1);
  EXPECT_EQ(r.resources[2].item_index, -1);
}

TEST(Json, ErrorsHaveExactLocations) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\",\n \"x\": [1, 2,]\n}",
       "j.json:3:13: error: invalid JSON: Invalid value."},
      {"{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\"\n \"x\": 1}",
       "j.json:3:2: error: invalid JSON: Missing a comma or '}' after an object member."},
      {"{\"a\": NaN}", "j.json:1:7: error: invalid JSON: Invalid value."},
      {"{\"a\": Infinity}", "j.json:1:7: error: invalid JSON: Invalid value."},
      {"{\"a\": -Infinity}", "j.json:1:8: error: invalid JSON: Invalid value."},
      {"{\"apiVersion\": \"v1\", \"kind\": \"Pod\"} x",
       "j.json:1:37: error: invalid JSON: Invalid value."},
      {"{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\"", 
       "j.json:2:15: error: invalid JSON: Missing a comma or '}' after an object member."},
      {"{\"a\": \"h\xC3\xA9llo\", \"b\": tru}", "j.json:1:24: error: invalid JSON: Invalid value."},  // where RapidJSON stops,
      {"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"kind\": \"Job\"}",
       "j.json:1:37: error: duplicate key \"kind\" in mapping"},
      {"[1, 2]", "j.json:1:1: error: document is not a Kubernetes object (no kind): it is a sequence"},
  };
  for (const Case& c : cases) {
    LoadResult r = LoadJson(c.text, "j.json");
    ASSERT_FALSE(r.errors.empty()) << c.text;
    EXPECT_EQ(r.errors.back().ToString(), c.error) << c.text;
  }
}

TEST(Json, BomAndWhitespaceTolerated) {
  LoadResult r = LoadJson("\xEF\xBB\xBF\n  {\"apiVersion\": \"v1\", \"kind\": \"Pod\"}\n\n", "b.json");
  ASSERT_TRUE(r.ok()) << Errors(r);
  EXPECT_EQ(r.resources[0].line, 2);
  EXPECT_EQ(r.resources[0].column, 3);
  EXPECT_TRUE(LoadJson("  \n", "e.json").ok());
}

TEST(LoadBytes, TrailingCommaIsBrokenJsonNotFlowYaml) {
  // YAML's flow mappings accept `{"a": 1,}`; a .json manifest that has one is broken.
  for (const char* text : {"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},}",
                           "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"metadata\": {\"name\": \"p\",\n }}"}) {
    LoadResult r = LoadBytes(text, "t.json");
    ASSERT_EQ(r.errors.size(), 1u) << text;
    EXPECT_TRUE(r.resources.empty());
    EXPECT_NE(r.errors[0].ToString().find("error: invalid JSON: trailing comma before '}'"), std::string::npos)
        << r.errors[0].ToString();
  }
  // Flow-style YAML with unquoted keys still loads.
  EXPECT_TRUE(LoadBytes("{apiVersion: v1, kind: Pod, metadata: {name: p},}", "f.yaml").ok());
}

TEST(LoadBytes, SniffsJsonAndFallsBackToFlowYaml) {
  // JSON: the JSON parser's error (YAML would accept `NaN` as a string).
  LoadResult nan = LoadBytes("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"x\": NaN}", "s");
  ASSERT_EQ(nan.errors.size(), 1u);
  EXPECT_NE(nan.errors[0].message.find("invalid JSON"), std::string::npos);
  // Flow-style YAML starting with `{`.
  LoadResult flow = LoadBytes("{kind: Pod, apiVersion: v1, spec: {replicas: 2}}\n", "s");
  ASSERT_TRUE(flow.ok()) << Errors(flow);
  EXPECT_EQ(Describe((*flow.resources[0].object)["spec"]["replicas"]), "int:2");
  // YAML.
  LoadResult y = LoadBytes("# c\napiVersion: v1\nkind: Pod\n", "s");
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y.resources[0].line, 2);
  // Broken flow YAML that is not JSON either: the JSON error is reported.
  LoadResult broken = LoadBytes("{kind: Pod, [\n", "s");
  ASSERT_EQ(broken.errors.size(), 1u);
  EXPECT_NE(broken.errors[0].message.find("invalid JSON"), std::string::npos);
}

TEST(Json, StringsWithEscapesKeepPositions) {
  const char* text = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n \"q\": \"a\\\"b\\\\\", \"r\": 1}";
  LoadResult r = LoadJson(text, "e.json");
  ASSERT_TRUE(r.ok()) << Errors(r);
  const aimsgate::JsonValue& o = *r.resources[0].object;
  EXPECT_EQ(Describe(o["q"]), "str:a\"b\\");
  EXPECT_EQ(r.resources[0].FieldPosition(&o["q"]).column, 7);
  EXPECT_EQ(r.resources[0].FieldPosition(&o["r"]).column, 22);
  EXPECT_EQ(r.resources[0].FieldPosition(&o.FindMember("r")->name).column, 17);
}

}  // namespace
}  // namespace aimsgate::manifest
