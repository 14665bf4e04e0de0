#include "webhook/admission.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "evaluator/evidence/log/redact.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/admission_review.h"
#include "webhook/json_text.h"

namespace aimsgate::webhook {

namespace {

// TruncateWarning on a string of its own, without a copy.
void TruncateWarningInPlace(std::string* text, size_t max_bytes) {
  std::string& out = *text;
  if (out.size() > max_bytes) {
    size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
    // Back up over UTF-8 continuation bytes so a code point is never split.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    if (max_bytes >= 3) out += "...";
  }
  // Control characters become spaces (after the cut: they are never continuation bytes,
  // so where the text is cut does not depend on them).
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
}

}  // namespace

std::string TruncateWarning(std::string_view text, size_t max_bytes) {
  std::string out(text);
  TruncateWarningInPlace(&out, max_bytes);
  return out;
}

namespace {

// Nesting depth of a JSON text, counted without parsing (brackets outside strings).
// Stops early once `limit` is exceeded.
size_t JsonDepth(std::string_view text, size_t limit) {
  // Most bytes of a review are inside strings or are plain scalars: a table lookup skips
  // them, and only quotes, backslashes and brackets reach the state machine.
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {'"', '\\', '{', '[', '}', ']'}) t[c] = true;
    return t;
  }();
  size_t depth = 0, max_depth = 0;
  bool in_string = false;
  const char* p = text.data();
  const char* const end = p + text.size();
  for (; p < end; ++p) {
    if (!kSpecial[static_cast<unsigned char>(*p)]) continue;
    const char c = *p;
    if (in_string) {
      if (c == '\\') ++p;  // the escaped byte, whatever it is
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// True when every byte is ASCII (8 bytes at a time).
bool IsAscii(std::string_view text) {
  const char* p = text.data();
  size_t n = text.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    if (word & 0x8080808080808080ull) return false;
  }
  for (; n > 0; ++p, --n) {
    if (static_cast<unsigned char>(*p) >= 0x80) return false;
  }
  return true;
}

// What the parser lets through but an AdmissionReview must not hold: a key twice in one
// object (readers disagree on which one counts) and strings that are not Unicode text
// (RapidJSON decodes a lone \uDC00 escape into bytes that are not UTF-8). Empty when fine.
// Recursion is bounded by the depth check before the parse.
//
// `check_utf8` is false when no string can hold bytes that are not UTF-8: an ASCII text
// without any \u escape decodes to ASCII strings only.
std::string InputProblem(const aimsgate::JsonValue& v, bool check_utf8) {
  constexpr const char* kNotText = "a string holds a lone UTF-16 surrogate escape or bytes that are not UTF-8";
  auto not_text = [check_utf8](const aimsgate::JsonValue& s) {
    return check_utf8 &&
           kernel::FindInvalidUtf8(std::string_view(s.GetString(), s.GetStringLength())) != std::string_view::npos;
  };
  if (v.IsString()) {
    if (not_text(v)) return kNotText;
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      std::string problem = InputProblem(e, check_utf8);
      if (!problem.empty()) return problem;
    }
  } else if (v.IsObject()) {
    const size_t count = v.MemberCount();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      if (not_text(it->name)) return kNotText;
      std::string problem = InputProblem(it->value, check_utf8);
      if (!problem.empty()) return problem;
    }
    auto key = [](const aimsgate::JsonValue& name) { return std::string_view(name.GetString(), name.GetStringLength()); };
    constexpr size_t kSmall = 16;  // pairwise below this: no allocation for the usual object
    if (count <= kSmall) {
      for (auto a = v.MemberBegin(); a != v.MemberEnd(); ++a) {
        const std::string_view ka = key(a->name);
        for (auto b = a + 1; b != v.MemberEnd(); ++b) {
          const std::string_view kb = key(b->name);
          // Most keys of an object differ in length or first byte: no memcmp for them.
          if (ka.size() != kb.size() || (!ka.empty() && ka[0] != kb[0])) continue;
          if (ka == kb) return "duplicate key '" + std::string(ka) + "' in one object";
        }
      }
      return "";
    }
    std::vector<std::string_view> keys;
    keys.reserve(count);
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) keys.push_back(key(it->name));
    std::sort(keys.begin(), keys.end());
    auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) return "duplicate key '" + std::string(*dup) + "' in one object";
  }
  return "";
}

