#pragma once
// The seed's Figure 4 main data flow ("DATA FLOWS"), as the run's first HTTP request took it:
//   1. the firewall broadcasts an ARP request for the NLBS address (or, in the prior art, the
//      cluster address) on the Internet Access Subnet;
//   2. only the active balancer answers it;
//   3. the active balancer forwards the datagram to the server it chose by rewriting the
//      destination MAC only (everything after the MAC addresses is byte for byte the same);
//   4. the server accepts it (the cluster address is on its loopback) and replies directly to
//      the firewalls' VRRP address, not through a balancer;
//   5. the request's outcome and response time.
// Recorded from the frames on the trace bus until that request ends; then every handler
// returns at once. tests/nodes/figure4_flow_test.cpp asserts the same walk on a built site.

#include <cstdint>
#include <string>
#include <vector>

#include "runner/run/build.hpp"
#include "sim/simulation.hpp"

namespace nlb::run {

struct Figure4Flow {
  bool started = false;  // a client sent its first SYN to a cluster address
  bool done = false;     // ... and that request ended
  sim::Time start;
  std::string client;
  wire::Ipv4 client_ip, cluster;
  std::uint16_t client_port = 0, cluster_port = 0;
  std::uint32_t syn_retransmissions = 0;  // the path was not ready yet (e.g. VRRP still electing)

  bool arp_request = false;  // step 1
  sim::Time arp_at;
  std::string arp_by;      // who asked (a firewall)
  wire::Ipv4 front;        // the address asked for
  bool arp_reply = false;  // step 2
  sim::Time reply_at;
  std::string replied_by;
  wire::Mac replied_mac;
  std::uint32_t other_replies = 0;  // replies for it from anyone else (must stay 0)

  bool dispatched = false;  // step 3
  sim::Time dispatch_at;
  std::string balancer, server;
  wire::Mac in_src, in_dst, out_src, out_dst;
  bool rewritten = false;  // the forwarded frame was seen
  bool only_mac = false;   // ... and everything after the MAC addresses was unchanged
  std::uint8_t ttl_in = 0, ttl_out = 0;

  bool replied = false;  // step 4
  sim::Time server_reply_at;
  wire::Mac reply_dst;
  wire::Ipv4 reply_gateway;       // the server's next hop toward the client
  std::string reply_next_hop;     // the node that received the reply frame
  bool through_balancer = false;  // a balancer received a frame from the cluster address to the client

  std::string outcome;  // step 5
  sim::Time latency;
};

class FlowRecorder {
 public:
  FlowRecorder(sim::Simulation& sim, const runner::Scenario& s, const Built& built);
  FlowRecorder(const FlowRecorder&) = delete;
  FlowRecorder& operator=(const FlowRecorder&) = delete;
  const Figure4Flow& flow() const { return f_; }

 private:
  void on_sent(sim::Time at, link::NodeId node, link::IfIndex iface, const link::Frame& frame);
  void on_received(sim::Time at, link::NodeId node, const link::Frame& frame);
  bool is_role(link::NodeId node, runner::Role role) const;
  const std::string& name(link::NodeId node) const;
  bool is_front(wire::Ipv4 a) const;
  bool is_cluster(wire::Ipv4 a) const;

  const runner::Scenario& s_;
  const Built& b_;
  Figure4Flow f_;
  std::vector<std::byte> syn_in_;  // the first SYN as a balancer received it
  link::NodeId syn_in_node_ = link::kNoNode;
  std::uint64_t reply_frame_ = 0;
};

}  // namespace nlb::run
