// Canonical JSON of evidence lines: the kernel's one writer (evaluator/kernel/canonical_json.h
// has the rules, docs/evidence.md "Canonical form" the contract).
#pragma once

#include "evaluator/kernel/canonical_json.h"

namespace aimsgate::evidence {

using kernel::AppendCanonicalJson;
using kernel::AppendCanonicalString;
using kernel::CanonicalJson;
using kernel::FindInvalidUtf8;
using kernel::HasDuplicateKeys;
using kernel::ToValidUtf8;

}  // namespace aimsgate::evidence
