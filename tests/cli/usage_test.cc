// Usage errors: one value per option use, "did you mean" for flags and values.
#include "cli/usage.h"

#include <gtest/gtest.h>

namespace aimsgate::cli {
namespace {

TEST(OneValuePerUse, RepeatableOptionLeavesTheRestPositional) {
  CLI::App app;
  CLI::App* verify = app.add_subcommand("verify");
  std::vector<std::string> keys, files;
  verify->add_option("files", files);
  verify->add_option("--pubkey", keys);
  OneValuePerUse(&app);
  std::vector<std::string> args{"b.jsonl", "a.jsonl", "k.pub", "--pubkey", "verify"};  // reversed argv
  app.parse(args);
  EXPECT_EQ(keys, std::vector<std::string>{"k.pub"});
  EXPECT_EQ(files, (std::vector<std::string>{"a.jsonl", "b.jsonl"}));
}

TEST(OneValuePerUse, WithoutItCli11SwallowsTheFiles) {
  // The defect the helper exists for: keeps the test honest if CLI11 changes.
  CLI::App app;
  std::vector<std::string> keys, files;
  app.add_option("files", files);
  app.add_option("--pubkey", keys);
  std::vector<std::string> args{"b.jsonl", "a.jsonl", "k.pub", "--pubkey"};
  app.parse(args);
  EXPECT_EQ(keys.size(), 3u);
}

TEST(OneValuePerUse, RepeatedUseCollectsEveryValue) {
  CLI::App app;
  std::vector<std::string> rules;
  app.add_option("--rules", rules);
  OneValuePerUse(&app);
  std::vector<std::string> args{"b", "--rules", "a", "--rules"};
  app.parse(args);
  EXPECT_EQ(rules, (std::vector<std::string>{"a", "b"}));
}

TEST(DidYouMean, CloseAndFar) {
  std::vector<std::string> formats{"text", "json", "sarif", "junit", "github", "policyreport", "openreports"};
  EXPECT_EQ(DidYouMean("jsn", formats), " (did you mean 'json'?)");
  EXPECT_EQ(DidYouMean("sarf", formats), " (did you mean 'sarif'?)");
  EXPECT_EQ(DidYouMean("policy", formats), " (did you mean 'policyreport'?)");
  EXPECT_EQ(DidYouMean("yaml", formats), "");
  EXPECT_EQ(DidYouMean("x", {}), "");
}

TEST(UnknownValue, ListsTheValidOnes) {
  EXPECT_EQ(UnknownValue("format", "jsonn", {"text", "json"}),
            "unknown format 'jsonn' (did you mean 'json'?); valid: text, json");
  EXPECT_EQ(UnknownValue("format", "yaml", {"text", "json"}), "unknown format 'yaml'; valid: text, json");
}

TEST(SuggestFlags, FromTheParsedSubcommand) {
  CLI::App app;
  CLI::App* check = app.add_subcommand("check");
  std::string format;
  check->add_option("--format", format);
  check->add_flag("--allow-empty");
  check->allow_extras();
  std::vector<std::string> args{"--formt", "check"};
  app.parse(args);
  EXPECT_EQ(SuggestFlags(app, {"--formt", "--allow-emtpy=1", "--zzzzzz"}),
            "'--formt' (did you mean '--format'?)\n'--allow-emtpy' (did you mean '--allow-empty'?)\n");
}

}  // namespace
}  // namespace aimsgate::cli
