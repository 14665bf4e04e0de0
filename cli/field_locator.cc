#include "cli/field_locator.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "evaluator/cel/ast.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/k8s_library.h"

namespace aimsgate::cli {
namespace {

using Path = std::vector<std::string>;
constexpr const char* kAny = "*";
constexpr size_t kMaxAlternatives = 32;
constexpr size_t kMaxPaths = 256;
constexpr int kMaxVisits = 50000;
constexpr int kMaxInlineDepth = 16;
constexpr size_t kMaxElements = 10000;

// What an expression may denote, as far as a static reading can tell.
struct Abs {
  std::vector<Path> values;  // the value at each path below `object`
  std::vector<Path> lists;   // a list whose elements are at each path
  std::optional<std::string> str;
  const aimsgate::JsonValue* json = nullptr;  // a piece of the pack's parameters
};

void AddUnique(std::vector<Path>* to, const Path& p) {
  if (to->size() < kMaxAlternatives && std::find(to->begin(), to->end(), p) == to->end()) to->push_back(p);
}

Abs Union(const Abs& a, const Abs& b) {
  Abs out = a;
  for (const auto& p : b.values) AddUnique(&out.values, p);
  for (const auto& p : b.lists) AddUnique(&out.lists, p);
  if (!(a.str && b.str && *a.str == *b.str)) out.str.reset();
  if (a.json != b.json) out.json = nullptr;
  return out;
}

// A helper function, parsed when first inlined (a pack has dozens; a rule
// reaches a few). Analyses of several rules may run at once and share it.
struct Function {
  const std::vector<std::string>* params = nullptr;
  const std::string* text = nullptr;
  mutable std::once_flag once;
  mutable std::unique_ptr<cel::ParseResult> parsed;

  const cel::Expr* Body() const {
    std::call_once(once, [&] { parsed = std::make_unique<cel::ParseResult>(cel::Parse(*text)); });
    return parsed->expr.get();
  }
};
using Functions = std::unordered_map<std::string, std::unique_ptr<Function>>;

// What inlining a helper with given arguments gave, shared by the analyses of
// a pack's rules (podSpecs(object), templateOf(o), seldonPodSpecs(o, 0..3)
// come back again and again): a helper's body sees only its arguments (the
// key), the pack's parameters and the inline depth. `records` are the paths
// it recorded, in order, each once; replaying them records what evaluating
// it again would. `visits` is what it cost against kMaxVisits and `nesting`
// how many inline levels below its own it went: an entry is made only by a
// call that stayed within both limits, and used only where it would again.
struct Inlined {
  Abs result;
  std::vector<Path> records;
  int visits = 0;
  int nesting = 0;
};

class InlineMemo {
 public:
  std::shared_ptr<const Inlined> Find(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : it->second;
  }
  void Add(std::string key, std::shared_ptr<const Inlined> entry) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.emplace(std::move(key), std::move(entry));
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Inlined>> entries_;
};

// The memo key of one helper call: name and every argument, each string
// length-prefixed so that no two different calls share a key.
void AppendKey(const std::string& s, std::string* key) {
  *key += std::to_string(s.size());
  *key += ':';
  *key += s;
}

std::string InlineKey(const std::string& name, const std::vector<Abs>& args) {
  std::string key;
  AppendKey(name, &key);
  for (const auto& a : args) {
    for (const auto* paths : {&a.values, &a.lists}) {
      key += '[';
      for (const auto& p : *paths) {
        key += '(';
        for (const auto& seg : p) AppendKey(seg, &key);
        key += ')';
      }
      key += ']';
    }
    if (a.str) {
      key += 's';
      AppendKey(*a.str, &key);
    }
    key += 'j';
    key += std::to_string(reinterpret_cast<uintptr_t>(a.json));
    key += ';';
  }
  return key;
}

class Analyzer {
 public:
  Analyzer(const Functions& functions, const aimsgate::JsonValue* params, InlineMemo* memo)
      : functions_(functions), params_(params), memo_(memo) {}

