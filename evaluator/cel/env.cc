// Env, Activation, EvalState and the compiled Program: the glue between the
// parser, the checker, the planner and the plan nodes.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <iterator>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/cel.h"
#include "evaluator/cel/checker.h"
#include "evaluator/cel/env_impl.h"
#include "evaluator/cel/planner.h"
#include "evaluator/kernel/exceptions.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {

struct EvalState::Impl {
  internal::EvalContext ctx;
  int64_t last_cost = 0;
  int64_t total_cost = 0;
  std::vector<std::unique_ptr<Activation>> activations;
};

EvalState::EvalState() : impl_(std::make_unique<Impl>()) {}
EvalState::~EvalState() = default;

Activation& EvalState::ReusableActivation(size_t index, const Env& env, uint64_t keep) {
  auto& activations = impl_->activations;
  if (index >= activations.size()) activations.resize(index + 1);
  if (!activations[index]) {
    activations[index] = std::make_unique<Activation>(env);
  } else {
    activations[index]->Reset(env, keep);
  }
  return *activations[index];
}

int64_t Program::LastCost(const EvalState& state) {
  return const_cast<EvalState&>(state).impl()->last_cost;
}

int64_t Program::TotalCost(const EvalState& state) {
  return const_cast<EvalState&>(state).impl()->total_cost;
}

namespace {

class ProgramImpl : public Program {
 public:
  ProgramImpl(std::shared_ptr<const EnvImpl> env, internal::NodePtr root, int num_locals, std::string source)
      : env_(std::move(env)), root_(std::move(root)), num_locals_(num_locals) {
    source_ = std::move(source);
  }

  Value Evaluate(const Activation& activation, EvalState* state) const override {
    if (state == nullptr) return EvaluateOnce(activation);
    internal::EvalContext& ctx = Begin(activation, state);
    Value v = EvalGuarded(ctx);
    if (ctx.exhausted) v = ctx.budget_error;
    End(ctx, state);
    return v;
  }

  Condition EvaluateCondition(const Activation& activation, EvalState* state, Value* other) const override {
    if (state == nullptr) {
      EvalState own;
      return EvaluateCondition(activation, &own, other);
    }
    internal::EvalContext& ctx = Begin(activation, state);
    internal::Truth t = EvalTruthGuarded(ctx);
    if (ctx.exhausted) {
      *other = ctx.budget_error;
      t = internal::Truth::kOther;
    } else if (t == internal::Truth::kOther) {
      *other = std::move(ctx.other);
    }
    End(ctx, state);
    if (t == internal::Truth::kOther) return Condition::kOther;
    return t == internal::Truth::kTrue ? Condition::kTrue : Condition::kFalse;
  }

 private:
  internal::EvalContext& Begin(const Activation& activation, EvalState* state) const {
    internal::EvalContext& ctx = state->impl()->ctx;
    ctx.Reset(&env_->limits, &activation, &env_->regex_cache, static_cast<size_t>(num_locals_));
    return ctx;
  }
  void End(internal::EvalContext& ctx, EvalState* state) const {
    state->impl()->last_cost = ctx.cost;
    state->impl()->total_cost += ctx.cost;
    ctx.PopLocals(0);
    ctx.other.Clear();
    ctx.activation = nullptr;
  }
  // An exception out of the evaluation (an allocation that failed, a library
  // that threw) is this program's error, not the process's end: in `check`
  // it would terminate a worker thread, in `serve` answer 500.  Nothing
  // half-done survives it: memo entries are stored once their value is
  // complete, and the next Evaluate resets the context.
  // (Reset stays outside: inside, it cost the ISO pack 1.1% in instructions;
  // it allocates only while a state's frame grows.)
  Value EvalGuarded(internal::EvalContext& ctx) const {
    try {
      return root_->Eval(ctx);
    } catch (const std::exception& e) {
      return InternalError(e);
    }
  }
  internal::Truth EvalTruthGuarded(internal::EvalContext& ctx) const {
    try {
      return root_->EvalTruth(ctx);
    } catch (const std::exception& e) {
      ctx.other = InternalError(e);
      return internal::Truth::kOther;
    }
  }
  [[gnu::noinline, gnu::cold]] static Value InternalError(const std::exception& e) {
    return Value::Error(kernel::ExceptionText(e) + " during evaluation");
  }
  // Without a caller's state: a fresh one, out of the engine's path.
  [[gnu::noinline]] Value EvaluateOnce(const Activation& activation) const {
    EvalState state;
    return Evaluate(activation, &state);
  }

