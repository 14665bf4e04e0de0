// aimsgate_stream_read: reads manifests from a file or stdin and counts them,
// either streamed (manifest::Reader, one item at a time) or whole (the input
// read into memory, then manifest::LoadBytes): the manifest layer's share of
// `check -` on a cluster dump, for /usr/bin/time -v (bench/README.md).
//
//   bench/cluster/gen_list.py --count 300000 | aimsgate_stream_read -
//     -> "resources 300000 errors 0 bytes 229... seconds 2.1"
//   aimsgate_stream_read --whole /tmp/list.json      (LoadBytes, no size cap)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <string>

#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/stream.h"

int main(int argc, char** argv) {
  bool whole = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--whole")) whole = true;
    else path = argv[i];
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: aimsgate_stream_read [--whole] PATH|-\n");
    return 2;
  }
  namespace manifest = aimsgate::manifest;
  manifest::Limits limits;
  limits.max_file_bytes = std::numeric_limits<size_t>::max();  // no cap on the whole input
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t resources = 0, errors = 0, bytes = 0;
  if (whole) {
    std::string text;
    if (path == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(path, std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    manifest::LoadResult r = manifest::LoadBytes(text, path, limits);
    resources = r.resources.size();
    errors = r.errors.size();
    bytes = text.size();
  } else {
    aimsgate::Diagnostic error;
    auto reader = manifest::Reader::Open(path, limits, &error);
    if (!reader) {
      std::fprintf(stderr, "%s\n", error.ToString().c_str());
      return 2;
    }
    manifest::Resource res;
    for (;;) {
      manifest::ReadItem item = reader->Next(&res, &error);
      if (item == manifest::ReadItem::kEnd) break;
      if (item == manifest::ReadItem::kError) {
        if (++errors <= 5) std::fprintf(stderr, "%s\n", error.ToString().c_str());
      } else {
        ++resources;
      }
    }
    bytes = reader->bytes_read();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("resources %llu errors %llu bytes %llu seconds %.3f\n", static_cast<unsigned long long>(resources),
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(bytes), seconds);
  return errors == 0 ? 0 : 1;
}
