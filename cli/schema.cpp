// nlbsim schema [-o FILE] [--markdown]: the JSON Schema of scenario files, generated from the
// loader's tables (scenarios/schema.json is this output; a test keeps them equal). --markdown
// gives the field reference of docs/scenario-format.md, kept equal the same way.
#include <memory>

#include "cli/command.hpp"
#include "runner/format.hpp"

namespace nlb::cli {

void add_schema_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string output;
    bool markdown = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of scenario files");
  sub->add_option("-o,--output", args->output, "write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  sub->add_flag("--markdown", args->markdown,
                "print the field reference of docs/scenario-format.md instead of the schema");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      std::string text =
          args->markdown ? runner::format_reference_markdown() : runner::scenario_schema().dump(2) + "\n";
      return emit_output(args->output, text, ctx);
    };
  });
}

}  // namespace nlb::cli
