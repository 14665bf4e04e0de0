// The 38 controls of ISO/IEC 42001:2023 Annex A with short paraphrased titles
// (docs/iso42001.md has the full map) and whether a rule can check them at
// deploy time: yes, partial (presence or reference only) or no (organisational).
#include "cli/iso_controls.h"

namespace aimsgate::cli {

const std::vector<IsoControl>& IsoControls() {
  static const std::vector<IsoControl> kControls{
      {"A.2.2", "AI policy", "no"},
      {"A.2.3", "Alignment with other organisational policies", "no"},
      {"A.2.4", "Review of the AI policy", "partial"},
      {"A.3.2", "AI roles and responsibilities", "yes"},
      {"A.3.3", "Reporting of concerns", "partial"},
      {"A.4.2", "Resource documentation", "yes"},
      {"A.4.3", "Data resources", "partial"},
      {"A.4.4", "Tooling resources", "partial"},
      {"A.4.5", "System and computing resources", "partial"},
      {"A.4.6", "Human resources", "no"},
      {"A.5.2", "AI system impact assessment process", "yes"},
      {"A.5.3", "Documentation of AI system impact assessments", "partial"},
      {"A.5.4", "Assessing impact on individuals or groups", "partial"},
      {"A.5.5", "Assessing societal impacts", "partial"},
      {"A.6.1.2", "Objectives for responsible development", "no"},
      {"A.6.1.3", "Processes for responsible design and development", "partial"},
      {"A.6.2.2", "AI system requirements and specification", "partial"},
      {"A.6.2.3", "Documentation of design and development", "partial"},
      {"A.6.2.4", "Verification and validation", "yes"},
      {"A.6.2.5", "AI system deployment", "yes"},
      {"A.6.2.6", "AI system operation and monitoring", "yes"},
      {"A.6.2.7", "AI system technical documentation", "yes"},
      {"A.6.2.8", "AI system recording of event logs", "yes"},
      {"A.7.2", "Data for development and enhancement", "partial"},
      {"A.7.3", "Acquisition of data", "partial"},
      {"A.7.4", "Quality of data", "partial"},
      {"A.7.5", "Data provenance", "yes"},
      {"A.7.6", "Data preparation", "partial"},
      {"A.8.2", "System documentation and information for users", "yes"},
      {"A.8.3", "External reporting", "no"},
      {"A.8.4", "Communication of incidents", "yes"},
      {"A.8.5", "Information for interested parties", "partial"},
      {"A.9.2", "Processes for responsible use", "partial"},
      {"A.9.3", "Objectives for responsible use", "no"},
      {"A.9.4", "Intended use of the AI system", "yes"},
      {"A.10.2", "Allocating responsibilities", "partial"},
      {"A.10.3", "Suppliers", "yes"},
      {"A.10.4", "Customers", "no"},
  };
  return kControls;
}

}  // namespace aimsgate::cli
