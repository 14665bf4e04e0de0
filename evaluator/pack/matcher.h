// Compiled matching (issue 14 item 6): a pack's match blocks (kinds, namespaces,
// label selectors, ValidatingAdmissionPolicy match constraints) compiled once at
// load into a Matcher, which hands the engine the rules an object can match
// through an index by group/kind, and decides each candidate without allocating.
//
//   std::string error;
//   Matcher m;
//   if (!m.Compile(rule_matches, namespaces, &error)) { ... }   // a malformed selector
//   MatchObject obj;                      // views into the object: group, kind, labels...
//   obj.group = "apps"; obj.kind = "Deployment"; obj.labels = &labels;
//   for (const MatchCandidate& c : m.Candidates(obj)) {
//     if (m.Matches(c, &obj)) evaluate rule c.rule;
//   }
//
// LabelSelector is the one label-selector matcher (RulePack labelSelector, VAP
// objectSelector/namespaceSelector and paramRef.selector).
//
// Thread-safety: a compiled Matcher is immutable; Candidates/Matches run from many
// threads, each with its own MatchObject.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

// A label selector (matchLabels folded into In requirements, then matchExpressions).
class LabelSelector {
 public:
  // Validates and compiles.  On a malformed requirement (unknown operator, In/NotIn
  // without values, Exists/DoesNotExist with values) returns false with *error and
  // *bad set to the requirement's index.
  bool Compile(const std::vector<LabelRequirement>& requirements, std::string* error, size_t* bad = nullptr);
  // One requirement's validity, for loaders that locate the error: *where says
  // which part of the matchExpressions entry is wrong.
  enum class Field { kEntry, kOperator, kValues };
  static bool Check(const LabelRequirement& requirement, std::string* error, Field* where = nullptr);
  bool empty() const { return requirements_.empty(); }
  // `labels`: a JSON object (string values) or null = no labels.  When labels is
  // null and `implicit_name` is not empty, the only label is
  // kubernetes.io/metadata.name=implicit_name (what the apiserver sets on a Namespace).
  bool Matches(const aimsgate::JsonValue* labels, std::string_view implicit_name = {}) const;

 private:
  enum class Op : uint8_t { kIn, kNotIn, kExists, kDoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

// What an object is matched on: views into the object and its request (they must
// outlive the MatchObject), plus the admission facts computed on first need.
struct MatchObject {
  std::string_view group, version, kind, name, ns;  // ns: "" for cluster-scoped objects
  std::string_view operation = "CREATE";
  const aimsgate::JsonValue* labels = nullptr;  // metadata.labels or null

  // Filled by the Matcher the first time a VAP-derived rule is matched.
  struct Admission {
    bool ready = false;
    std::string resource;  // REST plural (k8s_resources.h)
    bool cluster_scoped = false;
    const NamespaceIndex* index = nullptr;  // the index namespace_labels came from
    const aimsgate::JsonValue* namespace_labels = nullptr;
  } admission;
};

// One rule an object's group/kind can match; `check_kind` is false when the
// index already proved the group and kind match (the rest of the match block
// still applies). Then only the version may remain: `versions` patterns from
// `version_first` in the matcher's list, one of which must match (0: none to check).
// `decided`: the index proved the whole match (the object's group, version and
// kind are literal keys, and the rule has no namespace, label or admission
// constraint), so Matches returns true without looking at the object.
struct MatchCandidate {
  uint32_t rule;
  bool check_kind;
  bool decided = false;
  uint16_t versions = 0;
  uint32_t version_first = 0;
};

// A non-owning view of candidates (in rule order).
struct CandidateList {
  const MatchCandidate* first = nullptr;
  const MatchCandidate* last = nullptr;
  const MatchCandidate* begin() const { return first; }
  const MatchCandidate* end() const { return last; }
  size_t size() const { return static_cast<size_t>(last - first); }
};

class Matcher {
 public:
  // `matches[i]` is rule i's match block; `namespaces` (may be null) gives
  // namespaceSelector its labels.  False with *error and *bad_rule on a malformed
  // label selector (pack loaders report those located first).
  bool Compile(const std::vector<const MatchSpec*>& matches, std::shared_ptr<const NamespaceIndex> namespaces,
               std::string* error, size_t* bad_rule = nullptr);

  // The rules whose kinds can match the object's group/kind (no allocation).
  CandidateList Candidates(const MatchObject& object) const;
  // Whether candidate `c` matches the object: kinds (when c.check_kind),
  // namespaces, label selector, admission constraints.  No allocation except the
  // admission facts' REST plural, once per object.
  bool Matches(const MatchCandidate& c, MatchObject* object) const { return c.decided || MatchesRest(c, object); }

  size_t rules() const { return rules_.size(); }

 private:
  struct Pattern {  // a glob, or a literal compared as a whole
    std::string text;
    bool any = false, glob = false;
    bool Matches(std::string_view s) const;
  };
  struct Kind {
    Pattern group, version, kind;
  };
  struct ResourceRule {
    std::vector<std::string> groups, versions, operations, resources, names;
    bool any_group = false, any_version = false, any_operation = false, any_resource = false;
    enum class Scope : uint8_t { kAny, kNamespaced, kCluster } scope = Scope::kAny;
    bool Matches(const MatchObject& o) const;
  };
  struct Admission {
    std::vector<ResourceRule> rules, excludes;
    LabelSelector namespace_selector, object_selector;
  };
  struct Rule {
    std::vector<Kind> kinds;  // empty = every kind
    std::vector<Pattern> ns_include, ns_exclude;
    LabelSelector labels;
    std::vector<Admission> admission;
    bool KindMatches(const MatchObject& o) const;
  };
  struct Entry {  // the index: candidates of one group/kind
    std::string group, kind;
    uint32_t first, last;  // range in candidates_
  };
  struct KindEntry {  // objects of a kind whose group no exact entry names
    std::string kind;
    uint32_t first, last;
  };
  struct VersionEntry {  // the candidates of one literal group/version/kind, all decided by kind
    std::string group, version, kind;
    uint32_t first, last;
  };
  bool MatchesRest(const MatchCandidate& c, MatchObject* object) const;
  const NamespaceIndex* namespaces() const { return namespaces_.get(); }
  bool AdmissionMatches(const Admission& a, MatchObject* o) const;

  std::vector<Rule> rules_;
  std::vector<MatchCandidate> candidates_;  // every list, back to back
  std::vector<Pattern> version_checks_;     // MatchCandidate::version_first indexes here
  std::vector<VersionEntry> by_gvk_;        // sorted by (kind, group, version), KeyCompare order
  std::vector<Entry> by_group_kind_;        // sorted by (kind, group), KeyCompare order
  std::vector<KindEntry> by_kind_;          // sorted by kind
  uint32_t other_first_ = 0, other_last_ = 0;  // objects of a kind named by no exact pattern
  std::shared_ptr<const NamespaceIndex> namespaces_;
};

}  // namespace aimsgate
