// The built-in Kubernetes helper library: CEL functions every pack may call as
// k8s.NAME(...) without copying them (docs/rule-packs.md lists them).  They are
// declared in every pack's environment before the pack's own functions, and
// `rules export --format vap` inlines them like pack functions.
//
//   for (const FunctionSpec& f : K8sLibrary()) {
//     env.DeclareFunction(f.name, f.params, f.expression.text, &diags);
//     if (auto native = K8sNative(f.name)) env.SetNative(f.name, native);
//   }
//
// Thread-safety: the list is built once and immutable.
#pragma once

#include <string_view>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

// In declaration order (a function calls only the ones before it).
const std::vector<FunctionSpec>& K8sLibrary();

// The native implementation of library function `name`, or null: set it on
// the Env right after declaring the function (cel::Env::SetNative), so that the
// functions declared after it call it.  k8s.podSpecs, k8s.specContainers and
// k8s.images have one (their bodies build and flatten lists, a third of the
// ISO pack's evaluation), and so have k8s.textAt, k8s.workloadAnnotation and
// k8s.workloadLabel (an annotation read per rule).
cel::Env::NativeHelper K8sNative(std::string_view name);

}  // namespace aimsgate
