#pragma once
// Events the node roles publish on sim::TraceBus besides the lower layers' (frames, ARP,
// addresses) and the protocol layer's (models/protocols/trace_events.hpp, which the roles
// publish from their machines' actions). docs/trace-format.md maps them: NodeFault -> `fault`,
// Dispatched -> the balancer's forwarding (measures read it), RequestDone -> `request`.

#include <cstdint>

#include "models/apps/http_client.hpp"
#include "models/link/ids.hpp"
#include "models/protocols/conn_table.hpp"
#include "models/wire/addr.hpp"
#include "sim/time.hpp"

namespace nlb::nodes {

enum class Role : std::uint8_t { Client, Internet, Firewall, Balancer, Server };
const char* to_string(Role r);  // "client", "internet", "firewall", "balancer", "server"

// The timeline's operations on one node (issue #4, "Node operations for the timeline").
enum class FaultKind : std::uint8_t {
  Crash,         // power off: drop everything, lose volatile state
  Recover,       // boot again after a crash
  GracefulStop,  // VRRP priority 0, HA tells the peer, servers stop listening
  Start,         // start again after a graceful stop
  LinkDown,      // the cable of one interface (its LAN port)
  LinkUp,
  Freeze,  // a VM snapshot pause: the node ignores everything, its timers wait
  Resume,
  HeartbeatPathDown,  // a balancer's heartbeats on one path are lost
  HeartbeatPathUp,
};
const char* to_string(FaultKind k);  // "crash", "recover", "graceful-stop", ...

struct NodeFault {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  FaultKind kind = FaultKind::Crash;
  link::IfIndex iface = link::kNoIface;  // link faults; the heartbeat path for path faults
};

// A balancer forwarded a datagram for a cluster address to a server (the seed's MAC rewrite).
// `frame_id` is the frame as it arrived; the frame sent keeps that id when the balancer held the
// only reference to it (rewritten in place), else it is a copy with a new id.
struct Dispatched {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  wire::Ipv4 cluster;
  protocols::ServerId server = protocols::kNoServer;
  wire::Ipv4 server_address;
  std::uint64_t frame_id = 0;
  bool new_connection = false;  // the dispatcher chose the server for this datagram
};

// A client's HTTP request finished (apps::HttpClient's record).
struct RequestDone {
  sim::Time at;
  link::NodeId node = link::kNoNode;
  apps::RequestRecord record;
  wire::Ipv4 target;  // the address the client sent it to (the cluster address)
};

}  // namespace nlb::nodes
