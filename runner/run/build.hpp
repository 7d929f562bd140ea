#pragma once
// The builder: a validated scenario (runner::Scenario) -> a network of nodes ready to boot.
//
// Every field of the scenario has an effect here or is reported as not supported yet (an error
// naming its JSON pointer, so `nlbsim run` exits 2 rather than run something else than what the
// file says). The roles are the classes of models/nodes:
//   client, host -> nodes::Client     (an endpoint that can run HTTP clients)
//   internet     -> nodes::InternetRouter
//   firewall     -> nodes::Firewall   (router + VRRP groups + packet filter)
//   router       -> nodes::Firewall   (a router that may run VRRP; no filter unless given)
//   balancer     -> nodes::Balancer   (one of a balancer pair)
//   server       -> nodes::Server     (HTTP server, cluster addresses on the loopback)
// Ids are the scenario's indices: LAN k of the scenario is link::LanId k, node k is NodeId k.
//
// docs/run.md says how each field maps to the models and what is simplified.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/net/network.hpp"
#include "models/nodes/balancer.hpp"
#include "models/nodes/client.hpp"
#include "models/nodes/firewall.hpp"
#include "models/nodes/server.hpp"
#include "runner/diagnostics.hpp"
#include "runner/scenario.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

struct BuiltPair {
  std::size_t spec = runner::kNone;           // index in Scenario::balancer_pairs
  std::array<nodes::Balancer*, 2> members{};  // [0] primary, [1] backup
};

struct Built {
  std::unique_ptr<net::Network> network;
  std::vector<nodes::Node*> nodes;  // by scenario node index (== NodeId)
  std::vector<link::Lan*> lans;     // by scenario LAN index (== LanId)
  std::vector<BuiltPair> pairs;
  std::vector<wire::Ipv4> clusters;      // every cluster address, pair by pair
  std::vector<wire::Ipv4> front;         // what the firewalls resolve: NLBS or (prior art) cluster addresses
  std::vector<std::size_t> servers;      // scenario node indices of the clusters' servers, first seen first
  std::vector<wire::Ipv4> server_addrs;  // their private addresses (on the server LAN), same order

  // Boots every node in id order (VRRP and HA start electing; traffic starts at its own time).
  void boot();
  nodes::Node& node(std::size_t i) const { return *nodes[i]; }
  // The scenario node holding this private server address, or kNone.
  std::size_t server_of(wire::Ipv4 addr) const;
};

struct BuildResult {
  std::optional<Built> built;  // set when there is no error
  runner::Diagnostics diagnostics;
};

BuildResult build(sim::Simulation& sim, const runner::Scenario& s);

// The model's form of a scenario service time.
apps::ServiceTime service_time_of(const runner::ServiceTimeSpec& s);

}  // namespace nlb::run
