#include "webhook/yaml_config.h"

#include <sstream>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/read_file.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate::webhook {

std::string YamlConfig::to_config(const CLI::App* app, bool default_also, bool, std::string) const {
  std::string out;
  for (const CLI::Option* opt : app->get_options()) {
    if (opt->get_lnames().empty() || !opt->get_configurable() || opt->get_lnames()[0] == "config") continue;
    std::vector<std::string> values = opt->reduced_results();
    if (values.empty() && default_also && !opt->get_default_str().empty()) values = {opt->get_default_str()};
    if (values.empty()) continue;
    YAML::Emitter e;
    e << YAML::Flow;
    if (values.size() == 1) {
      e << values[0];
    } else {
      e << YAML::BeginSeq;
      for (const auto& v : values) e << v;
      e << YAML::EndSeq;
    }
    out += opt->get_lnames()[0] + ": " + e.c_str() + "\n";
  }
  return out;
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  std::stringstream text;
  text << input.rdbuf();
  std::vector<CLI::ConfigItem> items;
  try {
    YAML::Node root = LoadYamlChecked(text.str());
    if (root.IsNull()) return items;
    if (!root.IsMap()) throw CLI::ConfigError("--config: the file must be a YAML mapping of flag: value");
    for (const auto& entry : root) {
      CLI::ConfigItem item;
      item.name = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      auto where = [&] {
        return "--config line " + std::to_string(value.Mark().line + 1) + ": '" + item.name + "'";
      };
      if (value.IsScalar()) {
        item.inputs.push_back(value.as<std::string>());
      } else if (value.IsSequence()) {
        for (const auto& v : value) {
          if (!v.IsScalar()) throw CLI::ConfigError(where() + ": list items must be scalars");
          item.inputs.push_back(v.as<std::string>());
        }
      } else if (value.IsNull()) {
        continue;
      } else {
        throw CLI::ConfigError(where() + ": expected a scalar or a list of scalars");
      }
      items.push_back(std::move(item));
    }
  } catch (const YAML::Exception& e) {
    throw CLI::ConfigError("--config: YAML error at line " + std::to_string(e.mark.line + 1) + " column " +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return items;
}

bool ApplyYamlConfig(CLI::App* app, const std::string& path, std::string* error) {
  std::string text, why;
  if (!kernel::ReadWholeFile(path, kernel::kMaxSmallFileBytes, &text, &why)) {
    *error = path + ": error: cannot read the --config file: " + why;
    return false;
  }
  std::istringstream in(text);
  try {
    for (const CLI::ConfigItem& item : YamlConfig().from_config(in)) {
      CLI::Option* opt = item.name == "config" ? nullptr : app->get_option_no_throw("--" + item.name);
      if (!opt) {
        *error = path + ": error: unknown setting '" + item.name + "' (keys are the flag names without --)";
        return false;
      }
      if (opt->count() > 0) continue;  // the command line wins
      opt->add_result(item.inputs);
      opt->run_callback();
    }
  } catch (const CLI::Error& e) {
    *error = path + ": error: " + e.what();
    return false;
  } catch (const std::exception& e) {
    *error = path + ": error: " + e.what();
    return false;
  }
  return true;
}

}  // namespace aimsgate::webhook
