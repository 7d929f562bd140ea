#pragma once
// `nlbsim sweep GRID.json`: every variant of a grid, on local threads and, under mpirun, across
// MPI ranks, into one table of results (docs/sweep.md).
//
//   1. every rank reads the grid; rank 0 makes the output directory
//   2. the combinations are checked (the scenario loads and builds with those values), split
//      across ranks and threads, so a bad value stops the sweep before any run
//   3. the variants run, split round-robin across ranks, then threads; no files per variant
//   4. rank 0 gathers the rows, sorts them by variant and writes results.csv, results.json,
//      aggregate.csv and timing.csv, each complete or not at all
// After each step the ranks agree on whether to go on, so no rank waits for one that stopped.
// Rows depend only on the grid, the scenario and the seeds: the same for any --jobs and any
// number of ranks.

#include <atomic>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

#include "runner/sweep/ranks.hpp"

namespace nlb::sweep {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectationFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;

inline constexpr const char* kResultsCsv = "results.csv";
inline constexpr const char* kResultsJson = "results.json";
inline constexpr const char* kAggregateCsv = "aggregate.csv";
inline constexpr const char* kTimingCsv = "timing.csv";

struct SweepOptions {
  std::filesystem::path grid;
  std::filesystem::path out_dir;  // empty: out/<grid name>
  unsigned jobs = 1;              // threads per rank
  const std::atomic<bool>* interrupt = nullptr;
  // Rank 0's progress: the step ("checking", "running"), items done and the rank's total.
  std::function<void(const char* step, std::size_t done, std::size_t total)> progress;
  std::function<void()> progress_clear;
};

// Returns the exit code (the same on every rank): 0 every expectation of every variant held,
// 1 one did not, 2 a bad grid (errors as FILE:POINTER: message on err), an unwritable output or
// a variant that could not run, 130 interrupted (no output written). Only rank 0 writes to out.
int run_sweep(const SweepOptions& o, Ranks& ranks, std::ostream& out, std::ostream& err);

}  // namespace nlb::sweep
