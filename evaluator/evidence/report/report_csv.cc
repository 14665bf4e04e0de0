#include <string>

#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/report/report.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {
namespace {

void Cell(std::string_view v, std::ostream& out, bool last = false) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
  bool quote = s.find_first_of(",\"\r\n") != std::string::npos;
  if (quote) {
    out << '"';
    for (char c : s) {
      if (c == '"') out << '"';
      out << c;
    }
    out << '"';
  } else {
    out << s;
  }
  out << (last ? "\r\n" : ",");
}

}  // namespace

void WriteCsvHeader(std::ostream& out) {
  out << "time,seq,file,verified,source,decision,apiVersion,kind,namespace,name,systemId,owner,riskTier,"
         "rule,controls,severity,action,result,message,waiver,waiverExpires,"
         "waiverApprovedBy,actor,operation,commit\r\n";
}

void WriteCsvRows(const aimsgate::JsonValue& rec, const std::string& file, bool verified,
                  std::ostream& out) {
  auto results = rec.FindMember("results");
  if (results == rec.MemberEnd() || !results->value.IsArray()) return;
  static const aimsgate::JsonValue kEmpty(rapidjson::kObjectType);
  auto res_it = rec.FindMember("resource");
  const aimsgate::JsonValue& res = res_it != rec.MemberEnd() ? res_it->value : kEmpty;
  auto seq = rec.FindMember("seq");
  std::string seq_text =
      seq != rec.MemberEnd() && seq->value.IsUint64() ? std::to_string(seq->value.GetUint64()) : "";
  for (const auto& r : results->value.GetArray()) {
    Cell(GetString(rec, "time"), out);
    Cell(seq_text, out);
    Cell(file, out);
    Cell(verified ? "true" : "false", out);
    Cell(GetString(rec, "source"), out);
    Cell(GetString(rec, "decision"), out);
    Cell(GetString(res, "apiVersion"), out);
    Cell(GetString(res, "kind"), out);
    Cell(GetString(res, "namespace"), out);
    Cell(GetString(res, "name"), out);
    Cell(GetString(res, "systemId"), out);
    Cell(GetString(res, "owner"), out);
    Cell(GetString(res, "riskTier"), out);
    Cell(GetString(r, "rule"), out);
    std::string controls;
    auto c = r.FindMember("controls");
    if (c != r.MemberEnd() && c->value.IsArray()) {
      for (const auto& v : c->value.GetArray()) {
        if (!v.IsString()) continue;
        if (!controls.empty()) controls += ";";
        controls += v.GetString();
      }
    }
    Cell(controls, out);
    Cell(GetString(r, "severity"), out);
    Cell(GetString(r, "action"), out);
    Cell(GetString(r, "result"), out);
    Cell(GetString(r, "message"), out);
    auto w = r.FindMember("waiver");
    const aimsgate::JsonValue& waiver = w != r.MemberEnd() ? w->value : kEmpty;
    Cell(GetString(waiver, "name"), out);
    Cell(GetString(waiver, "expires"), out);
    Cell(GetString(waiver, "approvedBy"), out);
    Cell(ActorOf(rec), out);
    Cell(OperationOf(rec), out);
    Cell(CommitOf(rec), out, /*last=*/true);
  }
}

}  // namespace aimsgate::evidence
