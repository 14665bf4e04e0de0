// YAML::Load / LoadAll that also refuse a mapping with the same key twice, for every
// input read with yaml-cpp: rule packs, waivers, params, test suites, the SoA, the serve
// config, model cards' front matter and the model catalogue's verify.yaml.
//
//   YAML::Node root = LoadYamlChecked(text);      // throws YAML::ParserException at a repeat
//
// Why: YAML 1.2 forbids a repeated key, yet yaml-cpp keeps both and node[key] answers
// the first, while PyYAML (the Hugging Face Hub, most tooling) keeps the last.  A model
// card with `license: apache-2.0` and later `license: proprietary` would be read one way
// by aimsgate and shown the other way everywhere else.  The exception names the second
// key's position and the first one's line.
//
// Thread-safety: stateless.  Cost: one hash insert per mapping key, at most
// kMaxCheckedNodes nodes visited, aliases expanded (yaml-cpp shares aliased nodes: an
// alias bomb would make the walk exponential): a document past that is refused, as the
// converters to JSON refuse it, rather than left partly unchecked.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace aimsgate {

inline constexpr size_t kMaxCheckedNodes = 1000000;

// `line_offset`: lines before `text` in its file (a model card's front matter starts
// on line 2), added to the first key's line in the message; the exception's mark stays
// relative to `text`, as yaml-cpp's own are.
YAML::Node LoadYamlChecked(const std::string& text, int line_offset = 0);
std::vector<YAML::Node> LoadAllYamlChecked(const std::string& text);

}  // namespace aimsgate
