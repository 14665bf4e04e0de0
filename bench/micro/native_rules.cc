#include "bench/micro/native_rules.h"
#include "evaluator/kernel/json.h"

#include <cstring>
#include <string_view>

#include <re2/re2.h>

namespace aimsgate::bench {
namespace {

using Value = aimsgate::JsonValue;

const Value* Get(const Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

std::string_view Str(const Value* v) {
  return v != nullptr && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

bool IsTrue(const Value* v) { return v != nullptr && v->IsBool() && v->GetBool(); }

const Value* Containers(const Value& object, bool pod) {
  const Value* spec = Get(object, "spec");
  if (spec == nullptr) return nullptr;
  if (!pod) {
    const Value* tmpl = Get(*spec, "template");
    spec = tmpl ? Get(*tmpl, "spec") : nullptr;
  }
  const Value* c = spec ? Get(*spec, "containers") : nullptr;
  return c != nullptr && c->IsArray() ? c : nullptr;
}

template <typename Pred>
bool AllContainers(const Value* containers, Pred pred) {
  if (containers == nullptr) return false;  // the CEL side errors; a missing list is a failure here
  for (const auto& c : containers->GetArray()) {
    if (!pred(c)) return false;
  }
  return true;
}

void Add(std::vector<NativeResult>* out, int rule, bool pass, std::string_view name, const char* text) {
  NativeResult r;
  r.rule = kTypical10Ids[rule];
  r.pass = pass;
  if (!pass) {
    r.message.reserve(name.size() + std::strlen(text) + 1);
    r.message.append(name).append(text);
  }
  out->push_back(std::move(r));
}

}  // namespace

void EvaluateTypical10(const Value& object, std::vector<NativeResult>* out) {
  static const RE2 kOwner("^[a-z0-9.-]+@example\\.com$");
  static const RE2 kDigest("@sha256:[0-9a-f]{64}$");
  const std::string_view kind = Str(Get(object, "kind"));
  const std::string_view api = Str(Get(object, "apiVersion"));
  const bool pod = kind == "Pod" && api == "v1";
  const bool workload = api == "apps/v1" && (kind == "Deployment" || kind == "StatefulSet");
  if (!pod && !workload) return;
  const Value* md = Get(object, "metadata");
  const std::string_view name = md ? Str(Get(*md, "name")) : std::string_view();
  const Value* labels = md ? Get(*md, "labels") : nullptr;
  const Value* annotations = md ? Get(*md, "annotations") : nullptr;
  const Value* containers = Containers(object, pod);

  Add(out, 0, labels && Get(*labels, "app.kubernetes.io/name") && Get(*labels, "team"), name,
      " lacks the labels app.kubernetes.io/name and team");
  const std::string_view env = labels ? Str(Get(*labels, "env")) : std::string_view();
  Add(out, 1, env == "dev" || env == "staging" || env == "prod", name,
      ": label env must be one of dev, staging, prod");
  const Value* owner = annotations ? Get(*annotations, "example.com/owner") : nullptr;
  Add(out, 2, owner != nullptr && owner->IsString() && RE2::PartialMatch(Str(owner), kOwner), name,
      ": example.com/owner must be an @example.com address");
  Add(out, 3, AllContainers(containers, [](const Value& c) { return RE2::PartialMatch(Str(Get(c, "image")), kDigest); }),
      name, ": every image must be pinned by digest");
  Add(out, 4, AllContainers(containers, [](const Value& c) {
        const Value* res = Get(c, "resources");
        const Value* lim = res ? Get(*res, "limits") : nullptr;
        return lim && Get(*lim, "cpu") && Get(*lim, "memory");
      }), name, ": every container needs cpu and memory limits");
  bool privileged = false;
  if (containers) {
    for (const auto& c : containers->GetArray()) {
      const Value* sc = Get(c, "securityContext");
      if (sc && IsTrue(Get(*sc, "privileged"))) privileged = true;
    }
  }
  Add(out, 5, containers != nullptr && !privileged, name, " runs a privileged container");
  if (workload) {
    const Value* spec = Get(object, "spec");
    const Value* replicas = spec ? Get(*spec, "replicas") : nullptr;
    Add(out, 6, replicas == nullptr || (replicas->IsNumber() && replicas->GetDouble() <= 10), name,
        " asks for too many replicas");
  }
  const std::string_view ns = md ? Str(Get(*md, "namespace")) : std::string_view();
  Add(out, 7, ns != "kube-system" && ns != "kube-public" && ns != "kube-node-lease", name,
      " is deployed into a system namespace");
  Add(out, 8, AllContainers(containers, [](const Value& c) {
        const Value* sc = Get(c, "securityContext");
        return sc && IsTrue(Get(*sc, "runAsNonRoot"));
      }), name, ": every container must set runAsNonRoot");
  Add(out, 9, AllContainers(containers, [](const Value& c) { return Get(c, "readinessProbe") != nullptr; }), name,
      ": every container needs a readiness probe");
}

}  // namespace aimsgate::bench
