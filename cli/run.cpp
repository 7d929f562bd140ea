// nlbsim run SCENARIO [--out DIR] [--seed N] [--until T] [--pcap] [--trace]: run a scenario,
// show progress on a terminal, print the summary, write the outputs (docs/run.md).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/run.hpp"
#include "runner/check/invariants.hpp"
#include "runner/run/summary.hpp"

namespace nlb::cli {

namespace {

// The one piece of process-wide state: a signal handler can only reach a static. It asks the
// run to stop between two slices, so the outputs' temporary files are removed on the way out.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) { g_interrupted.store(true); }

// "\r  12.3s / 60s simulated   1234567 events   2.1M events/s" on a terminal, a few times a second;
// with `lines` (run --progress, for a program reading stderr such as nlbsim-gui) the same text
// as whole lines, the last one at the end time.
class Progress {
 public:
  Progress(std::ostream& err, bool lines) : err_(err), lines_(lines), start_(Clock::now()), last_(start_) {}
  void operator()(sim::Time now, sim::Time end, std::uint64_t events) {
    const auto t = Clock::now();
    if (t - last_ < std::chrono::milliseconds(200) && now < end) return;
    last_ = t;
    const double wall = std::chrono::duration<double>(t - start_).count();
    char line[160];
    std::snprintf(line, sizeof line,
                  "%s  %.1fs / %.1fs simulated   %llu events   %.2fM events/s   %.1fs wall%s",
                  lines_ ? "" : "\r", now.seconds(), end.seconds(), static_cast<unsigned long long>(events),
                  wall > 0 ? static_cast<double>(events) / wall / 1e6 : 0.0, wall, lines_ ? "\n" : " ");
    err_ << line << std::flush;
    shown_ = true;
  }
  void clear() {
    if (shown_ && !lines_) err_ << "\r\033[K" << std::flush;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  bool lines_;
  Clock::time_point start_, last_;
  bool shown_ = false;
};

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted.store(false);
  old_int_ = std::signal(SIGINT, on_interrupt);
  old_term_ = std::signal(SIGTERM, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, old_int_);
  std::signal(SIGTERM, old_term_);
}

const std::atomic<bool>& InterruptGuard::flag() const { return g_interrupted; }

bool err_is_terminal(const Context& ctx) { return &ctx.err == &std::cerr && isatty(STDERR_FILENO); }

// Shared with `compare`: runs a loaded scenario with the command line's options.
run::RunResult run_loaded(const runner::Scenario& s, run::RunOptions options, Context& ctx,
                          bool progress_lines) {
  // Progress for a person watching (stderr is the process's own and a terminal), or as lines
  // when asked for.
  const bool terminal = err_is_terminal(ctx);
  std::unique_ptr<Progress> progress;
  if (terminal || progress_lines) {
    progress = std::make_unique<Progress>(ctx.err, progress_lines);
    options.progress = [p = progress.get()](sim::Time now, sim::Time end, std::uint64_t events) {
      (*p)(now, end, events);
    };
  }
  InterruptGuard guard;
  options.interrupt = &guard.flag();
  run::RunResult r = run::run_scenario(s, options);
  if (progress) progress->clear();
  for (const auto& d : r.diagnostics) ctx.err << d.str() << "\n";
  if (!r.error.empty()) ctx.err << r.error << "\n";
  return r;
}

void add_run_command(CLI::App& app, Context& ctx) {
  struct Args {
    ScenarioArgs scenario;
    std::string out;
    std::optional<std::uint64_t> seed;
    std::string until;
    bool pcap = false;
    bool trace = false;
    bool explain = false;
    bool progress = false;
    bool check = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a scenario: print a summary, write report.json and metrics.csv (and a trace and captures)");
  add_scenario_args(*sub, args->scenario);
  sub->add_option("--out", args->out, "directory for the outputs (default: out/<scenario name>)")
      ->type_name("DIR");
  add_seed_option(*sub, args->seed, "seed of every random stream (default: the scenario's)");
  sub->add_option("--until", args->until,
                  "simulated time to run (default: the scenario's duration), e.g. 30s")
      ->type_name("T");
  sub->add_flag("--pcap", args->pcap, "write one pcap capture per LAN (<lan>.pcap)");
  sub->add_flag("--trace", args->trace, "write the JSON-lines event trace the GUI replays (trace.jsonl)");
  sub->add_flag("--explain", args->explain,
                "write the trace and end the summary with nlbsim explain's outages and their causes");
  sub->add_flag("--progress", args->progress,
                "print the progress (simulated time, events) to stderr as a line every 0.2 s of wall time, "
                "also when stderr is not a terminal (nlbsim-gui reads it)");
  sub->add_flag("--check", args->check,
                "check the invariants on the run (docs/reliability.md); a violation exits 1");
  sub->footer(
      "Exit status: 0 every expectation (and with --check every invariant) holds, 1 one does not (the "
      "summary names it, measured vs bound), "
      "2 bad input, 130 interrupted. Outputs appear only when the run completes; a real-time run "
      "(external nodes, docs/emulation.md) stopped by SIGINT/SIGTERM ends early and still writes them.");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      auto s = load_or_report(args->scenario, ctx);
      if (!s) return static_cast<int>(kBadInput);
      run::RunOptions o;
      o.out_dir =
          args->out.empty() ? std::filesystem::path("out") / s->name : std::filesystem::path(args->out);
      o.seed = args->seed;
      if (!args->until.empty()) {
        sim::Time t;
        if (!sim::parse_time(args->until, t) || t <= sim::Time::zero()) {
          ctx.err << "--until " << args->until << ": expected a positive time such as 30s or 1500ms\n";
          return static_cast<int>(kBadInput);
        }
        o.until = t;
      }
      o.pcap = args->pcap;
      o.trace = args->trace || args->explain;
      check::InvariantChecker checker;
      if (args->check) o.observers.push_back(&checker);
      run::RunResult r = run_loaded(*s, o, ctx, args->progress);
      if (!r.report) return r.exit_code;
      ctx.out << run::summary_text(*r.report);
      if (args->check) {
        const check::CheckResult& c = checker.result();
        ctx.out << "\nInvariants: " << c.total_checks() << " checks, " << c.total_failures() << " failed\n"
                << check::result_text(c);
        if (!c.ok() && r.exit_code == run::kExitOk) r.exit_code = run::kExitExpectationFailed;
      }
      if (!r.files.empty()) {
        ctx.out << "\nOutputs in " << o.out_dir.string() << ":";
        for (const auto& f : r.files) ctx.out << " " << f.filename().string();
        ctx.out << "\n";
      }
      if (args->explain && !r.files.empty()) {
        ctx.out << "\nOutages (nlbsim explain " << o.out_dir.string() << "):\n";
        const int code = print_explanation(o.out_dir / run::kTraceFile, false, 0, ctx);
        if (code != kOk) return code;
      }
      return r.exit_code;
    };
  });
}

}  // namespace nlb::cli
