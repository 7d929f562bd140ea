#pragma once
// What `nlbsim run`, `nlbsim compare` and `nlbsim sweep` share: running a loaded scenario with
// progress on a terminal and an interrupt handler, its diagnostics printed on ctx.err.

#include <atomic>
#include <csignal>

#include "cli/command.hpp"
#include "runner/run/run.hpp"

namespace nlb::cli {

// SIGINT and SIGTERM set flag() while it lives (then the previous handlers come back), so a
// run stops between two slices of simulated time and removes its temporary files.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  const std::atomic<bool>& flag() const;

 private:
  void (*old_int_)(int) = SIG_DFL;
  void (*old_term_)(int) = SIG_DFL;
};

// Progress is for a person watching: stderr is the process's own and a terminal.
bool err_is_terminal(const Context& ctx);

// progress_lines: progress as whole lines on stderr even when it is not a terminal (run --progress).
run::RunResult run_loaded(const runner::Scenario& s, run::RunOptions options, Context& ctx,
                          bool progress_lines = false);

}  // namespace nlb::cli
