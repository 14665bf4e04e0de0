// aimsgate_parse_only: reads and parses every .yaml/.yml/.json file under DIR
// with the evaluator's manifest loader, on N threads, and nothing else — the
// floor `aimsgate check` is compared with in bench/scan.
//
//   aimsgate_parse_only --jobs 2 /tmp/corpus    ->  "files 2000 bytes 7734123 seconds 0.212"
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "evaluator/manifest/manifest.h"

int main(int argc, char** argv) {
  int jobs = 1;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--jobs") && i + 1 < argc) jobs = std::atoi(argv[++i]);
    else dir = argv[i];
  }
  if (dir.empty() || jobs < 1) {
    std::fprintf(stderr, "usage: aimsgate_parse_only [--jobs N] DIR\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(e.path());
  }
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> bytes{0}, resources{0}, errors{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      std::ifstream f(files[i], std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      const std::string text = ss.str();
      aimsgate::manifest::LoadResult r = aimsgate::manifest::LoadBytes(text, files[i]);
      bytes += text.size();
      resources += r.resources.size();
      errors += r.errors.size();
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("files %zu bytes %llu resources %llu errors %llu seconds %.4f\n", files.size(),
              static_cast<unsigned long long>(bytes.load()), static_cast<unsigned long long>(resources.load()),
              static_cast<unsigned long long>(errors.load()), secs);
  return errors.load() == 0 ? 0 : 1;
}
