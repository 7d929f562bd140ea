// nlbsim explain RUN_DIR_OR_REPORT [--outage N] [--json]: the outages of a run and the chain of
// causes of each, read from the run's trace.jsonl (docs/failure-modes.md).
#include <filesystem>
#include <fstream>

#include "cli/command.hpp"
#include "runner/explain/explain.hpp"
#include "runner/run/run.hpp"

namespace nlb::cli {

namespace {

namespace fs = std::filesystem;

// The trace of a run given as its directory, its report.json or its trace.jsonl; "" with
// `error` set when the path is none of those.
fs::path trace_of(const fs::path& given, std::string& error) {
  std::error_code ec;
  if (!fs::exists(given, ec)) {
    error = given.string() + ": no such file or directory";
    return {};
  }
  fs::path dir = given;
  if (!fs::is_directory(given, ec)) {
    if (given.filename() == run::kTraceFile) return given;
    if (given.filename() != run::kReportFile) {
      error = given.string() + ": not a run directory, report.json or trace.jsonl";
      return {};
    }
    dir = given.parent_path().empty() ? fs::path(".") : given.parent_path();
  }
  const fs::path trace = dir / run::kTraceFile;
  if (fs::is_regular_file(trace, ec)) return trace;
  if (fs::exists(dir / run::kReportFile, ec))
    error = dir.string() + ": the run has no " + run::kTraceFile +
            ": run the scenario again with --trace (nlbsim explain reads the causes from the trace)";
  else
    error = dir.string() + ": not a run directory (no " + run::kReportFile + " or " + run::kTraceFile + ")";
  return {};
}

}  // namespace

int print_explanation(const std::filesystem::path& trace, bool json, int outage, Context& ctx) {
  std::ifstream in(trace, std::ios::binary);
  if (!in) {
    ctx.err << trace.string() << ": cannot open\n";
    return kBadInput;
  }
  std::string error;
  auto index = explain::read_trace(in, trace.string(), error);
  if (!index) {
    ctx.err << error << "\n";
    return kBadInput;
  }
  const explain::Explanation e = explain::explain(*index);
  std::optional<int> only;
  if (outage != 0) {
    if (outage < 1 || static_cast<std::size_t>(outage) > e.outages.size()) {
      ctx.err << "--outage " << outage << ": the run has " << e.outages.size() << " outage"
              << (e.outages.size() == 1 ? "" : "s") << "\n";
      return kBadInput;
    }
    only = outage;
  }
  ctx.out << (json ? explain::explanation_json(e, only) : explain::explanation_text(e, only));
  return kOk;
}

void add_explain_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string path;
    int outage = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "explain", "Tell the chain of causes of each outage of a run, from its trace (run with --trace)");
  sub->add_option("RUN", args->path, "a run's output directory, its report.json or its trace.jsonl")
      ->required();
  sub->add_option("--outage", args->outage, "only outage N (numbered from 1 in time order)")->type_name("N");
  sub->add_flag("--json", args->json, "print JSON instead of text");
  sub->footer(
      "An outage: a time when datagrams of the clients' flows are lost (not to random loss), a balancer "
      "hands "
      "open connections to another server, or connections break. Exit status: 0, or 2 for bad input (no run, "
      "no trace, a truncated trace, no such outage).");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      std::string error;
      const fs::path trace = trace_of(args->path, error);
      if (trace.empty()) {
        ctx.err << error << "\n";
        return static_cast<int>(kBadInput);
      }
      return print_explanation(trace, args->json, args->outage, ctx);
    };
  });
}

}  // namespace nlb::cli
