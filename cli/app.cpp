#include "cli/command.hpp"

#ifndef NLBSIM_VERSION
#define NLBSIM_VERSION "0.0.0"
#endif

namespace nlb::cli {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err, const Environment& env) {
  CLI::App app{
      "nlbsim: a discrete-event simulator of highly available, load-balanced server clusters "
      "(the IBM \"single public IP\" cluster and its prior art)",
      "nlbsim"};
  app.set_version_flag("--version", "nlbsim " NLBSIM_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 ok, 1 an expectation failed, 2 bad input (every error as FILE:POINTER: message).");

  Context ctx{out, err, {}, &env};
  // The subcommands, in the order --help lists them.
  add_run_command(app, ctx);
  add_validate_command(app, ctx);
  add_graph_command(app, ctx);
  add_addresses_command(app, ctx);
  add_schema_command(app, ctx);
  add_compare_command(app, ctx);
  add_sweep_command(app, ctx);
  add_explain_command(app, ctx);
  add_matrix_command(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return kBadInput;
  }
  return ctx.action ? ctx.action() : kBadInput;
}

}  // namespace nlb::cli