AdmissionResponse BadRequest(std::string message) {
  AdmissionResponse r;
  r.http_status = 400;
  r.decision = "invalid";
  r.body = "{\"error\":";
  AppendJsonString(&r.body, message);
  r.body += '}';
  r.error = std::move(message);
  return r;
}

// Appends "[iso42001/owner-assigned A.3.2] ": the rule, its controls joined by ",".
void AppendRulePrefix(const RuleResult& r, std::string* out) {
  *out += '[';
  *out += r.rule();
  const size_t mark = out->size();
  *out += ' ';
  const size_t start = out->size();
  for (const auto& c : r.controls()) {
    if (out->size() != start) *out += ',';  // a separator once something was written
    *out += c;
  }
  if (out->size() == start) out->resize(mark);  // no controls (or only empty ones): no space
  *out += "] ";
}

// Appends `id` to a comma-separated list.
void AppendId(std::string* list, const std::string& id) {
  if (!list->empty()) *list += ',';
  *list += id;
}

// An InsituStringStream that knows where its text ends, so that the scan of a string
// (below) may read it many bytes at a time without reading past the terminating NUL.
struct BoundedInsituStream : rapidjson::InsituStringStream {
  BoundedInsituStream(char* text, size_t size) : rapidjson::InsituStringStream(text), end(text + size) {}
  const char* end;  // the NUL after the text
};

}  // namespace
}  // namespace aimsgate::webhook

namespace rapidjson {

// Copied to a local in the parse loops, as InsituStringStream is.
template <>
struct StreamTraits<aimsgate::webhook::BoundedInsituStream> {
  enum { copyOptimization = 1 };
};

// RapidJSON's own hook for skipping the plain bytes of a string (the generic version does
// nothing: the parser then moves every byte through its escape and encoding checks one at
// a time).  It jumps to the first '"', '\\' or control byte (FindJsonSpecial, sixteen
// bytes at a time) and leaves that byte to the parser, as RapidJSON's own SSE2 version
// does (compiled in only with a global macro); the bytes skipped are those the parser would
// have copied one by one (UTF8 to UTF8 without validation copies a byte as it is).  An
// explicit specialization for this file's own stream type: no other code is affected.
template <>
template <>
inline void aimsgate::JsonReader::ScanCopyUnescapedString(
    aimsgate::webhook::BoundedInsituStream& is, aimsgate::webhook::BoundedInsituStream& os) {
  (void)os;  // the same stream: insitu parsing writes the decoded string where it lies
  char* p = is.src_;
  char* q = is.dst_;  // q <= p: escapes only shorten the text
  const size_t plain = static_cast<size_t>(aimsgate::webhook::FindJsonSpecial(p, is.end) - p);
  if (q != p) std::memmove(q, p, plain);
  p += plain;
  q += plain;
  is.src_ = p;
  is.dst_ = q;
}

// Whitespace between tokens (' ', '\n', '\r', '\t', as the generic SkipWhitespace),
// tested with one mask per byte; the NUL after the text stops it.
template <>
inline void SkipWhitespace(aimsgate::webhook::BoundedInsituStream& is) {
  constexpr uint64_t kBlank = (1ull << ' ') | (1ull << '\n') | (1ull << '\r') | (1ull << '\t');
  char* p = is.src_;
  for (unsigned char c = static_cast<unsigned char>(*p); c <= ' ' && ((kBlank >> c) & 1) != 0;
       c = static_cast<unsigned char>(*++p)) {
  }
  is.src_ = p;
}

}  // namespace rapidjson

