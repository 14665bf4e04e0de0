#include "evaluator/pack/compiled_pack.h"
#include <algorithm>
#include <string>
#include <unordered_map>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/cel_text.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/k8s_library.h"

namespace aimsgate {

SourcePos ExprText::Locate(int offset) const {
  if (segments.empty()) return {};
  const Segment* seg = &segments[0];
  for (const auto& s : segments) {
    if (s.offset <= offset) seg = &s;
  }
  // Columns count code points.
  int col = seg->pos.column;
  for (int i = seg->offset; i < offset && i < static_cast<int>(text.size()); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
  }
  return {seg->pos.line, col};
}

CompiledPack::CompiledPack(PackSpec spec, const cel::Limits& limits)
    : spec_(std::move(spec)), env_(std::make_shared<cel::Env>(limits)) {
  slots_.object = env_->DeclareVariable("object");
  slots_.old_object = env_->DeclareVariable("oldObject");
  slots_.request = env_->DeclareVariable("request");
  slots_.params = env_->DeclareVariable("params");
  slots_.inventory = env_->DeclareVariable("inventory");
  slots_.inventory_all = env_->DeclareVariable("inventoryAll");
  slots_.model = env_->DeclareVariable("model");
  slots_.model_ref = env_->DeclareVariable("modelRef");
  slots_.now = env_->DeclareVariable("now");
  slots_.namespace_object = env_->DeclareVariable("namespaceObject");
  for (int slot : {slots_.params, slots_.inventory_all, slots_.request, slots_.now}) {
    if (slot >= 0 && slot < 64) slots_.kept_across_objects |= uint64_t{1} << slot;
  }
  // A pack is compiled with its parameters (an override recompiles it): its
  // expressions and helpers read them as constants, folded at plan time.
  // Packs of a program_key (a VAP policy's params objects) share programs, so
  // their params stay the activation's value.
  if (spec_.parameters && spec_.program_key.empty()) {
    env_->BindConstant(slots_.params, cel::Value::Json(*spec_.parameters), spec_.parameters);
  }
  ReadParameters();
}

CompiledPack::CompiledPack(PackSpec spec, const CompiledPack& programs)
    : spec_(std::move(spec)), env_(programs.env_), slots_(programs.slots_), rules_with_params_(programs.rules_with_params_) {
  ReadParameters();
}

void CompiledPack::ReadParameters() {
  if (spec_.parameters && spec_.parameters->IsObject()) {
    auto it = spec_.parameters->FindMember("annotationPrefix");
    if (it != spec_.parameters->MemberEnd() && it->value.IsString()) annotation_prefix_ = it->value.GetString();
  }
}

namespace {

// A rule's `params`: the pack's parameters with the rule's own over them.
std::shared_ptr<aimsgate::JsonDocument> RuleParameters(const PackSpec& s, const RuleSpec& rule) {
  auto params = std::make_shared<aimsgate::JsonDocument>();
  auto& a = params->GetAllocator();
  params->SetObject();
  if (s.parameters && s.parameters->IsObject()) params->CopyFrom(*s.parameters, a);
  for (const auto& m : rule.parameters->GetObject()) {
    params->RemoveMember(m.name);
    params->AddMember(aimsgate::JsonValue(m.name, a), aimsgate::JsonValue(m.value, a), a);
  }
  return params;
}

bool SameText(const ExprText& a, const ExprText& b) { return a.text == b.text; }

// Whether `b` compiles to exactly `a`'s programs: same helpers, same rule
// expressions, variables and parameter scoping.
bool SameExpressions(const PackSpec& a, const PackSpec& b) {
  if (a.functions.size() != b.functions.size() || a.rules.size() != b.rules.size()) return false;
  for (size_t i = 0; i < a.functions.size(); ++i) {
    const FunctionSpec &x = a.functions[i], &y = b.functions[i];
    if (x.name != y.name || x.params != y.params || !SameText(x.expression, y.expression)) return false;
  }
  for (size_t i = 0; i < a.rules.size(); ++i) {
    const RuleSpec &x = a.rules[i], &y = b.rules[i];
    if (!SameText(x.match.when, y.match.when) || !SameText(x.assert_expr, y.assert_expr) || x.message != y.message ||
        !SameText(x.message_expression, y.message_expression) || (x.parameters == nullptr) != (y.parameters == nullptr) ||
        x.variables.size() != y.variables.size()) {
      return false;
    }
    for (size_t v = 0; v < x.variables.size(); ++v) {
      if (x.variables[v].name != y.variables[v].name || !SameText(x.variables[v].expression, y.variables[v].expression)) return false;
    }
  }
  return true;
}

void Report(const PackSpec& pack, const ExprText& expr, const std::vector<cel::Diagnostic>& cel_diags,
            const std::string& what, std::vector<Diagnostic>* out) {
  for (const auto& d : cel_diags) {
    SourcePos p = expr.Locate(d.offset);
    out->push_back({pack.source ? pack.source->path() : pack.name, p.line, p.column, what + ": " + d.message});
  }
}

// What a rule's expressions see beyond the pack: its variables (helper names
// for those defined so far) and its parameters' variable.
struct RuleScope {
  std::vector<std::pair<std::string, std::string>> variables;  // name -> helper
  std::string params_variable;                                 // empty: the pack's `params`
  bool has_variables = false;                                  // the rule declares some
  bool Empty() const { return !has_variables && params_variable.empty(); }
};

// A rule expression as compiled: `variables.x` becomes the call of x's helper
// on `object` (memoized per evaluation), `params` the rule's parameters.  The
// edits are kept so diagnostics still point into the pack file.
struct RuleText {
  std::string text;
  struct Edit {
    int from, old_len, new_len;  // `from` in the original text
  };
  std::vector<Edit> edits;
  std::vector<cel::Diagnostic> errors;  // unknown variables

