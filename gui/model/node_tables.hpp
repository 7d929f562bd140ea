#pragma once
// A node's tables at a replay position, folded from the header and the node's own events
// (docs/trace-format.md: "A node's tables at any replay time follow from the header plus the
// addr, arp, state and conn events up to that time").
//
// A node that recovers from a crash has rebooted: its tables start again from the header.
//
// A replay position `pos` means "events [0, pos) have happened": stepping one event forward
// is pos + 1, whatever the times, so two events at the same nanosecond are two steps.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gui/model/trace_model.hpp"

namespace nlb::gui {

struct AddrRow {
  std::uint32_t ip = 0;
  std::uint8_t len = 32;
  bool alias = false;        // added at run time (an `addr` event with alias), e.g. the NLBS address
  bool from_header = false;  // configured in the scenario
  std::int64_t since = 0;
};

struct IfaceRow {
  int index = 0;
  std::string name;
  int lan = -1;
  std::uint64_t mac = 0;
  bool loopback = false;
  std::vector<AddrRow> addresses;
};

struct ArpRow {
  int iface = -1;
  std::uint32_t ip = 0;
  std::uint64_t mac = 0;
  std::string state;
  std::int64_t since = 0;  // last change
};

struct StateRow {
  std::string machine;  // "vrrp/1", "ha", "advisor/srv1"
  std::string state;
  std::string why;
  std::int64_t since = 0;
};

struct ConnRow {
  std::string proto, client, vip, server;
  bool synced = false;  // learned from the peer's sync, not dispatched here
  std::int64_t since = 0;
};

struct NodeTables {
  int node = -1;
  std::vector<IfaceRow> interfaces;
  std::vector<Route> routes;
  std::vector<ArpRow> arp;       // by (iface, ip)
  std::vector<StateRow> states;  // by machine name
  std::vector<ConnRow> conns;    // one per (client, vip), oldest first
  bool down = false;             // crashed or stopped by a fault and not recovered
  std::string down_why;
  const StateRow* state(const std::string& machine) const;
};

// Which tables to fold: a balancer's connection table can be large, and the topology view
// only needs the addresses.
enum FoldParts : unsigned { kFoldStatus = 1, kFoldArp = 2, kFoldConns = 4, kFoldAll = 7 };

// Everything about one node at position pos. Cost: that node's events before pos.
NodeTables fold_node(const TraceModel& m, int node, std::size_t pos, unsigned parts = kFoldAll);

// What the topology view needs for every node, cheaply (state and fault events only).
struct NodeStatus {
  bool down = false;
  std::string ha;                  // the "ha" machine's state, if any
  std::vector<StateRow> machines;  // every machine's state
  bool active() const;             // an active balancer or a VRRP master
};
std::vector<NodeStatus> fold_status(const TraceModel& m, std::size_t pos);

// LANs taken down by a fault and not brought back up, at pos.
std::vector<bool> fold_lans_down(const TraceModel& m, std::size_t pos);

// Fault actions: which bring a target down and which bring it back.
bool fault_downs(const std::string& action);
bool fault_ups(const std::string& action);

}  // namespace nlb::gui