namespace aimsgate::webhook {
namespace {

// The deepest nesting the recursive parser is trusted with (a few hundred bytes of stack a
// level); a larger HandlerOptions::max_depth keeps the iterative parser.
constexpr size_t kMaxRecursiveDepth = 256;

// The document's SAX handler with the nesting counted: an object or array deeper than
// `limit` stops the parse (kParseErrorTermination) before the parser recurses into it.
struct DepthLimitedHandler {
  using Ch = char;
  aimsgate::JsonDocument& doc;
  const size_t limit;
  size_t depth = 0;

  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned i) { return doc.Uint(i); }
  bool Int64(int64_t i) { return doc.Int64(i); }
  bool Uint64(uint64_t i) { return doc.Uint64(i); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const Ch* str, rapidjson::SizeType length, bool copy) { return doc.RawNumber(str, length, copy); }
  bool String(const Ch* str, rapidjson::SizeType length, bool copy) { return doc.String(str, length, copy); }
  bool Key(const Ch* str, rapidjson::SizeType length, bool copy) { return doc.Key(str, length, copy); }
  bool StartObject() { return Enter() && doc.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth;
    return doc.EndObject(members);
  }
  bool StartArray() { return Enter() && doc.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth;
    return doc.EndArray(elements);
  }

 private:
  bool Enter() { return ++depth <= limit; }
};

// The fast parse: the recursive parser, with the depth limit counted as it goes (no scan of
// the text before the parse).  Parses as the iterative parser does (same flags, same
// handler calls, so the same document) and returns true; false when the body is too deep or
// not valid JSON, and then the caller parses again the way it always did, for the same
// answer (the depth scan first, then the iterative parser's error and offset).
bool ParseFast(std::string_view body, bool ascii, size_t max_depth, std::string* insitu, aimsgate::JsonDocument* doc) {
  DepthLimitedHandler handler{*doc, max_depth};
  aimsgate::JsonReader reader;
  rapidjson::ParseResult result;
  // As Document::ParseInsitu and Document::Parse(str, length), with `handler` in between.
  auto generate = [&](aimsgate::JsonDocument&) {
    if (ascii) {
      BoundedInsituStream is(insitu->data(), insitu->size());
      result = reader.Parse<rapidjson::kParseInsituFlag>(is, handler);
    } else {
      rapidjson::MemoryStream ms(body.data(), body.size());
      rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
      result = reader.Parse<rapidjson::kParseValidateEncodingFlag>(is, handler);
    }
    return !result.IsError();
  };
  doc->Populate(generate);
  return !result.IsError();
}

// What parsing one review may allocate (HandleAdmissionReview): a real object's document
// takes one to two bytes per byte of text.
constexpr size_t kDocumentBudgetBytes = size_t{8} << 20;
constexpr size_t kDocumentBudgetPerBodyByte = 3;

// Parse: the body into `doc` and the review read from it; "" or the problem (HTTP 400).
// `insitu` holds the text `doc` may point into: it must outlive `doc`.
std::string ParseReview(std::string_view body, const HandlerOptions& options, std::string* insitu,
                        aimsgate::JsonDocument* doc, manifest::AdmissionReview* review) {
  if (body.empty()) return "empty body: expected an AdmissionReview";
  // Line and column of a byte, for a human reading the apiserver's log.
  auto where = [body](size_t offset) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset && i < body.size(); ++i) {
      if (body[i] == '\n') ++line, col = 1;
      else ++col;
    }
    return "line " + std::to_string(line) + " column " + std::to_string(col);
  };
  // Both parsers take a NUL byte for the end of the text, and would answer for what comes
  // before it; JSON text holds none (a string's must be escaped).
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    return "invalid JSON at " + where(static_cast<size_t>(static_cast<const char*>(nul) - body.data())) +
           ": a NUL byte";
  }
  // An ASCII body cannot hold invalid UTF-8 bytes: the parser's validation is skipped, and
  // it is parsed in place in a copy (strings decoded where they lie, not pushed byte by
  // byte through the parser's stack).  A non-ASCII body may start with a BOM, which only
  // the stream parser skips: it keeps that path.
  const bool ascii = IsAscii(body);
  if (ascii) insitu->assign(body.data(), body.size());
  const bool parsed = options.max_depth <= kMaxRecursiveDepth && ParseFast(body, ascii, options.max_depth, insitu, doc);
  if (!parsed) {
    // Too deep, not JSON, or a max_depth beyond kMaxRecursiveDepth: the depth scan and the
    // iterative parser decide, and word the answer.
    if (JsonDepth(body, options.max_depth) > options.max_depth) {
      return "JSON nested deeper than " + std::to_string(options.max_depth) + " levels";
    }
    if (ascii) {
      insitu->assign(body.data(), body.size());  // the fast parse may have decoded strings in it
      doc->ParseInsitu<rapidjson::kParseIterativeFlag>(insitu->data());
    } else {
      doc->Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    }
  }
  if (doc->HasParseError()) {
    return "invalid JSON at " + where(doc->GetErrorOffset()) + ": " + rapidjson::GetParseError_En(doc->GetParseError());
  }
  if (!doc->IsObject()) return "body is not a JSON object: expected an AdmissionReview";
  // In an ASCII body only a \u escape can decode to bytes that are not UTF-8 (a lone
  // surrogate); the test is conservative ("\\u", an escaped backslash, counts too).
  const bool check_utf8 = !ascii || body.find("\\u") != std::string_view::npos;
  if (std::string problem = InputProblem(*doc, check_utf8); !problem.empty()) return problem;
  return manifest::ReadAdmissionReview(*doc, {/*require_uid=*/true}, review);
}

