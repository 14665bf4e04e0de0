#include "evaluator/pack/matcher.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <utility>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/pack/inputs.h"
#include "evaluator/pack/k8s_resources.h"

namespace aimsgate {

// ---- label selectors ---------------------------------------------------------------

bool LabelSelector::Check(const LabelRequirement& r, std::string* error, Field* where) {
  if (r.op != "In" && r.op != "NotIn" && r.op != "Exists" && r.op != "DoesNotExist") {
    *error = "invalid operator '" + r.op + "' (expected In, NotIn, Exists or DoesNotExist)";
    if (where) *where = Field::kOperator;
    return false;
  }
  if ((r.op == "In" || r.op == "NotIn") && r.values.empty()) {
    *error = "operator " + r.op + " needs a non-empty values list";
    if (where) *where = Field::kEntry;
    return false;
  }
  if ((r.op == "Exists" || r.op == "DoesNotExist") && !r.values.empty()) {
    *error = "operator " + r.op + " takes no values";
    if (where) *where = Field::kValues;
    return false;
  }
  return true;
}

bool LabelSelector::Compile(const std::vector<LabelRequirement>& requirements, std::string* error, size_t* bad) {
  requirements_.clear();
  for (size_t i = 0; i < requirements.size(); ++i) {
    const LabelRequirement& r = requirements[i];
    if (!Check(r, error)) {
      if (bad) *bad = i;
      requirements_.clear();
      return false;
    }
    Op op = r.op == "In" ? Op::kIn : r.op == "NotIn" ? Op::kNotIn : r.op == "Exists" ? Op::kExists : Op::kDoesNotExist;
    requirements_.push_back({r.key, op, r.values});
  }
  return true;
}

bool LabelSelector::Matches(const aimsgate::JsonValue* labels, std::string_view implicit_name) const {
  static constexpr std::string_view kNameLabel = "kubernetes.io/metadata.name";
  for (const Requirement& r : requirements_) {
    bool present = false;
    std::string_view value;
    if (labels) {
      if (labels->IsObject()) {
        // A StringRef key: the lookup copies nothing.
        auto it = labels->FindMember(aimsgate::JsonValue(rapidjson::StringRef(r.key.data(), static_cast<rapidjson::SizeType>(r.key.size()))));
        if (it != labels->MemberEnd()) {
          present = true;
          // Labels are strings; any other value compares as "" (present, in no values list).
          if (it->value.IsString()) value = {it->value.GetString(), it->value.GetStringLength()};
        }
      }
    } else if (!implicit_name.empty() && r.key == kNameLabel) {
      present = true;
      value = implicit_name;
    }
    switch (r.op) {
      case Op::kExists:
        if (!present) return false;
        break;
      case Op::kDoesNotExist:
        if (present) return false;
        break;
      case Op::kIn:
      case Op::kNotIn: {
        const bool in = present && std::any_of(r.values.begin(), r.values.end(), [&](const std::string& v) { return v == value; });
        if (in != (r.op == Op::kIn)) return false;
        break;
      }
    }
  }
  return true;
}

// ---- patterns and rules ------------------------------------------------------------

namespace {

// The index's key order: by length, then bytes.  Not lexicographic, but a lookup
// mostly meets keys of another length, which one comparison of sizes settles.
int KeyCompare(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b);
}

// Compares (a1, a2, a3) with (b1, b2, b3) in KeyCompare order.
int KeyCompare(std::string_view a1, std::string_view a2, std::string_view a3, std::string_view b1, std::string_view b2,
               std::string_view b3) {
  int c = KeyCompare(a1, b1);
  if (c == 0) c = KeyCompare(a2, b2);
  return c != 0 ? c : KeyCompare(a3, b3);
}

inline bool Same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && kernel::BytesEqual(a.data(), b.data(), a.size());
}

// The entry of the sorted `entries` whose key (key_of(entry), a tuple of three
// views) equals (k1, k2, k3), or null: a scan for equality when there are few
// entries (a pack names a handful of kinds), else a binary search.
template <typename E, typename KeyOf>
const E* FindEntry(const std::vector<E>& entries, KeyOf key_of, std::string_view k1, std::string_view k2,
                   std::string_view k3) {
  constexpr size_t kScanned = 8;
  if (entries.size() <= kScanned) {
    for (const E& e : entries) {
      const auto [e1, e2, e3] = key_of(e);
      if (Same(e1, k1) && Same(e2, k2) && Same(e3, k3)) return &e;
    }
    return nullptr;
  }
  size_t lo = 0, hi = entries.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const auto [e1, e2, e3] = key_of(entries[mid]);
    const int c = KeyCompare(e1, e2, e3, k1, k2, k3);
    if (c == 0) return &entries[mid];
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return nullptr;
}

