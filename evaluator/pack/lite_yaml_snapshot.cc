// Build tool: reads a YAML file with ParseLiteYaml and writes the tree as
// WriteLiteTree's bytes, which embed_files.cmake compiles in beside the file
// (EmbeddedLiteTree, embedded_files.h).  A file the lite reader refuses gets an
// empty snapshot, and start-up reads that file as it did without one.
//
//   aimsgate_lite_yaml_snapshot rules/iso42001/pack.yaml build/.../pack.yaml.lite
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "evaluator/pack/lite_yaml.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: aimsgate_lite_yaml_snapshot IN.yaml OUT\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "aimsgate_lite_yaml_snapshot: cannot read %s\n", argv[1]);
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  aimsgate::LiteTree tree;
  const std::string snapshot = aimsgate::ParseLiteYaml(text, &tree) ? aimsgate::WriteLiteTree(tree) : std::string();
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << snapshot;
  out.close();
  if (!out) {
    std::fprintf(stderr, "aimsgate_lite_yaml_snapshot: cannot write %s\n", argv[2]);
    return 2;
  }
  return 0;
}