// Evaluate: the engine's decision on the review's target, with the values that must reach
// neither the answer nor the evidence (Secret data of the new and the old object, raw and
// decoded, and the --evidence-redact paths of both) in redact_values, longest first.
ResourceEvaluation Evaluate(const manifest::AdmissionReview& review, const Engine& engine,
                            const HandlerOptions& options, cel::EvalState* scratch) {
  EvalRequest req;
  req.request = review.request;
  req.old_object = review.old_object;
  req.now_unix = options.now_unix;
  req.digest_object = options.digest_object;
  ResourceEvaluation eval = engine.Evaluate(*review.target, req, scratch);
  static const evidence::Redactor kSecretDataOnly;
  const evidence::Redactor& redactor = options.redactor ? *options.redactor : kSecretDataOnly;
  std::vector<std::string>& secrets = eval.redact_values;
  for (const aimsgate::JsonValue* o : {review.object, review.old_object}) {
    if (o == nullptr) continue;
    std::vector<std::string> found = redactor.CollectValues(*o);
    secrets.insert(secrets.end(), found.begin(), found.end());
  }
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;  // longest first
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  return eval;
}

// The texts of a decision's effects, masked; the verdict itself is the engine's.
struct Effects {
  std::vector<std::string> warnings, notes;
  std::string failed_ids, errored_ids, waived_ids;
  std::string status_message;  // set when the verdict denies
};

// Masks the values that must not be shown (MaskValues; nothing to do without any).
void Mask(const ResourceEvaluation& eval, std::string* text) {
  if (!eval.redact_values.empty()) evidence::MaskValues(eval.redact_values, text);
}

