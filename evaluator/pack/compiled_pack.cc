#include "evaluator/pack/compiled_pack.h"
#include <map>
#include <set>

#include "evaluator/pack/engine.h"

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

CompiledPack::CompiledPack(PackSpec spec, const cel::Limits& limits) : spec_(std::move(spec)), env_(limits) {
  slots_.object = env_.DeclareVariable("object");
  slots_.old_object = env_.DeclareVariable("oldObject");
  slots_.request = env_.DeclareVariable("request");
  slots_.params = env_.DeclareVariable("params");
  slots_.inventory = env_.DeclareVariable("inventory");
  slots_.inventory_all = env_.DeclareVariable("inventoryAll");
  slots_.model = env_.DeclareVariable("model");
  slots_.now = env_.DeclareVariable("now");
  slots_.namespace_object = env_.DeclareVariable("namespaceObject");
  if (spec_.parameters && spec_.parameters->IsObject()) {
    auto it = spec_.parameters->FindMember("annotationPrefix");
    if (it != spec_.parameters->MemberEnd() && it->value.IsString()) annotation_prefix_ = it->value.GetString();
  }
}

const std::vector<size_t>& CompiledPack::RulesForKind(const std::string& kind) const {
  auto it = by_kind_.find(kind);
  return it == by_kind_.end() ? any_kind_ : it->second;
}

namespace {

void Report(const PackSpec& pack, const ExprText& expr, const std::vector<cel::Diagnostic>& cel_diags,
            const std::string& what, std::vector<Diagnostic>* out) {
  for (const auto& d : cel_diags) {
    SourcePos p = expr.Locate(d.offset);
    out->push_back({pack.source ? pack.source->path() : pack.name, p.line, p.column, what + ": " + d.message});
  }
}

std::shared_ptr<const cel::Program> Compile(const CompiledPack& pack, const ExprText& expr, const std::string& what,
                                            std::vector<Diagnostic>* diags) {
  if (expr.empty()) return nullptr;
  cel::CompileResult r = pack.env().Compile(expr.text);
  if (!r.ok()) {
    Report(pack.spec(), expr, r.diagnostics, what, diags);
    if (r.diagnostics.empty()) Report(pack.spec(), expr, {{0, 1, 1, "does not compile"}}, what, diags);
  }
  return r.program;
}

// Splits "text {{expr}} text" into parts; each {{expr}} is compiled.
void CompileMessage(const CompiledPack& pack, const RuleSpec& rule, CompiledRule* out, std::vector<Diagnostic>* diags) {
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
    out->message.push_back({"", Compile(pack, e, "message", diags)});
    pos = close + 2;
  }
}

bool KindNamesAll(const std::vector<KindPattern>& kinds) {
  return kinds.empty() || std::any_of(kinds.begin(), kinds.end(), [](const KindPattern& k) { return k.kind.find('*') != std::string::npos; });
}

}  // namespace

std::shared_ptr<const CompiledPack> CompilePack(PackSpec spec, const cel::Limits& limits,
                                                std::vector<Diagnostic>* diagnostics) {
  auto pack = std::make_shared<CompiledPack>(std::move(spec), limits);
  size_t before = diagnostics->size();
  const PackSpec& s = pack->spec_;
  for (const auto& fn : s.functions) {
    std::vector<cel::Diagnostic> cel_diags;
    if (!pack->env_.DeclareFunction(fn.name, fn.params, fn.expression.text, &cel_diags)) {
      Report(s, fn.expression, cel_diags, "function '" + fn.name + "'", diagnostics);
      if (cel_diags.empty()) diagnostics->push_back({s.source->path(), fn.pos.line, fn.pos.column, "function '" + fn.name + "' does not compile"});
    }
  }
  for (const auto& rule : s.rules) {
    CompiledRule cr;
    cr.spec = &rule;
    cr.full_id = s.name + "/" + rule.id;
    cr.when = Compile(*pack, rule.match.when, "match.when", diagnostics);
    cr.assert_program = Compile(*pack, rule.assert_expr, "assert", diagnostics);
    if (!rule.message.empty()) CompileMessage(*pack, rule, &cr, diagnostics);
    cr.message_expression = Compile(*pack, rule.message_expression, "messageExpression", diagnostics);
    pack->rules_.push_back(std::move(cr));
  }
  // Kind classes: one per distinct match.kinds list (keyed by its spelling).
  std::map<std::string, int> classes;
  for (auto& cr : pack->rules_) {
    std::string key;
    for (const auto& k : cr.spec->match.kinds) key.append(k.group).append(1, '\0').append(k.version).append(1, '\0').append(k.kind).append(1, '\n');
    cr.kinds_class = classes.emplace(key, static_cast<int>(classes.size())).first->second;
  }
  pack->kinds_classes_ = classes.size();
  // Kind index: exact kind names get their own list, which also holds the
  // rules that match any kind, so each lookup yields rules in pack order.
  std::set<std::string> names;
  for (const auto& rule : s.rules) {
    for (const auto& k : rule.match.kinds) {
      if (k.kind.find('*') == std::string::npos) names.insert(k.kind);
    }
  }
  for (size_t i = 0; i < s.rules.size(); ++i) {
    const auto& kinds = s.rules[i].match.kinds;
    if (KindNamesAll(kinds)) pack->any_kind_.push_back(i);
    for (const auto& name : names) {
      bool matches = KindNamesAll(kinds) ||
                     std::any_of(kinds.begin(), kinds.end(), [&](const KindPattern& k) { return k.kind == name; });
      if (matches) pack->by_kind_[name].push_back(i);
    }
  }
  if (diagnostics->size() != before) return nullptr;
  return pack;
}

}  // namespace aimsgate