  std::vector<Path> Run(const cel::Expr& e) {
    Eval(e, nullptr, 0);
    return recorded_;
  }

 private:
  // The variables in scope, innermost first: a comprehension or an inlined
  // helper binds on top of its caller's without copying it.
  struct Scope {
    const std::string* name;
    const Abs* value;
    const Scope* outer;
  };
  using Env = const Scope*;
  static const Abs* Find(Env env, const std::string& name) {
    for (; env != nullptr; env = env->outer) {
      if (*env->name == name) return env->value;
    }
    return nullptr;
  }

  // Every path ever recorded is interned (with whether it made the list) and
  // logged, so a helper call can tell which paths it recorded.
  void Record(const Path& p) {
    auto it = interned_.emplace(p, false).first;
    log_.push_back(&*it);
    if (!it->second && recorded_.size() < kMaxPaths) {
      it->second = true;
      recorded_.push_back(p);
    }
  }

  Abs Child(const Abs& base, const std::string& field) {
    Abs out;
    for (const auto& p : base.values) {
      Path q = p;
      q.push_back(field);
      Record(q);
      AddUnique(&out.values, q);
    }
    if (base.json && base.json->IsObject()) {
      auto it = base.json->FindMember(field.c_str());
      if (it != base.json->MemberEnd()) {
        out.json = &it->value;
        if (it->value.IsString()) out.str = it->value.GetString();
      }
    }
    return out;
  }

  Abs Ident(const std::string& name, Env env) {
    size_t dot = name.find('.');
    if (dot != std::string::npos) {  // a dotted name the parser could not split
      Abs out = Ident(name.substr(0, dot), env);
      std::string rest = name.substr(dot + 1);
      while (!rest.empty()) {
        size_t d = rest.find('.');
        out = Child(out, rest.substr(0, d));
        rest = d == std::string::npos ? "" : rest.substr(d + 1);
      }
      return out;
    }
    if (const Abs* bound = Find(env, name)) return *bound;
    Abs out;
    if (name == "object") out.values.push_back({});
    if (name == "params") out.json = params_;
    return out;
  }

  Abs Eval(const cel::Expr& e, Env env, int depth) {
    if (++visits_ > kMaxVisits) return {};
    switch (e.kind) {
      case cel::Expr::Kind::kConstant: {
        Abs out;
        if (e.constant.kind == cel::Constant::Kind::kString) out.str = e.constant.string_value;
        return out;
      }
      case cel::Expr::Kind::kIdent:
        return Ident(e.ident.name, env);
      case cel::Expr::Kind::kSelect: {
        Abs out = Child(Eval(*e.select.operand, env, depth), e.select.field);
        return e.select.test_only ? Abs() : out;
      }
      case cel::Expr::Kind::kCall:
        return Call(e.call, env, depth);
      case cel::Expr::Kind::kList: {
        Abs out;
        for (const auto& el : e.list.elements) {
          Abs v = Eval(*el, env, depth);
          for (const auto& p : v.values) AddUnique(&out.lists, p);
        }
        return out;
      }
      case cel::Expr::Kind::kMap:
        for (const auto& entry : e.map.entries) {
          if (entry.key) Eval(*entry.key, env, depth);
          if (entry.value) Eval(*entry.value, env, depth);
        }
        return {};
      case cel::Expr::Kind::kStruct:
        for (const auto& f : e.struct_expr.fields) {
          if (f.value) Eval(*f.value, env, depth);
        }
        return {};
      case cel::Expr::Kind::kComprehension:
        return Comprehension(e.comprehension, env, depth);
    }
    return {};
  }

