#include "evaluator/cel/parser/macros.h"

#include <string_view>
#include <utility>

namespace aimsgate::cel::parser {
namespace {

enum class Shape {
  kAll,
  kExists,
  kExistsOne,
  kMap,        // map(x, t) / map(x, p, t)
  kFilter,
  kAll2,
  kExists2,
  kExistsOne2,
  kTransformList,
  kTransformMap,
  kTransformMapEntry,
  kOptMap,
  kOptFlatMap,
  kBind,
};

struct MacroDef {
  std::string_view name;  // compared with every receiver call's name: sizes first
  size_t min_args;
  size_t max_args;
  Shape shape;
};

// Receiver-style macros, by name and argument count.
constexpr MacroDef kReceiverMacros[] = {
    {"all", 2, 2, Shape::kAll},
    {"exists", 2, 2, Shape::kExists},
    {"exists_one", 2, 2, Shape::kExistsOne},
    {"existsOne", 2, 2, Shape::kExistsOne},
    {"map", 2, 3, Shape::kMap},
    {"filter", 2, 2, Shape::kFilter},
    {"all", 3, 3, Shape::kAll2},
    {"exists", 3, 3, Shape::kExists2},
    {"existsOne", 3, 3, Shape::kExistsOne2},
    {"exists_one", 3, 3, Shape::kExistsOne2},
    {"transformList", 3, 4, Shape::kTransformList},
    {"transformMap", 3, 4, Shape::kTransformMap},
    {"transformMapEntry", 3, 4, Shape::kTransformMapEntry},
    {"optMap", 2, 2, Shape::kOptMap},
    {"optFlatMap", 2, 2, Shape::kOptFlatMap},
    {"bind", 3, 3, Shape::kBind},
};

// Expansion helpers bound to one macro call.
class Expander {
 public:
  Expander(ExprFactory& f, MacroCall& call) : f_(f), call_(call), at_(call.offset) {}

  ExprPtr Accu() { return f_.NewIdent(at_, kAccumulatorName); }
  ExprPtr True() { return f_.NewBool(at_, true); }
  ExprPtr False() { return f_.NewBool(at_, false); }
  ExprPtr Int(int64_t v) { return f_.NewInt(at_, v); }
  ExprPtr Call(const char* fn, ExprPtr a) { return f_.NewCall(at_, fn, Args(std::move(a))); }
  ExprPtr Call(const char* fn, ExprPtr a, ExprPtr b) {
    return f_.NewCall(at_, fn, Args(std::move(a), std::move(b)));
  }
  ExprPtr Call(const char* fn, ExprPtr a, ExprPtr b, ExprPtr c) {
    return f_.NewCall(at_, fn, Args(std::move(a), std::move(b), std::move(c)));
  }
  ExprPtr ListOf(ExprPtr e) { return f_.NewList(at_, Args(std::move(e))); }
  ExprPtr EmptyList() { return f_.NewList(at_, {}); }
  ExprPtr Fold(std::string v1, std::string v2, ExprPtr range, std::string accu, ExprPtr init,
               ExprPtr cond, ExprPtr step, ExprPtr result) {
    return f_.NewComprehension(at_, std::move(v1), std::move(v2), std::move(range),
                               std::move(accu), std::move(init), std::move(cond),
                               std::move(step), std::move(result));
  }
  ExprPtr Fold(std::string v1, std::string v2, ExprPtr init, ExprPtr cond, ExprPtr step,
               ExprPtr result) {
    return Fold(std::move(v1), std::move(v2), std::move(call_.target), kAccumulatorName,
                std::move(init), std::move(cond), std::move(step), std::move(result));
  }
  ExprFactory& factory() { return f_; }
  int32_t at() const { return at_; }

 private:
  template <typename... T>
  static std::vector<ExprPtr> Args(T&&... e) {
    std::vector<ExprPtr> v;
    (v.push_back(std::move(e)), ...);
    return v;
  }

