// Which field of a manifest a failing rule is about: a static, heuristic
// reading of the rule's `assert` expression, so reports can point at the line
// of that field instead of the resource's first line.
//
//   FieldLocator locator(engine);                 // each rule is analysed once, when first located
//   int line = locator.Locate("iso42001/owner-assigned", resource);   // 0 = unknown
//
// What it does, exactly:
// 1. The first time a rule is located, its assert is parsed (cel::Parse) and run through
//    a small abstract interpreter that tracks which paths below `object` the
//    expression reads: field selections (`object.spec.replicas`), `has()`,
//    indexing with a constant or constant-folded string
//    (`object.metadata.annotations[params.annotationPrefix + 'owner']`), the
//    `'key' in map` test, list elements inside macros (`all`, `exists`, `map`,
//    `filter`: the element is the path plus `*`), and the pack's helper
//    functions (`spec.functions`), inlined with their arguments, so
//    `hasAnnotation(object, 'owner')` yields metadata.annotations.aimsgate.io/owner
//    when the helpers read it.  `params.X` folds to the pack parameter's value.
//    Ternaries contribute both branches.  Nothing is evaluated.
// 2. For a failing result, each recorded path is walked on the object as far
//    as it exists.  The deepest point reached wins; on a tie a path that stops
//    short (a missing field) beats one that exists, then the earlier path.
//    Through a list (`*`) the first element where the rest of the path is
//    missing is taken; if every element has it, the list itself.
//    The line is that of the key (for a member) or of the element.
// 3. When the deepest point is the object itself (nothing the rule reads
//    exists, or the rule reads only params, inventory or model), Locate
//    returns 0 and reports use the resource's line.
// It cannot know WHICH existing value is wrong (e.g. which image is unpinned
// when all containers have an image): then it points at the enclosing list.
//
// Thread-safety: Locate and PathsOf are const and may run concurrently (a
// rule's analysis runs once, under std::call_once). Cost: construction indexes
// the rules only; a rule's analysis is bounded (50,000 AST visits) and done
// when the rule first fails (analysing every rule of the ISO pack up front was a
// sixth of `check`'s start-up); a pack's helpers are parsed when first inlined,
// and what inlining one gave (paths recorded, result) is reused by later calls
// with the same arguments, in any rule of the pack. Locate walks a rule's paths
// together as a trie (each member looked up, each list walked once for all the
// paths through it), leaves a list as soon as no later element can change the
// outcome and skips branches that cannot beat the deepest point already found;
// it is at most linear in the size of the paths' subtrees.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

class FieldLocator {
 public:
  explicit FieldLocator(const Engine& engine);  // `engine` must outlive the locator
  ~FieldLocator();
  FieldLocator(const FieldLocator&) = delete;
  FieldLocator& operator=(const FieldLocator&) = delete;

  // Line of the field a failure of `rule` is most likely about; 0 if unknown.
  int Locate(const std::string& rule, const manifest::Resource& resource) const;

  // Paths the rule's assert reads, as "a.b.*.c" (tests and debugging).
  std::vector<std::string> PathsOf(const std::string& rule) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aimsgate::cli