bool IsLiteral(const std::string& s) { return s.find_first_of("*?") == std::string::npos; }

// Kubernetes requires these lists; an omitted one is read as "*".
bool AnyIn(const std::vector<std::string>& list) {
  return list.empty() || std::find(list.begin(), list.end(), "*") != list.end();
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& x) { return x == value; });
}

}  // namespace

bool Matcher::Pattern::Matches(std::string_view s) const {
  if (any) return true;
  return glob ? GlobMatch(text, s) : text == s;
}

bool Matcher::Rule::KindMatches(const MatchObject& o) const {
  if (kinds.empty()) return true;
  return std::any_of(kinds.begin(), kinds.end(), [&](const Kind& k) {
    return k.kind.Matches(o.kind) && k.group.Matches(o.group) && k.version.Matches(o.version);
  });
}

bool Matcher::ResourceRule::Matches(const MatchObject& o) const {
  if (!any_group && !Contains(groups, o.group)) return false;
  if (!any_version && !Contains(versions, o.version)) return false;
  if (!any_operation && !Contains(operations, o.operation)) return false;
  if (!any_resource && !Contains(resources, o.admission.resource)) return false;
  if ((scope == Scope::kNamespaced && o.admission.cluster_scoped) || (scope == Scope::kCluster && !o.admission.cluster_scoped)) {
    return false;
  }
  return names.empty() || Contains(names, o.name);
}