  int Original(int offset) const {
    int delta = 0;
    for (const auto& e : edits) {
      const int start = e.from + delta;
      if (offset < start) break;
      if (offset < start + e.new_len) return e.from;
      delta += e.new_len - e.old_len;
    }
    return offset - delta;
  }
};

RuleText Rewrite(const std::string& text, const RuleScope& scope) {
  RuleText out;
  if (scope.Empty()) {
    out.text = text;
    return out;
  }
  out.text = cel_text::MapIdentifiers(text, [&](size_t s, size_t e, size_t* end, std::string* r) {
    const std::string id = text.substr(s, e - s);
    if (id == "params" && !scope.params_variable.empty()) {
      *r = scope.params_variable;
    } else if (id == "variables" && e + 1 < text.size() && text[e] == '.' && cel_text::IsIdentStart(text[e + 1])) {
      size_t j = e + 1;
      while (j < text.size() && cel_text::IsIdentChar(text[j])) ++j;
      const std::string name = text.substr(e + 1, j - e - 1);
      auto it = std::find_if(scope.variables.begin(), scope.variables.end(), [&](const auto& v) { return v.first == name; });
      if (it == scope.variables.end()) {
        out.errors.push_back({static_cast<int32_t>(s), 0, 0, "unknown variable '" + name + "' (a rule reads the variables declared above the expression)"});
        return false;
      }
      *r = it->second + "(object)";
      *end = j;
    } else {
      return false;
    }
    out.edits.push_back({static_cast<int>(s), static_cast<int>(*end - s), static_cast<int>(r->size())});
    return true;
  });
  return out;
}

void ReportRewritten(const PackSpec& pack, const ExprText& expr, const RuleText& rt, std::vector<cel::Diagnostic> cel_diags,
                     const std::string& what, std::vector<Diagnostic>* out) {
  for (auto& d : cel_diags) d.offset = rt.Original(d.offset);
  Report(pack, expr, cel_diags, what, out);
}

// Programs of the pack's Env by text, for expressions compiled without a rule
// scope: a program is stateless, so rules whose messages read the same
// {{object.metadata.name}} share one (84 message parts of the ISO pack are 10
// texts).  Only programs that compiled are kept; a failing text is compiled,
// and reported, at each of its places.
using ProgramsByText = std::unordered_map<std::string, std::shared_ptr<const cel::Program>>;

std::shared_ptr<const cel::Program> Compile(const CompiledPack& pack, const ExprText& expr, const std::string& what,
                                            std::vector<Diagnostic>* diags, const RuleScope& scope = {},
                                            ProgramsByText* shared = nullptr) {
  if (expr.empty()) return nullptr;
  const bool shareable = shared != nullptr && scope.Empty();
  if (shareable) {
    if (auto it = shared->find(expr.text); it != shared->end()) return it->second;
  }
  RuleText rt = Rewrite(expr.text, scope);
  if (!rt.errors.empty()) {
    Report(pack.spec(), expr, rt.errors, what, diags);
    return nullptr;
  }
  cel::CompileResult r = pack.env().Compile(rt.text);
  if (!r.ok()) {
    ReportRewritten(pack.spec(), expr, rt, r.diagnostics, what, diags);
    if (r.diagnostics.empty()) Report(pack.spec(), expr, {{0, 1, 1, "does not compile"}}, what, diags);
  }
  if (shareable && r.program) shared->emplace(expr.text, r.program);
  return r.program;
}

// Splits "text {{expr}} text" into parts; each {{expr}} is compiled.
void CompileMessage(const CompiledPack& pack, const RuleSpec& rule, CompiledRule* out, std::vector<Diagnostic>* diags,
                    const RuleScope& scope, ProgramsByText* shared) {
  const std::string& m = rule.message;
  size_t pos = 0;
  while (pos < m.size()) {
    size_t open = m.find("{{", pos);
    if (open == std::string::npos) {
      out->message.push_back({m.substr(pos), nullptr});
      break;
    }
    if (open > pos) out->message.push_back({m.substr(pos, open - pos), nullptr});
    size_t close = m.find("}}", open + 2);
    if (close == std::string::npos) {
      diags->push_back({pack.spec().source->path(), rule.message_pos.line, rule.message_pos.column,
                        "message: unterminated '{{' in rule '" + rule.id + "'"});
      return;
    }
    ExprText e;
    e.text = m.substr(open + 2, close - open - 2);
    // Positions inside a message are approximate: point at the message itself.
    e.segments.push_back({0, rule.message_pos});
    out->message.push_back({"", Compile(pack, e, "message", diags, scope, shared)});
    pos = close + 2;
  }
  for (const auto& part : out->message) out->message_literal_size += part.text.size();
}

}  // namespace

namespace {

// The match blocks into the pack's matcher; a malformed selector is an error at its rule.
void CompileMatcher(CompiledPack* pack, Matcher* matcher, std::vector<Diagnostic>* diagnostics) {
  const PackSpec& s = pack->spec();
  std::vector<const MatchSpec*> matches;
  for (const auto& rule : s.rules) matches.push_back(&rule.match);
  std::string error;
  size_t bad = 0;
  if (!matcher->Compile(matches, s.namespaces, &error, &bad)) {
    const SourcePos p = bad < s.rules.size() ? s.rules[bad].pos : s.pos;
    diagnostics->push_back({s.source ? s.source->path() : s.name, p.line, p.column, error});
  }
}

// What a result shows of its rule; owned by the compiled rule so results can point at it.
RuleInfo InfoOf(const PackSpec& pack, const RuleSpec& rule) {
  RuleInfo info;
  info.id = pack.name + "/" + rule.id;
  info.title = rule.title;
  info.controls = rule.controls;
  info.severity = rule.severity;
  info.remediation = rule.remediation;
  info.pack = pack.name;
  info.failure_policy_fail = pack.failure_policy_fail;
  return info;
}

bool IsPlain(const CompiledRule& r) {
  return r.spec->audit_annotation_key.empty() && !r.when && r.spec->applies_from_unix == 0;
}

}  // namespace

std::shared_ptr<const CompiledPack> CompilePack(PackSpec spec, const cel::Limits& limits,
                                                std::vector<Diagnostic>* diagnostics, const CompiledPack* programs) {
  if (programs && !spec.program_key.empty() && spec.program_key == programs->spec().program_key &&
      SameExpressions(programs->spec(), spec)) {
    auto pack = std::make_shared<CompiledPack>(std::move(spec), *programs);
    const PackSpec& s = pack->spec_;
    size_t before = diagnostics->size();
    for (size_t index = 0; index < s.rules.size(); ++index) {
      CompiledRule cr = programs->rules_[index];
      cr.spec = &s.rules[index];
      cr.info = InfoOf(s, s.rules[index]);
      if (s.rules[index].parameters) cr.params = RuleParameters(s, s.rules[index]);
      cr.plain = IsPlain(cr);
      pack->rules_.push_back(std::move(cr));
    }
    CompileMatcher(pack.get(), &pack->matcher_, diagnostics);
    if (diagnostics->size() != before) return nullptr;
    return pack;
  }
  auto pack = std::make_shared<CompiledPack>(std::move(spec), limits);
  size_t before = diagnostics->size();
  const PackSpec& s = pack->spec_;
  for (const auto& fn : K8sLibrary()) {
    std::vector<cel::Diagnostic> cel_diags;
    ++pack->compiled_expressions_;
    if (!pack->env_->DeclareFunction(fn.name, fn.params, fn.expression.text, &cel_diags)) {
      for (const auto& d : cel_diags) diagnostics->push_back({"k8s library", 0, 0, fn.name + ": " + d.message});
    }
    if (const auto native = K8sNative(fn.name)) pack->env_->SetNative(fn.name, native);
  }
  for (const auto& fn : s.functions) {
    std::vector<cel::Diagnostic> cel_diags;
    ++pack->compiled_expressions_;
    if (!pack->env_->DeclareFunction(fn.name, fn.params, fn.expression.text, &cel_diags)) {
      Report(s, fn.expression, cel_diags, "function '" + fn.name + "'", diagnostics);
      if (cel_diags.empty()) diagnostics->push_back({s.source->path(), fn.pos.line, fn.pos.column, "function '" + fn.name + "' does not compile"});
    }
  }
  // Rules whose match.when reads the same text over the pack's parameters share
  // one program, which the evaluation answers once per object (Evaluation::Applies).
  std::unordered_map<std::string, std::shared_ptr<const cel::Program>> shared_when;
  ProgramsByText shared_messages;  // message parts: see ProgramsByText
  for (size_t index = 0; index < s.rules.size(); ++index) {
    const RuleSpec& rule = s.rules[index];
    CompiledRule cr;
    cr.spec = &rule;
    cr.info = InfoOf(s, rule);
    RuleScope scope;
    if (rule.parameters) {
      cr.params = RuleParameters(s, rule);
      scope.params_variable = "ruleParams_" + std::to_string(index);
      cr.params_slot = pack->env_->DeclareVariable(scope.params_variable);
      if (s.program_key.empty()) pack->env_->BindConstant(cr.params_slot, cel::Value::Json(*cr.params), cr.params);
      pack->rules_with_params_.push_back(index);
    }
    scope.has_variables = !rule.variables.empty();
    // Each variable is a helper on `object`: evaluated when first read, once
    // per evaluation (the activation memoizes helper calls on a variable).
    for (const auto& var : rule.variables) {
      const std::string helper = "ruleVariable_" + std::to_string(index) + "_" + var.name;
      RuleText rt = Rewrite(var.expression.text, scope);
      const std::string what = "variable '" + var.name + "'";
      std::vector<cel::Diagnostic> cel_diags;
      if (!rt.errors.empty()) {
        Report(s, var.expression, rt.errors, what, diagnostics);
      } else if (++pack->compiled_expressions_, !pack->env_->DeclareFunction(helper, {"ruleVariableUnused"}, rt.text, &cel_diags)) {
        ReportRewritten(s, var.expression, rt, cel_diags, what, diagnostics);
        if (cel_diags.empty()) diagnostics->push_back({s.source->path(), var.pos.line, var.pos.column, what + " does not compile"});
      }
      scope.variables.emplace_back(var.name, helper);
    }
    const bool shareable_when = !rule.parameters && rule.variables.empty() && !rule.match.when.empty();
    if (auto it = shareable_when ? shared_when.find(rule.match.when.text) : shared_when.end(); it != shared_when.end()) {
      cr.when = it->second;
    } else {
      cr.when = Compile(*pack, rule.match.when, "match.when", diagnostics, scope);
      if (shareable_when && cr.when) shared_when.emplace(rule.match.when.text, cr.when);
    }
    cr.assert_program = Compile(*pack, rule.assert_expr, "assert", diagnostics, scope);
    if (!rule.message.empty()) CompileMessage(*pack, rule, &cr, diagnostics, scope, &shared_messages);
    cr.message_expression = Compile(*pack, rule.message_expression, "messageExpression", diagnostics, scope);
    pack->compiled_expressions_ += (cr.when ? 1 : 0) + (cr.assert_program ? 1 : 0) + (cr.message_expression ? 1 : 0);
    for (const auto& part : cr.message) pack->compiled_expressions_ += part.program ? 1 : 0;
    cr.plain = IsPlain(cr);
    pack->rules_.push_back(std::move(cr));
  }
  CompileMatcher(pack.get(), &pack->matcher_, diagnostics);
  if (diagnostics->size() != before) return nullptr;
  return pack;
}

}  // namespace aimsgate
