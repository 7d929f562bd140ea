#pragma once
// The fault matrix (issue #7): a scenario run under every single fault and every pair of faults
// at a grid of times, each run to its end with the invariant checker (invariants.hpp) on.
//
// The faults, from the scenario's own nodes (docs/reliability.md):
//   crash         every node but the clients, and the first client (the clients are alike)
//   graceful-stop the same nodes, but for the Internet router (it has no protocol to stop)
//   link-down     every interface of those nodes
//   heartbeat-loss every balancer pair (all heartbeat paths, both ways)
// Each lasts `lasts` and is then undone (recover, start, link-up, heartbeats restored), so a run
// sees a failure and a recovery. A run replaces the scenario's timeline and expectations with
// its faults, and stops the traffic `drain` before the end so that connections can finish.
//
// Runs: every single fault at `first` + each of `phases` (the heartbeat and VRRP timers run in
// 0.5 s and 1 s cycles: where a fault falls in them matters), and every ordered pair (a, b) of
// distinct faults with b at `first` + each of `offsets` (offset 0: unordered, both at once).
// `sample` keeps one pair run in every `sample` (deterministically), for CI.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/check/invariants.hpp"
#include "runner/scenario.hpp"

namespace nlb::check {

struct MatrixFault {
  std::string name;  // "crash lb1", "link-down fw1/eth1", "heartbeat-loss nlb"
  runner::FaultAction action = runner::FaultAction::Crash;
  std::size_t node = runner::kNone, interface = runner::kNone, pair = runner::kNone;
};

struct MatrixConfig {
  Time first = Time::s(15);
  std::vector<Time> phases{Time::zero(), Time::ms(250), Time::ms(500), Time::ms(750)};
  // At once; within a heartbeat; within the failover; just after the first is undone.
  std::vector<Time> offsets{Time::zero(), Time::ms(300), Time::ms(2500), Time::s(21)};
  // Long enough for ND's default advisor (every 7 s, 10 s timeout) to mark a server down.
  Time lasts = Time::s(20);
  Time drain = Time::s(20);  // traffic stops this long before the end
  bool singles = true;
  bool pairs = true;
  std::size_t sample = 1;  // pair runs: keep one in `sample`
  // Only the faults whose name contains one of these ("lb1", "crash", "heartbeat"); empty: all.
  std::vector<std::string> only;
  unsigned jobs = 1;  // runs at once, each on its own thread
};

// One run of the matrix: which faults, when.
struct MatrixCase {
  std::vector<std::size_t> faults;  // indices into the fault list
  std::vector<Time> at;
  std::string name;  // "crash lb1 @15s + link-down fw1/eth1 @15.3s"
};

struct CaseResult {
  std::string name;
  int exit_code = 0;
  std::uint64_t events = 0;
  std::size_t faults_applied = 0;
  CheckResult check;
};

struct MatrixResult {
  std::size_t faults = 0;  // distinct faults in the list
  std::size_t runs = 0;
  std::size_t faults_applied = 0;  // over every run
  std::uint64_t events = 0;
  std::array<std::uint64_t, kInvariantCount> checks{}, failures{};
  std::size_t failed_runs = 0;
  std::vector<CaseResult> failed;  // every run with a violation or an error, in case order
  // Figures over every run.
  Time longest_split_brain, slowest_announce_follow, slowest_relearn;
  std::uint64_t connections = 0, open_at_end = 0, kept_to_down_server = 0, dispatched_all_down = 0;
  ArpBounds bounds;
  std::uint64_t total_checks() const { return total(checks); }
  std::uint64_t total_failures() const { return total(failures); }
};

// Every fault of the scenario, in node order (then the pairs' heartbeat losses).
std::vector<MatrixFault> matrix_faults(const runner::Scenario& s);
// Those of them the configuration keeps (MatrixConfig::only).
std::vector<MatrixFault> kept_faults(const runner::Scenario& s, const MatrixConfig& c);
std::vector<MatrixCase> matrix_cases(const std::vector<MatrixFault>& faults, const MatrixConfig& c);
// The scenario of one run: the base with the case's faults (and their undoing) as its timeline,
// no expectations, the traffic stopped `drain` before the end.
runner::Scenario case_scenario(const runner::Scenario& base, const std::vector<MatrixFault>& faults,
                               const MatrixCase& mc, const MatrixConfig& c);
CaseResult run_case(const runner::Scenario& base, const std::vector<MatrixFault>& faults,
                    const MatrixCase& mc, const MatrixConfig& c);

// Runs every case (on c.jobs threads); `progress` (if set) after each, from one thread at a time.
MatrixResult run_matrix(const runner::Scenario& base, const MatrixConfig& c,
                        const std::function<void(std::size_t done, std::size_t total)>& progress = {});

std::string matrix_text(const MatrixResult& r);  // the totals and the failed runs, for people
std::string matrix_json(const MatrixResult& r);  // the same, for tools (docs/reliability.md)

}  // namespace nlb::check
