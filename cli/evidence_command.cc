// `aimsgate evidence verify|report|keygen` (SPEC §1, §7; docs/evidence.md).
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cli/command.h"
#include "cli/output_file.h"
#include "evaluator/evidence/log/crypto.h"
#include "evaluator/kernel/utf8.h"
#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/report/report.h"
#include "evaluator/evidence/log/verifier.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cli {
namespace {

namespace ev = aimsgate::evidence;

struct VerifyFlags {
  std::vector<std::string> files;
  std::vector<std::string> pubkeys;
  std::string format = "text";
  bool require_closed = false;
  std::string expect_head;
  std::vector<std::string> key_validity;  // PEM=FROM..UNTIL
};

struct ReportFlags {
  std::vector<std::string> files;
  std::vector<std::string> pubkeys;
  std::string format = "html";
  std::string since, until, output = "-", title;
  std::vector<std::string> rule_packs;  // --rules: framework mappings for the trend
};

struct KeygenFlags {
  std::string out;
};

// Loads every --pubkey; false (after printing the error) when one cannot be used.
bool LoadKeys(const std::vector<std::string>& paths, ev::VerifyOptions* options) {
  for (const std::string& p : paths) {
    ev::VerifyKey key;
    ev::Status s = ev::VerifyKey::LoadPem(p, &key);
    if (!s.ok()) {
      std::cerr << s.message() << "\n";
      return false;
    }
    options->keys.push_back(key);
  }
  return true;
}

void WriteJsonResult(const ev::VerifyResult& r, aimsgate::JsonWriter<aimsgate::JsonStringBuffer>* w) {
  w->StartObject();
  w->Key("file");
  w->String(r.file);
  w->Key("ok");
  w->Bool(r.ok);
  w->Key("integrity");
  w->String(ev::IntegrityStatus({r}));
  if (!r.ok) {
    w->Key("error");
    w->StartObject();
    w->Key("line");
    w->Uint64(r.error_line);
    w->Key("message");
    w->String(r.error);
    w->Key("text");
    w->String(r.ErrorLine());
    w->EndObject();
  }
  w->Key("records");
  w->Uint64(r.records);
  w->Key("lines");
  w->Uint64(r.lines);
  w->Key("checkpoints");
  w->Uint64(r.checkpoints);
  w->Key("signedCheckpoints");
  w->Uint64(r.signed_checkpoints);
  w->Key("signaturesVerified");
  w->Bool(r.signatures_verified);
  w->Key("unsignedTail");
  w->Uint64(r.unsigned_tail);
  w->Key("closed");
  w->Bool(r.closed);
  w->Key("firstTime");
  w->String(r.first_time);
  w->Key("lastTime");
  w->String(r.last_time);
  w->Key("lastHash");
  w->String(r.last_hash);
  w->Key("sessions");
  w->Uint64(r.sessions);
  w->Key("session");
  w->String(r.session);
  w->Key("headFound");
  w->Bool(r.head_found);
  w->Key("keyIds");
  w->StartArray();
  for (const std::string& k : r.key_ids) w->String(k);
  w->EndArray();
  w->EndObject();
}

// --key-validity PEM=FROM..UNTIL (either side may be empty): the window of that key's keyId.
bool ParseKeyValidity(const std::string& spec, ev::VerifyOptions* options) {
  size_t eq = spec.rfind('=');
  size_t dots = eq == std::string::npos ? std::string::npos : spec.find("..", eq);
  if (eq == std::string::npos || dots == std::string::npos) {
    std::cerr << "error: --key-validity '" << spec << "': expected PUBKEY.pem=FROM..UNTIL\n";
    return false;
  }
  ev::VerifyKey key;
  ev::Status s = ev::VerifyKey::LoadPem(spec.substr(0, eq), &key);
  if (!s.ok()) {
    std::cerr << s.message() << "\n";
    return false;
  }
  ev::KeyWindow window;
  std::string from = spec.substr(eq + 1, dots - eq - 1), until = spec.substr(dots + 2);
  if ((!from.empty() && !ev::ParseTime(from, &window.from.emplace())) ||
      (!until.empty() && !ev::ParseTime(until, &window.until.emplace()))) {
    std::cerr << "error: --key-validity '" << spec << "': not an RFC 3339 time or YYYY-MM-DD date\n";
    return false;
  }
  options->key_windows[key.key_id()] = window;
  return true;
}

int RunVerify(const VerifyFlags& f) {
  if (f.format != "text" && f.format != "json") {
    std::cerr << "error: --format must be text or json\n";
    return 2;
  }
  ev::VerifyOptions options;
  options.require_closed = f.require_closed;
  options.expect_head = f.expect_head;
  if (!f.expect_head.empty() &&
      (f.expect_head.size() != 64 ||
       f.expect_head.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    std::cerr << "error: --expect-head must be a line's hash: 64 lower-case hex digits\n";
    return 2;
  }
  if (!LoadKeys(f.pubkeys, &options)) return 2;
  for (const std::string& spec : f.key_validity) {
    if (!ParseKeyValidity(spec, &options)) return 2;
  }
  std::vector<ev::VerifyResult> results;
  for (const std::string& file : f.files) results.push_back(ev::VerifyFile(file, options));
  int code = 0;
  for (const ev::VerifyResult& r : results) {
    if (r.io_error) code = 2;
    else if (!r.ok && code == 0) code = 1;
  }
  if (f.format == "json") {
    aimsgate::JsonStringBuffer sb;
    aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
    w.StartObject();
    w.Key("ok");
    w.Bool(code == 0);
    w.Key("integrity");
    w.String(ev::IntegrityStatus(results));
    w.Key("files");
    w.StartArray();
    for (const auto& r : results) WriteJsonResult(r, &w);
    w.EndArray();
    w.EndObject();
    std::cout << sb.GetString() << "\n";
  } else {
    for (const auto& r : results) {
      // The log is the input under suspicion: its file name and strings (a session) escaped.
      if (!r.ok) std::cerr << kernel::EscapeControls(r.ErrorLine()) << "\n";
      if (!r.io_error) std::cout << kernel::EscapeControls(r.Summary()) << "\n";
    }
  }
  return code;
}

int RunReport(const ReportFlags& f) {
  std::vector<FileUse> uses = {{"-o " + f.output, f.output, true}};
  for (const auto& log : f.files) uses.push_back({"log " + log, log, false});
  for (const auto& key : f.pubkeys) uses.push_back({"--pubkey " + key, key, false});
  for (const auto& pack : f.rule_packs) uses.push_back({"--rules " + pack, pack, false});
  if (std::string conflict = SameFileConflict(uses); !conflict.empty()) {
    std::cerr << "error: " << conflict << "\n";
    return 2;
  }
  ev::ReportOptions options;
  options.files = f.files;
  if (!ev::ParseReportFormat(f.format, &options.format)) {
    std::cerr << "error: --format must be html, md, csv or trend-csv\n";
    return 2;
  }
  if (!f.title.empty()) options.title = f.title;
  options.rule_packs = f.rule_packs;
  if (!f.since.empty() && !ev::ParseTime(f.since, &options.since.emplace())) {
    std::cerr << "error: --since: not an RFC 3339 time or YYYY-MM-DD date: " << f.since << "\n";
    return 2;
  }
  if (!f.until.empty() && !ev::ParseTime(f.until, &options.until.emplace())) {
    std::cerr << "error: --until: not an RFC 3339 time or YYYY-MM-DD date: " << f.until << "\n";
    return 2;
  }
  if (!LoadKeys(f.pubkeys, &options.verify)) return 2;
  ev::ReportData data;
  ev::Status s;
  if (f.output == "-") {
    s = ev::WriteEvidenceReport(options, std::cout, &data);
  } else {
    OutputFile out;
    std::string why;
    if (!out.Open(f.output, &why)) {
      std::cerr << f.output << ": error: cannot write the report: " << why << "\n";
      return 2;
    }
    s = ev::WriteEvidenceReport(options, out.stream(), &data);
    if (s.ok() && !out.Commit(&why)) {
      std::cerr << f.output << ": error: cannot write the report: " << why << "\n";
      return 2;
    }
  }
  if (!s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  for (const ev::VerifyResult& r : data.verification) {
    if (!r.ok) std::cerr << kernel::EscapeControls(r.ErrorLine()) << "\n";
  }
  // Always, so a CSV (which has no place for it) is never read as signed when it is not.
  std::cerr << (f.output == "-" ? std::string("evidence report") : f.output) << ": " << data.records
            << " records from " << f.files.size() << " file(s), integrity: " << ev::IntegrityStatus(data.verification)
            << "\n";
  return data.verified() ? 0 : 1;
}

int RunKeygen(const KeygenFlags& f) {
  std::error_code ec;
  std::filesystem::create_directories(f.out, ec);  // like `ssh-keygen -f dir/key`, but making dir
  if (ec) {
    std::cerr << f.out << ": error: cannot create the directory: " << ec.message() << "\n";
    return 2;
  }
  std::string key_id;
  ev::Status s = ev::GenerateKeyPair(f.out, &key_id);
  if (!s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  std::cout << "wrote " << f.out << "/" << ev::kPrivateKeyFile << " (private, mode 0600: give it "
            << "only to the writer, e.g. a Kubernetes Secret)\n"
            << "wrote " << f.out << "/" << ev::kPublicKeyFile
            << " (public: give it to auditors for `aimsgate evidence verify --pubkey`)\n"
            << "keyId " << key_id << "\n";
  return 0;
}

}  // namespace

void AddEvidenceCommands(CLI::App& root, CommandList* commands) {
  CLI::App* evidence =
      root.add_subcommand("evidence", "Verify, report on and sign the tamper-evident evidence log");
  evidence->require_subcommand(1);

  auto vf = std::make_shared<VerifyFlags>();
  CLI::App* verify = evidence->add_subcommand(
      "verify", "Check every hash link, sequence number and checkpoint signature; exit 1 on tampering");
  verify->add_option("files", vf->files, "Evidence log files (JSON Lines); - reads stdin")->required();
  verify->add_option("--pubkey", vf->pubkeys,
                     "Ed25519 public key (PEM) that must have signed every checkpoint; repeat for "
                     "rotated keys. Without it, signatures are not verified");
  verify->add_option("--format", vf->format, "text (default) or json");
  verify->add_flag("--require-closed", vf->require_closed,
                   "Fail unless a log ends with its writer session's signed closing checkpoint "
                   "(catches a log cut anywhere after the start of its last session)");
  verify->add_option("--expect-head", vf->expect_head,
                     "Hash of a checkpoint you anchored outside the log (e.g. the 'head' that "
                     "check prints); fail when no line has it (catches a cut at an earlier "
                     "session's end)");
  verify->add_option("--key-validity", vf->key_validity,
                     "PUBKEY.pem=FROM..UNTIL (RFC 3339 or date, either side may be empty): "
                     "checkpoints signed by that key outside the window fail; repeatable");
  commands->push_back({verify, [vf] { return RunVerify(*vf); }});

  auto rf = std::make_shared<ReportFlags>();
  CLI::App* report = evidence->add_subcommand(
      "report", "Render evidence logs for auditors: HTML (self-contained), Markdown or CSV");
  report->add_option("files", rf->files, "Evidence log files; several replicas' files are merged")
      ->required();
  report->add_option("--format", rf->format, "html (default), md, csv (rule results) or trend-csv (control scores per day/week)");
  report->add_option("--since", rf->since, "Only records at or after this RFC 3339 time or date");
  report->add_option("--until", rf->until, "Only records before this RFC 3339 time or date");
  report->add_option("--output,-o", rf->output, "Output file (default: stdout)");
  report->add_option("--pubkey", rf->pubkeys, "Public key(s) to verify checkpoint signatures with");
  report->add_option("--title", rf->title, "Report title");
  report->add_option("--rules", rf->rule_packs,
                     "Packs whose rules' framework mappings chart the EU AI Act and NIST AI RMF trends "
                     "(repeatable; default: the built-in packs)")
      ->allow_extra_args(false);
  commands->push_back({report, [rf] { return RunReport(*rf); }});

  auto kf = std::make_shared<KeygenFlags>();
  CLI::App* keygen = evidence->add_subcommand(
      "keygen", "Write an Ed25519 key pair for signing checkpoints (refuses to overwrite)");
  keygen->add_option("--out", kf->out, "Directory for evidence-signing.key and evidence-signing.pub")
      ->required();
  commands->push_back({keygen, [kf] { return RunKeygen(*kf); }});
}

}  // namespace aimsgate::cli
