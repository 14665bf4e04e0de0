// The compliance frameworks rules map to (iso42001, eu-ai-act, nist-ai-rmf):
// their controls with short titles, aimsgate's own one-line summaries, whether a
// deploy-time rule can evidence them and, for the EU AI Act, the date the
// obligation applies.  The catalogues are data (rules/frameworks/<id>.yaml)
// compiled into the binary; docs/frameworks.md describes the model.
//
//   const Framework* eu = FindFramework("eu-ai-act");
//   const FrameworkControl* c = eu->Find("Art. 26(6)");   // title, summary, applies_from
//
// Thread-safety: the catalogues are loaded once, then immutable.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace aimsgate {

struct FrameworkControl {
  std::string id;       // as the framework writes it: "A.6.2.4", "Art. 26(6)", "MEASURE 2.7"
  std::string group;    // "A.6 AI system life cycle", "Deployer obligations", "GOVERN (...)"
  std::string title;
  std::string summary;  // aimsgate's own words
  std::string check;    // rule | partial | organisational
  std::string why;      // for organisational controls: why no manifest can show it
  std::string applies_from;  // YYYY-MM-DD, or empty
};

struct Framework {
  std::string id;
  std::string title;
  std::string description;
  std::vector<FrameworkControl> controls;  // in the framework's own order

  const FrameworkControl* Find(const std::string& control_id) const;
};

// The built-in catalogues, in a fixed order (iso42001 first), parsed on first use.
const std::vector<Framework>& Frameworks();
const Framework* FindFramework(const std::string& id);
// Whether `id` names a built-in catalogue, without parsing any (pack loading
// checks every rule's framework ids; parsing the three catalogues cost a
// quarter of `check`'s start-up).
bool IsKnownFramework(const std::string& id);
// "iso42001, eu-ai-act, nist-ai-rmf" (for error messages).
std::string FrameworkIdList();

// The default framework of a rule's plain `controls:` list.
inline constexpr const char kDefaultFramework[] = "iso42001";

// Orders control ids the way people read them: A.3.2 before A.10.2, Art. 9
// before Art. 26(6), MAP 1.1 before MAP 1.10.
bool ControlIdLess(const std::string& a, const std::string& b);

}  // namespace aimsgate
