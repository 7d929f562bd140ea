#pragma once
// A node of the seed's cluster: a net::Host (the stack) with a TransportHost (TCP, UDP, ICMP
// echo) and a role that adds behaviour on top — never a copy of the stack (STYLE.md). This base
// holds what every role shares: the timeline's operations (crash, recover, graceful stop and
// start, link down/up, freeze/resume) and the role timers a freeze defers.
//
// Crash and recover go through net::Host::set_up, so the stack and the transport forget their
// state first (ARP tables emptied, TCP connections gone without a segment), then the role's
// on_crash() drops its own volatile state and on_boot() starts it again from scratch.
//
// Freeze models a VM snapshot pause (keepalived#1927): while frozen the node's NICs drop
// everything ("frozen"), and a role timer that comes due is held and fires at resume(), late,
// in the order it came due — so a frozen VRRP master or active balancer wakes up believing
// it still is one. The stack's own timers (TCP, ARP) keep running; what they send is dropped.

#include <cstdint>
#include <string>
#include <vector>

#include "models/net/host.hpp"
#include "models/nodes/trace_events.hpp"
#include "models/transport/transport_host.hpp"
#include "sim/simulation.hpp"

namespace nlb::nodes {

using link::IfIndex;
using link::NodeId;
using sim::Time;

inline constexpr const char* kDropFrozen = "frozen";

// A router's host settings (net.ipv4.ip_forward=1).
inline net::HostConfig router_host() {
  net::HostConfig c;
  c.forwarding = true;
  return c;
}

class Node;

// A role's timer: a sim::Timer that a frozen node holds until resume().
class RoleTimer {
 public:
  RoleTimer(Node& node, sim::Callback on_expiry);
  ~RoleTimer();
  RoleTimer(const RoleTimer&) = delete;
  RoleTimer& operator=(const RoleTimer&) = delete;

  // Time::max() cancels; a time in the past fires at once (the machines' deadlines may lag).
  void schedule_at(Time at);
  void cancel();
  bool pending() const { return timer_.pending() || held_; }
  Time expiry() const { return timer_.expiry(); }

 private:
  friend class Node;
  void fire();

  Node& node_;
  sim::Callback on_expiry_;
  sim::Timer timer_;
  bool held_ = false;  // came due while the node was frozen
};

class Node : public net::Host {
 public:
  Node(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name, Role role,
       net::HostConfig config = {}, const transport::TcpConfig& tcp = {});
  ~Node() override;

  Role role() const { return role_; }
  transport::TransportHost& transport() { return transport_; }
  const transport::TransportHost& transport() const { return transport_; }

  // Starts the role once its interfaces and addresses are in place (the builder calls it).
  void boot();
  // The timeline's operations; each publishes a NodeFault.
  void crash();
  void recover();
  void graceful_stop();
  void start();
  void set_link(IfIndex i, bool up);  // the cable: the interface's LAN port
  void freeze();
  void resume();

  bool booted() const { return booted_; }
  bool stopped() const { return stopped_; }
  bool frozen() const { return frozen_; }
  // Booted, up, not stopped and not frozen: the role is doing its job.
  bool running() const { return booted_ && up() && !stopped_ && !frozen_; }

  // Addresses the role may hold at run time beyond its configured ones (VRRP virtual
  // addresses, the NLBS address or the prior art's cluster address on the access interface),
  // with the reason: what the public address audit needs besides the interface tables.
  struct DynamicAddress {
    IfIndex iface = link::kNoIface;
    wire::Ipv4 address;
    std::string why;
  };
  virtual std::vector<DynamicAddress> dynamic_addresses() const { return {}; }

 protected:
  // The role's hooks. on_boot starts everything from a clean state (first boot, after a crash);
  // on_crash forgets volatile state and stops timers; on_stop/on_start are the polite versions.
  virtual void on_boot() {}
  virtual void on_crash() {}
  virtual void on_stop() {}
  virtual void on_start() { on_boot(); }
  void publish_fault(FaultKind kind, IfIndex iface = link::kNoIface);

 private:
  friend class RoleTimer;
  void on_host_state(bool up);
  void hold(RoleTimer* t) { held_.push_back(t); }
  void forget(RoleTimer* t);

  Role role_;
  transport::TransportHost transport_;
  bool booted_ = false;
  bool stopped_ = false;
  bool frozen_ = false;
  std::vector<RoleTimer*> held_;  // in the order they came due
};

}  // namespace nlb::nodes