  Abs Comprehension(const cel::ComprehensionExpr& c, Env env, int depth) {
    Abs range = c.iter_range ? Eval(*c.iter_range, env, depth) : Abs();
    Abs element;
    for (const auto& p : range.values) {
      Path q = p;
      q.push_back(kAny);
      AddUnique(&element.values, q);
    }
    for (const auto& p : range.lists) AddUnique(&element.values, p);
    Abs init = c.accu_init ? Eval(*c.accu_init, env, depth) : Abs();
    Scope iter{&c.iter_var, &element, env};
    Scope iter2{&c.iter_var2, &element, &iter};
    Scope accu{&c.accu_var, &init, c.iter_var2.empty() ? &iter : &iter2};
    if (c.loop_condition) Eval(*c.loop_condition, &accu, depth);
    Abs step = c.loop_step ? Eval(*c.loop_step, &accu, depth) : Abs();
    const Abs result = Union(init, step);
    Scope after{&c.accu_var, &result, env};
    return c.result ? Eval(*c.result, &after, depth) : Abs();
  }

  Abs Call(const cel::CallExpr& call, Env env, int depth) {
    const std::string& f = call.function;
    std::vector<Abs> args;
    Abs target = call.target ? Eval(*call.target, env, depth) : Abs();
    for (const auto& a : call.args) args.push_back(Eval(*a, env, depth));
    if (f == "_[_]" && args.size() == 2) {
      Abs out;
      if (args[1].str) {
        out = Child(args[0], *args[1].str);
      } else {
        out = Child(args[0], kAny);
      }
      for (const auto& p : args[0].lists) AddUnique(&out.values, p);
      return out;
    }
    if (f == "@in" && args.size() == 2) {
      if (args[0].str) Child(args[1], *args[0].str);
      return {};
    }
    if (f == "_+_" && args.size() == 2) {
      Abs out = Union(args[0], args[1]);
      out.str.reset();
      out.json = nullptr;
      if (args[0].str && args[1].str) out.str = *args[0].str + *args[1].str;
      return out;
    }
    if (f == "_?_:_" && args.size() == 3) return Union(args[1], args[2]);
    // k8s.podSpec(o): a library function, unless `k8s` is bound here.
    const bool qualified = call.target && call.target->kind == cel::Expr::Kind::kIdent &&
                           Find(env, call.target->ident.name) == nullptr;
    if ((!call.target || qualified) && depth >= kMaxInlineDepth) cut_ = true;
    if ((!call.target || qualified) && depth < kMaxInlineDepth) {
      auto it = functions_.find(qualified ? call.target->ident.name + "." + f : f);
      if (it != functions_.end() && it->second->params->size() == args.size()) {
        if (const cel::Expr* body = it->second->Body()) return Inline(it->first, *it->second, *body, args, depth);
      }
    }
    return {};
  }

  Abs Inline(const std::string& name, const Function& fn, const cel::Expr& body, const std::vector<Abs>& args,
             int depth) {
    std::string key = InlineKey(name, args);
    if (auto hit = memo_->Find(key);
        hit && visits_ + hit->visits <= kMaxVisits && depth + hit->nesting < kMaxInlineDepth) {
      visits_ += hit->visits;
      deepest_ = std::max(deepest_, depth + hit->nesting);
      for (const auto& p : hit->records) Record(p);
      return hit->result;
    }
    const size_t log_start = log_.size();
    const int visits_start = visits_;
    const int outer_deepest = deepest_;
    const bool outer_cut = cut_;
    deepest_ = depth;
    cut_ = false;
    std::vector<Scope> bound;  // the last parameter of a name wins
    bound.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) bound.push_back({&(*fn.params)[i], &args[i], i ? &bound[i - 1] : nullptr});
    Abs out = Eval(body, bound.empty() ? nullptr : &bound.back(), depth + 1);
    const int nesting = deepest_ - depth;
    const bool cut = cut_;
    deepest_ = std::max(outer_deepest, deepest_);
    cut_ = outer_cut || cut;
    if (visits_ <= kMaxVisits && !cut) {
      auto entry = std::make_shared<Inlined>();
      entry->result = out;
      entry->visits = visits_ - visits_start;
      entry->nesting = nesting;
      std::set<const void*> once;
      for (size_t i = log_start; i < log_.size(); ++i) {
        if (once.insert(log_[i]).second) entry->records.push_back(log_[i]->first);
      }
      memo_->Add(std::move(key), std::move(entry));
    }
    return out;
  }

