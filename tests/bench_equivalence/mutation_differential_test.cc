// The evaluator's fast paths (plan-time folding, specialized and memoized
// helpers, memos on nodes of the object, RE2 sets, native all/exists, the
// lookup cache) must decide like the plain plan on any object, not only on the
// well-formed ones the corpus generator writes.  This test mutates corpus
// objects the way a careless chart or a hostile client would (nulls and wrong
// types in place of fields, empty and duplicated containers, subtrees moved
// elsewhere, odd annotation values, other kinds, accelerator requests) and
// compares every shipped pack folded and unfolded on each mutant, as
// fold_differential_test.cc does on the unmutated inputs.
//
// AIMSGATE_MUTANTS=N runs N mutants instead of the default (for a longer
// search; the seed of a failing mutant is in the failure message).
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "bench/corpus/corpus.h"
#include "evaluator/kernel/json.h"
#include "tests/bench_equivalence/shipped_packs.h"

namespace aimsgate {
namespace {

using Value = aimsgate::JsonValue;

struct Located {
  Value* node;
  Value* parent;  // null for the root
};

void Collect(Value* v, Value* parent, std::vector<Located>* out) {
  out->push_back({v, parent});
  if (v->IsObject()) {
    for (auto& m : v->GetObject()) Collect(&m.value, v, out);
  } else if (v->IsArray()) {
    for (auto& e : v->GetArray()) Collect(&e, v, out);
  }
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  void Mutate(aimsgate::JsonDocument* doc) {
    const int steps = 1 + Pick(3);
    for (int i = 0; i < steps; ++i) Step(doc);
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }

  Value Scalar(aimsgate::JsonPool& a) {
    static const char* kStrings[] = {"",
                                     " ",
                                     "a b",
                                     "true",
                                     "TRUE",
                                     "high",
                                     " high ",
                                     "unacceptable",
                                     "third-party",
                                     "latest",
                                     "nvidia.com/gpu",
                                     "vllm/vllm-openai:v0.6.3",
                                     "ghcr.io/org/app:1.0@sha256:"
                                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                     "2020-01-01",
                                     "not a time"};
    switch (Pick(8)) {
      case 0: return Value(rapidjson::kNullType);
      case 1: return Value(Pick(2) == 0);
      case 2: return Value(Pick(5) - 2);
      case 3: return Value(1.5);
      case 4: return Value(rapidjson::kObjectType);
      case 5: return Value(rapidjson::kArrayType);
      default: {
        const char* s = kStrings[Pick(static_cast<int>(sizeof(kStrings) / sizeof(kStrings[0])))];
        return Value(s, a);
      }
    }
  }

  // The object's metadata or its pod template's, created when missing.
  Value& Metadata(aimsgate::JsonDocument* doc) {
    auto& a = doc->GetAllocator();
    Value* holder = doc;
    if (Pick(2) == 0 && doc->HasMember("spec") && (*doc)["spec"].IsObject() && (*doc)["spec"].HasMember("template") &&
        (*doc)["spec"]["template"].IsObject()) {
      holder = &(*doc)["spec"]["template"];
    }
    if (!holder->HasMember("metadata") || !(*holder)["metadata"].IsObject()) {
      holder->RemoveMember("metadata");
      holder->AddMember("metadata", Value(rapidjson::kObjectType), a);
    }
    return (*holder)["metadata"];
  }

  void SetMember(Value& obj, const std::string& key, Value v, aimsgate::JsonPool& a) {
    obj.RemoveMember(key.c_str());
    obj.AddMember(Value(key.c_str(), a), v, a);
  }

  void Step(aimsgate::JsonDocument* doc) {
    auto& a = doc->GetAllocator();
    std::vector<Located> nodes;
    Collect(doc, nullptr, &nodes);
    const Located at = nodes[static_cast<size_t>(Pick(static_cast<int>(nodes.size())))];
    switch (Pick(7)) {
      case 0:  // a scalar or an empty container in place of any field
        if (at.parent != nullptr) *at.node = Scalar(a);
        break;
      case 1: {  // a subtree moved over another (a map where a string was, a list of lists, ...)
        const Located from = nodes[static_cast<size_t>(Pick(static_cast<int>(nodes.size())))];
        if (at.parent == nullptr) break;
        Value copy(*from.node, a);
        *at.node = copy;
        break;
      }
      case 2:  // a field or an element removed
        if (at.parent != nullptr && at.parent->IsObject()) {
          for (auto m = at.parent->MemberBegin(); m != at.parent->MemberEnd(); ++m) {
            if (&m->value == at.node) {
              at.parent->RemoveMember(m);
              break;
            }
          }
        } else if (at.parent != nullptr && at.parent->IsArray()) {
          at.parent->Erase(at.node);
        }
        break;
      case 3:  // an element repeated
        if (at.node->IsArray() && !at.node->Empty()) {
          Value copy((*at.node)[0], a);
          at.node->PushBack(copy, a);
        }
        break;
      case 4: {  // an annotation or label of the vocabulary, with any value
        static const char* kKeys[] = {"system-id", "owner", "risk-tier", "intended-purpose", "model-source",
                                      "supplier", "model-card", "impact-assessment", "ai-system", "model"};
        Value& meta = Metadata(doc);
        const char* map = Pick(3) == 0 ? "labels" : "annotations";
        if (!meta.HasMember(map) || Pick(4) == 0) SetMember(meta, map, Pick(3) == 0 ? Scalar(a) : Value(rapidjson::kObjectType), a);
        if (meta[map].IsObject()) {
          const std::string key = std::string("aimsgate.io/") + kKeys[Pick(10)];
          SetMember(meta[map], key, Scalar(a), a);
        }
        break;
      }
      case 5: {  // another kind (the rest of the object unchanged)
        static const char* kKinds[][2] = {{"v1", "Pod"},
                                          {"apps/v1", "Deployment"},
                                          {"apps/v1", "StatefulSet"},
                                          {"batch/v1", "CronJob"},
                                          {"batch/v1", "Job"},
                                          {"serving.kserve.io/v1beta1", "InferenceService"},
                                          {"machinelearning.seldon.io/v1", "SeldonDeployment"},
                                          {"ray.io/v1", "RayService"}};
        const int k = Pick(8);
        SetMember(*doc, "apiVersion", Value(kKinds[k][0], a), a);
        SetMember(*doc, "kind", Value(kKinds[k][1], a), a);
        break;
      }
      default: {  // an accelerator asked for by some container, in limits or requests
        std::vector<Value*> containers;
        for (const Located& n : nodes) {
          if (n.node->IsObject() && n.node->HasMember("image")) containers.push_back(n.node);
        }
        if (containers.empty()) break;
        Value& c = *containers[static_cast<size_t>(Pick(static_cast<int>(containers.size())))];
        if (!c.HasMember("resources") || !c["resources"].IsObject()) SetMember(c, "resources", Value(rapidjson::kObjectType), a);
        const char* which = Pick(2) == 0 ? "limits" : "requests";
        if (!c["resources"].HasMember(which) || !c["resources"][which].IsObject()) {
          SetMember(c["resources"], which, Value(rapidjson::kObjectType), a);
        }
        static const char* kResources[] = {"nvidia.com/gpu", "amd.com/gpu", "google.com/tpu", "cpu", "nvidia.com/mig-1g.5gb"};
        SetMember(c["resources"][which], kResources[Pick(5)], Scalar(a), a);
        break;
      }
    }
  }

  std::mt19937_64 rng_;
};

std::string ToJson(const Value& v) {
  aimsgate::JsonStringBuffer b;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(b);
  v.Accept(w);
  return b.GetString();
}

TEST(MutationDifferential, ShippedPacksDecideTheSameFoldedAndUnfoldedOnMutatedObjects) {
  size_t mutants = 1500;
  if (const char* n = std::getenv("AIMSGATE_MUTANTS")) {
    mutants = std::strtoul(n, nullptr, 10);
    ASSERT_GT(mutants, 0u) << "AIMSGATE_MUTANTS=" << n << ": a positive number of mutants, please";
  }
  const auto packs = ShippedPacks();
  ASSERT_GE(packs.size(), 8u);
  struct Pair {
    std::string pack;
    std::shared_ptr<const Engine> folded, plain;
  };
  std::vector<Pair> engines;
  for (const auto& pack : packs) {
    for (bool with_inputs : {false, true}) {
      std::vector<Diagnostic> diags;
      Pair p{pack, LoadShippedPack(pack, true, with_inputs, &diags), LoadShippedPack(pack, false, with_inputs, &diags)};
      for (const auto& d : diags) ADD_FAILURE() << pack << ": " << d.ToString();
      ASSERT_TRUE(p.folded && p.plain) << pack;
      engines.push_back(std::move(p));
    }
  }
  bench::CorpusOptions options;
  cel::EvalState scratch;
  // Every third mutant also as an admission UPDATE of the unmutated object.
  aimsgate::JsonDocument update;
  update.Parse(R"({"uid":"7f1c","operation":"UPDATE","namespace":"default","dryRun":false,
                   "kind":{"group":"apps","version":"v1","kind":"Deployment"},
                   "resource":{"group":"apps","version":"v1","resource":"deployments"},
                   "userInfo":{"username":"alice","groups":["dev","system:authenticated"]}})");
  ASSERT_FALSE(update.HasParseError());
  size_t compared = 0, failing = 0, errors = 0;
  for (size_t i = 0; i < mutants; ++i) {
    aimsgate::JsonDocument original, doc;
    bench::GenerateObject(options, i % 400, &original);
    doc.CopyFrom(original, doc.GetAllocator());
    Mutator(0x5eed0000 + i).Mutate(&doc);
    EvalRequest req;
    req.now_unix = 1764633600;  // fixed, so `now` agrees
    if (i % 3 == 0) {
      req.old_object = &original;
      req.request = &update;
    }
    for (const Pair& p : engines) {
      ResourceEvaluation f = p.folded->Evaluate(doc, req, &scratch);
      ResourceEvaluation u = p.plain->Evaluate(doc, req, &scratch);
      const std::string where = p.pack + ", mutant seed " + std::to_string(0x5eed0000 + i) + ": " + ToJson(doc);
      ASSERT_EQ(f.results.size(), u.results.size()) << where;
      for (size_t r = 0; r < f.results.size(); ++r) {
        const RuleResult& a = f.results[r];
        const RuleResult& b = u.results[r];
        ASSERT_EQ(a.rule(), b.rule()) << where;
        ASSERT_EQ(static_cast<int>(a.result), static_cast<int>(b.result))
            << a.rule() << ": " << a.message << " | " << b.message << "\n" << where;
        ASSERT_EQ(a.message, b.message) << a.rule() << "\n" << where;
        ++compared;
        failing += a.result == Outcome::kFail;
        errors += a.result == Outcome::kError;
      }
      ASSERT_EQ(ToString(f.verdict), ToString(u.verdict)) << where;
      ASSERT_EQ(f.has_warnings, u.has_warnings) << where;
      ASSERT_EQ(f.audit_annotations, u.audit_annotations) << where;
    }
  }
  // The mutants reach the rules' failure and error paths, not only their passes.
  EXPECT_GT(compared, mutants * 20);
  EXPECT_GT(failing, mutants);
  EXPECT_GT(errors, 0u);
  RecordProperty("compared", static_cast<int>(compared));
  RecordProperty("errors", static_cast<int>(errors));
}

}  // namespace
}  // namespace aimsgate
