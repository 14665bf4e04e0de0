#include "evaluator/pack/k8s_library.h"

#include <string>

#include "evaluator/kernel/json_member.h"

namespace aimsgate {
namespace {

FunctionSpec Fn(const char* name, std::vector<std::string> params, const char* body) {
  FunctionSpec f;
  f.name = name;
  f.params = std::move(params);
  f.expression.text = body;
  return f;
}

std::vector<FunctionSpec> Build() {
  return {
      // m[key] when present and not null, else an empty list / map.
      Fn("k8s.listAt", {"m", "key"}, "key in m && m[key] != null ? m[key] : []"),
      Fn("k8s.mapAt", {"m", "key"}, "key in m && m[key] != null ? m[key] : {}"),
      // Workload controllers: the kinds that carry a pod template.
      Fn("k8s.isController", {"o"},
         "o.kind in ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job', "
         "'CronJob']"),
      // A Pod or a workload controller: an object with a pod spec.
      Fn("k8s.hasPodSpec", {"o"}, "o.kind == 'Pod' || k8s.isController(o)"),
      // Whether a controller owns the object (an ownerReference with controller: true).
      Fn("k8s.isOwned", {"o"},
         "k8s.listAt(k8s.mapAt(o, 'metadata'), 'ownerReferences').exists(r, 'controller' in r && r.controller == "
         "true)"),
      Fn("k8s.podTemplate", {"o"},
         "o.kind == 'CronJob' ? k8s.mapAt(k8s.mapAt(k8s.mapAt(k8s.mapAt(o, 'spec'), 'jobTemplate'), 'spec'), "
         "'template') : k8s.isController(o) ? k8s.mapAt(k8s.mapAt(o, 'spec'), 'template') : {}"),
      // The pod spec of a Pod or of a controller's pod template ({} when none).
      Fn("k8s.podSpec", {"o"}, "o.kind == 'Pod' ? k8s.mapAt(o, 'spec') : k8s.mapAt(k8s.podTemplate(o), 'spec')"),
      // The metadata that ends up on the pods: a Pod's own, a controller's template's.
      Fn("k8s.podMeta", {"o"},
         "o.kind == 'Pod' ? k8s.mapAt(o, 'metadata') : k8s.mapAt(k8s.podTemplate(o), 'metadata')"),
      // containers + initContainers + ephemeralContainers.
      Fn("k8s.containers", {"o"},
         "k8s.listAt(k8s.podSpec(o), 'containers') + k8s.listAt(k8s.podSpec(o), 'initContainers') + "
         "k8s.listAt(k8s.podSpec(o), 'ephemeralContainers')"),
      Fn("k8s.volumes", {"o"}, "k8s.listAt(k8s.podSpec(o), 'volumes')"),
      // The securityContext of a container or a pod spec ({} when none).
      Fn("k8s.securityContext", {"c"}, "k8s.mapAt(c, 'securityContext')"),
      Fn("k8s.labels", {"o"}, "k8s.mapAt(k8s.mapAt(o, 'metadata'), 'labels')"),
      Fn("k8s.annotations", {"o"}, "k8s.mapAt(k8s.mapAt(o, 'metadata'), 'annotations')"),
      Fn("k8s.podLabels", {"o"}, "k8s.mapAt(k8s.podMeta(o), 'labels')"),
      Fn("k8s.podAnnotations", {"o"}, "k8s.mapAt(k8s.podMeta(o), 'annotations')"),
      // A container's image reference as written ('' when none).
      Fn("k8s.imageRef", {"c"}, "'image' in c && c.image != null ? string(c.image) : ''"),
      // An image reference (a container or a string) parsed into registry
      // (docker.io when none is named), repository, tag and digest ('' when absent).
      Fn("k8s.image", {"x"},
         "cel.bind(ref, type(x) == string ? x : k8s.imageRef(x),"
         " cel.bind(name, ref.split('@')[0],"
         " cel.bind(first, name.split('/')[0],"
         " cel.bind(named, name.contains('/') && (first.contains('.') || first.contains(':') || first == 'localhost'),"
         " cel.bind(rest, named ? name.substring(size(first) + 1) : name,"
         " cel.bind(last, rest.split('/')[size(rest.split('/')) - 1],"
         " cel.bind(tag, last.contains(':') ? last.split(':')[size(last.split(':')) - 1] : '',"
         " {'reference': ref, 'registry': named ? first : 'docker.io',"
         "  'repository': tag == '' ? rest : rest.substring(0, size(rest) - size(tag) - 1),"
         "  'tag': tag, 'digest': ref.contains('@') ? ref.split('@')[1] : ''})))))))"),
      // The string at m[key], trimmed ('' when absent or null).
      Fn("k8s.textAt", {"m", "key"}, "key in m && m[key] != null ? string(m[key]).trim() : ''"),
      // Annotation / label `key` of the object itself or, where it is not set
      // there ('' once trimmed), of its pods (k8s.podMeta): charts often expose
      // only podAnnotations.  '' when neither has it.
      Fn("k8s.workloadAnnotation", {"o", "key"},
         "k8s.textAt(k8s.annotations(o), key) != '' ? k8s.textAt(k8s.annotations(o), key)"
         " : k8s.textAt(k8s.podAnnotations(o), key)"),
      Fn("k8s.workloadLabel", {"o", "key"},
         "k8s.textAt(k8s.labels(o), key) != '' ? k8s.textAt(k8s.labels(o), key) : k8s.textAt(k8s.podLabels(o), key)"),
      // Where workloads keep their pods, for k8s.podSpecs: Seldon's componentSpecs
      // of predictor i, KubeRay's head and worker groups.
      Fn("k8s.seldonPodSpecs", {"o", "i"},
         "has(o.spec) && has(o.spec.predictors) && size(o.spec.predictors) > i &&"
         " has(o.spec.predictors[i].componentSpecs)"
         " ? o.spec.predictors[i].componentSpecs.filter(c, has(c.spec)).map(c, c.spec) : []"),
      Fn("k8s.rayPodSpecs", {"o"},
         "has(o.spec) && has(o.spec.rayClusterConfig)"
         " ? (has(o.spec.rayClusterConfig.headGroupSpec) &&"
         "    has(o.spec.rayClusterConfig.headGroupSpec.template) &&"
         "    has(o.spec.rayClusterConfig.headGroupSpec.template.spec)"
         "      ? [o.spec.rayClusterConfig.headGroupSpec.template.spec] : []) +"
         "   (has(o.spec.rayClusterConfig.workerGroupSpecs)"
         "      ? o.spec.rayClusterConfig.workerGroupSpecs.filter(w, has(w.template) && has(w.template.spec))"
         "          .map(w, w.template.spec)"
         "      : [])"
         " : []"),
      // Every pod spec of the object: a Pod's spec, a controller's pod template's
      // (k8s.podSpec's), KServe predictor / transformer / explainer, Seldon
      // componentSpecs (the first four predictors), KubeRay head and worker groups.
      Fn("k8s.podSpecs", {"o"},
         "o.kind == 'Pod' ? (has(o.spec) && o.spec != null ? [o.spec] : []) :"
         " k8s.isController(o)"
         "   ? (size(k8s.mapAt(k8s.podTemplate(o), 'spec')) > 0 ? [k8s.mapAt(k8s.podTemplate(o), 'spec')] : []) :"
         " o.kind == 'InferenceService'"
         "   ? (has(o.spec) && o.spec != null"
         "        ? ['predictor', 'transformer', 'explainer'].filter(k, k in o.spec && o.spec[k] != null)"
         "            .map(k, o.spec[k])"
         "        : []) :"
         " o.kind == 'SeldonDeployment'"
         "   ? k8s.seldonPodSpecs(o, 0) + k8s.seldonPodSpecs(o, 1) + k8s.seldonPodSpecs(o, 2) +"
         "     k8s.seldonPodSpecs(o, 3) :"
         " o.kind == 'RayService' ? k8s.rayPodSpecs(o) : []"),
      // Init containers, containers and KServe's `model` container of one pod spec.
      Fn("k8s.specContainers", {"s"},
         "(has(s.initContainers) && s.initContainers != null ? s.initContainers : []) +"
         " (has(s.containers) && s.containers != null ? s.containers : []) +"
         " (has(s.model) && s.model != null ? [s.model] : [])"),
      // Every container image of every pod spec, init containers included, as
      // one flat list of non-empty strings.
      Fn("k8s.images", {"o"},
         "k8s.podSpecs(o).map(s, k8s.specContainers(s).filter(c, has(c.image) && c.image != null)"
         ".map(c, string(c.image)).join(' ')).join(' ').split(' ').filter(i, i != '')"),
  };
}

// ---- native fast paths (K8sNative) ----
//
// Each answers the shapes a well-formed object has (maps where the body reads
// fields, lists where it iterates) exactly as the CEL body above does, and
// declines (false) everything else: a field of another type, a missing `kind`.
// The body then runs, errors included.  Cost: one unit per member or element
// looked at.

using cel::Value;

// The member `key` of object `m`: null when absent (kAbsent) or JSON null (kNull).
enum class Member { kAbsent, kNull, kPresent };
Member Classify(const JsonValue* v, const JsonValue** out) {
  if (v == nullptr) return Member::kAbsent;
  *out = v;
  return v->IsNull() ? Member::kNull : Member::kPresent;
}

Member Find(const JsonValue& m, std::string_view key, const JsonValue** out, int64_t* cost) {
  ++*cost;
  return Classify(kernel::Member(m, key), out);
}

// The keys the paths of k8s.workloadAnnotation read, at fixed addresses: with
// a NativeContext, their lookups go through the evaluation's cache, which
// knows a key by its address (every rule's annotation() starts at
// object.metadata).
const std::string kKindKey = "kind", kMetadataKey = "metadata", kSpecKey = "spec", kTemplateKey = "template",
                  kJobTemplateKey = "jobTemplate", kAnnotationsKey = "annotations", kLabelsKey = "labels";

// Find, for one of the keys above: through the cache when there is a context.
Member Find(const JsonValue& m, const std::string& key, const JsonValue** out, int64_t* cost,
            const cel::NativeContext* ctx) {
  ++*cost;
  return Classify(ctx ? ctx->Member(m, key) : kernel::Member(m, key), out);
}

// k8s.mapAt(m, key) for an object m: the member when it is an object, `{}`
// (null) when absent or null; false for any other member (the body decides).
bool MapAt(const JsonValue* m, const std::string& key, const JsonValue** out, int64_t* cost,
           const cel::NativeContext* ctx = nullptr) {
  *out = nullptr;
  if (m == nullptr) return true;  // {} stays {}
  const JsonValue* v = nullptr;
  switch (Find(*m, key, &v, cost, ctx)) {
    case Member::kAbsent:
    case Member::kNull: return true;
    case Member::kPresent:
      if (!v->IsObject()) return false;
      *out = v;
      return true;
  }
  return false;
}

bool IsController(std::string_view kind) {
  for (const char* k : {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job",
                        "CronJob"}) {
    if (kind == k) return true;
  }
  return false;
}

bool SeldonPodSpecs(const JsonValue& o, size_t i, std::vector<Value>* out, int64_t* cost) {
  const JsonValue *spec = nullptr, *predictors = nullptr, *components = nullptr;
  if (Find(o, "spec", &spec, cost) == Member::kAbsent) return true;
  if (!spec->IsObject()) return false;
  if (Find(*spec, "predictors", &predictors, cost) == Member::kAbsent) return true;
  if (!predictors->IsArray()) return false;
  if (predictors->Size() <= i) return true;
  const JsonValue& p = (*predictors)[static_cast<rapidjson::SizeType>(i)];
  if (!p.IsObject()) return false;
  if (Find(p, "componentSpecs", &components, cost) == Member::kAbsent) return true;
  if (!components->IsArray()) return false;
  for (const JsonValue& c : components->GetArray()) {
    const JsonValue* cs = nullptr;
    if (!c.IsObject()) return false;
    if (Find(c, "spec", &cs, cost) != Member::kAbsent) out->push_back(Value::Json(*cs));
  }
  return true;
}

bool RayPodSpecs(const JsonValue& o, std::vector<Value>* out, int64_t* cost) {
  const JsonValue *spec = nullptr, *ray = nullptr;
  if (Find(o, "spec", &spec, cost) == Member::kAbsent) return true;
  if (!spec->IsObject()) return false;
  if (Find(*spec, "rayClusterConfig", &ray, cost) == Member::kAbsent) return true;
  if (!ray->IsObject()) return false;
  // A template's spec, when the object and its template are objects.
  auto template_spec = [&](const JsonValue& holder, const JsonValue** found) {
    const JsonValue* t = nullptr;
    *found = nullptr;
    if (Find(holder, "template", &t, cost) == Member::kAbsent) return true;
    if (!t->IsObject()) return false;
    if (Find(*t, "spec", found, cost) == Member::kAbsent) *found = nullptr;
    return true;
  };
  const JsonValue *head = nullptr, *found = nullptr;
  if (Find(*ray, "headGroupSpec", &head, cost) != Member::kAbsent) {
    if (!head->IsObject() || !template_spec(*head, &found)) return false;
    if (found != nullptr) out->push_back(Value::Json(*found));
  }
  const JsonValue* workers = nullptr;
  if (Find(*ray, "workerGroupSpecs", &workers, cost) == Member::kAbsent) return true;
  if (!workers->IsArray()) return false;
  for (const JsonValue& w : workers->GetArray()) {
    if (!w.IsObject() || !template_spec(w, &found)) return false;
    if (found != nullptr) out->push_back(Value::Json(*found));
  }
  return true;
}

// k8s.textAt(m, key) for an object m: the member's string when there is
// nothing to trim (cel::NothingToTrim), '' when absent or null; false otherwise.
bool TextAt(const JsonValue* m, std::string_view key, Value* out, int64_t* cost) {
  if (m == nullptr) {  // {}
    *out = Value::String(std::string());
    return true;
  }
  ++*cost;
  const JsonValue* v = kernel::Member(*m, key);
  if (v == nullptr || v->IsNull()) {
    *out = Value::String(std::string());
    return true;
  }
  if (!v->IsString()) return false;
  const std::string_view text(v->GetString(), v->GetStringLength());
  if (!cel::NothingToTrim(text)) return false;
  *out = Value::StringView(text);
  return true;
}

// o.kind, when it is a string (the bodies read it; anything else: false).
bool KindOf(const JsonValue& o, std::string_view* kind, int64_t* cost, const cel::NativeContext* ctx = nullptr) {
  const JsonValue* v = nullptr;
  if (Find(o, kKindKey, &v, cost, ctx) != Member::kPresent || !v->IsString()) return false;
  *kind = std::string_view(v->GetString(), v->GetStringLength());
  return true;
}

// k8s.podTemplate(o) for a controller of `kind` (null: {}).
bool PodTemplate(const JsonValue& o, std::string_view kind, const JsonValue** t, int64_t* cost,
                 const cel::NativeContext* ctx = nullptr) {
  if (!MapAt(&o, kSpecKey, t, cost, ctx)) return false;
  if (kind == "CronJob" && (!MapAt(*t, kJobTemplateKey, t, cost, ctx) || !MapAt(*t, kSpecKey, t, cost, ctx))) {
    return false;
  }
  return MapAt(*t, kTemplateKey, t, cost, ctx);
}

// k8s.podMeta(o)'s map (null: {}), once o's own has nothing.
bool PodMeta(const JsonValue& o, const JsonValue** meta, int64_t* cost, const cel::NativeContext& ctx) {
  *meta = nullptr;
  std::string_view kind;
  if (!KindOf(o, &kind, cost, &ctx)) return false;
  if (kind == "Pod") return MapAt(&o, kMetadataKey, meta, cost, &ctx);
  if (!IsController(kind)) return true;
  const JsonValue* t = nullptr;
  return PodTemplate(o, kind, &t, cost, &ctx) && MapAt(t, kMetadataKey, meta, cost, &ctx);
}

// k8s.workloadAnnotation / k8s.workloadLabel: `map` is "annotations" or "labels".
bool WorkloadText(const Value* args, size_t n, const std::string& map, Value* out, int64_t* cost,
                  const cel::NativeContext& ctx) {
  const JsonValue* o = n == 2 ? args[0].BorrowedJson() : nullptr;
  if (o == nullptr || !o->IsObject() || !args[1].IsString()) return false;
  const std::string_view key = args[1].StringValue();
  const JsonValue *meta = nullptr, *own = nullptr, *pods = nullptr;
  if (!MapAt(o, kMetadataKey, &meta, cost, &ctx) || !MapAt(meta, map, &own, cost, &ctx) ||
      !TextAt(own, key, out, cost)) {
    return false;
  }
  if (!out->StringValue().empty()) return true;
  return PodMeta(*o, &meta, cost, ctx) && MapAt(meta, map, &pods, cost, &ctx) && TextAt(pods, key, out, cost);
}

bool TextAtNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext&) {
  const JsonValue* m = n == 2 ? args[0].BorrowedJson() : nullptr;
  if (m == nullptr || !m->IsObject() || !args[1].IsString()) return false;
  return TextAt(m, args[1].StringValue(), out, cost);
}

bool WorkloadAnnotationNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext& ctx) {
  return WorkloadText(args, n, kAnnotationsKey, out, cost, ctx);
}

