#include "cli/usage.h"

#include <algorithm>

namespace aimsgate::cli {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

const CLI::App* DeepestParsed(const CLI::App* app) {
  for (const CLI::App* sub : app->get_subcommands()) {
    if (sub->parsed()) return DeepestParsed(sub);
  }
  return app;
}

}  // namespace

void OneValuePerUse(CLI::App* app) {
  for (CLI::Option* opt : app->get_options()) {
    if (!opt->get_positional() && opt->get_expected_max() != 0) opt->allow_extra_args(false);
  }
  for (CLI::App* sub : app->get_subcommands({})) OneValuePerUse(sub);
}

std::string DidYouMean(const std::string& got, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    size_t d = EditDistance(got, c);
    if (d < best_distance) best_distance = d, best = c;
  }
  if (best.empty()) return "";
  size_t allowed = std::max<size_t>(1, got.size() / 3);
  bool prefix = got.size() >= 2 && best.compare(0, got.size(), got) == 0;
  if (best_distance > allowed && !prefix) {
    // A prefix of some candidate ("--form" for "--format") is also a fair guess.
    for (const auto& c : candidates) {
      if (got.size() >= 3 && c.compare(0, got.size(), got) == 0) return " (did you mean '" + c + "'?)";
    }
    return "";
  }
  return " (did you mean '" + best + "'?)";
}

std::string UnknownValue(const std::string& what, const std::string& got, const std::vector<std::string>& valid) {
  std::string out = "unknown " + what + " '" + got + "'" + DidYouMean(got, valid) + "; valid: ";
  for (size_t i = 0; i < valid.size(); ++i) out += (i ? ", " : "") + valid[i];
  return out;
}

std::string SuggestFlags(const CLI::App& root, const std::vector<std::string>& extras) {
  const CLI::App* app = DeepestParsed(&root);
  std::vector<std::string> names;
  for (const CLI::Option* opt : app->get_options()) {
    for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    for (const auto& n : opt->get_snames()) names.push_back("-" + n);
  }
  std::vector<std::string> subcommands;
  for (const CLI::App* sub : app->get_subcommands({})) subcommands.push_back(sub->get_name());
  std::string out;
  for (const auto& extra : extras) {
    std::string word = extra.substr(0, extra.find('='));
    std::string hint = DidYouMean(word, word.compare(0, 1, "-") == 0 ? names : subcommands);
    if (!hint.empty()) out += "'" + word + "'" + hint + "\n";
  }
  return out;
}

}  // namespace aimsgate::cli
