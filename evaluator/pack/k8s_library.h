// The built-in Kubernetes helper library: CEL functions every pack may call as
// k8s.NAME(...) without copying them (docs/rule-packs.md lists them).  They are
// declared in every pack's environment before the pack's own functions, and
// `rules export --format vap` inlines them like pack functions.
//
//   for (const FunctionSpec& f : K8sLibrary()) env.DeclareFunction(f.name, f.params, f.expression.text, &diags);
//
// Thread-safety: the list is built once and immutable.
#pragma once

#include <vector>

#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

// In declaration order (a function calls only the ones before it).
const std::vector<FunctionSpec>& K8sLibrary();

}  // namespace aimsgate
