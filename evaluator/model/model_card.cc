// Hugging Face model card reader: YAML front matter (yaml-cpp) and body sections.
// Field names follow huggingface/hub-docs modelcard.md: license, license_name,
// datasets, language, base_model, library_name, pipeline_tag, tags, model-index.
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/yaml_checked.h"
#include "evaluator/model/gpai.h"
#include "evaluator/model/markdown_sections.h"
#include "evaluator/model/metadata_util.h"
#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {
namespace {

constexpr size_t kMaxItems = 10000;  // per list, against hostile cards

std::string ScalarOf(const YAML::Node& n) {
  if (!n || !n.IsScalar()) return "";
  return TrimAscii(n.Scalar());
}

// A scalar or a sequence of scalars, as strings.
std::vector<std::string> ScalarOrList(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) {
    AddUnique(ScalarOf(n), &out);
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size() && i < kMaxItems; ++i) AddUnique(ScalarOf(n[i]), &out);
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// model-index: [{name, results: [{task, dataset: {name, type}, metrics: [{type, value, name}]}]}]
void ReadModelIndex(const YAML::Node& index, ModelMetadata* out) {
  if (!index || !index.IsSequence()) return;
  for (size_t i = 0; i < index.size() && i < kMaxItems; ++i) {
    const YAML::Node entry = index[i];
    if (!entry.IsMap()) continue;
    if (out->name.empty()) out->name = ScalarOf(entry["name"]);
    const YAML::Node results = entry["results"];
    if (!results || !results.IsSequence()) continue;
    for (size_t r = 0; r < results.size() && r < kMaxItems; ++r) {
      const YAML::Node result = results[r];
      if (!result.IsMap()) continue;
      std::string dataset;
      const YAML::Node ds = result["dataset"];
      if (ds && ds.IsMap()) {
        dataset = ScalarOf(ds["name"]);
        if (dataset.empty()) dataset = ScalarOf(ds["type"]);
      }
      const YAML::Node metrics = result["metrics"];
      if (!metrics || !metrics.IsSequence()) continue;
      for (size_t m = 0; m < metrics.size() && out->metrics.size() < kMaxItems; ++m) {
        const YAML::Node metric = metrics[m];
        if (!metric.IsMap()) continue;
        Metric mt;
        mt.type = ScalarOf(metric["type"]);
        mt.name = ScalarOf(metric["name"]);
        if (mt.name.empty()) mt.name = mt.type;
        if (mt.type.empty()) mt.type = mt.name;
        mt.dataset = dataset;
        if (mt.type.empty() || !ParseNumber(ScalarOf(metric["value"]), &mt.value)) continue;
        out->metrics.push_back(std::move(mt));
      }
    }
  }
}

void ReadFrontMatter(const YAML::Node& root, ModelMetadata* out) {
  std::vector<std::string> licenses = ScalarOrList(root["license"]);
  std::string license = licenses.empty() ? "" : licenses.front();
  // license: other + license_name: <id> names a licence outside the hub's list.
  if ((license.empty() || AsciiLower(license) == "other") && !ScalarOf(root["license_name"]).empty()) {
    license = ScalarOf(root["license_name"]);
  }
  out->license = license;
  for (const std::string& d : ScalarOrList(root["datasets"])) AddUnique(d, &out->datasets);
  for (const std::string& l : ScalarOrList(root["language"])) AddUnique(l, &out->languages);
  for (const std::string& t : ScalarOrList(root["tags"])) AddUnique(t, &out->tags);
  out->base_model = Join(ScalarOrList(root["base_model"]), ", ");
  out->task = ScalarOf(root["pipeline_tag"]);
  out->library = ScalarOf(root["library_name"]);
  out->version = ScalarOf(root["version"]);
  // co2_eq_emissions: a number (grams) or {emissions, source, training_type, hardware_used, ...}
  const YAML::Node co2 = root["co2_eq_emissions"];
  if (co2 && co2.IsScalar() && !ScalarOf(co2).empty()) {
    AddUnique("co2_eq_emissions: " + ScalarOf(co2) + " g", &out->societal_impact);
  } else if (co2 && co2.IsMap() && !ScalarOf(co2["emissions"]).empty()) {
    AddUnique("co2_eq_emissions: " + ScalarOf(co2["emissions"]) + " g", &out->societal_impact);
  }
  ReadModelIndex(root["model-index"], out);
  ReadGpaiFrontMatter(root, &out->gpai);
}

bool IsLine(std::string_view line, std::string_view marker) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  return line == marker;
}