bool WorkloadLabelNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext& ctx) {
  return WorkloadText(args, n, kLabelsKey, out, cost, ctx);
}

// k8s.podSpecs(o) into *out.
bool PodSpecs(const Value& arg, std::vector<Value>* out, int64_t* cost) {
  const JsonValue* o = arg.BorrowedJson();
  if (o == nullptr || !o->IsObject()) return false;
  std::string_view kind;
  if (!KindOf(*o, &kind, cost)) return false;
  const JsonValue* spec = nullptr;
  if (kind == "Pod") {
    if (Find(*o, "spec", &spec, cost) == Member::kPresent) out->push_back(Value::Json(*spec));
    return true;
  }
  if (IsController(kind)) {
    const JsonValue* t = nullptr;
    if (!PodTemplate(*o, kind, &t, cost) || !MapAt(t, kSpecKey, &spec, cost)) return false;
    if (spec != nullptr && spec->MemberCount() > 0) out->push_back(Value::Json(*spec));
    return true;
  }
  if (kind == "InferenceService") {
    if (Find(*o, "spec", &spec, cost) != Member::kPresent) return true;
    if (!spec->IsObject()) return false;
    for (std::string_view part : {"predictor", "transformer", "explainer"}) {
      const JsonValue* v = nullptr;
      if (Find(*spec, part, &v, cost) == Member::kPresent) out->push_back(Value::Json(*v));
    }
    return true;
  }
  if (kind == "SeldonDeployment") {
    for (size_t i = 0; i < 4; ++i) {
      if (!SeldonPodSpecs(*o, i, out, cost)) return false;
    }
    return true;
  }
  if (kind == "RayService") return RayPodSpecs(*o, out, cost);
  return true;
}

