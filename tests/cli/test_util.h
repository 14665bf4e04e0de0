// Helpers for cli_tests: temporary directory trees and the fixture engine.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/scan.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::cli::testing {

inline std::string Fixtures() { return AIMSGATE_CLI_FIXTURES; }

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aimsgate-cli-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    path_ = mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  // Writes `content` to `rel`, creating parent directories.
  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void Symlink(const std::string& target, const std::string& rel) const {
    std::filesystem::path p = std::filesystem::path(path_) / rel;
    std::filesystem::create_directories(p.parent_path());
    ASSERT_EQ(symlink(target.c_str(), p.c_str()), 0) << rel;
  }

 private:
  std::string path_;
};

// Runs with the working directory set to `dir`, restored afterwards.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::string& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedCwd() { std::filesystem::current_path(old_); }

 private:
  std::filesystem::path old_;
};

// The fixture pack (tests/cli/fixtures/pack) with the fixture waiver.
inline std::shared_ptr<const Engine> FixtureEngine() {
  EngineOptions o;
  o.rule_paths = {Fixtures() + "/pack"};
  o.waiver_paths = {Fixtures() + "/waivers.yaml"};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  for (const auto& d : diags) ADD_FAILURE() << d.message;
  return engine;
}

inline int64_t FixedNow() {
  int64_t now = 0;
  ParseRfc3339("2026-06-01T00:00:00Z", &now);
  return now;
}

// Scans `paths` relative to the fixtures directory with the fixture engine.
inline CollectedScan ScanFixtures(const Engine& engine, const std::vector<std::string>& paths, int jobs = 1) {
  ScopedCwd cwd(Fixtures());
  ScanOptions o;
  o.paths = paths;
  o.jobs = jobs;
  o.now_unix = FixedNow();
  return ScanAll(engine, o);
}

}  // namespace aimsgate::cli::testing