  ExprFactory& f_;
  MacroCall& call_;
  int32_t at_;
};

bool SimpleName(const ExprPtr& e, std::string* name) {
  if (!e || e->kind != Expr::Kind::kIdent || e->ident.name.empty() || e->ident.name[0] == '.') {
    return false;
  }
  *name = e->ident.name;
  return true;
}

MacroOutcome Fail(int32_t offset, const char* message, int32_t* error_offset,
                  std::string* error_message) {
  *error_offset = offset;
  *error_message = message;
  return MacroOutcome::kError;
}

}  // namespace

MacroOutcome ExpandMacro(ExprFactory& f, MacroCall& call, ExprPtr* out, int32_t* error_offset,
                         std::string* error_message) {
  auto& args = call.args;
  if (!call.target) {
    if (call.function != "has" || args.size() != 1) return MacroOutcome::kNotMacro;
    Expr& arg = *args[0];
    if (arg.kind != Expr::Kind::kSelect || arg.select.test_only) {
      return Fail(arg.offset, "invalid argument to has() macro", error_offset, error_message);
    }
    *out = f.NewSelect(call.offset, std::move(arg.select.operand), std::move(arg.select.field),
                       /*test_only=*/true);
    return MacroOutcome::kExpanded;
  }

  const MacroDef* def = nullptr;
  for (const MacroDef& d : kReceiverMacros) {
    if (call.function == d.name && args.size() >= d.min_args && args.size() <= d.max_args) {
      def = &d;
      break;
    }
  }
  if (def == nullptr) return MacroOutcome::kNotMacro;
  if (def->shape == Shape::kBind &&
      (call.target->kind != Expr::Kind::kIdent || call.target->ident.name != "cel")) {
    return MacroOutcome::kNotMacro;
  }

  std::string v1;
  std::string v2;
  if (!SimpleName(args[0], &v1)) {
    return Fail(args[0]->offset, "argument must be a simple name", error_offset, error_message);
  }
  const bool two_vars = def->shape == Shape::kAll2 || def->shape == Shape::kExists2 ||
                        def->shape == Shape::kExistsOne2 ||
                        def->shape == Shape::kTransformList ||
                        def->shape == Shape::kTransformMap ||
                        def->shape == Shape::kTransformMapEntry;
  if (two_vars) {
    if (!SimpleName(args[1], &v2)) {
      return Fail(args[1]->offset, "argument must be a simple name", error_offset,
                  error_message);
    }
    if (v1 == v2) {
      return Fail(args[1]->offset, "duplicate variable name in comprehension", error_offset,
                  error_message);
    }
  }

  Expander x(f, call);
  switch (def->shape) {
    case Shape::kAll:
    case Shape::kAll2: {
      ExprPtr& p = args[two_vars ? 2 : 1];
      *out = x.Fold(v1, v2, x.True(), x.Call("@not_strictly_false", x.Accu()),
                    x.Call("_&&_", x.Accu(), std::move(p)), x.Accu());
      break;
    }
    case Shape::kExists:
    case Shape::kExists2: {
      ExprPtr& p = args[two_vars ? 2 : 1];
      *out = x.Fold(v1, v2, x.False(), x.Call("@not_strictly_false", x.Call("!_", x.Accu())),
                    x.Call("_||_", x.Accu(), std::move(p)), x.Accu());
      break;
    }
    case Shape::kExistsOne:
    case Shape::kExistsOne2: {
      ExprPtr& p = args[two_vars ? 2 : 1];
      *out = x.Fold(v1, v2, x.Int(0), x.True(),
                    x.Call("_?_:_", std::move(p), x.Call("_+_", x.Accu(), x.Int(1)), x.Accu()),
                    x.Call("_==_", x.Accu(), x.Int(1)));
      break;
    }
    case Shape::kMap:
    case Shape::kTransformList: {
      const size_t first = two_vars ? 2 : 1;
      const bool filtered = args.size() == first + 2;
      ExprPtr step = x.Call("_+_", x.Accu(), x.ListOf(std::move(args.back())));
      if (filtered) step = x.Call("_?_:_", std::move(args[first]), std::move(step), x.Accu());
      *out = x.Fold(v1, v2, x.EmptyList(), x.True(), std::move(step), x.Accu());
      break;
    }
    case Shape::kFilter: {
      ExprPtr step = x.Call("_?_:_", std::move(args[1]),
                            x.Call("_+_", x.Accu(), x.ListOf(f.NewIdent(args[0]->offset, v1))),
                            x.Accu());
      *out = x.Fold(v1, v2, x.EmptyList(), x.True(), std::move(step), x.Accu());
      break;
    }
    case Shape::kTransformMap:
    case Shape::kTransformMapEntry: {
      const bool filtered = args.size() == 4;
      ExprPtr step =
          def->shape == Shape::kTransformMap
              ? x.Call("cel.@mapInsert", x.Accu(), f.NewIdent(args[0]->offset, v1),
                       std::move(args.back()))
              : x.Call("cel.@mapInsert", x.Accu(), std::move(args.back()));
      if (filtered) step = x.Call("_?_:_", std::move(args[2]), std::move(step), x.Accu());
      *out = x.Fold(v1, v2, f.NewMap(x.at(), {}), x.True(), std::move(step), x.Accu());
      break;
    }
    case Shape::kBind: {
      *out = x.Fold(kUnusedIterVar, "", x.EmptyList(), v1, std::move(args[1]), x.False(),
                    f.NewIdent(args[0]->offset, v1), std::move(args[2]));
      break;
    }
    case Shape::kOptMap:
    case Shape::kOptFlatMap: {
      // The expansion mentions the target twice, so a chain of optMap calls
      // doubles at every link: refuse before that explodes (fuzzer finding).
      constexpr int64_t kMaxClonedNodes = 4096;
      if (ExprFactory::CountNodes(*call.target, kMaxClonedNodes) > kMaxClonedNodes) {
        return Fail(x.at(), "optMap/optFlatMap target too large to expand (more than 4096 nodes)", error_offset,
                    error_message);
      }
      ExprPtr value = f.NewMemberCall(x.at(), "value", f.Clone(*call.target), {});
      ExprPtr bound = x.Fold(kUnusedIterVar, "", x.EmptyList(), v1, std::move(value), x.False(),
                             f.NewIdent(args[0]->offset, v1), std::move(args[1]));
      if (def->shape == Shape::kOptMap) {
        std::vector<ExprPtr> of_args;
        of_args.push_back(std::move(bound));
        bound = f.NewMemberCall(x.at(), "of", f.NewIdent(x.at(), "optional"), std::move(of_args));
      }
      ExprPtr has_value = f.NewMemberCall(x.at(), "hasValue", std::move(call.target), {});
      ExprPtr none = f.NewMemberCall(x.at(), "none", f.NewIdent(x.at(), "optional"), {});
      *out = x.Call("_?_:_", std::move(has_value), std::move(bound), std::move(none));
      break;
    }
  }
  return MacroOutcome::kExpanded;
}

}  // namespace aimsgate::cel::parser
