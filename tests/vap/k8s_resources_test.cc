// Kind <-> REST resource names and scope (evaluator/pack/k8s_resources.h).
#include <gtest/gtest.h>

#include "evaluator/pack/k8s_resources.h"

namespace aimsgate {
namespace {

TEST(K8sResources, TableAndDefaultPlurals) {
  struct Case {
    const char* group;
    const char* kind;
    const char* resource;
  } cases[] = {
      {"apps", "Deployment", "deployments"},     {"networking.k8s.io", "Ingress", "ingresses"},
      {"networking.k8s.io", "NetworkPolicy", "networkpolicies"}, {"", "Endpoints", "endpoints"},
      {"policy", "PodSecurityPolicy", "podsecuritypolicies"},   {"serving.kserve.io", "InferenceService", "inferenceservices"},
      {"example.com", "Widget", "widgets"},      {"example.com", "Box", "boxes"},
      {"example.com", "Policy", "policies"},     {"example.com", "Gateway", "gateways"},
      {"example.com", "Mesh", "meshes"},
  };
  for (const auto& c : cases) EXPECT_EQ(ResourceForKind(c.group, c.kind), c.resource) << c.kind;
  EXPECT_EQ(KindForResource("", "pods"), "Pod");
  EXPECT_EQ(KindForResource("apps", "statefulsets"), "StatefulSet");
  EXPECT_EQ(KindForResource("example.com", "widgets"), "");
  EXPECT_TRUE(IsClusterScoped("", "Namespace"));
  EXPECT_TRUE(IsClusterScoped("rbac.authorization.k8s.io", "ClusterRole"));
  EXPECT_FALSE(IsClusterScoped("apps", "Deployment"));
}

}  // namespace
}  // namespace aimsgate