// Calls visit(container) for each container k8s.specContainers(s) lists, in its
// order; false when s or a list of them has another shape, or when visit says so.
template <typename Visit>
bool VisitSpecContainers(const Value& arg, int64_t* cost, Visit&& visit) {
  const JsonValue* s = arg.BorrowedJson();
  if (s == nullptr || !s->IsObject()) return false;
  // One scan for the three.
  const auto found = kernel::Members<3>(*s, {"initContainers", "containers", "model"});
  *cost += 3;
  for (size_t i = 0; i < 2; ++i) {
    const JsonValue* v = nullptr;
    if (Classify(found[i], &v) != Member::kPresent) continue;
    if (!v->IsArray()) return false;
    for (const JsonValue& c : v->GetArray()) {
      if (!visit(c)) return false;
    }
    *cost += v->Size();
  }
  const JsonValue* model = nullptr;
  return Classify(found[2], &model) != Member::kPresent || visit(*model);
}

// Most pod specs have a few containers: one allocation for their list.
constexpr size_t kTypicalContainers = 8;

// k8s.specContainers(s) into *out.
bool SpecContainers(const Value& arg, std::vector<Value>* out, int64_t* cost) {
  return VisitSpecContainers(arg, cost, [out](const JsonValue& c) {
    out->push_back(Value::Json(c));
    return true;
  });
}

