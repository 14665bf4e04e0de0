#include "cli/field_locator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "evaluator/cel/ast.h"
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
  const rapidjson::Value* json = nullptr;  // a piece of the pack's parameters
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

struct Function {
  std::vector<std::string> params;
  std::shared_ptr<cel::ParseResult> body;
};

class Analyzer {
 public:
  Analyzer(const std::unordered_map<std::string, Function>& functions, const rapidjson::Value* params)
      : functions_(functions), params_(params) {}

  std::vector<Path> Run(const cel::Expr& e) {
    Eval(e, {}, 0);
    return recorded_;
  }

 private:
  using Env = std::map<std::string, Abs>;

  void Record(const Path& p) {
    if (recorded_.size() < kMaxPaths && seen_.insert(p).second) recorded_.push_back(p);
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

  Abs Ident(const std::string& name, const Env& env) {
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
    auto it = env.find(name);
    if (it != env.end()) return it->second;
    Abs out;
    if (name == "object") out.values.push_back({});
    if (name == "params") out.json = params_;
    return out;
  }

  Abs Eval(const cel::Expr& e, const Env& env, int depth) {
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

  Abs Comprehension(const cel::ComprehensionExpr& c, const Env& env, int depth) {
    Abs range = c.iter_range ? Eval(*c.iter_range, env, depth) : Abs();
    Abs element;
    for (const auto& p : range.values) {
      Path q = p;
      q.push_back(kAny);
      AddUnique(&element.values, q);
    }
    for (const auto& p : range.lists) AddUnique(&element.values, p);
    Abs init = c.accu_init ? Eval(*c.accu_init, env, depth) : Abs();
    Env inner = env;
    inner[c.iter_var] = element;
    if (!c.iter_var2.empty()) inner[c.iter_var2] = element;
    inner[c.accu_var] = init;
    if (c.loop_condition) Eval(*c.loop_condition, inner, depth);
    Abs step = c.loop_step ? Eval(*c.loop_step, inner, depth) : Abs();
    Env after = env;
    after[c.accu_var] = Union(init, step);
    return c.result ? Eval(*c.result, after, depth) : Abs();
  }

  Abs Call(const cel::CallExpr& call, const Env& env, int depth) {
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
                           env.find(call.target->ident.name) == env.end();
    if ((!call.target || qualified) && depth < kMaxInlineDepth) {
      auto it = functions_.find(qualified ? call.target->ident.name + "." + f : f);
      if (it != functions_.end() && it->second.params.size() == args.size() && it->second.body->expr) {
        Env bound;
        for (size_t i = 0; i < args.size(); ++i) bound[it->second.params[i]] = args[i];
        return Eval(*it->second.body->expr, bound, depth + 1);
      }
    }
    return {};
  }

  const std::unordered_map<std::string, Function>& functions_;
  const rapidjson::Value* params_;
  std::vector<Path> recorded_;
  std::set<Path> seen_;
  int visits_ = 0;
};

// How far a path got: `at` is the key or element whose line reports use (null:
// the object itself). The line is looked up only for the winner: looking up
// every list element's line on the way was most of a failing rule's cost.
struct Reach {
  size_t depth = 0;
  const rapidjson::Value* at = nullptr;
  bool complete = false;
};

Reach Resolve(const rapidjson::Value& node, const rapidjson::Value* at, const Path& path, size_t i) {
  if (i == path.size()) return {i, at, true};
  const std::string& seg = path[i];
  if (seg.size() == 1 && seg[0] == '*') {  // kAny, without a strlen per step
    size_t children = 0;
    std::optional<Reach> missing;
    auto visit = [&](const rapidjson::Value& child, const rapidjson::Value* child_at) {
      Reach r = Resolve(child, child_at, path, i + 1);
      if (!r.complete && (!missing || r.depth > missing->depth)) missing = r;
    };
    if (node.IsArray()) {
      for (const auto& el : node.GetArray()) {
        if (children++ >= kMaxElements) break;
        visit(el, &el);
      }
    } else if (node.IsObject()) {
      for (const auto& m : node.GetObject()) {
        if (children++ >= kMaxElements) break;
        visit(m.value, &m.name);
      }
    }
    if (children == 0) return {i, at, false};
    if (missing) return *missing;
    return {i, at, true};
  }
  if (node.IsObject()) {
    auto it = node.FindMember(rapidjson::StringRef(seg.data(), seg.size()));
    if (it != node.MemberEnd()) return Resolve(it->value, &it->name, path, i + 1);
  }
  return {i, at, false};
}

}  // namespace

// The rules by full id, each analysed on first use; the helper functions of a
// pack (and the Kubernetes library) are parsed on first use too.
struct FieldLocator::Impl {
  struct Functions {
    std::once_flag once;
    std::unordered_map<std::string, Function> by_name;
  };
  struct Rule {
    const PackSpec* pack = nullptr;
    const RuleSpec* spec = nullptr;
    Functions* functions = nullptr;
    std::once_flag once;
    std::vector<Path> paths;
  };
  std::map<const PackSpec*, Functions> functions;
  std::unordered_map<std::string, Rule> rules;

  const std::vector<Path>* PathsOf(const std::string& id) {
    auto it = rules.find(id);
    if (it == rules.end()) return nullptr;
    Rule& r = it->second;
    std::call_once(r.once, [&] { Analyse(&r); });
    return &r.paths;
  }

  static void Analyse(Rule* r) {
    Functions& fns = *r->functions;
    std::call_once(fns.once, [&] {
      for (const auto& fn : K8sLibrary()) {
        fns.by_name[fn.name] = {fn.params, std::make_shared<cel::ParseResult>(cel::Parse(fn.expression.text))};
      }
      for (const auto& fn : r->pack->functions) {
        fns.by_name[fn.name] = {fn.params, std::make_shared<cel::ParseResult>(cel::Parse(fn.expression.text))};
      }
    });
    cel::ParseResult parsed = cel::Parse(r->spec->assert_expr.text);
    if (!parsed.expr) return;
    const rapidjson::Value* params = r->pack->parameters ? r->pack->parameters.get() : nullptr;
    Analyzer analyzer(fns.by_name, params);
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
  const std::vector<Path>* paths = impl_->PathsOf(rule);
  if (paths == nullptr) return 0;
  std::optional<Reach> best;
  for (const auto& path : *paths) {
    Reach r = Resolve(*resource.object, nullptr, path, 0);
    if (!best || r.depth > best->depth || (r.depth == best->depth && !r.complete && best->complete)) best = r;
  }
  if (!best || best->depth == 0) return 0;
  return resource.FieldLine(best->at);
}

std::vector<std::string> FieldLocator::PathsOf(const std::string& rule) const {
  std::vector<std::string> out;
  const std::vector<Path>* paths = impl_->PathsOf(rule);
  if (paths == nullptr) return out;
  for (const auto& p : *paths) {
    std::string s;
    for (const auto& seg : p) s += (s.empty() ? "" : ".") + seg;
    out.push_back(s);
  }
  return out;
}

}  // namespace aimsgate::cli
