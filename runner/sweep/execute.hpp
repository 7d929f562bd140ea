#pragma once
// Running a rank's share of a grid on local threads. Every variant is a separate
// sim::Simulation built from its own loaded scenario; the models keep no state outside it
// (no statics, DESIGN.md), so a variant's row is the same whichever thread runs it, in
// whatever order, next to whatever else.

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "runner/sweep/results.hpp"
#include "runner/sweep/variant.hpp"

namespace nlb::sweep {

struct ExecOptions {
  unsigned jobs = 1;
  const std::atomic<bool>* interrupt = nullptr;  // set: no new item starts, running ones stop
  // Called on the calling thread a few times a second and once at the end: items done so far.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

// Calls fn(k) for each k in [0, n) on up to `jobs` threads (1: the calling thread alone).
// Returns false if it stopped early on an interrupt.
bool parallel_for(std::size_t n, const ExecOptions& o, const std::function<void(std::size_t)>& fn);

struct Outcome {
  Row row;
  double wall_s = 0;         // this variant's wall time (timing.csv, never results.csv)
  bool interrupted = false;  // the run stopped before its end: no row to report
};

// Runs the variants (grid indices) and returns their outcomes in the same order.
std::vector<Outcome> run_variants(const Grid& g, std::span<const std::size_t> variants, const ExecOptions& o);
Outcome run_variant(const Grid& g, std::size_t variant, const std::atomic<bool>* interrupt);

// check_combination for each of `combinations`; the errors in the order of the combinations.
std::vector<std::pair<std::size_t, CombinationError>> check_combinations(
    const Grid& g, std::span<const std::size_t> combinations, const ExecOptions& o);

}  // namespace nlb::sweep