bool Matcher::Compile(const std::vector<const MatchSpec*>& matches, std::shared_ptr<const NamespaceIndex> namespaces,
                      std::string* error, size_t* bad_rule) {
  namespaces_ = std::move(namespaces);
  rules_.clear();
  candidates_.clear();
  by_gvk_.clear();
  by_group_kind_.clear();
  by_kind_.clear();
  version_checks_.clear();
  auto pattern = [](const std::string& text) {
    Pattern p;
    p.text = text;
    p.any = text == "*";
    p.glob = !p.any && !IsLiteral(text);
    return p;
  };
  for (size_t i = 0; i < matches.size(); ++i) {
    const MatchSpec& m = *matches[i];
    Rule r;
    for (const KindPattern& k : m.kinds) r.kinds.push_back({pattern(k.group), pattern(k.version), pattern(k.kind)});
    for (const auto& g : m.namespaces_include) r.ns_include.push_back(pattern(g));
    for (const auto& g : m.namespaces_exclude) r.ns_exclude.push_back(pattern(g));
    std::string why;
    auto selector = [&](const std::vector<LabelRequirement>& reqs, LabelSelector* out, const char* what) {
      if (out->Compile(reqs, &why)) return true;
      *error = std::string(what) + ": " + why;
      if (bad_rule) *bad_rule = i;
      return false;
    };
    if (!selector(m.label_selector, &r.labels, "labelSelector")) return false;
    for (const AdmissionMatch& a : m.admission) {
      Admission ca;
      for (int exclude = 0; exclude < 2; ++exclude) {
        for (const ::aimsgate::ResourceRule& rr : exclude ? a.exclude_rules : a.resource_rules) {
          ResourceRule c;
          c.groups = rr.groups;
          c.versions = rr.versions;
          c.operations = rr.operations;
          c.resources = rr.resources;
          c.names = rr.names;
          c.any_group = AnyIn(rr.groups);
          c.any_version = AnyIn(rr.versions);
          c.any_operation = AnyIn(rr.operations);
          c.any_resource = rr.resources.empty() || Contains(rr.resources, "*") || Contains(rr.resources, "*/*");
          c.scope = rr.scope == "Namespaced" ? ResourceRule::Scope::kNamespaced
                    : rr.scope == "Cluster"  ? ResourceRule::Scope::kCluster
                                             : ResourceRule::Scope::kAny;
          (exclude ? ca.excludes : ca.rules).push_back(std::move(c));
        }
      }
      if (!selector(a.namespace_selector, &ca.namespace_selector, "namespaceSelector") ||
          !selector(a.object_selector, &ca.object_selector, "objectSelector")) {
        return false;
      }
      r.admission.push_back(std::move(ca));
    }
    rules_.push_back(std::move(r));
  }

  // The index.  Keys: every literal (group, kind) and every literal kind the
  // patterns name.  Each list holds, in rule order, every rule that can match an
  // object landing there, and says whether its kind still needs checking.
  std::set<std::tuple<std::string, std::string, std::string>> exact_versions;  // (group, version, kind)
  std::set<std::pair<std::string, std::string>> exact;                         // (group, kind)
  std::set<std::string> kinds;
  for (const Rule& r : rules_) {
    for (const Kind& k : r.kinds) {
      if (k.kind.any || k.kind.glob) continue;
      kinds.insert(k.kind.text);
      if (k.group.any || k.group.glob) continue;
      exact.emplace(k.group.text, k.kind.text);
      if (!k.version.any && !k.version.glob) exact_versions.emplace(k.group.text, k.version.text, k.kind.text);
    }
  }
  auto unconstrained = [](const Rule& r) {
    return r.ns_include.empty() && r.ns_exclude.empty() && r.labels.empty() && r.admission.empty();
  };
  // Appends the rules for which `can(kind pattern)` holds; `sure(kind pattern)`
  // says the pattern's match needs no check at evaluation. With `version_only`
  // (an exact group/kind key), a rule that is not sure needs only a version
  // check: its matching patterns' versions are listed for the candidate.
  auto build = [&](auto can, auto sure, bool version_only) {
    const auto first = static_cast<uint32_t>(candidates_.size());
    for (size_t i = 0; i < rules_.size(); ++i) {
      const Rule& r = rules_[i];
      bool possible = r.kinds.empty(), certain = r.kinds.empty();
      std::vector<const Pattern*> versions;
      for (const Kind& k : r.kinds) {
        if (!can(k)) continue;
        possible = true;
        certain = certain || sure(k);
        if (std::none_of(versions.begin(), versions.end(), [&](const Pattern* v) { return v->text == k.version.text; })) {
          versions.push_back(&k.version);
        }
      }
      if (!possible) continue;
      MatchCandidate c{static_cast<uint32_t>(i), !certain};
      c.decided = certain && unconstrained(r);
      if (!certain && version_only && versions.size() <= UINT16_MAX) {
        c.check_kind = false;
        c.version_first = static_cast<uint32_t>(version_checks_.size());
        c.versions = static_cast<uint16_t>(versions.size());
        for (const Pattern* v : versions) version_checks_.push_back(*v);
      }
      candidates_.push_back(c);
    }
    return std::make_pair(first, static_cast<uint32_t>(candidates_.size()));
  };
  // A literal group/version/kind decides every kind pattern (globs included).
  for (const auto& [group, version, kind] : exact_versions) {
    auto range = build(
        [&, &g = group, &v = version, &kd = kind](const Kind& k) {
          return k.group.Matches(g) && k.version.Matches(v) && k.kind.Matches(kd);
        },
        [](const Kind&) { return true; }, false);
    by_gvk_.push_back({group, version, kind, range.first, range.second});
  }
  std::sort(by_gvk_.begin(), by_gvk_.end(), [](const VersionEntry& a, const VersionEntry& b) {
    return KeyCompare(a.kind, a.group, a.version, b.kind, b.group, b.version) < 0;
  });
  for (const auto& [group, kind] : exact) {  // std::set: sorted by (group, kind)
    auto range = build([&, &g = group, &kd = kind](const Kind& k) { return k.group.Matches(g) && k.kind.Matches(kd); },
                       [](const Kind& k) { return k.version.any; }, true);
    by_group_kind_.push_back({group, kind, range.first, range.second});
  }
  std::sort(by_group_kind_.begin(), by_group_kind_.end(),
            [](const Entry& a, const Entry& b) { return KeyCompare(a.kind, a.group, {}, b.kind, b.group, {}) < 0; });
  for (const auto& kind : kinds) {
    // The object's group is none that an exact key pairs with this kind.
    auto range = build(
        [&](const Kind& k) {
          if (!k.kind.Matches(kind)) return false;
          return k.group.any || k.group.glob || exact.count({k.group.text, kind}) == 0;
        },
        [](const Kind& k) { return k.group.any && k.version.any; }, false);
    by_kind_.push_back({kind, range.first, range.second});
  }
  // A kind no pattern names literally: only non-literal kind patterns can match.
  auto range = build([](const Kind& k) { return k.kind.any || k.kind.glob; },
                     [](const Kind& k) { return k.group.any && k.version.any && k.kind.any; }, false);
  other_first_ = range.first;
  other_last_ = range.second;
  return true;
}