  const Functions& functions_;
  const aimsgate::JsonValue* params_;
  InlineMemo* memo_;
  std::vector<Path> recorded_;
  std::map<Path, bool> interned_;                       // path -> in recorded_
  std::vector<const std::pair<const Path, bool>*> log_;  // every Record, in order
  int visits_ = 0;
  int deepest_ = 0;    // the deepest inline so far (within the current Inline)
  bool cut_ = false;   // a call went uninlined for kMaxInlineDepth (idem)
};

// How far a path got: `at` is the key or element whose line reports use (null:
// the object itself). The line is looked up only for the winner: looking up
// every list element's line on the way was most of a failing rule's cost.
struct Reach {
  size_t depth = 0;
  const aimsgate::JsonValue* at = nullptr;
  bool complete = false;
};

// A rule's paths as a trie, built once per rule, so paths that share a prefix
// (spec.template.spec.containers.*.readinessProbe, ...livenessProbe) look each
// member up and walk each list once per Locate. Each path ends at its own node
// and owns a slot; slots are numbered in pre-order, so the paths below a node
// are the slots [lo, hi). Walking the trie gives every path the Reach that
// walking it alone would (see Walk), and the winner is then chosen over the
// paths in their recorded order, as before.
struct Trie {
  struct Node {
    std::string seg;          // the edge into this node ("*": every element or member)
    bool any = false;         // seg == "*"
    int slot = -1;            // the path that ends here, if any
    size_t lo = 0, hi = 0;    // the slots of the paths at or below this node
    size_t stars = 0;         // the most `*` edges on a way down from here (scratch rows)
    size_t longest = 0;       // the longest path at or below this node
    std::vector<uint32_t> children;
  };
  std::vector<Node> nodes;            // nodes[0] is the root (the object)
  std::vector<size_t> length;         // by slot: the path's length
  std::vector<uint32_t> slot_of;      // by recorded order: the path's slot

