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
//   external     -> no node: one link::ExternalPort per interface, a real host behind a Linux
//                   interface (docs/emulation.md); a bare placeholder keeps its NodeId
// Ids are the scenario's indices: LAN k of the scenario is link::LanId k, node k is NodeId k.
//
// docs/run.md says how each field maps to the models and what is simplified.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/link/external_port.hpp"
#include "models/net/network.hpp"
#include "models/nodes/balancer.hpp"
#include "models/nodes/client.hpp"
#include "models/nodes/firewall.hpp"
#include "models/nodes/server.hpp"
#include "runner/diagnostics.hpp"
#include "runner/scenario.hpp"
#include "sim/realtime_pacer.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

struct BuiltPair {
  std::size_t spec = runner::kNone;           // index in Scenario::balancer_pairs
  std::array<nodes::Balancer*, 2> members{};  // [0] primary, [1] backup
};

// One interface of an external node: the port that carries its frames to and from Linux.
struct BuiltExternal {
  std::size_t node = runner::kNone;  // scenario indices
  std::size_t iface = runner::kNone;
  std::unique_ptr<link::ExternalPort> port;
};

struct Built {
  std::unique_ptr<net::Network> network;
  std::vector<nodes::Node*> nodes;  // by scenario node index (== NodeId); null for external nodes
  std::vector<link::Lan*> lans;     // by scenario LAN index (== LanId)
  std::vector<BuiltPair> pairs;
  std::vector<wire::Ipv4> clusters;      // every cluster address, pair by pair
  std::vector<wire::Ipv4> front;         // what the firewalls resolve: NLBS or (prior art) cluster addresses
  std::vector<std::size_t> servers;      // scenario node indices of the clusters' servers, first seen first
  std::vector<wire::Ipv4> server_addrs;  // their private addresses (on the server LAN), same order
  // After `network`, so the ports (reader threads, NICs on its LANs) go first.
  std::vector<BuiltExternal> externals;

  // Boots every node in id order (VRRP and HA start electing; traffic starts at its own time).
  void boot();
  // Starts the external ports' reader threads; an error text when one cannot start.
  std::string start_externals();
  void stop_externals();
  bool is_external(std::size_t node) const { return nodes[node] == nullptr; }
  // The NIC of a scenario node's interface: the node's own, or an external port's.
  link::Device* device(std::size_t node, std::size_t iface) const;
  nodes::Node& node(std::size_t i) const { return *nodes[i]; }
  // The scenario node holding this private server address, or kNone.
  std::size_t server_of(wire::Ipv4 addr) const;
};

struct BuildResult {
  std::optional<Built> built;  // set when there is no error
  runner::Diagnostics diagnostics;
};

// `pacer` is the real-time pacer the run uses; external nodes need one (their ports post the
// frames they read to it).
BuildResult build(sim::Simulation& sim, const runner::Scenario& s, sim::RealtimePacer* pacer = nullptr);

// The model's form of a scenario service time.
apps::ServiceTime service_time_of(const runner::ServiceTimeSpec& s);

}  // namespace nlb::run