  std::shared_ptr<const EnvImpl> env_;
  internal::NodePtr root_;
  int num_locals_;
};

void Locate(const std::string& source, std::vector<Diagnostic>* diags) {
  for (auto& d : *diags) LocateDiagnostic(source, &d);
}

bool ValidName(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// A helper's name: an identifier, or identifiers joined by '.' for a library
// namespace (k8s.podSpec), called as a qualified name like strings.quote.
bool ValidFunctionName(const std::string& name) {
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    if (!ValidName(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

// Parses and checks `source`; returns null with diagnostics on failure.
ExprPtr ParseAndCheck(const std::string& source, const EnvImpl& env, const std::vector<std::string>& params,
                      bool check, std::vector<Diagnostic>* diags) {
  if (static_cast<int64_t>(source.size()) > env.limits.max_expression_bytes) {
    Diagnostic d;
    d.message = "expression is " + std::to_string(source.size()) + " bytes, over the limit of " +
                std::to_string(env.limits.max_expression_bytes);
    diags->push_back(d);
    return nullptr;
  }
  ParseOptions po;
  po.max_expression_bytes = env.limits.max_expression_bytes;
  po.max_recursion_depth = env.limits.max_recursion_depth;
  ParseResult pr = Parse(source, po);
  if (!pr.ok()) {
    *diags = std::move(pr.diagnostics);
    if (diags->empty()) {
      Diagnostic d;
      d.message = "syntax error";
      diags->push_back(d);
    }
    return nullptr;
  }
  if (check) {
    internal::Check(*pr.expr, env, params, diags, &source);
    if (!diags->empty()) return nullptr;
  }
  return std::move(pr.expr);
}

}  // namespace

Env::Env(Limits limits) : impl_(std::make_shared<EnvImpl>(limits)) {}
Env::~Env() = default;

const Limits& Env::limits() const { return impl_->limits; }
const std::vector<std::string>& Env::variables() const { return impl_->variables; }

int Env::DeclareVariable(const std::string& name) {
  int slot = impl_->FindVariable(name);
  if (slot >= 0) return slot;
  slot = static_cast<int>(impl_->variables.size());
  impl_->variables.push_back(name);
  impl_->var_slots.emplace(name, slot);
  return slot;
}

bool Env::DeclareFunction(const std::string& name, const std::vector<std::string>& params, const std::string& body,
                          std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>* diags = diagnostics ? diagnostics : &local;
  diags->clear();
  auto fail = [&](std::string message) {
    Diagnostic d;
    d.message = std::move(message);
    diags->push_back(d);
    return false;
  };
  if (!ValidFunctionName(name)) return fail("invalid function name '" + name + "'");
  if (impl_->FindHelper(name) != nullptr) return fail("function '" + name + "' is already declared");
  if (internal::FindFunction(name) != nullptr) return fail("function '" + name + "' is a builtin");
  for (size_t i = 0; i < params.size(); ++i) {
    if (!ValidName(params[i])) return fail("invalid parameter name '" + params[i] + "'");
    for (size_t j = 0; j < i; ++j) {
      if (params[i] == params[j]) return fail("duplicate parameter '" + params[i] + "'");
    }
  }
  ExprPtr expr = ParseAndCheck(body, *impl_, params, true, diags);
  if (!expr) {
    Locate(body, diags);
    return false;
  }
  internal::Planner planner(*impl_, diags);
  auto helper = std::make_unique<HelperDef>();
  helper->name = name;
  helper->params = params;
  helper->body = planner.Plan(*expr, params);
  helper->num_locals = planner.max_locals();
  helper->ast = std::move(expr);
  if (!diags->empty()) {
    Locate(body, diags);
    return false;
  }
  // Registered only now: a helper cannot see itself, so helpers cannot recurse.
  impl_->helper_index.emplace(name, helper.get());
  impl_->helpers.push_back(std::move(helper));
  return true;
}

bool Env::SetNative(const std::string& name, NativeHelper fn) {
  for (auto& helper : impl_->helpers) {
    if (helper->name != name) continue;
    helper->native = fn;
    return true;
  }
  return false;
}

void Env::BindConstant(int slot, Value value, std::shared_ptr<const void> keep_alive) {
  if (slot < 0) return;
  impl_->constants[slot] = std::move(value);
  if (keep_alive) impl_->keep_alive.push_back(std::move(keep_alive));
}

CompileResult Env::Compile(const std::string& source) const { return Compile(source, CompileOptions{}); }

CompileResult Env::Compile(const std::string& source, const CompileOptions& options) const {
  CompileResult result;
  ExprPtr expr = ParseAndCheck(source, *impl_, {}, options.check, &result.diagnostics);
  if (!expr) {
    Locate(source, &result.diagnostics);
    return result;
  }
  internal::Planner planner(*impl_, &result.diagnostics, options.check);
  internal::NodePtr root = planner.Plan(*expr, {});
  if (!result.diagnostics.empty()) {
    Locate(source, &result.diagnostics);
    return result;
  }
  result.program = std::make_shared<ProgramImpl>(impl_, std::move(root), planner.max_locals(), source);
  return result;
}

Activation::Activation(const Env& env) : values_(env.impl_->variables.size()) {}

void Activation::Reset(const Env& env, uint64_t keep) {
  const size_t n = env.impl_->variables.size();
  if (values_.size() != n || bound_beyond_64_) {
    values_.assign(n, Value());
    bound_ = 0;
  } else {
    for (uint64_t b = bound_ & ~keep; b != 0; b &= b - 1) values_[static_cast<size_t>(__builtin_ctzll(b))].Clear();
    bound_ &= keep;
  }
  bound_beyond_64_ = false;
  if (++generation_ == 0) ForgetMemo();  // older memo entries are stale from here on
}

void Activation::SetJsonOrNull(int slot, const aimsgate::JsonValue* node) {
  if (node) return SetJson(slot, *node);
  Set(slot, Value());
}

uint64_t Activation::Id::Next() {
  static std::atomic<uint64_t> next{1};  // 0 is no activation's (EvalContext starts with it)
  return next.fetch_add(1, std::memory_order_relaxed);
}

void Activation::ForgetMemo() {
  id_ = Id();  // generation_ starts again: (id, generation) must not repeat
  memo_.clear();
  json_memo_.clear();
  json_memo_used_ = 0;
  json_memo_used_generation_ = 0;
  generation_ = 1;
}

size_t Activation::JsonMemoSlot(const void* helper, const aimsgate::JsonValue* const* args, size_t n) const {
  const aimsgate::JsonValue* key[kMaxJsonMemoArgs] = {};  // unused arguments are null
  for (size_t k = 0; k < n && k < kMaxJsonMemoArgs; ++k) key[k] = args[k];
  uint64_t h = reinterpret_cast<uintptr_t>(helper) * 0x9E3779B97F4A7C15ull;
  for (const aimsgate::JsonValue* a : key) h = (h ^ reinterpret_cast<uintptr_t>(a)) * 0xC2B2AE3D27D4EB4Full;
  const size_t mask = json_memo_.size() - 1;
  for (size_t i = static_cast<size_t>(h ^ (h >> 29)) & mask;; i = (i + 1) & mask) {
    const JsonMemo& e = json_memo_[i];
    if (e.generation != generation_) return i;
    if (e.helper == helper && std::equal(std::begin(key), std::end(key), std::begin(e.args))) return i;
  }
}

const Value* Activation::FindJsonMemo(const void* helper, const aimsgate::JsonValue* const* args, size_t n) const {
  if (n > kMaxJsonMemoArgs || json_memo_.empty() || json_memo_used_generation_ != generation_) return nullptr;
  const JsonMemo& e = json_memo_[JsonMemoSlot(helper, args, n)];
  return e.generation == generation_ ? &e.value : nullptr;
}

void Activation::StoreJsonMemo(const void* helper, const aimsgate::JsonValue* const* args, size_t n,
                               const Value& value) const {
  if (n > kMaxJsonMemoArgs) return;
  if (json_memo_used_generation_ != generation_) {
    json_memo_used_ = 0;
    json_memo_used_generation_ = generation_;
  }
  if (json_memo_used_ >= kMaxJsonMemoEntries) return;
  if (2 * (json_memo_used_ + 1) > json_memo_.size()) {
    // Grow, keeping this generation's entries (the others are empty).
    std::vector<JsonMemo> old;
    old.swap(json_memo_);
    json_memo_.resize(old.empty() ? 64 : 2 * old.size());
    for (JsonMemo& e : old) {
      if (e.generation != generation_) continue;
      JsonMemo& to = json_memo_[JsonMemoSlot(e.helper, e.args, kMaxJsonMemoArgs)];
      to = std::move(e);
    }
  }
  JsonMemo& e = json_memo_[JsonMemoSlot(helper, args, n)];
  if (e.generation != generation_) ++json_memo_used_;
  e.generation = generation_;
  e.helper = helper;
  for (size_t k = 0; k < kMaxJsonMemoArgs; ++k) e.args[k] = k < n ? args[k] : nullptr;
  e.value = value;
}

void Activation::StoreMemo(int memo_slot, const Value& value) const {
  if (memo_slot < 0) return;
  const size_t i = static_cast<size_t>(memo_slot);
  if (i >= memo_.size()) memo_.resize(i + 1);
  memo_[i].generation = generation_;
  memo_[i].value = value;
}

const Value& Activation::NullValue() {
  static const Value kNull;
  return kNull;
}

}  // namespace aimsgate::cel
