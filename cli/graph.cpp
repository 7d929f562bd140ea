// nlbsim graph SCENARIO [-o FILE]: the topology as Graphviz DOT.
#include <memory>

#include "cli/command.hpp"
#include "runner/topology.hpp"

namespace nlb::cli {

void add_graph_command(CLI::App& app, Context& ctx) {
  struct Args {
    ScenarioArgs scenario;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("graph", "Write the topology as Graphviz DOT (render with: dot -Tsvg)");
  add_scenario_args(*sub, args->scenario);
  sub->add_option("-o,--output", args->output, "write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto s = load_or_report(args->scenario, ctx);
      if (!s) return static_cast<int>(kBadInput);
      return emit_output(args->output, runner::to_dot(*s), ctx);
    };
  });
}

}  // namespace nlb::cli
