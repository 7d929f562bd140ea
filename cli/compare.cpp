// nlbsim compare A B: the same measures of two runs side by side (e.g. Figure 2 vs Figure 3).
// A and B are each a scenario (run now, without writing files), a report.json, or a directory
// holding one (an earlier `nlbsim run --out DIR`).
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/run.hpp"
#include "runner/run/summary.hpp"

namespace nlb::cli {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A report for one side: read back, or computed by running the scenario.
std::optional<run::Report> report_for(const std::string& arg, const std::vector<std::string>& set,
                                      const run::RunOptions& options, Context& ctx) {
  fs::path path = arg;
  std::error_code ec;
  if (fs::is_directory(path, ec)) path /= run::kReportFile;
  const auto text = read_text(path);
  if (!text) {
    ctx.err << path.string() << ": cannot read\n";
    return std::nullopt;
  }
  run::Report r;
  std::string error;
  if (run::report_from_json(*text, r, error)) return r;
  auto s = load_or_report({arg, set}, ctx);
  if (!s) return std::nullopt;
  run::RunResult result = run_loaded(*s, options, ctx);
  if (!result.report) return std::nullopt;
  return result.report;
}

}  // namespace

void add_compare_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string a, b;
    std::vector<std::string> set;
    std::optional<std::uint64_t> seed;
    std::string until;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("compare",
                                     "Print the measures of two runs side by side (each a scenario to run, a "
                                     "report.json or an output directory)");
  sub->add_option("A", args->a, "first scenario, report.json or output directory")->required();
  sub->add_option("B", args->b, "second scenario, report.json or output directory")->required();
  sub->add_option("--set", args->set, "override a parameter of the scenarios run, NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  add_seed_option(*sub, args->seed, "seed for the scenarios run (default: each scenario's)");
  sub->add_option("--until", args->until, "simulated time to run the scenarios for")->type_name("T");
  sub->footer("Exit status: 0 compared, 2 bad input.");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      run::RunOptions o;
      o.seed = args->seed;
      if (!args->until.empty()) {
        sim::Time t;
        if (!sim::parse_time(args->until, t) || t <= sim::Time::zero()) {
          ctx.err << "--until " << args->until << ": expected a positive time such as 30s\n";
          return static_cast<int>(kBadInput);
        }
        o.until = t;
      }
      auto a = report_for(args->a, args->set, o, ctx);
      if (!a) return static_cast<int>(kBadInput);
      auto b = report_for(args->b, args->set, o, ctx);
      if (!b) return static_cast<int>(kBadInput);
      // Two runs of one scenario (other seeds, other --set): name the columns by argument.
      if (a->scenario == b->scenario) {
        a->scenario = args->a;
        b->scenario = args->b;
      }
      ctx.out << run::compare_text(*a, *b);
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace nlb::cli
