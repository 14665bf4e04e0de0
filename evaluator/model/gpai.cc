// model.gpai: general-purpose model references from model cards and BOMs (gpai.h).
#include "evaluator/model/gpai.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/kernel/json.h"
#include "evaluator/model/markdown_sections.h"
#include "evaluator/model/metadata_util.h"

namespace aimsgate::model {
namespace {

struct Field {
  const char* card_key;  // front matter, under gpai:
  const char* bom_key;   // property aimsgate:gpai:<bom_key>
  const char* json_key;  // model.gpai.<json_key>
  std::string GpaiReferences::*member;
};

const Field kFields[] = {
    {"technical_documentation", "technical-documentation", "technicalDocumentation", &GpaiReferences::technical_documentation},
    {"downstream_information", "downstream-information", "downstreamInformation", &GpaiReferences::downstream_information},
    {"copyright_policy", "copyright-policy", "copyrightPolicy", &GpaiReferences::copyright_policy},
    {"training_data_summary", "training-data-summary", "trainingDataSummary", &GpaiReferences::training_data_summary},
    {"evaluation", "evaluation", "evaluation", &GpaiReferences::evaluation},
    {"incident_reporting", "incident-reporting", "incidentReporting", &GpaiReferences::incident_reporting},
    {"cybersecurity", "cybersecurity", "cybersecurity", &GpaiReferences::cybersecurity},
};

bool IsTrue(const std::string& v) { return AsciiLower(v) == "true" || AsciiLower(v) == "yes"; }

// A stated compute: a finite, non-negative number ("3.2e25", 1e25); -1 otherwise.
double Flop(const std::string& v) {
  double d = 0;
  return ParseNumber(v, &d) && d >= 0 ? d : -1;
}

}  // namespace

void ReadGpaiFrontMatter(const YAML::Node& root, GpaiReferences* out) {
  const YAML::Node g = root["gpai"];
  if (!g || !g.IsMap()) return;
  auto scalar = [&](const char* key) {
    const YAML::Node n = g[key];
    return n && n.IsScalar() ? TrimAscii(n.Scalar()) : std::string();
  };
  out->general_purpose = IsTrue(scalar("general_purpose"));
  for (const Field& f : kFields) out->*f.member = scalar(f.card_key);
  out->training_compute_flop = Flop(scalar("training_compute_flop"));
}

void ReadGpaiComponent(const aimsgate::JsonValue& component, GpaiReferences* out) {
  if (!component.IsObject()) return;
  auto str = [](const aimsgate::JsonValue& v, const char* key) {
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? TrimAscii(std::string_view(it->value.GetString(), it->value.GetStringLength()))
                                                       : std::string();
  };
  auto props = component.FindMember("properties");
  if (props != component.MemberEnd() && props->value.IsArray()) {
    constexpr std::string_view kPrefix = "aimsgate:gpai:";
    for (const auto& p : props->value.GetArray()) {
      const std::string name = str(p, "name");
      if (name.rfind(kPrefix, 0) != 0) continue;
      const std::string key = name.substr(kPrefix.size()), value = str(p, "value");
      if (key == "general-purpose") out->general_purpose = IsTrue(value);
      if (key == "training-compute-flop") out->training_compute_flop = Flop(value);
      for (const Field& f : kFields) {
        if (key == f.bom_key && (out->*f.member).empty()) out->*f.member = value;
      }
    }
  }
  auto refs = component.FindMember("externalReferences");
  if (out->technical_documentation.empty() && refs != component.MemberEnd() && refs->value.IsArray()) {
    for (const auto& r : refs->value.GetArray()) {
      if (str(r, "type") == "documentation" && !str(r, "url").empty()) {
        out->technical_documentation = str(r, "url");
        break;
      }
    }
  }
}

void MergeGpai(const GpaiReferences& from, GpaiReferences* into) {
  into->general_purpose = into->general_purpose || from.general_purpose;
  for (const Field& f : kFields) {
    if ((into->*f.member).empty()) into->*f.member = from.*f.member;
  }
  if (into->training_compute_flop < 0) into->training_compute_flop = from.training_compute_flop;
}

aimsgate::JsonValue GpaiToJson(const GpaiReferences& g, aimsgate::JsonPool& a) {
  aimsgate::JsonValue out(rapidjson::kObjectType);
  out.AddMember("generalPurpose", g.general_purpose, a);
  for (const Field& f : kFields) {
    const std::string& s = g.*f.member;
    out.AddMember(rapidjson::StringRef(f.json_key), aimsgate::JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), a), a);
  }
  out.AddMember("trainingComputeFlop", g.training_compute_flop, a);
  return out;
}

}  // namespace aimsgate::model