// The status message of a denial is "aimsgate denied KIND NS/NAME: " and each deny reason
// ("[rule controls] text", masked on its own), joined by "; ", then masked as a whole and
// cut to max_status_message.  The reasons are appended to it as they are found.
void DescribeEffects(const ResourceEvaluation& eval, const HandlerOptions& options, Effects* out) {
  const bool denied = eval.denied();
  std::string& message = out->status_message;
  if (denied) {
    size_t estimate = 64 + eval.resource.kind().size() + eval.resource.namespace_().size() + eval.resource.name().size();
    for (const auto& r : eval.results) {
      if (r.result == Outcome::kFail || r.result == Outcome::kError) estimate += r.message.size() + 96;
    }
    message.reserve(std::min(estimate, options.max_status_message + 4096));
    message = "aimsgate denied ";
    message.append(eval.resource.kind()) += ' ';
    if (!eval.resource.namespace_().empty()) message.append(eval.resource.namespace_()) += '/';
    message.append(eval.resource.name()) += ": ";
  }
  bool first_reason = true;
  std::string reason;  // one deny reason, when it must be masked on its own
  for (const auto& r : eval.results) {
    if (r.result == Outcome::kWaived) AppendId(&out->waived_ids, r.rule());
    if (r.result == Outcome::kFail) AppendId(&out->failed_ids, r.rule());
    if (r.result != Outcome::kFail && r.result != Outcome::kError) continue;
    const Effect effect = EffectOf(r);
    if (effect != Effect::kDeny && effect != Effect::kWarn && r.result != Outcome::kError) continue;
    const char* policy = r.failure_policy_fail() ? "Fail" : "Ignore";
    if (r.result == Outcome::kError) {
      AppendId(&out->errored_ids, r.rule());
      // CEL error text may quote a value of the object (e.g. a failed int() of a password).
      std::string note = "failurePolicy ";
      note += policy;
      note += ": rule ";
      note += r.rule();
      note += " could not be evaluated (";
      note += r.message;
      note += "); ";
      note += effect == Effect::kDeny ? "denied" : "allowed";
      Mask(eval, &note);
      out->notes.push_back(std::move(note));
    }
    // "[rule controls] text", where an errored rule's text says why it could not be evaluated.
    auto describe = [&](std::string* text) {
      AppendRulePrefix(r, text);
      if (r.result == Outcome::kError) {
        *text += "could not be evaluated (failurePolicy ";
        *text += policy;
        *text += "): ";
      }
      *text += r.message;
    };
    if (effect == Effect::kDeny && denied) {
      if (!first_reason) message += "; ";
      first_reason = false;
      if (eval.redact_values.empty()) {
        describe(&message);
      } else {
        reason.clear();
        describe(&reason);
        Mask(eval, &reason);
        message += reason;
      }
    }
    if (effect == Effect::kWarn) {
      std::string warning;
      warning.reserve(r.rule().size() + r.message.size() + 96);
      describe(&warning);
      Mask(eval, &warning);
      TruncateWarningInPlace(&warning, options.max_warning_bytes);
      out->warnings.push_back(std::move(warning));
    }
  }
  if (!denied) return;
  Mask(eval, &message);
  if (message.size() > options.max_status_message) TruncateWarningInPlace(&message, options.max_status_message);
}

// Record: the evidence hook.  A failure under deny_on_record_failure turns an allowed
// request into a denied one (out->decision, *allowed, *status_message).
void Record(const manifest::AdmissionReview& review, const std::vector<PackRef>& packs, Effects* effects,
            const HandlerOptions& options, AdmissionResponse* out, bool* allowed, std::string* status_message) {
  AdmissionDecision d;
  d.packs = &packs;
  d.uid = out->uid;
  d.username = out->username;
  d.operation = out->operation;
  d.dry_run = out->dry_run;
  d.decision = out->decision;
  d.evaluation = &out->evaluation;
  d.object = review.target;
  d.notes = std::move(effects->notes);  // not needed after the hook
  std::string error;
  bool ok = false;
  try {
    ok = options.record(d, &error);
  } catch (...) {
    error = "evidence hook threw";
  }
  if (ok) return;
  out->record_failed = true;
  if (options.deny_on_record_failure && *allowed) {
    *allowed = false;
    out->decision = "deny";
    // The cause (path, errno) is for the operator's log, not for the API user.
    *status_message = "aimsgate could not record the decision as evidence; denied by "
                      "--evidence-failure deny (the webhook's log says why)";
  }
}

