#pragma once
// What `nlbsim run` and `nlbsim compare` share: running a loaded scenario with progress on a
// terminal and an interrupt handler, its diagnostics printed on ctx.err.

#include "cli/command.hpp"
#include "runner/run/run.hpp"

namespace nlb::cli {

run::RunResult run_loaded(const runner::Scenario& s, run::RunOptions options, Context& ctx);

}  // namespace nlb::cli
