#include "cli/check_evidence.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/ci_context.h"
#include "evaluator/evidence/log/redact.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cli {

void AddEvidenceFlags(CLI::App* app, EvidenceFlags* f) {
  app->add_option("--evidence", f->path, "Append evidence records to FILE (- = stdout); the chain continues across runs");
  app->add_option("--evidence-key", f->key_path, "Ed25519 private key (PEM) that signs checkpoints");
  app->add_option("--evidence-fsync", f->fsync, "When to fsync the evidence log")
      ->check(CLI::IsMember({"always", "checkpoint", "never"}));
  app->add_option("--evidence-source", f->source, "Source recorded in evidence: ci, or audit for cluster scans")
      ->check(CLI::IsMember({"ci", "audit"}));
  app->add_option("--evidence-redact", f->redact, "JSON path whose values are masked in evidence messages (repeatable)")
      ->allow_extra_args(false);
  app->add_flag("--evidence-skip-unmatched", f->skip_unmatched,
                "No evidence record for a resource no rule applies to (default: a minimal record)");
  app->add_option("--context-label", f->context_labels,
                  "KEY=VALUE recorded in every evidence record beside the CI context read from GitHub Actions, "
                  "GitLab CI or Jenkins (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

bool CollectRedactValues(const EvidenceFlags& f, ScanOptions* options) {
  auto redactor = std::make_shared<evidence::Redactor>();
  evidence::Status status = evidence::Redactor::Create(f.redact, redactor.get());
  if (!status.ok()) {
    std::cerr << "--evidence-redact: " << status.message() << "\n";
    return false;
  }
  options->after_evaluate = [redactor](const aimsgate::JsonValue& object, ResourceEvaluation* evaluation) {
    evaluation->redact_values = redactor->CollectValues(object);
  };
  return true;
}

namespace {

class EvidenceSink : public DecisionSink {
 public:
  EvidenceSink(const EvidenceFlags& f, const Engine& engine, CiContext ci)
      : f_(f), packs_(engine.packs()), ci_(std::move(ci)) {
    if (const aimsgate::JsonValue* sig = engine.model_signature()) {
      model_.signer = (*sig)["signer"].GetString();
      model_.root_digest = (*sig)["rootDigest"].GetString();
      model_.verified = (*sig)["verified"].GetBool();
    }
  }

  evidence::Status Open(const evidence::WriterOptions& options) {
    evidence::Status status = writer_.Open(options);
    for (const auto& w : writer_.open_warnings()) std::cerr << w << "\n";
    return status;
  }

  bool Add(const ResourceEvaluation& evaluation) override {
    evidence::RecordInput in;
    in.source = f_.source == "audit" ? evidence::Source::kAudit : evidence::Source::kCi;
    in.ci = ci_.fields;
    in.ci_labels = ci_.labels;
    in.evaluation = &evaluation;
    in.packs = &packs_;
    in.model = model_;
    evidence::Status status = writer_.Append(in);
    if (status.ok()) return true;
    error_ = f_.path + ": error: evidence not recorded for " + std::string(evaluation.resource.source()) + ":" +
             std::to_string(evaluation.resource.line) + ": " + status.message();
    writer_.Close();
    return false;
  }

  bool Finish(const ScanResult&) override {
    evidence::Status status = writer_.Close();
    if (!status.ok()) {
      error_ = status.message();
      return false;
    }
    if (f_.path != "-") {
      // The one hash that proves, later, that nothing was cut from the end of this log.
      std::cerr << f_.path << ": evidence session " << writer_.session() << " closed at seq " << writer_.last_seq()
                << ", head " << writer_.last_hash() << " (anchor it: aimsgate evidence verify --expect-head HASH)\n";
    }
    return true;
  }

 private:
  const EvidenceFlags f_;
  const std::vector<PackRef> packs_;
  const CiContext ci_;
  evidence::RecordInput::ModelInfo model_;
  evidence::EvidenceWriter writer_;
};

}  // namespace

std::unique_ptr<DecisionSink> OpenCheckEvidence(const EvidenceFlags& f, const Engine& engine) {
  evidence::WriterOptions options;
  options.path = f.path;
  options.key_path = f.key_path;
  evidence::ParseFsyncPolicy(f.fsync, &options.fsync);
  options.redact_paths = f.redact;
  options.skip_unmatched = f.skip_unmatched;
  options.checkpoint_every_seconds = 0;  // a CI run is short: checkpoint by count and at close
  CiContext ci = DetectCiContext([](const char* name) { return std::getenv(name); });
  std::string label_error;
  if (!AddContextLabels(f.context_labels, &ci, &label_error)) {
    std::cerr << "aimsgate check: error: " << label_error << "\n";
    return nullptr;
  }
  if (f.key_path.empty()) {
    // Once per run: a hash chain alone can be recomputed by whoever can write the file.
    std::cerr << "aimsgate check: warning: --evidence without --evidence-key: the log's hash chain is NOT signed, "
                 "so it shows accidents but not who wrote it (create a key with `aimsgate evidence keygen`)\n";
  }
  auto sink = std::make_unique<EvidenceSink>(f, engine, std::move(ci));
  evidence::Status status = sink->Open(options);
  if (!status.ok()) {
    std::cerr << status.message() << "\n";
    return nullptr;
  }
  return sink;
}

}  // namespace aimsgate::cli
