#include "runner/check/matrix.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runner/run/run.hpp"

namespace nlb::check {

using runner::FaultAction;
using runner::kNone;

// ---- what to run ----------------------------------------------------------------------------

std::vector<MatrixFault> matrix_faults(const runner::Scenario& s) {
  std::vector<MatrixFault> out;
  bool first_client = true;
  for (std::size_t k = 0; k < s.nodes.size(); ++k) {
    const runner::NodeSpec& n = s.nodes[k];
    if (n.role == runner::Role::Client) {
      if (!first_client) continue;  // the clients are alike: the first stands for them
      first_client = false;
    }
    out.push_back({"crash " + n.name, FaultAction::Crash, k});
    if (n.role != runner::Role::Internet)
      out.push_back({"graceful-stop " + n.name, FaultAction::GracefulStop, k});
    for (std::size_t i = 0; i < n.interfaces.size(); ++i)
      out.push_back({"link-down " + n.name + "/" + n.interfaces[i].name, FaultAction::LinkDown, k, i});
  }
  for (std::size_t p = 0; p < s.balancer_pairs.size(); ++p)
    out.push_back(
        {"heartbeat-loss " + s.balancer_pairs[p].name, FaultAction::HeartbeatLoss, kNone, kNone, p});
  return out;
}

std::vector<MatrixFault> kept_faults(const runner::Scenario& s, const MatrixConfig& c) {
  std::vector<MatrixFault> all = matrix_faults(s);
  if (c.only.empty()) return all;
  std::erase_if(all, [&](const MatrixFault& f) {
    return std::none_of(c.only.begin(), c.only.end(),
                        [&](const std::string& w) { return f.name.find(w) != std::string::npos; });
  });
  return all;
}

namespace {

// splitmix64: a fixed, well-spread hash of the case number, so that sampling one run in k does
// not always land on the same offset.
std::uint64_t spread(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string at_text(Time t) { return t.str(); }

}  // namespace

std::vector<MatrixCase> matrix_cases(const std::vector<MatrixFault>& faults, const MatrixConfig& c) {
  std::vector<MatrixCase> out;
  if (c.singles) {
    for (std::size_t a = 0; a < faults.size(); ++a)
      for (Time ph : c.phases) {
        const Time t = c.first + ph;
        out.push_back({{a}, {t}, faults[a].name + " @" + at_text(t)});
      }
  }
  if (!c.pairs) return out;
  std::uint64_t n = 0;
  for (std::size_t a = 0; a < faults.size(); ++a) {
    for (std::size_t b = 0; b < faults.size(); ++b) {
      if (a == b) continue;
      for (Time off : c.offsets) {
        if (off == Time::zero() && b < a) continue;  // at once: (a, b) is (b, a)
        if (c.sample > 1 && spread(n++) % c.sample != 0) continue;
        const Time ta = c.first, tb = c.first + off;
        out.push_back({{a, b},
                       {ta, tb},
                       faults[a].name + " @" + at_text(ta) + " + " + faults[b].name + " @" + at_text(tb)});
      }
    }
  }
  return out;
}

namespace {

// The end of every run of the matrix: the last fault undone, two seconds, then the drain.
Time matrix_end(const MatrixConfig& c) {
  Time last = Time::zero();
  for (Time t : c.phases) last = std::max(last, t);
  for (Time t : c.offsets) last = std::max(last, t);
  return c.first + last + c.lasts + Time::s(2) + c.drain;
}

std::optional<FaultAction> undo_of(FaultAction a) {
  switch (a) {
    case FaultAction::Crash:
      return FaultAction::Recover;
    case FaultAction::GracefulStop:
      return FaultAction::Start;
    case FaultAction::LinkDown:
      return FaultAction::LinkUp;
    default:
      return std::nullopt;  // heartbeat-loss ends by its duration
  }
}

runner::FaultSpec spec_of(const runner::Scenario& s, const MatrixFault& f, FaultAction action, Time at,
                          std::string name) {
  runner::FaultSpec spec;
  spec.name = std::move(name);
  spec.at = at;
  spec.action = action;
  spec.node_index = f.node;
  spec.interface_index = f.interface;
  spec.pair_index = f.pair;
  if (f.node != kNone) spec.node = s.nodes[f.node].name;
  if (f.interface != kNone) spec.interface = s.nodes[f.node].interfaces[f.interface].name;
  if (f.pair != kNone) spec.pair = s.balancer_pairs[f.pair].name;
  return spec;
}

}  // namespace

runner::Scenario case_scenario(const runner::Scenario& base, const std::vector<MatrixFault>& faults,
                               const MatrixCase& mc, const MatrixConfig& c) {
  runner::Scenario s = base;
  s.timeline.clear();
  s.expectations.clear();
  s.duration = matrix_end(c);
  for (runner::TrafficSpec& t : s.traffic)
    t.stop = std::min(t.stop.value_or(Time::max()), s.duration - c.drain);
  for (std::size_t j = 0; j < mc.faults.size(); ++j) {
    const MatrixFault& f = faults[mc.faults[j]];
    runner::FaultSpec spec = spec_of(s, f, f.action, mc.at[j], f.name + " @" + at_text(mc.at[j]));
    if (f.action == FaultAction::HeartbeatLoss) spec.duration = c.lasts;
    s.timeline.push_back(std::move(spec));
    if (auto undo = undo_of(f.action))
      s.timeline.push_back(spec_of(s, f, *undo, mc.at[j] + c.lasts, "undo " + f.name));
  }
  return s;
}

CaseResult run_case(const runner::Scenario& base, const std::vector<MatrixFault>& faults,
                    const MatrixCase& mc, const MatrixConfig& c) {
  CaseResult r;
  r.name = mc.name;
  InvariantChecker checker;
  run::RunOptions o;
  o.observers.push_back(&checker);
  const run::RunResult run = run::run_scenario(case_scenario(base, faults, mc, c), o);
  r.exit_code = run.exit_code;
  r.events = run.events;
  if (run.report)
    for (const run::FaultReport& f : run.report->faults)
      if (f.applied && f.name.rfind("undo ", 0) != 0) ++r.faults_applied;
  r.check = checker.result();
  return r;
}

// ---- running it all -------------------------------------------------------------------------

MatrixResult run_matrix(const runner::Scenario& base, const MatrixConfig& c,
                        const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::vector<MatrixFault> faults = kept_faults(base, c);
  const std::vector<MatrixCase> cases = matrix_cases(faults, c);
  std::vector<CaseResult> results(cases.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex m;
  auto worker = [&] {
    for (std::size_t k = next++; k < cases.size(); k = next++) {
      results[k] = run_case(base, faults, cases[k], c);
      std::lock_guard lock(m);
      ++done;
      if (progress) progress(done, cases.size());
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::max(1u, c.jobs); ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();

  // Totals in case order, whatever order the threads finished in.
  MatrixResult r;
  r.faults = faults.size();
  r.runs = cases.size();
  for (CaseResult& cr : results) {
    r.faults_applied += cr.faults_applied;
    r.events += cr.events;
    for (std::size_t i = 0; i < kInvariantCount; ++i) {
      r.checks[i] += cr.check.checks[i];
      r.failures[i] += cr.check.failures[i];
    }
    r.longest_split_brain = std::max(r.longest_split_brain, cr.check.longest_split_brain);
    r.slowest_announce_follow = std::max(r.slowest_announce_follow, cr.check.slowest_announce_follow);
    r.slowest_relearn = std::max(r.slowest_relearn, cr.check.slowest_relearn);
    r.connections += cr.check.connections;
    r.open_at_end += cr.check.open_at_end;
    r.kept_to_down_server += cr.check.kept_to_down_server;
    r.dispatched_all_down += cr.check.dispatched_all_down;
    r.bounds = cr.check.bounds;
    if (!cr.check.ok() || cr.exit_code != run::kExitOk) {
      ++r.failed_runs;
      r.failed.push_back(std::move(cr));
    }
  }
  return r;
}

std::string matrix_text(const MatrixResult& r) {
  std::ostringstream o;
  o << "Fault matrix: " << r.runs << " runs, " << r.faults << " distinct faults, " << r.faults_applied
    << " faults applied, " << r.events << " events\n"
    << "Invariant checks: " << r.total_checks() << ", failed: " << r.total_failures() << " (in "
    << r.failed_runs << " runs)\n";
  for (Invariant i : kInvariants) {
    const auto k = static_cast<std::size_t>(i);
    o << "  " << to_string(i) << ": " << r.checks[k] << " checks, " << r.failures[k] << " failed\n";
  }
  o << "ARP bound: " << r.bounds.announce.str() << " when the firewall hears the announcement, "
    << r.bounds.relearn.str() << " when it must relearn"
    << (r.bounds.lossy ? " (lossy LAN: relearn only)" : "")
    << "; slowest measured: " << r.slowest_announce_follow.str() << " and " << r.slowest_relearn.str() << "\n"
    << "Longest split brain: " << r.longest_split_brain.str() << "; TCP connections: " << r.connections
    << ", open at the end: " << r.open_at_end
    << "; datagrams of held connections to a down server: " << r.kept_to_down_server
    << "; new connections with every server down (ND's rule): " << r.dispatched_all_down << "\n";
  for (const CaseResult& cr : r.failed) {
    o << "FAILED run: " << cr.name;
    if (cr.exit_code != run::kExitOk) o << " (exit " << cr.exit_code << ")";
    o << "\n" << result_text(cr.check);
  }
  return o.str();
}

std::string matrix_json(const MatrixResult& r) {
  using Json = nlohmann::ordered_json;
  Json inv = Json::object();
  for (Invariant i : kInvariants) {
    const auto k = static_cast<std::size_t>(i);
    inv[to_string(i)] = {{"checks", r.checks[k]}, {"failed", r.failures[k]}};
  }
  Json failed = Json::array();
  for (const CaseResult& cr : r.failed) {
    Json v = Json::array();
    for (const Violation& x : cr.check.violations)
      v.push_back({{"invariant", to_string(x.invariant)}, {"at_ns", x.at.nanos()}, {"what", x.what}});
    failed.push_back({{"run", cr.name}, {"exit_code", cr.exit_code}, {"violations", v}});
  }
  Json j{{"runs", r.runs},
         {"faults", r.faults},
         {"faults_applied", r.faults_applied},
         {"events", r.events},
         {"checks", r.total_checks()},
         {"failed_checks", r.total_failures()},
         {"failed_runs", r.failed_runs},
         {"invariants", inv},
         {"arp_bound_announce_ns", r.bounds.announce.nanos()},
         {"arp_bound_relearn_ns", r.bounds.relearn.nanos()},
         {"slowest_announce_follow_ns", r.slowest_announce_follow.nanos()},
         {"slowest_relearn_ns", r.slowest_relearn.nanos()},
         {"longest_split_brain_ns", r.longest_split_brain.nanos()},
         {"connections", r.connections},
         {"open_at_end", r.open_at_end},
         {"kept_to_down_server", r.kept_to_down_server},
         {"dispatched_all_down", r.dispatched_all_down},
         {"failed", failed}};
  return j.dump(2) + "\n";
}

}  // namespace nlb::check
