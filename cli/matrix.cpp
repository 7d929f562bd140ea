// nlbsim matrix SCENARIO: run the scenario under every single fault and every pair of faults at
// a grid of times, checking the invariants on every run (runner/check, docs/reliability.md).
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "runner/check/matrix.hpp"

namespace nlb::cli {

void add_matrix_command(CLI::App& app, Context& ctx) {
  struct Args {
    ScenarioArgs scenario;
    bool quick = false;
    bool singles_only = false;
    std::size_t sample = 1;
    unsigned jobs = 1;
    std::string json;
    std::vector<std::string> only;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "matrix",
      "Run a scenario under every single fault and pair of faults, checking the invariants on each run");
  add_scenario_args(*sub, args->scenario);
  sub->add_flag("--quick", args->quick,
                "the bounded form CI runs: single faults at one time, one pair run in 97 (a spread sample)");
  sub->add_flag("--singles-only", args->singles_only, "no pairs of faults");
  sub->add_option("--sample", args->sample, "run one pair of faults in N (a fixed, spread choice)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  sub->add_option("--only", args->only,
                  "only the faults whose name contains TEXT, e.g. lb1 or \"crash srv\" (repeatable)")
      ->type_name("TEXT");
  sub->add_option("--jobs,-j", args->jobs, "runs at once (threads)")
      ->type_name("N")
      ->check(CLI::Range(1u, 256u));
  sub->add_option("--json", args->json, "also write the totals and failures as JSON to FILE (- for stdout)")
      ->type_name("FILE");
  sub->footer("Exit status: 0 every invariant held on every run, 1 one did not (listed), 2 bad input.");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto s = load_or_report(args->scenario, ctx);
      if (!s) return static_cast<int>(kBadInput);
      check::MatrixConfig c;
      c.pairs = !args->singles_only;
      c.sample = args->sample;
      c.jobs = args->jobs;
      c.only = args->only;
      if (args->quick) {
        c.phases = {sim::Time::zero()};
        c.sample = std::max<std::size_t>(c.sample, 97);
      }
      const bool terminal = &ctx.err == &std::cerr && isatty(STDERR_FILENO);
      auto progress = [&ctx, terminal](std::size_t done, std::size_t total) {
        if (terminal)
          ctx.err << "\r  " << done << " / " << total << " runs" << (done == total ? "\n" : "") << std::flush;
      };
      const check::MatrixResult r = check::run_matrix(*s, c, progress);
      ctx.out << check::matrix_text(r);
      if (!args->json.empty()) {
        if (int rc = emit_output(args->json, check::matrix_json(r), ctx); rc != kOk) return rc;
      }
      return static_cast<int>(r.failed_runs == 0 ? kOk : kExpectationFailed);
    };
  });
}

}  // namespace nlb::cli
