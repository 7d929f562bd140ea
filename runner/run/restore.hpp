#pragma once
// When a node that comes back (recover, start, link-up) is back in service: a balancer active
// again (the seed's automatic recovery: the primary takes the NLBS address back), a firewall
// master again of one of its VRRP groups (preemption), a server marked up again by an advisor
// (it gets new connections again). Recorded from the protocol state changes, a few per run.
// Nodes of other roles, or a balancer that stays standby (manual recovery), are never "back".

#include <optional>
#include <vector>

#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

class RestoreRecorder {
 public:
  explicit RestoreRecorder(sim::Simulation& sim);
  RestoreRecorder(const RestoreRecorder&) = delete;
  RestoreRecorder& operator=(const RestoreRecorder&) = delete;

  // The first time at or after `at` that `node` is back in service (as a balancer or firewall),
  // or that a balancer's advisor marks `server` up; measured from `at`.
  std::optional<sim::Time> back(sim::Time at, link::NodeId node, wire::Ipv4 server) const;

 private:
  struct Up {
    sim::Time at;
    link::NodeId node;  // the balancer or firewall that became active or master
    wire::Ipv4 server;  // for an advisor's verdict
  };
  std::vector<Up> ups_;
};

}  // namespace nlb::run
