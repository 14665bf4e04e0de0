// Rule-pack loader limits: nesting depth and alias expansion of the pack YAML (yaml-cpp
// shares aliased nodes; the conversion to JSON must not multiply them without bound),
// and the size of the files read whole (packs, inventories, waivers, --config).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "evaluator/pack/engine.h"
#include "evaluator/pack/inputs.h"
#include "evaluator/pack/pack_loader.h"
#include "webhook/yaml_config.h"

namespace aimsgate {
namespace {

std::string Pack(const std::string& parameters) {
  return "apiVersion: aimsgate.io/v1alpha1\nkind: RulePack\nmetadata: {name: p, version: 1.0.0}\nspec:\n"
         "  parameters:\n" + parameters +
         "  rules:\n  - id: r\n    controls: [\"A.3.2\"]\n    severity: high\n    action: deny\n"
         "    match: {kinds: [\"v1/ConfigMap\"]}\n    assert: \"true\"\n    message: m\n";
}

std::string Laughs(int levels) {
  std::string s = "    l0: &l0 [x, x]\n";
  for (int i = 1; i <= levels; ++i) {
    std::string p = std::to_string(i - 1), n = std::to_string(i);
    s += "    l" + n + ": &l" + n + " [*l" + p + ", *l" + p + "]\n";
  }
  return s;
}

std::string Errors(const std::vector<Diagnostic>& diags) {
  std::string s;
  for (const auto& d : diags) s += d.ToString() + "\n";
  return s;
}

// Found by the robustness review: 28 levels of doubling aliases in `parameters` made
// `aimsgate lint` allocate 2^29 JSON nodes and die (SIGSEGV under a 4 GB limit).
TEST(PackLimits, BillionLaughsInPackParameters) {
  std::vector<Diagnostic> ok_diags;
  auto ok = LoadPackSpecs(SourceFile::FromString("ok.yaml", Pack(Laughs(10))), &ok_diags);  // 2^11 nodes
  EXPECT_FALSE(HasErrors(ok_diags)) << Errors(ok_diags);
  EXPECT_EQ(ok.size(), 1u);
  std::vector<Diagnostic> diags;
  auto packs = LoadPackSpecs(SourceFile::FromString("laughs.yaml", Pack(Laughs(28))), &diags);
  ASSERT_TRUE(HasErrors(diags));
  EXPECT_NE(Errors(diags).find("laughs.yaml:6:"), std::string::npos) << Errors(diags);
  EXPECT_NE(Errors(diags).find("alias expansion"), std::string::npos) << Errors(diags);
}

TEST(PackLimits, NestingDepthJustOver) {
  auto nested = [](int n) { return "    deep: " + std::string(n, '[') + "1" + std::string(n, ']') + "\n"; };
  int fits = 0;
  for (int n = 55; n <= 70; ++n) {
    std::vector<Diagnostic> diags;
    LoadPackSpecs(SourceFile::FromString("d.yaml", Pack(nested(n))), &diags);
    if (!HasErrors(diags)) fits = n; else break;
  }
  ASSERT_GE(fits, 55);
  ASSERT_LT(fits, 70);
  std::vector<Diagnostic> diags;
  LoadPackSpecs(SourceFile::FromString("d.yaml", Pack(nested(fits + 1))), &diags);
  ASSERT_TRUE(HasErrors(diags));
  EXPECT_NE(Errors(diags).find("nesting too deep"), std::string::npos) << Errors(diags);
  // Hostile depth: refused, no stack overflow (yaml-cpp's own depth guard or ours).
  std::vector<Diagnostic> hostile;
  LoadPackSpecs(SourceFile::FromString("h.yaml", Pack(nested(100000))), &hostile);
  EXPECT_TRUE(HasErrors(hostile));
}

// Found in review: a pack, inventory or waiver path naming an endless stream
// (/dev/zero, /dev/urandom, a pipe that goes on) was read into memory until the
// process died (1.5 GB in 8 s); the --config of serve likewise.  Each is read
// up to its bound (kernel::ReadWholeFile) and refused with the bound named.
TEST(PackLimits, AnEndlessInputFileIsAnErrorNotAllOfMemory) {
  std::vector<Diagnostic> diags;
  EXPECT_TRUE(LoadPackPaths({"/dev/zero"}, &diags).empty());
  EXPECT_EQ(Errors(diags), "/dev/zero: error: cannot read rule pack: larger than 64 MiB\n");
  diags.clear();
  EXPECT_EQ(LoadInventory("/dev/zero", &diags), nullptr);
  EXPECT_EQ(Errors(diags), "/dev/zero: error: cannot read inventory: larger than 64 MiB\n");
  diags.clear();
  EXPECT_EQ(LoadWaivers({"/dev/zero"}, &diags), nullptr);
  EXPECT_NE(Errors(diags).find("/dev/zero: error: cannot read waivers: larger than 64 MiB"), std::string::npos)
      << Errors(diags);
  CLI::App app;
  CLI::App* serve = app.add_subcommand("serve");
  app.parse(std::vector<std::string>{"serve"});
  std::string error;
  EXPECT_FALSE(webhook::ApplyYamlConfig(serve, "/dev/zero", &error));
  EXPECT_EQ(error, "/dev/zero: error: cannot read the --config file: larger than 1 MiB");
}

}  // namespace
}  // namespace aimsgate
