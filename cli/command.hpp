#pragma once
// How the nlbsim command is put together: one file per subcommand, each with an add_*
// function that registers it on the CLI11 app (options, help text, the action to run).
// app.cpp lists them; adding `run`, `compare`, `sweep` or `explain` is a new file plus one
// line there.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runner/load.hpp"
#include "runner/sweep/ranks.hpp"

namespace nlb::cli {

// Exit codes of every subcommand.
enum ExitCode : int {
  kOk = 0,
  kExpectationFailed = 1,  // the run finished but an expectation did not hold
  kBadInput = 2,           // bad arguments, a scenario with errors, an output that cannot be written
};

// What the executable adds to the library: the nlbsim binary built with MPI gives `sweep` a
// way to its MPI ranks (nullptr when no MPI launcher started the process). Tests leave it out.
struct Environment {
  std::function<std::unique_ptr<sweep::Ranks>()> mpi_ranks;
};

struct Context {
  std::ostream& out;
  std::ostream& err;
  // Set by the chosen subcommand's callback; app.cpp runs it after parsing.
  std::function<int()> action;
  const Environment* env = nullptr;
};

// The scenario argument and --set overrides shared by every command that reads a scenario.
struct ScenarioArgs {
  std::string path;
  std::vector<std::string> set;  // NAME=VALUE
};
void add_scenario_args(CLI::App& sub, ScenarioArgs& args);

// --seed N: a decimal whole number that fits 64 bits. CLI11 alone would take "-1" as
// 18446744073709551615 and saturate 2^64 to the same value, running another seed than asked.
void add_seed_option(CLI::App& sub, std::optional<std::uint64_t>& seed, const std::string& help);

// Loads and validates; prints every diagnostic as FILE:POINTER: message on err. nullopt when
// the scenario has errors (the caller exits kBadInput).
std::optional<runner::Scenario> load_or_report(const ScenarioArgs& args, Context& ctx);

// Writes `content` to `path` atomically, or to out when path is "" or "-". Returns an exit code.
int emit_output(const std::string& path, const std::string& content, Context& ctx);

void add_validate_command(CLI::App& app, Context& ctx);
void add_graph_command(CLI::App& app, Context& ctx);
void add_addresses_command(CLI::App& app, Context& ctx);
void add_schema_command(CLI::App& app, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
void add_compare_command(CLI::App& app, Context& ctx);
void add_sweep_command(CLI::App& app, Context& ctx);
void add_explain_command(CLI::App& app, Context& ctx);
// nlbsim explain's output for one trace (`outage` 0: all); an exit code. Shared with run --explain.
int print_explanation(const std::filesystem::path& trace, bool json, int outage, Context& ctx);
void add_matrix_command(CLI::App& app, Context& ctx);

// The whole command line, for main() and for tests.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
            const Environment& env = {});

}  // namespace nlb::cli
