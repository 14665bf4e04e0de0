// `serve --config FILE`: the same settings as the flags, as a YAML mapping, read by CLI11
// (flags given on the command line win over the file).
//
//   app->config_formatter(std::make_shared<YamlConfig>());
//   app->set_config("--config", "", "YAML file with the same settings as the flags");
//
//   # serve.yaml
//   listen: ":8443"
//   tls-cert: /etc/aimsgate/tls/tls.crt
//   rules: [builtin:iso42001, /etc/aimsgate/packs]
//   insecure-http: false
//
// Keys are flag names without the leading "--"; values are scalars or lists of scalars.
// A YAML error or a nested mapping is a CLI::ConfigError naming the file position.
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

}  // namespace aimsgate::webhook
