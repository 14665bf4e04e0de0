// Kubernetes kinds and their REST resource names (Deployment <-> deployments),
// and which kinds are cluster-scoped: what admission rules (resourceRules of a
// ValidatingAdmissionPolicy, a webhook's rules) are written in.
//
//   ResourceForKind("apps", "Deployment")       -> "deployments"
//   ResourceForKind("networking.k8s.io", "Ingress") -> "ingresses"
//   KindForResource("", "pods")                 -> "Pod"
//   IsClusterScoped("", "Namespace")            -> true
//
// Built-in kinds and the AI CRDs aimsgate knows come from a table; any other
// kind is lower-cased and pluralised as the apiserver's default REST mapper
// does (-s, -es after s/x/z/ch/sh, consonant+y -> -ies).  Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace aimsgate {

std::string ResourceForKind(std::string_view group, std::string_view kind);
// "" when the resource is not in the table (custom resources: the kind cannot be
// derived from a plural reliably).
std::string KindForResource(std::string_view group, std::string_view resource);
bool IsClusterScoped(std::string_view group, std::string_view kind);

}  // namespace aimsgate
