// The evaluable form of a compiled CEL expression: an immutable tree of plan
// nodes (closures), built by the planner (planner.cc) and walked by
// Program::Evaluate.  Each node costs one budget unit per evaluation; loops
// and scanning functions charge more.
//
// Thread-safety: nodes are immutable; all mutable state is in EvalContext.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "evaluator/cel/env_impl.h"
#include "evaluator/cel/runtime.h"

namespace aimsgate::cel::internal {

class ConstNode : public Node {
 public:
  ConstNode(int32_t offset, Value v) : Node(offset), value_(std::move(v)) {}
  const Value* ConstantValue() const override { return &value_; }

 protected:
  Value DoEval(EvalContext&) const override { return value_; }

 private:
  Value value_;
};

class VariableNode : public Node {
 public:
  VariableNode(int32_t offset, int slot, std::string name) : Node(offset), slot_(slot), name_(std::move(name)) {}
  int slot() const { return slot_; }

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int slot_;
  std::string name_;
};

class LocalNode : public Node {
 public:
  LocalNode(int32_t offset, int index) : Node(offset), index_(index) {}
  int index() const { return index_; }

 protected:
  Value DoEval(EvalContext& ctx) const override { return ctx.Local(index_); }

 private:
  int index_;
};

// operand.f1.f2[...]: a precomputed path of string keys from one operand.
// With test_only, the last step is a presence test (has()).
class PathNode : public Node {
 public:
  // `ids`: each key interned in the Env (EnvImpl::InternField), so that JSON
  // member lookups are cached per evaluation across nodes (EvalContext::FindMember).
  PathNode(int32_t offset, NodePtr operand, std::vector<std::string> keys, bool test_only,
           std::vector<const std::string*> ids = {})
      : Node(offset), operand_(std::move(operand)), keys_(std::move(keys)), ids_(std::move(ids)),
        test_only_(test_only) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr operand_;
  std::vector<std::string> keys_;
  std::vector<const std::string*> ids_;  // empty, or one per key
  bool test_only_;
};

// A strict builtin call: arguments are evaluated left to right and the first
// error among them is the result.
class CallNode : public Node {
 public:
  CallNode(int32_t offset, const FunctionDecl* fn, std::vector<NodePtr> args)
      : Node(offset), fn_(fn), args_(std::move(args)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  const FunctionDecl* fn_;
  std::vector<NodePtr> args_;
};

// `s.matches(re)` / `matches(s, re)` with a constant pattern compiled at plan time.
class RegexMatchNode : public Node {
 public:
  RegexMatchNode(int32_t offset, NodePtr subject, std::shared_ptr<const RE2> re)
      : Node(offset), subject_(std::move(subject)), re_(std::move(re)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr subject_;
  std::shared_ptr<const RE2> re_;
};

class AndNode : public Node {
 public:
  AndNode(int32_t offset, NodePtr l, NodePtr r, bool is_or)
      : Node(offset), l_(std::move(l)), r_(std::move(r)), is_or_(is_or) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr l_, r_;
  bool is_or_;
};

class ConditionalNode : public Node {
 public:
  ConditionalNode(int32_t offset, NodePtr c, NodePtr t, NodePtr f)
      : Node(offset), c_(std::move(c)), t_(std::move(t)), f_(std::move(f)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr c_, t_, f_;
};

class NotStrictlyFalseNode : public Node {
 public:
  NotStrictlyFalseNode(int32_t offset, NodePtr a) : Node(offset), a_(std::move(a)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr a_;
};

// opt.or(alt) and opt.orValue(alt): `alt` is evaluated only when needed.
class OptionalOrNode : public Node {
 public:
  OptionalOrNode(int32_t offset, NodePtr opt, NodePtr alt, bool or_value)
      : Node(offset), opt_(std::move(opt)), alt_(std::move(alt)), or_value_(or_value) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr opt_, alt_;
  bool or_value_;
};

class ListNode : public Node {
 public:
  ListNode(int32_t offset, std::vector<NodePtr> elems, std::vector<bool> optional)
      : Node(offset), elems_(std::move(elems)), optional_(std::move(optional)) {}
  // Evaluates the elements; returns false and sets *error on failure.
  bool EvalItems(EvalContext& ctx, std::vector<Value>* out, Value* error) const;

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  std::vector<NodePtr> elems_;
  std::vector<bool> optional_;
};

class MapNode : public Node {
 public:
  MapNode(int32_t offset, std::vector<NodePtr> keys, std::vector<NodePtr> values, std::vector<bool> optional)
      : Node(offset), keys_(std::move(keys)), values_(std::move(values)), optional_(std::move(optional)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  std::vector<NodePtr> keys_, values_;
  std::vector<bool> optional_;
};

// accu + [elem] inside a comprehension: appends in place when the accumulator
// list is not shared, so map() and filter() are linear, not quadratic.
class AppendNode : public Node {
 public:
  AppendNode(int32_t offset, int accu, std::unique_ptr<ListNode> elems)
      : Node(offset), accu_(accu), elems_(std::move(elems)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int accu_;
  std::unique_ptr<ListNode> elems_;
};

class ComprehensionNode : public Node {
 public:
  struct Parts {
    NodePtr range, init, cond, step, result;
    int iter = -1, iter2 = -1, accu = -1;
  };
  ComprehensionNode(int32_t offset, Parts p) : Node(offset), p_(std::move(p)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  Parts p_;
};

// cel.bind(name, init, body).
class BindNode : public Node {
 public:
  BindNode(int32_t offset, int local, NodePtr init, NodePtr body)
      : Node(offset), local_(local), init_(std::move(init)), body_(std::move(body)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int local_;
  NodePtr init_, body_;
};

// A call of a helper declared with Env::DeclareFunction: arguments are bound
// to the helper's parameters in a new frame of locals (errors are passed as
// values, exactly as if the body had been written inline).  A call whose only
// argument is a variable (isAISystem(object)) is memoized in the Activation:
// memo_slot is that variable's slot, -1 otherwise.
class HelperCallNode : public Node {
 public:
  HelperCallNode(int32_t offset, const HelperDef* helper, std::vector<NodePtr> args, int memo_slot = -1)
      : Node(offset), helper_(helper), args_(std::move(args)), memo_slot_(memo_slot) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  Value Call(EvalContext& ctx) const;

  const HelperDef* helper_;
  std::vector<NodePtr> args_;
  int memo_slot_;
};

// A reference the checker would have rejected, when compiled without checks.
class ErrorNode : public Node {
 public:
  ErrorNode(int32_t offset, std::string message) : Node(offset), message_(std::move(message)) {}

 protected:
  Value DoEval(EvalContext&) const override { return Value::Error(message_); }

 private:
  std::string message_;
};

}  // namespace aimsgate::cel::internal
