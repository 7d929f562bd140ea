#pragma once
// The state of the simulated site at any time of a trace, folded from its lines: who is up,
// who holds which address, which VRRP router is master, what each ARP table and switch table
// said. `nlbsim explain` asks these questions while it walks back from a lost datagram to its
// cause. Every query is "as of time t, after the lines at t" unless it says "before".

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runner/explain/trace_index.hpp"

namespace nlb::explain {

// A node's liveness changes from the timeline's faults (crash, freeze, graceful stop ...).
struct Liveness {
  Time t;
  bool up = true;    // false: crashed, frozen or stopped
  std::string what;  // "crashed", "froze", "stopped", "recovered", "resumed", "started"
  const FaultLine* fault = nullptr;
};

class World {
 public:
  explicit World(const TraceIndex& trace);

  const TraceIndex& trace() const { return t_; }
  std::string node_name(std::uint32_t node) const;
  std::optional<std::uint32_t> node_by_name(const std::string& name) const;
  const std::string& role(std::uint32_t node) const;
  bool is_forwarder(std::uint32_t node) const;  // firewall, router, internet

  // The node that owns a MAC on a LAN at time t: a NIC's own MAC, or for a VRRP virtual MAC
  // the group's master there (the last to become master if several claim it).
  std::optional<std::uint32_t> mac_owner(wire::Mac mac, std::uint32_t lan, Time t) const;
  std::string mac_text(wire::Mac mac, std::uint32_t lan, Time t) const;  // "02:..:01 (lb1)"
  // The node on a LAN port (headers with ports), or the node whose NIC MAC a switch learned there.
  std::optional<std::uint32_t> port_node(std::uint32_t lan, std::uint32_t port) const;

  // Liveness from faults. `last_down_before` is the last change to down at or before t.
  bool up(std::uint32_t node, Time t) const;
  const Liveness* last_change(std::uint32_t node, Time t) const;
  const Liveness* next_change(std::uint32_t node, Time after) const;

  // Addresses: the header's plus `addr` lines up to t.
  bool holds(std::uint32_t node, wire::Ipv4 ip, Time t) const;
  const AddrLine* last_addr(std::uint32_t node, wire::Ipv4 ip, Time t) const;
  std::vector<std::uint32_t> holders(wire::Ipv4 ip, Time t) const;

  // The next hop a node uses for a destination (its header routes, longest prefix).
  std::optional<wire::Ipv4> next_hop(std::uint32_t node, wire::Ipv4 dst) const;

  // ARP lines of (node, ip) in time order.
  const std::vector<const ArpLine*>& arp_history(std::uint32_t node, wire::Ipv4 ip) const;
  const ArpLine* arp_at(std::uint32_t node, wire::Ipv4 ip, Time t) const;  // last line <= t
  // The line that set the entry's current MAC (the last add/update that changed it), <= t.
  const ArpLine* arp_learned(std::uint32_t node, wire::Ipv4 ip, Time t) const;

  // Connection-table lines of one client endpoint, in time order; whether any `sync` line exists.
  const std::vector<const ConnLine*>& conn_history(const Endpoint& client) const;
  bool any_sync() const { return any_sync_; }
  // ARP lines on routers and firewalls that moved an entry to one of the node's NIC MACs.
  const std::vector<const ArpLine*>& arp_moves_to(std::uint32_t node) const;

  // Switch-table lines of (lan, mac) in time order.
  std::vector<const MacLine*> mac_history(std::uint32_t lan, wire::Mac mac) const;

  // State machines: the last change of `machine` on a node at or before t.
  const StateLine* state_at(std::uint32_t node, const std::string& machine, Time t) const;
  // The last state change of any machine on a node in [from, to].
  const StateLine* last_state_in(std::uint32_t node, Time from, Time to) const;

  // Frames of a kind received (or sent) by a node, in (from, to].
  const FrameLine* last_frame(std::uint32_t node, Dir dir, const std::string& kind, Time before) const;
  std::vector<const FrameLine*> frames_in(Dir dir, const std::string& kind, Time from, Time to) const;
  const FrameLine* tx_of(std::uint64_t id, Time at_or_before) const;

  // The fault entries active at t for a pair (heartbeat-loss) or a node.
  const FaultLine* fault_active(const std::string& action, const std::string& target, Time t) const;

  std::string time_text(Time t) const;  // "21.719 s" (ms precision; us when needed)

 private:
  const TraceIndex& t_;
  std::map<std::string, std::uint32_t> by_name_;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t> nic_mac_;  // (lan, mac) -> node
  std::map<std::uint64_t, std::uint32_t> any_mac_;                            // mac -> node
  std::vector<std::vector<Liveness>> live_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<const ArpLine*>> arp_;
  std::vector<const ArpLine*> no_arp_;
  std::map<Endpoint, std::vector<const ConnLine*>> conns_;
  std::vector<const ConnLine*> no_conns_;
  bool any_sync_ = false;
  std::map<std::uint32_t, std::vector<const ArpLine*>> moves_;
};

// RFC 5798 7.3: a VRRP virtual MAC is 00-00-5E-00-01-{VRID}.
std::optional<int> vrrp_vrid(wire::Mac mac);

std::string seconds_text(Time t);   // "21.719 s"
std::string duration_text(Time d);  // "1.719 s", "340 ms", "12 us"

}  // namespace nlb::explain
