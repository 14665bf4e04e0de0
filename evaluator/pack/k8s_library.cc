#include "evaluator/pack/k8s_library.h"

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
  };
}

}  // namespace

const std::vector<FunctionSpec>& K8sLibrary() {
  static const std::vector<FunctionSpec> kLibrary = Build();
  return kLibrary;
}

}  // namespace aimsgate
