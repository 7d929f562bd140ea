// nlbsim sweep GRID [--out DIR] [--jobs N]: every variant of a grid of scenario parameters and
// seeds, into one table of results (docs/sweep.md). Under mpirun the grid is split across the
// MPI ranks and rank 0 writes the same files.
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/run.hpp"
#include "runner/sweep/sweep.hpp"

namespace nlb::cli {

namespace {

// "\r  running 12/48 variants   3.2s wall" on a terminal, a few times a second.
class SweepProgress {
 public:
  explicit SweepProgress(std::ostream& err) : err_(err), start_(Clock::now()) {}
  void show(const char* step, std::size_t done, std::size_t total) {
    const double wall = std::chrono::duration<double>(Clock::now() - start_).count();
    char line[128];
    std::snprintf(line, sizeof line, "\r  %s %zu/%zu %s   %.1fs wall ", step, done, total,
                  step[0] == 'c' ? "combinations" : "variants", wall);
    err_ << line << std::flush;
    shown_ = true;
  }
  void clear() {
    if (shown_) err_ << "\r\033[K" << std::flush;
    shown_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& err_;
  Clock::time_point start_;
  bool shown_ = false;
};

}  // namespace

void add_sweep_command(CLI::App& app, Context& ctx) {
  struct Args {
    std::string grid;
    std::string out;
    unsigned jobs = 1;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "sweep",
      "Run every variant of a grid (scenario parameters x seeds): results.csv, results.json, aggregate.csv");
  sub->add_option("GRID", args->grid, "grid file (JSON): a scenario, parameter axes and seeds")->required();
  sub->add_option("--out", args->out, "directory for the results (default: out/<grid name>)")
      ->type_name("DIR");
  sub->add_option("--jobs,-j", args->jobs, "variants run at once on this machine (per MPI rank under mpirun)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1024u));
  sub->footer(
      "Under `mpirun -np K` the grid is split across the K ranks; rank 0 writes the results, which are "
      "the same as a local run's.\nExit status: 0 every expectation of every variant holds, 1 one does not, "
      "2 bad grid (errors as FILE:POINTER: message) or a variant that cannot run, 130 interrupted. "
      "The results appear only when every variant has run.");
  sub->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      std::unique_ptr<sweep::Ranks> ranks;
      if (ctx.env && ctx.env->mpi_ranks) ranks = ctx.env->mpi_ranks();
      if (!ranks) ranks = std::make_unique<sweep::LocalRanks>();

      InterruptGuard guard;
      sweep::SweepOptions o;
      o.grid = args->grid;
      o.out_dir = args->out;
      o.jobs = args->jobs;
      o.interrupt = &guard.flag();
      std::unique_ptr<SweepProgress> progress;
      if (ranks->rank() == 0 && err_is_terminal(ctx)) {
        progress = std::make_unique<SweepProgress>(ctx.err);
        o.progress = [p = progress.get()](const char* step, std::size_t done, std::size_t total) {
          p->show(step, done, total);
        };
        o.progress_clear = [p = progress.get()] { p->clear(); };
      }
      return sweep::run_sweep(o, *ranks, ctx.out, ctx.err);
    };
  });
}

}  // namespace nlb::cli
