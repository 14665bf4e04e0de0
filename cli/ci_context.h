// Who and what ran `aimsgate check`: the CI context recorded in evidence
// (issue 19 item 12), from the standard environment of GitHub Actions, GitLab
// CI and Jenkins, plus `--context-label KEY=VALUE` pairs.
//
//   CiContext ci = DetectCiContext(std::getenv);
//   ci.fields;   // {"system": "github-actions", "actor": "octocat", "commit": "ab12…",
//                //  "ref": "refs/heads/main", "repository": "org/repo", "pipeline": "https://…/runs/42"}
//   std::string error;
//   if (!AddContextLabels({"ticket=CHG-1"}, &ci, &error)) ...  // "--context-label 'x': expected KEY=VALUE"
//
// Only variables the CI system documents are read; nothing is guessed. Outside
// CI the fields are empty (labels may still be given).
//
// Thread-safety: pure except for the `getenv` it is given.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace aimsgate::cli {

struct CiContext {
  std::map<std::string, std::string> fields;  // system, actor, commit, ref, repository, pipeline
  std::map<std::string, std::string> labels;  // --context-label
};

using GetEnv = std::function<const char*(const char*)>;
CiContext DetectCiContext(const GetEnv& getenv);

// Adds KEY=VALUE pairs; false with *error for a malformed one.
bool AddContextLabels(const std::vector<std::string>& pairs, CiContext* context, std::string* error);

}  // namespace aimsgate::cli
