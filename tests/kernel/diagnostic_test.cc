#include "evaluator/kernel/diagnostic.h"

#include <gtest/gtest.h>

namespace aimsgate {
namespace {

TEST(Diagnostic, ReadsAsSourceLineColumnAndMessage) {
  EXPECT_EQ((Diagnostic{"rules/p.yaml", 19, 12, "undeclared reference to 'objct'"}).ToString(),
            "rules/p.yaml:19:12: error: undeclared reference to 'objct'");
  EXPECT_EQ((Diagnostic{"--param KEY", 0, 0, "expected KEY=VALUE"}).ToString(), "--param KEY: expected KEY=VALUE");
  auto file = SourceFile::FromString("p.yaml", "a: 1\nb:\t[x\n");
  EXPECT_EQ((Diagnostic{"p.yaml", 2, 5, "unclosed"}).ToString(file.get()), "p.yaml:2:5: error: unclosed\n | b:\t[x\n | ..\t.^");
}

// A file name, a key quoted in the message, the file's own line: none starts a line of
// its own (a CI runner would read "::error::" there as a command) or reaches the terminal raw.
TEST(Diagnostic, InputsCannotStartALineOrDriveTheTerminal) {
  Diagnostic d{"a\n::error file=x::forged.yaml", 1, 3, "unknown key 'k\n::warning::x\x1b[2J'"};
  EXPECT_EQ(d.ToString(), "a\\n::error file=x::forged.yaml:1:3: error: unknown key 'k\\n::warning::x\\x1b[2J'");
  auto file = SourceFile::FromString("f", "k\x1b[2J: \x07v\r\n");
  EXPECT_EQ((Diagnostic{"f", 1, 7, "bad"}).ToString(file.get()),
            "f:1:7: error: bad\n | k\xEF\xBF\xBD[2J: \xEF\xBF\xBDv\n | ......^");
}

}  // namespace
}  // namespace aimsgate