  static Trie Build(const std::vector<Path>& paths) {
    Trie t;
    t.nodes.emplace_back();
    for (size_t k = 0; k < paths.size(); ++k) {
      uint32_t n = 0;
      for (const auto& seg : paths[k]) {
        uint32_t next = 0;
        for (uint32_t c : t.nodes[n].children) {
          if (t.nodes[c].seg == seg) next = c;
        }
        if (next == 0) {
          next = static_cast<uint32_t>(t.nodes.size());
          Node child;
          child.seg = seg;
          child.any = seg.size() == 1 && seg[0] == '*';
          t.nodes.push_back(std::move(child));
          t.nodes[n].children.push_back(next);
        }
        n = next;
      }
      t.nodes[n].slot = static_cast<int>(k);  // the recorded order for now
    }
    // Number the slots in pre-order.
    std::vector<size_t> slot_by_path(paths.size());
    t.length.resize(paths.size());
    size_t next_slot = 0;
    std::function<void(uint32_t)> number = [&](uint32_t n) {
      Node& node = t.nodes[n];
      node.lo = next_slot;
      if (node.slot >= 0) {
        slot_by_path[static_cast<size_t>(node.slot)] = next_slot;
        t.length[next_slot] = paths[static_cast<size_t>(node.slot)].size();
        node.longest = t.length[next_slot];
        node.slot = static_cast<int>(next_slot++);
      }
      for (uint32_t c : node.children) {
        number(c);
        t.nodes[n].stars = std::max(t.nodes[n].stars, t.nodes[c].stars + (t.nodes[c].any ? 1 : 0));
        t.nodes[n].longest = std::max(t.nodes[n].longest, t.nodes[c].longest);
      }
      t.nodes[n].hi = next_slot;
    };
    number(0);
    for (size_t k = 0; k < paths.size(); ++k) t.slot_of.push_back(static_cast<uint32_t>(slot_by_path[k]));
    return t;
  }
};

// The member named `seg`: FindMember's scan, without making a Value of the name.
const aimsgate::JsonValue::Member* FindMember(const aimsgate::JsonValue& node, const std::string& seg) {
  const auto len = static_cast<rapidjson::SizeType>(seg.size());
  for (const auto& m : node.GetObject()) {
    if (m.name.GetStringLength() == len && std::memcmp(m.name.GetString(), seg.data(), len) == 0) return &m;
  }
  return nullptr;
}

// Sets out[s] for every slot s of the paths at or below trie node `n`, which
// has been reached at `node` (`at`) after `i` segments: what walking each path
// alone on the object gives (point 2 of field_locator.h):
//   - the path ends here: {i, at, complete};
//   - a member that is missing (or `node` is not an object): {i, at, missing};
//   - `*` on a value with no elements (or not a list or map): {i, at, missing};
//     else the first element (at most kMaxElements) where the rest of the path
//     is missing the deepest, or, when every element has it, {i, at, complete}.
// `scratch` holds Trie::Node::stars rows of one Reach per slot, for the
// elements under each `*` below `n`.
//
// `bound` is the best (deepest, then missing) of the Reaches settled so far:
// those set outside any `*` (`settled`), which the choice of a winner will
// see as they are. A subtree whose paths cannot match it (all shorter, or as
// long and it is missing) is not walked: its slots get {0, null, complete},
// and inside a `*` whatever they then add up to is still shallower than
// `bound`, so none of them can win, as none of them could have.
struct Bound {
  size_t depth = 0;
  bool missing = false;
  void Fold(const Reach& r) {
    if (r.depth > depth) {
      depth = r.depth;
      missing = !r.complete;
    } else if (r.depth == depth && !r.complete) {
      missing = true;
    }
  }
  bool Beats(size_t longest) const { return depth > longest || (depth == longest && missing); }
};

void Walk(const Trie& t, uint32_t n, const aimsgate::JsonValue& node, const aimsgate::JsonValue* at, size_t i,
          Reach* out, Reach* scratch, Bound* bound, bool settled) {
  const Trie::Node& tn = t.nodes[n];
  if (tn.slot >= 0) {
    out[tn.slot] = {i, at, true};
    if (settled) bound->Fold(out[tn.slot]);
  }
  for (uint32_t c : tn.children) {
    const Trie::Node& cn = t.nodes[c];
    if (bound->Beats(cn.longest)) {
      for (size_t s = cn.lo; s < cn.hi; ++s) out[s] = {0, nullptr, true};
      continue;
    }
    if (!cn.any) {
      const aimsgate::JsonValue::Member* m = node.IsObject() ? FindMember(node, cn.seg) : nullptr;
      if (m != nullptr) {
        Walk(t, c, m->value, &m->name, i + 1, out, scratch, bound, settled);
      } else {
        for (size_t s = cn.lo; s < cn.hi; ++s) out[s] = {i, at, false};
        if (settled) bound->Fold(out[cn.lo]);
      }
      continue;
    }
    // `*`: each element's Reaches go to one scratch row, the deepest missing
    // one of each path (the first on a tie) to out[], marked by depth + 1 so
    // that out[s].depth == 0 means none yet.
    Reach* row = scratch;
    Reach* rest = scratch + t.length.size();
    for (size_t s = cn.lo; s < cn.hi; ++s) out[s] = {0, nullptr, true};
    size_t children = 0;
    auto visit = [&](const aimsgate::JsonValue& child, const aimsgate::JsonValue* child_at) {
      Walk(t, c, child, child_at, i + 1, row, rest, bound, false);
      bool saturated = true;
      for (size_t s = cn.lo; s < cn.hi; ++s) {
        const Reach& r = row[s];
        Reach& best = out[s];
        if (!r.complete && (best.complete || r.depth + 1 > best.depth)) best = {r.depth + 1, r.at, false};
        // Missing one short of the end: no later element can go deeper.
        if (best.complete || best.depth != t.length[s]) saturated = false;
      }
      return !saturated;
    };
    if (node.IsArray()) {
      for (const auto& el : node.GetArray()) {
        if (children++ >= kMaxElements || !visit(el, &el)) break;
      }
    } else if (node.IsObject()) {
      for (const auto& m : node.GetObject()) {
        if (children++ >= kMaxElements || !visit(m.value, &m.name)) break;
      }
    }
    for (size_t s = cn.lo; s < cn.hi; ++s) {
      if (children == 0) {
        out[s] = {i, at, false};
      } else if (out[s].complete) {
        out[s] = {i, at, true};
      } else {
        out[s].depth -= 1;
      }
      if (settled) bound->Fold(out[s]);
    }
  }
}

}  // namespace

