#include "evaluator/pack/k8s_resources.h"

#include <cctype>

namespace aimsgate {
namespace {

struct Entry {
  const char* group;
  const char* kind;
  const char* resource;
  bool cluster;
};

// Irregular plurals and scope of the kinds admission policies name most.
constexpr Entry kTable[] = {
    {"", "Pod", "pods", false},
    {"", "Service", "services", false},
    {"", "ConfigMap", "configmaps", false},
    {"", "Secret", "secrets", false},
    {"", "Namespace", "namespaces", true},
    {"", "Node", "nodes", true},
    {"", "PersistentVolume", "persistentvolumes", true},
    {"", "PersistentVolumeClaim", "persistentvolumeclaims", false},
    {"", "ServiceAccount", "serviceaccounts", false},
    {"", "Endpoints", "endpoints", false},
    {"", "ReplicationController", "replicationcontrollers", false},
    {"", "LimitRange", "limitranges", false},
    {"", "ResourceQuota", "resourcequotas", false},
    {"", "Event", "events", false},
    {"apps", "Deployment", "deployments", false},
    {"apps", "StatefulSet", "statefulsets", false},
    {"apps", "DaemonSet", "daemonsets", false},
    {"apps", "ReplicaSet", "replicasets", false},
    {"batch", "Job", "jobs", false},
    {"batch", "CronJob", "cronjobs", false},
    {"networking.k8s.io", "Ingress", "ingresses", false},
    {"extensions", "Ingress", "ingresses", false},
    {"networking.k8s.io", "IngressClass", "ingressclasses", true},
    {"networking.k8s.io", "NetworkPolicy", "networkpolicies", false},
    {"policy", "PodDisruptionBudget", "poddisruptionbudgets", false},
    {"policy", "PodSecurityPolicy", "podsecuritypolicies", true},
    {"rbac.authorization.k8s.io", "Role", "roles", false},
    {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings", false},
    {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", true},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", true},
    {"storage.k8s.io", "StorageClass", "storageclasses", true},
    {"autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", false},
    {"apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", true},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", true},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", true},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", true},
    {"scheduling.k8s.io", "PriorityClass", "priorityclasses", true},
    {"serving.kserve.io", "InferenceService", "inferenceservices", false},
    {"serving.kserve.io", "ServingRuntime", "servingruntimes", false},
    {"serving.kserve.io", "ClusterServingRuntime", "clusterservingruntimes", true},
    {"machinelearning.seldon.io", "SeldonDeployment", "seldondeployments", false},
    {"ray.io", "RayService", "rayservices", false},
    {"ray.io", "RayCluster", "rayclusters", false},
    {"ray.io", "RayJob", "rayjobs", false},
};

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

std::string DefaultPlural(std::string_view kind) {
  std::string lower;
  for (char c : kind) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.empty()) return lower;
  auto ends = [&](std::string_view s) {
    return lower.size() >= s.size() && lower.compare(lower.size() - s.size(), s.size(), s) == 0;
  };
  if (ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh")) return lower + "es";
  if (ends("y") && lower.size() > 1 && !IsVowel(lower[lower.size() - 2])) return lower.substr(0, lower.size() - 1) + "ies";
  return lower + "s";
}

}  // namespace

std::string ResourceForKind(std::string_view group, std::string_view kind) {
  for (const Entry& e : kTable) {
    if (kind == e.kind && group == e.group) return e.resource;
  }
  return DefaultPlural(kind);
}

std::string KindForResource(std::string_view group, std::string_view resource) {
  for (const Entry& e : kTable) {
    if (resource == e.resource && group == e.group) return e.kind;
  }
  return "";
}

bool IsClusterScoped(std::string_view group, std::string_view kind) {
  for (const Entry& e : kTable) {
    if (kind == e.kind && group == e.group) return e.cluster;
  }
  return false;
}

}  // namespace aimsgate
