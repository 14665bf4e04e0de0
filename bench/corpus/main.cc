// aimsgate_corpus: writes the benchmark corpus (bench/corpus/corpus.h) to a
// directory, one manifest per file.
//
//   aimsgate_corpus --out /tmp/corpus --files 2000 --format yaml --seed 42
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "bench/corpus/corpus.h"

int main(int argc, char** argv) {
  std::string out;
  long files = 2000;
  std::string format = "yaml";
  aimsgate::bench::CorpusOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--out")) out = argv[i + 1];
    else if (!std::strcmp(argv[i], "--files")) files = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--format")) format = argv[i + 1];
    else if (!std::strcmp(argv[i], "--seed")) options.seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--violating-percent")) options.violating_percent = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (out.empty() || files <= 0 || (format != "yaml" && format != "json")) {
    std::fprintf(stderr, "usage: aimsgate_corpus --out DIR [--files N] [--format yaml|json] [--seed S]\n");
    return 2;
  }
  const auto fmt = format == "json" ? aimsgate::bench::Format::kJson : aimsgate::bench::Format::kYaml;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  uint64_t bytes = 0;
  for (long i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/m%06ld.%s", i, format.c_str());
    const std::string text = aimsgate::bench::GenerateManifest(options, static_cast<uint64_t>(i), fmt);
    std::ofstream f(out + name, std::ios::binary);
    f << text;
    if (!f) {
      std::fprintf(stderr, "%s%s: cannot write\n", out.c_str(), name);
      return 2;
    }
    bytes += text.size();
  }
  std::printf("%ld files, %llu bytes\n", files, static_cast<unsigned long long>(bytes));
  return 0;
}
