// Kubernetes CEL libraries (filled in after the core).
#include "evaluator/cel/builtins.h"

namespace aimsgate::cel::internal {

void RegisterK8s(std::vector<FunctionDecl>*) {}

}  // namespace aimsgate::cel::internal
