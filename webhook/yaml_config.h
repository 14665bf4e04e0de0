// `serve --config FILE`: the same settings as the flags, as a YAML mapping; flags given on
// the command line win over the file.  (CLI11 2.1 reads config files for the root app
// only, so a subcommand applies its file itself, after parsing.)
//
//   serve->add_option("--config", config_path, "YAML file with the same settings as the flags");
//   ... after parsing:
//   std::string error;
//   if (!config_path.empty() && !ApplyYamlConfig(serve, config_path, &error)) { print error; exit 2; }
//
//   # serve.yaml
//   listen: ":8443"
//   tls-cert: /etc/aimsgate/tls/tls.crt
//   rules: [builtin:iso42001, /etc/aimsgate/packs]
//   insecure-http: false
//
// Keys are flag names without the leading "--"; values are scalars or lists of scalars.
// YamlConfig::from_config throws CLI::ConfigError (with the line) on a YAML error or a
// nested mapping; ApplyYamlConfig catches it and reports unknown keys and invalid values.
// Thread-safety: stateless.  Cost: one yaml-cpp parse at start-up.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace aimsgate::webhook {

class YamlConfig : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

// Sets every option of `app` named in the YAML file at `path` that was not given on the
// command line (validators and callbacks run as for a flag).  False with `error` set on an
// unreadable file, a YAML error, an unknown key or an invalid value.  Never throws.
bool ApplyYamlConfig(CLI::App* app, const std::string& path, std::string* error);

}  // namespace aimsgate::webhook