bool PodSpecsNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext&) {
  std::vector<Value> specs;
  if (n != 1 || !PodSpecs(args[0], &specs, cost)) return false;
  *out = Value::List(std::move(specs));
  return true;
}

bool SpecContainersNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext&) {
  std::vector<Value> containers;
  containers.reserve(kTypicalContainers);
  if (n != 1 || !SpecContainers(args[0], &containers, cost)) return false;
  *out = Value::List(std::move(containers));
  return true;
}

// Appends the words of `text` (k8s.images joins the images with spaces and
// splits the whole again, dropping empty words).
void AppendWords(std::string_view text, std::vector<Value>* out) {
  size_t from = 0;
  while (from <= text.size()) {
    size_t to = text.find(' ', from);
    if (to == std::string_view::npos) to = text.size();
    if (to > from) out->push_back(Value::StringView(text.substr(from, to - from)));
    from = to + 1;
  }
}

// Most objects have a few containers with an image each: one allocation.
constexpr size_t kTypicalImages = 16;

bool ImagesNative(const Value* args, size_t n, Value* out, int64_t* cost, const cel::NativeContext&) {
  std::vector<Value> specs, images;
  if (n != 1 || !PodSpecs(args[0], &specs, cost)) return false;
  images.reserve(kTypicalImages);
  for (const Value& spec : specs) {
    const bool read = VisitSpecContainers(spec, cost, [&images, cost](const JsonValue& c) {
      const JsonValue* image = nullptr;
      if (!c.IsObject()) return false;
      if (Find(c, "image", &image, cost) != Member::kPresent) return true;
      if (!image->IsString()) return false;  // string() of a number or a bool: the body's
      AppendWords({image->GetString(), image->GetStringLength()}, &images);
      return true;
    });
    if (!read) return false;
  }
  *cost += static_cast<int64_t>(images.size());
  *out = Value::List(std::move(images));
  return true;
}

}  // namespace

const std::vector<FunctionSpec>& K8sLibrary() {
  static const std::vector<FunctionSpec> kLibrary = Build();
  return kLibrary;
}

cel::Env::NativeHelper K8sNative(std::string_view name) {
  if (name == "k8s.podSpecs") return PodSpecsNative;
  if (name == "k8s.specContainers") return SpecContainersNative;
  if (name == "k8s.images") return ImagesNative;
  if (name == "k8s.textAt") return TextAtNative;
  if (name == "k8s.workloadAnnotation") return WorkloadAnnotationNative;
  if (name == "k8s.workloadLabel") return WorkloadLabelNative;
  return nullptr;
}

}  // namespace aimsgate