void ReadBody(std::string_view body, ModelMetadata* out) {
  std::vector<std::string> uses;
  for (const MarkdownSection& s : ParseMarkdownSections(body)) {
    std::string title = AsciiLower(s.title);
    if (s.level == 1 && out->name.empty()) {
      constexpr std::string_view kPrefix = "model card for ";
      out->name = title.rfind(kPrefix, 0) == 0 ? TrimAscii(s.title.substr(kPrefix.size())) : s.title;
    }
    if (s.content.empty()) continue;
    if (title.find("limitation") != std::string::npos) AddUnique(s.content, &out->limitations);
    if (title.find("bias") != std::string::npos || title.find("ethic") != std::string::npos ||
        title.find("risk") != std::string::npos) {
      AddUnique(s.content, &out->ethical_considerations);
    }
    if (title.find("environmental impact") != std::string::npos ||
        title.find("societal impact") != std::string::npos) {
      AddUnique(s.content, &out->societal_impact);
    }
    if (title.find("preprocessing") != std::string::npos) AddUnique(s.content, &out->data_preparation);
    if (title == "uses" || title.find("intended use") != std::string::npos || title == "direct use") {
      AddUnique(s.content, &uses);
    }
  }
  // "Uses" already contains its "Direct Use" subsection: keep the first (outermost).
  if (!uses.empty()) out->intended_use = uses.front();
}

}  // namespace

bool ParseHuggingFaceModelCard(std::string_view text, const std::string& source, ModelMetadata* out,
                               std::vector<Diagnostic>* errors) {
  if (text.size() > kMaxInputBytes) {
    AddError(errors, source, 0, 0, "model card is larger than 16 MiB");
    return false;
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  ModelMetadata card;
  std::string_view body = text;
  size_t first_nl = text.find('\n');
  if (first_nl != std::string_view::npos && IsLine(text.substr(0, first_nl), "---")) {
    // Front matter: from line 2 up to a line "---" (or "...").
    size_t pos = first_nl + 1;
    size_t end = std::string_view::npos;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      if (IsLine(line, "---") || IsLine(line, "...")) {
        end = pos;
        body = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        break;
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    if (end == std::string_view::npos) {
      AddError(errors, source, 1, 1, "the YAML front matter opened by '---' is never closed by a '---' line");
      return false;
    }
    std::string yaml(text.substr(first_nl + 1, end - first_nl - 1));
    try {
      YAML::Node root = LoadYamlChecked(yaml, 1);  // the front matter starts on line 2
      if (root.IsMap()) {
        ReadFrontMatter(root, &card);
      } else if (!root.IsNull()) {
        AddError(errors, source, 2, 1, "the YAML front matter is not a mapping of metadata keys");
        return false;
      }
    } catch (const YAML::Exception& e) {
      int line = e.mark.is_null() ? 0 : e.mark.line + 2;  // +1 for 1-based, +1 for the '---' line
      int column = e.mark.is_null() ? 0 : e.mark.column + 1;
      AddError(errors, source, line, column, "malformed YAML front matter: " + e.msg);
      return false;
    } catch (const std::exception& e) {
      AddError(errors, source, 0, 0, std::string("cannot read the YAML front matter: ") + e.what());
      return false;
    }
  }
  ReadBody(body, &card);
  card.sources.push_back("huggingface-model-card");
  MergeModelMetadata(card, out);
  return true;
}

}  // namespace aimsgate::model