// Respond: the AdmissionReview answer in the version asked, written as text in one pass
// (the bytes rapidjson::Writer wrote for the same fields in the same order; json_text.h).
std::string WriteResponse(const manifest::AdmissionReview& review, const AdmissionResponse& out, bool allowed,
                          const std::string& status_message, const Effects& effects,
                          const std::vector<PackRef>& packs) {
  const ResourceEvaluation& eval = out.evaluation;
  size_t estimate = 320 + review.api_version.size() + review.uid.size() + status_message.size() +
                    effects.failed_ids.size() + effects.errored_ids.size() + effects.waived_ids.size();
  for (const auto& warning : effects.warnings) estimate += warning.size() + 3;
  for (const auto& p : packs) estimate += p.name.size() + p.version.size() + p.digest.size() + 3;
  std::string json;
  json.reserve(estimate + estimate / 8);  // room for a few escapes
  json += "{\"apiVersion\":";
  AppendJsonString(&json, review.api_version);
  json += ",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":";
  AppendJsonString(&json, review.uid);
  json += allowed ? ",\"allowed\":true" : ",\"allowed\":false";
  if (!allowed) {
    json += ",\"status\":{\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403,\"message\":";
    AppendJsonString(&json, status_message);
    json += '}';
  }
  if (!effects.warnings.empty()) {
    json += ",\"warnings\":[";
    for (size_t i = 0; i < effects.warnings.size(); ++i) {
      if (i > 0) json += ',';
      AppendJsonString(&json, effects.warnings[i]);
    }
    json += ']';
  }
  json += ",\"auditAnnotations\":{\"decision\":";
  AppendJsonString(&json, out.decision);
  json += ",\"packs\":\"";  // name@version=digest, comma-separated
  for (size_t i = 0; i < packs.size(); ++i) {
    if (i > 0) json += ',';
    AppendJsonEscaped(&json, packs[i].name);
    json += '@';
    AppendJsonEscaped(&json, packs[i].version);
    json += '=';
    AppendJsonEscaped(&json, packs[i].digest);
  }
  json += out.dry_run ? "\",\"dry-run\":\"true\"" : "\",\"dry-run\":\"false\"";
  const std::pair<const char*, const std::string*> rule_lists[] = {{",\"failed-rules\":", &effects.failed_ids},
                                                                   {",\"errored-rules\":", &effects.errored_ids},
                                                                   {",\"waived-rules\":", &effects.waived_ids}};
  for (const auto& [key, ids] : rule_lists) {
    if (ids->empty()) continue;
    json += key;
    AppendJsonString(&json, *ids);
  }
  if (out.record_failed) json += ",\"evidence\":\"write-failed\"";
  // ValidatingAdmissionPolicy auditAnnotations, keyed "<policy>/<key>" as the apiserver does.
  std::string masked;
  for (const auto& [key, value] : eval.audit_annotations) {
    json += ',';
    AppendJsonString(&json, key);
    json += ':';
    if (eval.redact_values.empty()) {
      AppendJsonString(&json, value);
    } else {
      masked = value;
      Mask(eval, &masked);
      AppendJsonString(&json, masked);
    }
  }
  json += "}}}";
  return json;
}

}  // namespace

AdmissionResponse HandleAdmissionReview(std::string_view body, const Engine& engine, const HandlerOptions& options,
                                        cel::EvalState* scratch) {
  // The document's first 8 KB of nodes come from the stack instead of a 64 KB heap chunk
  // (a 2.4 KB review needs about 6 KB); larger documents take heap chunks as before.
  alignas(8) char pool[8192];
  aimsgate::JsonPool allocator(pool, sizeof pool);
  std::string text;  // declared before doc: outlives it
  aimsgate::JsonDocument doc(&allocator);
  manifest::AdmissionReview review;
  // A body's document may cost twenty times its text (`[0,0,0,...]`), and the body budget
  // of the server counts text: the parse may take at most this much, or the review is refused.
  const size_t budget_bytes = kDocumentBudgetBytes + kDocumentBudgetPerBodyByte * body.size();
  std::string problem;
  try {
    JsonAllocationBudget budget(budget_bytes);
    problem = ParseReview(body, options, &text, &doc, &review);
  } catch (const JsonAllocationBudget::JsonBudgetExceeded&) {
    problem = "AdmissionReview too large to evaluate: its parsed document would take more than " +
              std::to_string(budget_bytes >> 20) + " MiB (" + std::to_string(kDocumentBudgetBytes >> 20) +
              " MiB and " + std::to_string(kDocumentBudgetPerBodyByte) + " bytes per body byte)";
  }
  if (!problem.empty()) return BadRequest(std::move(problem));
  AdmissionResponse out;
  out.uid = std::string(review.uid);
  out.operation = std::string(review.operation);
  out.username = std::string(review.username);
  out.dry_run = review.dry_run;
  Effects effects;
  if (review.target) {
    out.evaluation = Evaluate(review, engine, options, scratch);
  } else {
    effects.notes.push_back("no object to evaluate for operation " + out.operation);
  }
  DescribeEffects(out.evaluation, options, &effects);
  bool allowed = !out.evaluation.denied();
  std::string status_message = std::move(effects.status_message);
  out.decision = ToString(out.evaluation.verdict);
  const std::vector<PackRef> packs = engine.packs();
  if (options.record) Record(review, packs, &effects, options, &out, &allowed, &status_message);
  out.body = WriteResponse(review, out, allowed, status_message, effects, packs);
  return out;
}

}  // namespace aimsgate::webhook
