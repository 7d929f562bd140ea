// nlbsim schema [-o FILE]: the JSON Schema of scenario files, generated from the loader's
// tables (scenarios/schema.json is this output; a test keeps them equal).
#include <memory>

#include "cli/command.hpp"
#include "runner/format.hpp"

namespace nlb::cli {

void add_schema_command(CLI::App& app, Context& ctx) {
  auto output = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of scenario files");
  sub->add_option("-o,--output", *output, "write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  sub->callback([&ctx, output] {
    ctx.action = [&ctx, output] {
      return emit_output(*output, runner::scenario_schema().dump(2) + "\n", ctx);
    };
  });
}

}  // namespace nlb::cli
