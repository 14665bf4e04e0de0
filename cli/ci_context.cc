#include "cli/ci_context.h"

#include <string_view>

namespace aimsgate::cli {
namespace {

std::string Env(const GetEnv& getenv, const char* name) {
  const char* v = getenv(name);
  return v ? std::string(v) : std::string();
}

void Set(CiContext* c, const char* key, std::string value) {
  if (!value.empty()) c->fields[key] = std::move(value);
}

}  // namespace

CiContext DetectCiContext(const GetEnv& getenv) {
  CiContext c;
  if (Env(getenv, "GITHUB_ACTIONS") == "true") {
    // https://docs.github.com/en/actions/learn-github-actions/variables#default-environment-variables
    c.fields["system"] = "github-actions";
    Set(&c, "actor", Env(getenv, "GITHUB_ACTOR"));
    Set(&c, "commit", Env(getenv, "GITHUB_SHA"));
    Set(&c, "ref", Env(getenv, "GITHUB_REF"));
    Set(&c, "repository", Env(getenv, "GITHUB_REPOSITORY"));
    std::string server = Env(getenv, "GITHUB_SERVER_URL"), run = Env(getenv, "GITHUB_RUN_ID");
    if (!server.empty() && !run.empty() && c.fields.count("repository")) {
      c.fields["pipeline"] = server + "/" + c.fields["repository"] + "/actions/runs/" + run;
    }
  } else if (Env(getenv, "GITLAB_CI") == "true") {
    // https://docs.gitlab.com/ee/ci/variables/predefined_variables.html
    c.fields["system"] = "gitlab-ci";
    Set(&c, "actor", Env(getenv, "GITLAB_USER_LOGIN"));
    Set(&c, "commit", Env(getenv, "CI_COMMIT_SHA"));
    Set(&c, "ref", Env(getenv, "CI_COMMIT_REF_NAME"));
    Set(&c, "repository", Env(getenv, "CI_PROJECT_PATH"));
    Set(&c, "pipeline", Env(getenv, "CI_PIPELINE_URL"));
  } else if (!Env(getenv, "JENKINS_URL").empty()) {
    // Jenkins core and the Git plugin; BUILD_USER_ID comes from the build-user-vars plugin.
    c.fields["system"] = "jenkins";
    std::string actor = Env(getenv, "BUILD_USER_ID");
    Set(&c, "actor", actor.empty() ? Env(getenv, "CHANGE_AUTHOR") : actor);
    Set(&c, "commit", Env(getenv, "GIT_COMMIT"));
    std::string ref = Env(getenv, "GIT_BRANCH");
    Set(&c, "ref", ref.empty() ? Env(getenv, "BRANCH_NAME") : ref);
    Set(&c, "repository", Env(getenv, "GIT_URL"));
    Set(&c, "pipeline", Env(getenv, "BUILD_URL"));
  }
  return c;
}

bool AddContextLabels(const std::vector<std::string>& pairs, CiContext* context, std::string* error) {
  for (const auto& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "--context-label '" + p + "': expected KEY=VALUE";
      return false;
    }
    context->labels[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return true;
}

}  // namespace aimsgate::cli
