#pragma once
// One run of a scenario, from validated structs to its outputs (docs/run.md):
//   build the network (runner/run/build), schedule the timeline, attach the measures (always)
//   and the sinks that were asked for, boot, run to the end in slices (progress, interrupt),
//   compute the report and evaluate the expectations, then write the outputs.
//
// Outputs (docs/trace-format.md) go to `out_dir`: report.json and metrics.csv always,
// trace.jsonl with `trace`, <lan>.pcap per LAN with `pcap`. Each is written under a temporary
// name and renamed only once the run has finished and everything is written, so a run that
// fails or is interrupted leaves no output file at all (and an earlier run's files untouched).
//
// Exit codes: 0 every expectation holds, 1 one does not (the report says which), 2 bad input
// (a builder error, an output that cannot be written), 130 interrupted.
//
// A real-time run (a `realtime` block, or external nodes: docs/emulation.md) is paced to the
// wall clock by a sim::RealtimePacer and cannot be replayed, so an interrupt ends it early with
// its outputs written (exit 0 or 1 as for a full run); an event that lags past `max_lag` ends it
// too, and then it fails (exit 1: its timings are not valid). The report gives the lag.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/diagnostics.hpp"
#include "runner/run/report.hpp"
#include "runner/scenario.hpp"

namespace nlb::run {

inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectationFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

struct Built;
class Timeline;

// What an observer of a run sees of it.
struct RunView {
  sim::Simulation& sim;
  const runner::Scenario& scenario;  // as run (the seed and end applied)
  const Built& built;
  const Timeline& timeline;
  sim::Time end;
};

// Something that watches a run from the inside, as the measures do: the invariant checker
// (runner/check). attach() comes once the network is built and the timeline scheduled, before
// any node boots, so that it subscribes to the trace bus before the first event; finish() once
// the run reached its end, before the report. An observer only subscribes and reads: it adds
// no event to the queue, so a run watched or not executes the same events.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void attach(const RunView& run) = 0;
  virtual void finish(const RunView& run) = 0;
};

struct RunOptions {
  std::filesystem::path out_dir;  // empty: no files
  std::optional<std::uint64_t> seed;
  std::optional<sim::Time> until;  // instead of the scenario's duration
  bool pcap = false;
  bool trace = false;
  sim::Time slice = sim::Time::ms(10);  // simulated time between progress calls
  // Called after each slice: simulated now, the end, events executed so far.
  std::function<void(sim::Time now, sim::Time end, std::uint64_t events)> progress;
  const std::atomic<bool>* interrupt = nullptr;  // set (by a signal handler) to stop the run
  std::vector<RunObserver*> observers;           // not owned; they outlive the run
};

struct RunResult {
  int exit_code = kExitOk;
  runner::Diagnostics diagnostics;  // what the builder found wrong or not supported
  std::string error;                // an output that could not be written
  std::optional<Report> report;
  std::vector<std::filesystem::path> files;  // outputs written, in the order written
  std::uint64_t events = 0;
  std::uint64_t trace_lines = 0;
};

RunResult run_scenario(runner::Scenario scenario, const RunOptions& options = {});

// The names of the run's outputs in out_dir.
inline constexpr const char* kReportFile = "report.json";
inline constexpr const char* kMetricsFile = "metrics.csv";
inline constexpr const char* kTraceFile = "trace.jsonl";

}  // namespace nlb::run