CandidateList Matcher::Candidates(const MatchObject& o) const {
  const MatchCandidate* base = candidates_.data();
  using Views = std::tuple<std::string_view, std::string_view, std::string_view>;
  if (const VersionEntry* v = FindEntry(
          by_gvk_, [](const VersionEntry& e) { return Views(e.kind, e.group, e.version); }, o.kind, o.group, o.version)) {
    return {base + v->first, base + v->last};
  }
  if (const Entry* g =
          FindEntry(by_group_kind_, [](const Entry& e) { return Views(e.kind, e.group, {}); }, o.kind, o.group, {})) {
    return {base + g->first, base + g->last};
  }
  auto k = std::lower_bound(by_kind_.begin(), by_kind_.end(), o.kind,
                            [](const KindEntry& e, std::string_view kind) { return std::string_view(e.kind) < kind; });
  if (k != by_kind_.end() && k->kind == o.kind) return {base + k->first, base + k->last};
  return {base + other_first_, base + other_last_};
}

bool Matcher::AdmissionMatches(const Admission& a, MatchObject* o) const {
  MatchObject::Admission& f = o->admission;
  if (!f.ready) {
    f.ready = true;
    f.resource = ResourceForKind(o->group, o->kind);
    f.cluster_scoped = IsClusterScoped(o->group, o->kind);
  }
  if (!a.rules.empty() && std::none_of(a.rules.begin(), a.rules.end(), [&](const ResourceRule& r) { return r.Matches(*o); })) {
    return false;
  }
  if (std::any_of(a.excludes.begin(), a.excludes.end(), [&](const ResourceRule& r) { return r.Matches(*o); })) return false;
  // namespaceSelector: a Namespace is matched on its own labels; other
  // cluster-scoped objects are never skipped by it (Kubernetes semantics).
  if (!a.namespace_selector.empty()) {
    if (f.cluster_scoped) {
      if (o->kind == "Namespace" && !a.namespace_selector.Matches(o->labels)) return false;
    } else {
      // An object without a namespace is in "default"; a Namespace absent from the
      // index has the one label the apiserver sets, kubernetes.io/metadata.name.
      const std::string_view ns = o->ns.empty() ? std::string_view("default") : o->ns;
      if (f.index != namespaces() || f.index == nullptr) {
        f.index = namespaces();
        const aimsgate::JsonValue* object = f.index ? f.index->Find(ns) : nullptr;
        const aimsgate::JsonValue* md = nullptr;
        if (object && object->IsObject()) {
          auto it = object->FindMember("metadata");
          if (it != object->MemberEnd()) md = &it->value;
        }
        f.namespace_labels = nullptr;
        if (md && md->IsObject()) {
          auto it = md->FindMember("labels");
          if (it != md->MemberEnd()) f.namespace_labels = &it->value;
        }
      }
      if (!a.namespace_selector.Matches(f.namespace_labels, ns)) return false;
    }
  }
  return a.object_selector.Matches(o->labels);
}

bool Matcher::MatchesRest(const MatchCandidate& c, MatchObject* o) const {
  const Rule& r = rules_[c.rule];
  if (c.check_kind) {
    if (!r.KindMatches(*o)) return false;
  } else if (c.versions != 0) {
    const Pattern* v = version_checks_.data() + c.version_first;
    if (std::none_of(v, v + c.versions, [&](const Pattern& p) { return p.Matches(o->version); })) return false;
  }
  if (!r.ns_include.empty() &&
      std::none_of(r.ns_include.begin(), r.ns_include.end(), [&](const Pattern& p) { return p.Matches(o->ns); })) {
    return false;
  }
  if (std::any_of(r.ns_exclude.begin(), r.ns_exclude.end(), [&](const Pattern& p) { return p.Matches(o->ns); })) return false;
  if (!r.labels.Matches(o->labels)) return false;
  return std::all_of(r.admission.begin(), r.admission.end(), [&](const Admission& a) { return AdmissionMatches(a, o); });
}

}  // namespace aimsgate
