#pragma once
// Failover measured, not assumed (issue #4): a trace-bus subscriber that records what a failover
// is made of and, for a fault at time T on node N, computes
//   detection       T -> the first state change that answers the fault: the peer balancer
//                   becoming active (balancer faults), the peer firewall becoming VRRP master
//                   (firewall faults), an advisor marking the server down (server faults)
//   first datagram  T -> the first datagram a balancer other than N dispatches to a server
//                   other than N after T (traffic flows again)
//   first response  T -> the end of the first successful HTTP request started after T
//   ARP update      T -> the first change, after T, of a surviving firewall's ARP entry for the
//                   address the firewalls resolve to reach the balancers (the NLBS address, or
//                   the cluster address in the prior art); unset if it never changed
//   datagrams lost  distinct frames of the clients' flows (to or from a cluster address) dropped
//                   in [T, T + window): by anything but a NIC's address filter, or by address
//                   filters only and accepted by no NIC (a switch that forgot the MAC of a dead
//                   port floods the frame to NICs that all discard it)
//   connections     clients' TCP connections to a cluster address open at T, and how many of
//                   them ended Completed
// Nothing is computed while the run goes: events are kept (a few bytes each) and measure() reads
// them, so one meter serves every fault of a timeline.

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "models/link/ids.hpp"
#include "models/net/network.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/transport/tcp_connection.hpp"
#include "models/wire/addr.hpp"
#include "sim/simulation.hpp"

namespace nlb::measure {

using sim::Time;

struct FailoverTargets {
  std::vector<wire::Ipv4> clusters;     // the cluster addresses clients connect to
  std::vector<wire::Ipv4> front;        // what the firewalls resolve: NLBS (or clusters, prior art)
  std::vector<link::NodeId> firewalls;  // whose ARP tables count
  std::vector<link::NodeId> balancers;  // for balancer faults
  std::vector<std::pair<link::NodeId, wire::Ipv4>> servers;  // node and private address
};

// Reads the targets from a built network (roles and addresses of its nodes).
FailoverTargets targets_of(const net::Network& network, std::vector<wire::Ipv4> clusters,
                           std::vector<wire::Ipv4> front);

struct FailoverResult {
  Time at;
  link::NodeId node = link::kNoNode;
  std::optional<Time> detection;
  std::optional<Time> first_datagram;
  std::optional<Time> first_response;
  std::optional<Time> arp_update;
  std::uint64_t datagrams_lost = 0;
  std::size_t connections_open = 0;
  std::size_t connections_completed = 0;
  double survival() const {
    return connections_open == 0 ? 1.0 : static_cast<double>(connections_completed) / connections_open;
  }
};

class FailoverMeter {
 public:
  FailoverMeter(sim::Simulation& sim, FailoverTargets targets);

  // The fault at `at` on `node`; drops are counted in [at, at + window).
  FailoverResult measure(Time at, link::NodeId node, Time window = Time::s(30)) const;
  // Every NodeFault seen, in order (the timeline as it was applied).
  const std::vector<nodes::NodeFault>& faults() const { return faults_; }

 private:
  enum class Kind : std::uint8_t { BalancerActive, FirewallMaster, ServerDown };
  struct Change {
    Time at;
    link::NodeId node;
    Kind kind;
    wire::Ipv4 server;  // ServerDown
  };
  struct Dispatch {
    Time at;
    link::NodeId node;
    wire::Ipv4 server;
  };
  struct Request {
    Time start, end;
    bool ok;
  };
  struct ArpSet {
    Time at;
    link::NodeId node;
    wire::Ipv4 ip;
    wire::Mac mac;  // zero: the entry went away
  };
  struct Drop {
    Time at;
    std::uint64_t frame;
    bool filtered;  // by a NIC's address filter: lost only if no other NIC took the frame
  };
  struct Conn {
    link::NodeId node;
    std::uint64_t id;
    Time opened;
    Time closed = Time::max();
    transport::TcpOutcome outcome = transport::TcpOutcome::Open;
  };

  void subscribe(sim::TraceBus& trace);
  bool is(const std::vector<link::NodeId>& set, link::NodeId n) const;
  bool flow_frame(const link::FrameRef& f) const;
  std::optional<Time> detection(Time at, link::NodeId node) const;
  std::optional<Time> arp_update(Time at, link::NodeId node) const;
  wire::Ipv4 server_address(link::NodeId node) const;

  FailoverTargets t_;
  std::vector<nodes::NodeFault> faults_;
  std::vector<Change> changes_;
  std::vector<Dispatch> dispatches_;
  std::vector<Request> requests_;
  std::vector<ArpSet> arp_;
  std::vector<Drop> drops_;
  // Flow frames some NIC accepted (looked up only): a flooded copy filtered elsewhere is no loss.
  std::unordered_set<std::uint64_t> received_;
  std::vector<Conn> conns_;
};

}  // namespace nlb::measure
