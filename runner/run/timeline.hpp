#pragma once
// The scenario's timeline on the engine: each fault is an event at its time that publishes a
// FaultApplied (the trace's `fault` line) and then acts on the built nodes, LANs or pairs:
//   crash, recover, graceful-stop, start, freeze   nodes::Node's operations
//   link-down, link-up                             one interface's cable, every interface of a
//                                                  node, or every port of a LAN
//   heartbeat-loss                                 every heartbeat path of the pair, both ways
//   set-loss                                       the loss probability of cables (both directions)
//   slow-server                                    the server's HTTP service time
//   admin-takeover                                 the standby balancer of the pair takes over
// A fault with a duration (freeze, heartbeat-loss) ends by itself: a second FaultApplied with
// `end` set, when the node resumes or the heartbeats flow again.

#include <cstddef>
#include <vector>

#include "runner/run/build.hpp"
#include "runner/scenario.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

struct FaultApplied {
  sim::Time at;
  std::size_t index = runner::kNone;  // in Scenario::timeline
  const runner::FaultSpec* spec = nullptr;
  bool end = false;  // the end of a fault's duration
};

class Timeline {
 public:
  Timeline(sim::Simulation& sim, const runner::Scenario& s, Built& built);
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Schedules every fault of the scenario at its time.
  void schedule();

  // When fault k applied (Time::max() if the run ended first).
  sim::Time applied_at(std::size_t k) const { return applied_[k]; }
  // The node a pair fault was aimed at when it applied: the active balancer (admin-takeover,
  // heartbeat-loss), for the failover measures; kNone otherwise.
  std::size_t pair_node(std::size_t k) const { return pair_node_[k]; }
  // The mean service time a slow-server fault replaced.
  sim::Time previous_service(std::size_t k) const { return previous_service_[k]; }

 private:
  void apply(std::size_t k);
  void finish(std::size_t k);
  void publish(std::size_t k, bool end);
  void set_links(const runner::FaultSpec& f, bool up);
  void set_loss(const runner::FaultSpec& f, double p);
  void set_heartbeats(const runner::FaultSpec& f, bool up);
  std::size_t active_member(const BuiltPair& p) const;

  sim::Simulation& sim_;
  const runner::Scenario& s_;
  Built& b_;
  std::vector<sim::Time> applied_;
  std::vector<std::size_t> pair_node_;
  std::vector<sim::Time> previous_service_;
};

}  // namespace nlb::run