// The rules by full id, each analysed on first use; the helper functions of a
// pack (and the Kubernetes library) are parsed on first use too.
struct FieldLocator::Impl {
  struct PackFunctions {
    std::once_flag once;
    Functions by_name;
    InlineMemo memo;
  };
  struct Rule {
    const PackSpec* pack = nullptr;
    const RuleSpec* spec = nullptr;
    PackFunctions* functions = nullptr;
    std::once_flag once;
    std::vector<Path> paths;
    Trie trie;
  };
  std::map<const PackSpec*, PackFunctions> functions;
  std::unordered_map<std::string, Rule> rules;

  const Rule* Analysed(const std::string& id) {
    auto it = rules.find(id);
    if (it == rules.end()) return nullptr;
    Rule& r = it->second;
    std::call_once(r.once, [&] {
      Analyse(&r);
      r.trie = Trie::Build(r.paths);
    });
    return &r;
  }

  static void Analyse(Rule* r) {
    PackFunctions& fns = *r->functions;
    std::call_once(fns.once, [&] {
      auto declare = [&](const auto& fn) {  // a pack's function replaces the library's
        auto f = std::make_unique<Function>();
        f->params = &fn.params;
        f->text = &fn.expression.text;
        fns.by_name[fn.name] = std::move(f);
      };
      for (const auto& fn : K8sLibrary()) declare(fn);
      for (const auto& fn : r->pack->functions) declare(fn);
    });
    cel::ParseResult parsed = cel::Parse(r->spec->assert_expr.text);
    if (!parsed.expr) return;
    const aimsgate::JsonValue* params = r->pack->parameters ? r->pack->parameters.get() : nullptr;
    Analyzer analyzer(fns.by_name, params, &fns.memo);
    r->paths = analyzer.Run(*parsed.expr);
  }
};

FieldLocator::FieldLocator(const Engine& engine) : impl_(std::make_unique<Impl>()) {
  for (const auto& info : engine.rules()) {
    Impl::Rule& r = impl_->rules[info.full_id];
    r.pack = info.pack;
    r.spec = info.rule;
    r.functions = &impl_->functions[info.pack];
  }
}

FieldLocator::~FieldLocator() = default;

int FieldLocator::Locate(const std::string& rule, const manifest::Resource& resource) const {
  if (resource.object == nullptr) return 0;
  const Impl::Rule* r = impl_->Analysed(rule);
  if (r == nullptr || r->paths.empty()) return 0;
  const Trie& t = r->trie;
  const size_t slots = t.length.size();
  thread_local std::vector<Reach> reaches;
  reaches.resize(slots * (1 + t.nodes[0].stars));
  Bound bound;
  Walk(t, 0, *resource.object, nullptr, 0, reaches.data(), reaches.data() + slots, &bound, true);
  // The deepest; on a tie a missing field over one that exists, then the earlier path.
  const Reach* best = nullptr;
  for (uint32_t s : t.slot_of) {
    const Reach& reach = reaches[s];
    if (!best || reach.depth > best->depth || (reach.depth == best->depth && !reach.complete && best->complete)) {
      best = &reach;
    }
  }
  if (best->depth == 0) return 0;
  return resource.FieldLine(best->at);
}

std::vector<std::string> FieldLocator::PathsOf(const std::string& rule) const {
  std::vector<std::string> out;
  const Impl::Rule* r = impl_->Analysed(rule);
  if (r == nullptr) return out;
  for (const auto& p : r->paths) {
    std::string s;
    for (const auto& seg : p) s += (s.empty() ? "" : ".") + seg;
    out.push_back(s);
  }
  return out;
}

}  // namespace aimsgate::cli
