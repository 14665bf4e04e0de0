// Throughput of the loaders on a generated corpus of 2,000 Deployments.
// Disabled by default (timing, not behaviour); run with
//   manifest_tests --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {
namespace {

std::string YamlDeployment(int i) {
  std::string n = std::to_string(i);
  return "apiVersion: apps/v1\n"
         "kind: Deployment\n"
         "metadata:\n"
         "  name: model-" + n + "\n"
         "  namespace: ml-" + std::to_string(i % 7) + "\n"
         "  labels:\n"
         "    app.kubernetes.io/name: model-" + n + "\n"
         "    app.kubernetes.io/part-of: inference\n"
         "    aimsgate.io/risk-tier: high\n"
         "  annotations:\n"
         "    aimsgate.io/owner: team-" + std::to_string(i % 13) + "\n"
         "    aimsgate.io/system-id: sys-" + n + "\n"
         "    aimsgate.io/model-card: https://models.example.com/cards/" + n + "\n"
         "spec:\n"
         "  replicas: 3\n"
         "  revisionHistoryLimit: 10\n"
         "  selector:\n"
         "    matchLabels:\n"
         "      app.kubernetes.io/name: model-" + n + "\n"
         "  template:\n"
         "    metadata:\n"
         "      labels:\n"
         "        app.kubernetes.io/name: model-" + n + "\n"
         "    spec:\n"
         "      serviceAccountName: model\n"
         "      securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000}\n"
         "      containers:\n"
         "      - name: server\n"
         "        image: ghcr.io/acme/vllm:0.4." + n + "\n"
         "        args: [\"--model\", \"/models/llama\", \"--port\", \"8000\", \"--max-model-len\", \"4096\"]\n"
         "        ports:\n"
         "        - containerPort: 8000\n"
         "          name: http\n"
         "        env:\n"
         "        - name: HF_HOME\n"
         "          value: /cache\n"
         "        - name: LOG_LEVEL\n"
         "          value: info\n"
         "        resources:\n"
         "          requests: {cpu: 500m, memory: 8Gi}\n"
         "          limits: {cpu: \"4\", memory: 16Gi, nvidia.com/gpu: 1}\n"
         "        readinessProbe:\n"
         "          httpGet: {path: /health, port: 8000}\n"
         "          initialDelaySeconds: 30\n"
         "          periodSeconds: 10\n"
         "        volumeMounts:\n"
         "        - {name: models, mountPath: /models, readOnly: true}\n"
         "      volumes:\n"
         "      - name: models\n"
         "        persistentVolumeClaim: {claimName: models-" + n + "}\n";
}

struct Corpus {
  std::string yaml;
  std::string json;
  size_t count = 0;
};

Corpus Build(int n) {
  Corpus c;
  std::string items;
  for (int i = 0; i < n; ++i) {
    if (i) c.yaml += "---\n";
    c.yaml += YamlDeployment(i);
  }
  // The JSON corpus: a v1 List of the same objects, pretty-printed like kubectl.
  LoadResult r = LoadYaml(c.yaml, "corpus.yaml");
  c.count = r.resources.size();
  c.json = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n";
  for (size_t i = 0; i < r.resources.size(); ++i) {
    // Pretty-print by re-loading each YAML document is overkill; a compact line per item
    // with some indentation keeps the JSON close to kubectl's size.
    aimsgate::JsonStringBuffer buf;
    aimsgate::JsonPrettyWriter<aimsgate::JsonStringBuffer> w(buf);
    w.SetIndent(' ', 2);
    r.resources[i].object->Accept(w);
    c.json += buf.GetString();
    c.json += i + 1 < r.resources.size() ? ",\n" : "\n";
  }
  c.json += "  ]\n}\n";
  return c;
}

// Best of `reps` runs: the machine is shared, the minimum is the least noisy figure.
template <typename F>
double MBps(const std::string& bytes, int reps, F load) {
  double best = 1e100;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    load();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return static_cast<double>(bytes.size()) / best / 1e6;
}

TEST(ManifestThroughput, DISABLED_TwoThousandDeployments) {
  Corpus c = Build(2000);
  ASSERT_EQ(c.count, 2000u);
  Limits with, without;
  without.record_field_lines = false;
  const int reps = 5;
  // Reference: libyaml's event parser alone, no DOM.
  double raw = MBps(c.yaml, reps, [&] {
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(c.yaml.data()), c.yaml.size());
    yaml_event_t e;
    for (;;) {
      if (!yaml_parser_parse(&p, &e)) break;
      bool end = e.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&e);
      if (end) break;
    }
    yaml_parser_delete(&p);
  });
  std::printf("libyaml events alone: %.1f MB/s\n", raw);
  size_t got = 0;
  double y_on = MBps(c.yaml, reps, [&] { got += LoadYaml(c.yaml, "c.yaml", with).resources.size(); });
  double y_off = MBps(c.yaml, reps, [&] { got += LoadYaml(c.yaml, "c.yaml", without).resources.size(); });
  double j_on = MBps(c.json, reps, [&] { got += LoadJson(c.json, "c.json", with).resources.size(); });
  double j_off = MBps(c.json, reps, [&] { got += LoadJson(c.json, "c.json", without).resources.size(); });
  // Using FieldLine: the first lookup in each document sorts its position index.
  int lines = 0;
  double y_used = MBps(c.yaml, reps, [&] {
    LoadResult r = LoadYaml(c.yaml, "c.yaml", with);
    for (const Resource& res : r.resources) lines += res.FieldLine(&(*res.object)["spec"]) > 0;
  });
  double j_used = MBps(c.json, reps, [&] {
    LoadResult r = LoadJson(c.json, "c.json", with);
    for (const Resource& res : r.resources) lines += res.FieldLine(&(*res.object)["spec"]) > 0;
  });
  EXPECT_EQ(lines, 2000 * reps * 2);
  EXPECT_EQ(got, 2000u * reps * 4);
  std::printf("corpus: yaml %.2f MB, json %.2f MB, 2000 Deployments\n", c.yaml.size() / 1e6,
              c.json.size() / 1e6);
  std::printf("YAML: %.1f MB/s with field lines, %.1f MB/s without\n", y_on, y_off);
  std::printf("JSON: %.1f MB/s with field lines, %.1f MB/s without\n", j_on, j_off);
  std::printf("with one FieldLine call per resource: YAML %.1f MB/s, JSON %.1f MB/s\n", y_used, j_used);
}

}  // namespace
}  // namespace aimsgate::manifest
