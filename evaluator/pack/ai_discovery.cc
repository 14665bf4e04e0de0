#include "evaluator/pack/ai_discovery.h"

#include <chrono>

#include "evaluator/kernel/json.h"
#include "evaluator/pack/compiled_pack.h"

namespace aimsgate {

struct AiSystemFinder::Impl {
  std::shared_ptr<const CompiledPack> pack;
  std::shared_ptr<const cel::Program> ai, images, kind, marked, accelerator, serving, storage_uri, model_format;
  std::vector<std::pair<std::string AiSystemFacts::*, std::shared_ptr<const cel::Program>>> strings;
};

AiSystemFinder::~AiSystemFinder() = default;

std::shared_ptr<const AiSystemFinder> AiSystemFinder::Load(const EngineOptions& options,
                                                           std::vector<Diagnostic>* diagnostics) {
  const size_t before = diagnostics->size();
  std::vector<PackSpec> specs = LoadPackPaths(options.rule_paths, diagnostics);
  if (diagnostics->size() != before) return nullptr;
  if (!ApplyParamOverrides(options.param_overrides, options.params_files, &specs, diagnostics,
                           options.param_override_origins)) {
    return nullptr;
  }
  if (specs.empty()) {
    diagnostics->push_back({"--rules", 0, 0, "no rule pack to take isAISystem from"});
    return nullptr;
  }
  // The first pack's helpers; its rules are not needed.
  PackSpec spec = std::move(specs.front());
  const std::string where = spec.source ? spec.source->path() : spec.name;
  spec.rules.clear();
  std::shared_ptr<AiSystemFinder> finder(new AiSystemFinder());
  finder->impl_ = std::make_unique<Impl>();
  Impl& impl = *finder->impl_;
  impl.pack = CompilePack(std::move(spec), options.limits, diagnostics);
  if (!impl.pack || diagnostics->size() != before) return nullptr;
  auto compile = [&](const std::string& text) -> std::shared_ptr<const cel::Program> {
    cel::CompileResult r = impl.pack->env().Compile(text);
    if (!r.ok()) {
      std::string why = r.diagnostics.empty() ? "does not compile" : r.diagnostics.front().message;
      diagnostics->push_back({where, 0, 0, "pack '" + impl.pack->spec().name + "' cannot find AI systems: '" + text +
                                               "': " + why});
    }
    return r.program;
  };
  impl.ai = compile("isAISystem(object)");
  impl.images = compile("images(object).join('\\n')");
  impl.kind = compile("isAIKind(object)");
  impl.marked = compile("markedAI(metaOf(object)) || markedAI(metaOf(templateOf(object)))");
  impl.accelerator = compile("usesAccelerator(object)");
  impl.serving = compile("servesModel(object)");
  impl.storage_uri = compile("strAt(kserveModel(object), 'storageUri')");
  impl.model_format = compile("strAt(field(kserveModel(object), 'modelFormat'), 'name')");
  const std::pair<std::string AiSystemFacts::*, const char*> keys[] = {
      {&AiSystemFacts::system_id, "system-id"},       {&AiSystemFacts::owner, "owner"},
      {&AiSystemFacts::intended_purpose, "intended-purpose"}, {&AiSystemFacts::model_card, "model-card"},
      {&AiSystemFacts::model, "model"},               {&AiSystemFacts::model_source, "model-source"},
      {&AiSystemFacts::supplier, "supplier"},         {&AiSystemFacts::data_provenance, "data-provenance"}};
  for (const auto& [member, key] : keys) impl.strings.emplace_back(member, compile(std::string("annotation(object, '") + key + "')"));
  impl.strings.emplace_back(&AiSystemFacts::risk_tier, compile("riskTier(object)"));
  if (diagnostics->size() != before) return nullptr;
  return finder;
}

const std::string& AiSystemFinder::annotation_prefix() const { return impl_->pack->annotation_prefix(); }

bool AiSystemFinder::Probe(const aimsgate::JsonValue& object, cel::EvalState* scratch, AiSystemFacts* out,
                           std::string* error) const {
  *out = AiSystemFacts();
  const CompiledPack& pack = *impl_->pack;
  const PackSlots& s = pack.slots();
  cel::Activation act(pack.env());
  act.Set(s.object, cel::Value::Json(object));
  act.Set(s.params, cel::Value::Json(*pack.spec().parameters));
  for (int slot : {s.old_object, s.request, s.inventory, s.inventory_all, s.model, s.model_ref, s.namespace_object}) {
    act.Set(slot, cel::Value::Null());
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  act.Set(s.now, cel::Value::Timestamp(now, 0));
  auto boolean = [&](const cel::Program& p, bool* v) {
    cel::Value r = p.Evaluate(act, scratch);
    if (r.IsError() || !r.IsBool()) {
      *error = p.source() + ": " + (r.IsError() ? r.ErrorMessage() : "not a bool: " + r.DebugString());
      return false;
    }
    *v = r.BoolValue();
    return true;
  };
  auto string = [&](const cel::Program& p, std::string* v) {
    cel::Value r = p.Evaluate(act, scratch);
    if (r.IsError() || !r.IsString()) {
      *error = p.source() + ": " + (r.IsError() ? r.ErrorMessage() : "not a string: " + r.DebugString());
      return false;
    }
    *v = std::string(r.StringValue());
    return true;
  };
  if (!boolean(*impl_->ai, &out->ai)) return false;
  if (!out->ai) return true;
  for (const auto& [member, program] : impl_->strings) {
    if (!string(*program, &(out->*member))) return false;
  }
  std::string images;
  if (!string(*impl_->images, &images) || !string(*impl_->storage_uri, &out->storage_uri) ||
      !string(*impl_->model_format, &out->model_format)) {
    return false;
  }
  for (size_t start = 0; start < images.size();) {
    size_t nl = images.find('\n', start);
    if (nl == std::string::npos) nl = images.size();
    if (nl > start) out->images.push_back(images.substr(start, nl - start));
    start = nl + 1;
  }
  const std::pair<const cel::Program*, const char*> reasons[] = {{impl_->kind.get(), "AI kind"},
                                                                 {impl_->marked.get(), "aimsgate mark"},
                                                                 {impl_->accelerator.get(), "accelerator"},
                                                                 {impl_->serving.get(), "serving image"}};
  for (const auto& [program, reason] : reasons) {
    bool yes = false;
    if (!boolean(*program, &yes)) return false;
    if (yes) out->reasons.push_back(reason);
  }
  return true;
}

}  // namespace aimsgate
