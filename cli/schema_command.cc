// aimsgate schema KIND: prints the JSON Schema (draft 2020-12) of a document
// kind for editors and CI validators (cli/schemas.h, docs/rule-packs.md).
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/schemas.h"

namespace aimsgate::cli {

void AddSchemaCommand(CLI::App& root, CommandList* commands) {
  auto kind = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of a document kind");
  app->add_option("kind", *kind, "rulepack, rulepacktest, inventory, waiver or applicability")
      ->required()
      ->check(CLI::IsMember(SchemaKinds()));
  commands->push_back({app, [kind] {
                         std::cout << SchemaFor(*kind);
                         return 0;
                       }});
}

}  // namespace aimsgate::cli
